// User mappings of BARs (vfio_pci_core_mmap, vfio_pci_mmap_fault, vfio_pci_zap_and_vma_lock
// in vfio_pci_core.c; D.11): validated at mmap, populated lazily by the fault handler, zapped
// whenever memory may go away.
import {
  EINVAL,
  PAGE_SHIFT,
  PAGE_SIZE,
  VM_FAULT_NOPAGE,
  VM_FAULT_SIGBUS,
  type MappedMemory,
  type MmStruct,
  type VmArea,
  type VmOperations,
} from '@vfio-ts/kernel';
import {
  PCI_COMMAND,
  PCI_COMMAND_MEMORY,
  pciReadConfigWord,
  pciWriteConfigWord,
} from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import { __vfioPciMemoryEnabled, pciResourceLen, type VfioPciCoreDevice } from './internal.js';

/** What vfio-pci keeps in a mapping's vm_private_data. */
export interface VfioPciMmap {
  readonly vdev: VfioPciCoreDevice;
  readonly bar: number;
  /** Byte offset of the mapping in the BAR. */
  readonly offset: number;
}

const PGOFF_INDEX_SHIFT = VFIO.PCI_OFFSET_SHIFT - PAGE_SHIFT;

// The BAR behind a populated mapping: accesses go to the function's BAR memory.
function barMemory(m: VfioPciMmap): MappedMemory {
  const hw = m.vdev.pdev.hw;
  return {
    read: (off, size) => hw.barRead(m.bar, m.offset + off, size),
    write: (off, size, value) => void hw.barWrite(m.bar, m.offset + off, size, value),
  };
}

/**
 * Mirrors vfio_pci_zap_and_vma_lock(): zap every tracked mapping and leave vma_lock held,
 * taking each address space's mmap_lock with vma_lock dropped (F.2 ordering).
 * @param tryOnly trylock everything (hot reset): false when anything is contended
 * @returns true with vma_lock held, or false (tryOnly) with nothing held
 */
export async function vfioPciZapAndVmaLock(
  vdev: VfioPciCoreDevice,
  tryOnly: boolean,
): Promise<boolean> {
  for (;;) {
    if (tryOnly) {
      if (!vdev.vmaLock.tryLock()) return false;
    } else await vdev.vmaLock.lock();
    const first = vdev.vmaList.values().next();
    if (first.done) return true;
    const mm: MmStruct = first.value.mm;
    vdev.vmaLock.unlock();
    if (tryOnly) {
      if (!mm.mmapLock.downReadTrylock()) return false;
    } else await mm.mmapLock.downRead();
    if (tryOnly) {
      if (!vdev.vmaLock.tryLock()) {
        mm.mmapLock.upRead();
        return false;
      }
    } else await vdev.vmaLock.lock();
    for (const vma of [...vdev.vmaList]) {
      if (vma.mm !== mm) continue;
      vma.zap();
      vdev.vmaList.delete(vma);
    }
    vdev.vmaLock.unlock();
    mm.mmapLock.upRead();
  }
}

/** Mirrors vfio_pci_zap_and_down_write_memory_lock(): zap, memory_lock for writing, vma_lock dropped. */
export async function vfioPciZapAndDownWriteMemoryLock(vdev: VfioPciCoreDevice): Promise<void> {
  await vfioPciZapAndVmaLock(vdev, false);
  await vdev.memoryLock.downWrite();
  vdev.vmaLock.unlock();
}

/**
 * Mirrors vfio_pci_mmap_fault() (D.11.2): under vma_lock and memory_lock (read), SIGBUS while
 * low power is engaged or memory is disabled; else map the whole VMA and track it. Never wakes
 * the device.
 * @returns VM_FAULT_NOPAGE or VM_FAULT_SIGBUS
 */
export async function vfioPciMmapFault(vma: VmArea): Promise<number> {
  const m = vma.privateData as VfioPciMmap;
  const vdev = m.vdev;
  await vdev.vmaLock.lock();
  await vdev.memoryLock.downRead();
  let ret = VM_FAULT_NOPAGE;
  if (vdev.pmRuntimeEngaged || !__vfioPciMemoryEnabled(vdev)) ret = VM_FAULT_SIGBUS;
  else if (!vdev.vmaList.has(vma)) {
    vma.populate(barMemory(m));
    vdev.vmaList.add(vma);
  }
  vdev.memoryLock.upRead();
  vdev.vmaLock.unlock();
  return ret;
}

/** Mirrors vfio_pci_mmap_close(): forget an unmapped VMA. */
export async function vfioPciMmapClose(vma: VmArea): Promise<void> {
  const vdev = (vma.privateData as VfioPciMmap).vdev;
  await vdev.vmaLock.lock();
  vdev.vmaList.delete(vma);
  vdev.vmaLock.unlock();
}

/** vfio_pci_mmap_ops. */
export const vfioPciMmapOps: VmOperations = Object.freeze({
  fault: vfioPciMmapFault,
  close: vfioPciMmapClose,
});

/**
 * Mirrors vfio_pci_core_mmap() (D.11.1): validation only, no PM action; pages come later
 * from the fault handler.
 * @returns 0 or -EINVAL
 */
export function vfioPciCoreMmap(vdev: VfioPciCoreDevice, vma: VmArea): number {
  const index = Math.floor(vma.pgoff / 2 ** PGOFF_INDEX_SHIFT);
  if (index >= VFIO.PCI_NUM_REGIONS) return -EINVAL;
  if (!vma.shared) return -EINVAL;
  if (index >= VFIO.PCI_ROM_REGION_INDEX) return -EINVAL;
  if (!vdev.barMmapSupported[index]) return -EINVAL;
  const physLen = Math.ceil(pciResourceLen(vdev.pdev, index) / PAGE_SIZE) * PAGE_SIZE;
  const pgoff = vma.pgoff % 2 ** PGOFF_INDEX_SHIFT;
  const reqStart = pgoff * PAGE_SIZE;
  if (reqStart + vma.length > physLen) return -EINVAL;
  const priv: VfioPciMmap = { vdev, bar: index, offset: reqStart };
  vma.privateData = priv;
  vma.ops = vfioPciMmapOps;
  return 0;
}

/**
 * Mirrors vfio_pci_memory_lock_and_enable() (D.9.3): memory_lock for writing and hardware
 * Memory Space on. @returns the Command value to restore
 */
export async function vfioPciMemoryLockAndEnable(vdev: VfioPciCoreDevice): Promise<number> {
  await vdev.memoryLock.downWrite();
  const v = { value: 0 };
  pciReadConfigWord(vdev.pdev, PCI_COMMAND, v);
  if (!(v.value & PCI_COMMAND_MEMORY))
    pciWriteConfigWord(vdev.pdev, PCI_COMMAND, v.value | PCI_COMMAND_MEMORY);
  return v.value;
}

/** Mirrors vfio_pci_memory_unlock_and_restore(). */
export function vfioPciMemoryUnlockAndRestore(vdev: VfioPciCoreDevice, cmd: number): void {
  pciWriteConfigWord(vdev.pdev, PCI_COMMAND, cmd);
  vdev.memoryLock.upWrite();
}
