// A user mapping of a device file: loads and stores go through the VMA, faulting through the
// driver when its pages are not present (what the MMU and handle_mm_fault do).
import {
  handleMmFault,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
  type Kernel,
  type VmArea,
} from '@vfio-ts/kernel';
import { SigBus, SigSegv } from './signals.js';

type Width = 1 | 2 | 4;

/** A mapping returned by `p.mmap()`; each access may throw {@link SigBus}. */
export class Mapping {
  /** Set by munmap. */
  unmapped = false;

  constructor(
    private readonly kernel: Kernel,
    /** The kernel's VMA behind it. */
    readonly vma: VmArea,
  ) {}

  /** Length in bytes. */
  get length(): number {
    return this.vma.length;
  }

  readU8(offset: number): Promise<number> {
    return this.load(offset, 1);
  }
  readU16(offset: number): Promise<number> {
    return this.load(offset, 2);
  }
  readU32(offset: number): Promise<number> {
    return this.load(offset, 4);
  }
  writeU8(offset: number, value: number): Promise<void> {
    return this.store(offset, 1, value);
  }
  writeU16(offset: number, value: number): Promise<void> {
    return this.store(offset, 2, value);
  }
  writeU32(offset: number, value: number): Promise<void> {
    return this.store(offset, 4, value);
  }

  private async load(offset: number, width: Width): Promise<number> {
    return this.kernel.run('user:load', async () => {
      const mem = await this.present(offset, width);
      if (offset % width === 0) return mem.read(offset, width);
      // x86 splits a misaligned access; the device sees byte accesses.
      let v = 0;
      for (let i = width - 1; i >= 0; i--) v = v * 256 + (mem.read(offset + i, 1) & 0xff);
      return v;
    });
  }

  private async store(offset: number, width: Width, value: number): Promise<void> {
    return this.kernel.run('user:store', async () => {
      const mem = await this.present(offset, width);
      if (offset % width === 0) return mem.write(offset, width, value >>> 0);
      for (let i = 0; i < width; i++)
        mem.write(offset + i, 1, Math.floor((value >>> 0) / 256 ** i) & 0xff);
    });
  }

  // The page is present, or the fault handler makes it so; else the signal Linux sends.
  private async present(offset: number, width: Width) {
    if (this.unmapped) throw new SigSegv(offset, 'the mapping was unmapped');
    if (!Number.isInteger(offset) || offset < 0 || offset + width > this.vma.length)
      throw new SigSegv(offset, `outside the ${this.vma.length}-byte mapping`);
    if (!this.vma.populated) {
      const ret = await handleMmFault(this.vma);
      if (ret & (VM_FAULT_SIGBUS | VM_FAULT_OOM) || !this.vma.mapped) throw new SigBus(offset);
    }
    return this.vma.mapped!;
  }
}
