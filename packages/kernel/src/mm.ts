// User address spaces, just enough for device mmaps (mm/memory.c, include/linux/mm.h): a
// VMA maps a file range; its pages are populated by the driver's fault handler and removed
// by a zap, after which the next access faults again.
import type { File } from './file.js';
import type { LockEnv } from './locks.js';
import { RwSemaphore } from './locks.js';

/** The page size (PAGE_SIZE on x86-64). */
export const PAGE_SIZE = 4096;
/** log2 of the page size (PAGE_SHIFT). */
export const PAGE_SHIFT = 12;

/** Fault handler results (vm_fault_t bits). */
export const VM_FAULT_OOM = 0x0001;
export const VM_FAULT_SIGBUS = 0x0002;
export const VM_FAULT_NOPAGE = 0x0100;

/** What a populated mapping reads and writes: the memory behind the pages. */
export interface MappedMemory {
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

/** The driver's callbacks for a VMA (struct vm_operations_struct). */
export interface VmOperations {
  /** Resolves a fault; populates the VMA (`vma.populate`) and returns VM_FAULT_* bits. */
  fault?(vma: VmArea): Promise<number> | number;
  /** Called when the VMA goes away (munmap, process exit). */
  close?(vma: VmArea): Promise<void> | void;
}

/** One mapping of a file range into a process (struct vm_area_struct). */
export class VmArea {
  ops: VmOperations | null = null;
  /** Driver data (vm_private_data). */
  privateData: unknown = null;
  private memory: MappedMemory | null = null;

  constructor(
    readonly mm: MmStruct,
    readonly file: File,
    /** Length in bytes, a multiple of the page size. */
    readonly length: number,
    /** Offset into the file in pages (vm_pgoff); drivers may rewrite it. */
    public pgoff: number,
    readonly prot: { read: boolean; write: boolean },
    readonly shared: boolean,
  ) {}

  /** Whether the pages are mapped (a present PTE). */
  get populated(): boolean {
    return this.memory !== null;
  }

  /** The memory behind the pages, once populated. */
  get mapped(): MappedMemory | null {
    return this.memory;
  }

  /** Maps the whole VMA onto `memory` (io_remap_pfn_range / vmf_insert_pfn). */
  populate(memory: MappedMemory): void {
    this.memory = memory;
  }

  /** Removes the pages (zap_vma_ptes / unmap_mapping_range); the next access faults. */
  zap(): void {
    this.memory = null;
  }
}

/** A process address space (struct mm_struct): its VMAs and mmap_lock. */
export class MmStruct {
  readonly mmapLock: RwSemaphore;
  readonly vmas = new Set<VmArea>();

  constructor(env: LockEnv) {
    this.mmapLock = new RwSemaphore(env, '&mm->mmap_lock');
  }
}

/**
 * Resolves an access to an unpopulated VMA the way the MM core does: mmap_lock for reading
 * around the driver's fault handler (handle_mm_fault).
 * @returns the VM_FAULT_* result; without a fault handler, VM_FAULT_SIGBUS
 */
export async function handleMmFault(vma: VmArea): Promise<number> {
  await vma.mm.mmapLock.downRead();
  try {
    return vma.ops?.fault ? await vma.ops.fault(vma) : VM_FAULT_SIGBUS;
  } finally {
    vma.mm.mmapLock.upRead();
  }
}
