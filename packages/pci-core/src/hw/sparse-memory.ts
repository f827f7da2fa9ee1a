// BAR backing store: 4 KiB pages allocated on first write, so large BARs cost nothing unused.
import type { AccessWidth } from '../config/access.js';
import type { BarInit } from './types.js';

const PAGE = 4096;

/** Little-endian byte store of `size` bytes; unwritten bytes read 0. */
export class SparseMemory {
  private readonly pages = new Map<number, Uint8Array>();
  /** Written since the last {@link load}. */
  dirty = false;

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
    this.pages.clear();
    for (const { offset, bytes } of init) bytes.forEach((b, i) => this.poke(offset + i, b));
    this.dirty = false;
  }

  private poke(offset: number, byte: number): void {
    const index = Math.floor(offset / PAGE);
    let page = this.pages.get(index);
    if (!page) this.pages.set(index, (page = new Uint8Array(PAGE)));
    page[offset % PAGE] = byte;
  }
}
