// BAR backing store: 4 KiB pages allocated on first write, so large BARs cost nothing unused.
import type { AccessWidth } from '../config/access.js';
import type { BarInit } from './types.js';

const PAGE = 4096;

/** Little-endian byte store of `size` bytes; unwritten bytes read 0. */
export class SparseMemory {
  private readonly pages = new Map<number, Uint8Array>();
  /** Written since the last {@link load}. */
  dirty = false;
  private loaded: readonly BarInit[] | null = null;
  // Pages this store wrote to (the others may be shared templates).
  private readonly owned = new Set<number>();

  /** @param size bytes addressable */
  constructor(readonly size: number) {}

  /** Reads a naturally aligned value inside the store (the caller checks bounds). */
  read(offset: number, width: AccessWidth): number {
    const page = this.pages.get(Math.floor(offset / PAGE));
    if (!page) return 0;
    const at = offset % PAGE;
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = v * 256 + page[at + i]!;
    return v;
  }

  /** Writes a naturally aligned value inside the store (the caller checks bounds). */
  write(offset: number, width: AccessWidth, value: number): void {
    this.dirty = true;
    for (let i = 0; i < width; i++) this.poke(offset + i, (value >>> (8 * i)) & 0xff);
  }

  /** Drops all contents, then stores `init`. Not dirty afterwards. */
  load(init: readonly BarInit[]): void {
    // Nothing written since the same contents were loaded: they are still there.
    if (!this.dirty && this.loaded === init) return;
    this.pages.clear();
    this.owned.clear();
    // The pages of `init` are built once and shared until written (copy on write).
    for (const [index, page] of templatePages(init)) this.pages.set(index, page);
    this.dirty = false;
    this.loaded = init;
  }

  private poke(offset: number, byte: number): void {
    const index = Math.floor(offset / PAGE);
    let page = this.pages.get(index);
    if (!this.owned.has(index)) {
      page = page ? page.slice() : new Uint8Array(PAGE);
      this.pages.set(index, page);
      this.owned.add(index);
    }
    page![offset % PAGE] = byte;
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
