// BAR backing store: 4 KiB pages allocated on first write, so large BARs cost nothing unused.
import type { AccessWidth } from '../config/access.js';
import type { BarInit } from './types.js';

const PAGE = 4096;
const NO_PAGES: ReadonlyMap<number, Uint8Array> = new Map();

/** Little-endian byte store of `size` bytes; unwritten bytes read 0. */
export class SparseMemory {
  // The loaded contents' pages, shared and never written (copy on write).
  private template: ReadonlyMap<number, Uint8Array> = NO_PAGES;
  // Pages this store wrote to since the last load; null when none.
  private own: Map<number, Uint8Array> | null = null;
  /** Written since the last {@link load}. */
  dirty = false;
  private loaded: readonly BarInit[] | null = null;

  /** @param size bytes addressable */
  constructor(readonly size: number) {}

  /** Reads a naturally aligned value inside the store (the caller checks bounds). */
  read(offset: number, width: AccessWidth): number {
    const index = Math.floor(offset / PAGE);
    const page = this.own?.get(index) ?? this.template.get(index);
    if (!page) return 0;
    const at = offset % PAGE;
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = v * 256 + page[at + i]!;
    return v;
  }

  /** Writes a naturally aligned value inside the store (the caller checks bounds). */
  write(offset: number, width: AccessWidth, value: number): void {
    this.dirty = true;
    // Naturally aligned: the value never straddles two pages.
    const page = this.ownPage(Math.floor(offset / PAGE));
    const at = offset % PAGE;
    for (let i = 0; i < width; i++) page[at + i] = (value >>> (8 * i)) & 0xff;
  }

  /** Drops all contents, then stores `init`. Not dirty afterwards. */
  load(init: readonly BarInit[]): void {
    // Nothing written since the same contents were loaded: they are still there.
    if (!this.dirty && this.loaded === init) return;
    // The pages of `init` are built once and shared until written.
    this.template = templatePages(init);
    this.own = null;
    this.dirty = false;
    this.loaded = init;
  }

  // The page at `index`, private to this store (a copy of the template's, or zeros).
  private ownPage(index: number): Uint8Array {
    const own = (this.own ??= new Map());
    let page = own.get(index);
    if (!page) {
      const shared = this.template.get(index);
      page = shared ? shared.slice() : new Uint8Array(PAGE);
      own.set(index, page);
    }
    return page;
  }
}

// Initial contents as pages, built once per contents list and never written.
const templates = new WeakMap<readonly BarInit[], ReadonlyMap<number, Uint8Array>>();

function templatePages(init: readonly BarInit[]): ReadonlyMap<number, Uint8Array> {
  let t = templates.get(init);
  if (t) return t;
  const pages = new Map<number, Uint8Array>();
  for (const { offset, bytes } of init) {
    for (let i = 0; i < bytes.length; i++) {
      const at = offset + i;
      const index = Math.floor(at / PAGE);
      let page = pages.get(index);
      if (!page) pages.set(index, (page = new Uint8Array(PAGE)));
      page[at % PAGE] = bytes[i]!;
    }
  }
  templates.set(init, (t = pages));
  return t;
}
