// MSI and MSI-X (vfio_msi_* in vfio_pci_intrs.c): vectors allocated on the first eventfd
// trigger, one eventfd per vector, disabled with count 0; and the vector counts per index.
import { EINVAL } from '@vfio-ts/kernel';
import {
  pciIntx,
  PCI_INTERRUPT_PIN,
  PCI_MSIX_FLAGS,
  PCI_MSIX_FLAGS_ENABLE,
  PCI_MSIX_FLAGS_QSIZE,
  PCI_MSI_FLAGS,
  PCI_MSI_FLAGS_ENABLE,
  PCI_MSI_FLAGS_QMASK,
  PCI_MSI_FLAGS_QSIZE,
  pciIsPcie,
  pciWriteConfigWord,
} from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import {
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_NUM_IRQS,
  isIrqNone,
  vfioEventfdGet,
  type VfioIrqSetArgs,
  type VfioPciCoreDevice,
} from './internal.js';
import { configWord, dataType, newIrqCtx } from './intrs.js';
import { vfioPciMemoryLockAndEnable, vfioPciMemoryUnlockAndRestore } from './mmap.js';

/** Mirrors vfio_pci_get_irq_count(): vectors an index offers. */
export function vfioPciGetIrqCount(vdev: VfioPciCoreDevice, index: number): number {
  const pdev = vdev.pdev;
  if (index === VFIO.PCI_INTX_IRQ_INDEX) {
    if (vdev.nointx || pdev.isVirtfn) return 0;
    return pdev.hw.configRead(PCI_INTERRUPT_PIN, 1) ? 1 : 0;
  }
  if (index === VFIO.PCI_MSI_IRQ_INDEX) {
    const pos = pdev.msiCap;
    return pos ? 1 << ((configWord(pdev, pos + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_QMASK) >> 1) : 0;
  }
  if (index === VFIO.PCI_MSIX_IRQ_INDEX) {
    const pos = pdev.msixCap;
    return pos ? (configWord(pdev, pos + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_QSIZE) + 1 : 0;
  }
  if (index === VFIO.PCI_ERR_IRQ_INDEX) return pciIsPcie(pdev) ? 1 : 0;
  if (index === VFIO.PCI_REQ_IRQ_INDEX) return 1;
  return 0;
}

// Mirrors vfio_msi_enable(): allocate the vectors (program the capability) under
// memory_lock with Memory enabled.
async function vfioMsiEnable(vdev: VfioPciCoreDevice, nvec: number, msix: boolean): Promise<void> {
  const pdev = vdev.pdev;
  const pos = msix ? pdev.msixCap : pdev.msiCap;
  const cmd = await vfioPciMemoryLockAndEnable(vdev);
  const flags = configWord(pdev, pos + (msix ? PCI_MSIX_FLAGS : PCI_MSI_FLAGS));
  const qsize = Math.ceil(Math.log2(nvec));
  const next = msix
    ? flags | PCI_MSIX_FLAGS_ENABLE
    : (flags & ~PCI_MSI_FLAGS_QSIZE) | (qsize << 4) | PCI_MSI_FLAGS_ENABLE;
  pciWriteConfigWord(pdev, pos + PCI_MSI_FLAGS, next);
  // pci_alloc_irq_vectors() marks them allocated (pdev->msi_enabled / msix_enabled).
  if (msix) pdev.msixEnabled = true;
  else pdev.msiEnabled = true;
  vfioPciMemoryUnlockAndRestore(vdev, cmd);
  vdev.ctx = Array.from({ length: nvec }, newIrqCtx);
  vdev.numCtx = nvec;
  vdev.irqType = msix ? VFIO_PCI_MSIX_IRQ_INDEX : VFIO.PCI_MSI_IRQ_INDEX;
  if (!msix) vdev.msiQmax = Math.floor(Math.log2(nvec * 2 - 1));
}

// Mirrors vfio_msi_set_vector_signal().
function vfioMsiSetVectorSignal(vdev: VfioPciCoreDevice, vector: number, fd: number): number {
  const ctx = vdev.ctx[vector]!;
  if (ctx.trigger) {
    ctx.trigger.put();
    ctx.trigger = null;
  }
  if (fd < 0) return 0;
  const trigger = vfioEventfdGet(vdev, fd);
  if (typeof trigger === 'number') return trigger;
  ctx.trigger = trigger;
  return 0;
}

// Mirrors vfio_msi_set_block(): on failure the vectors set so far are released.
function vfioMsiSetBlock(vdev: VfioPciCoreDevice, start: number, fds: number[]): number {
  if (start >= vdev.numCtx || start + fds.length > vdev.numCtx) return -EINVAL;
  for (let j = 0; j < fds.length; j++) {
    const ret = vfioMsiSetVectorSignal(vdev, start + j, fds[j]!);
    if (ret) {
      for (let i = j - 1; i >= 0; i--) vfioMsiSetVectorSignal(vdev, start + i, -1);
      return ret;
    }
  }
  return 0;
}

// Mirrors vfio_msi_disable().
async function vfioMsiDisable(vdev: VfioPciCoreDevice, msix: boolean): Promise<void> {
  for (let i = 0; i < vdev.numCtx; i++) vfioMsiSetVectorSignal(vdev, i, -1);
  const pdev = vdev.pdev;
  const pos = msix ? pdev.msixCap : pdev.msiCap;
  const cmd = await vfioPciMemoryLockAndEnable(vdev);
  const at = pos + (msix ? PCI_MSIX_FLAGS : PCI_MSI_FLAGS);
  pciWriteConfigWord(
    pdev,
    at,
    configWord(pdev, at) & ~(msix ? PCI_MSIX_FLAGS_ENABLE : PCI_MSI_FLAGS_ENABLE),
  );
  // pci_free_irq_vectors().
  if (msix) pdev.msixEnabled = false;
  else pdev.msiEnabled = false;
  vfioPciMemoryUnlockAndRestore(vdev, cmd);
  if (vdev.nointx) pciIntx(pdev, false);
  vdev.irqType = VFIO_PCI_NUM_IRQS;
  vdev.numCtx = 0;
  vdev.ctx = [];
}

/** Mirrors vfio_pci_set_msi_trigger(): enable, set, loop back or disable MSI/MSI-X. @returns 0 or -errno */
export async function vfioPciSetMsiTrigger(
  vdev: VfioPciCoreDevice,
  a: VfioIrqSetArgs,
): Promise<number> {
  const msix = a.index === VFIO.PCI_MSIX_IRQ_INDEX;
  const t = dataType(a.flags);
  if (vdev.irqType === a.index && !a.count && t === VFIO.IRQ_SET_DATA_NONE) {
    await vfioMsiDisable(vdev, msix);
    return 0;
  }
  if (!(vdev.irqType === a.index || isIrqNone(vdev))) return -EINVAL;
  if (t === VFIO.IRQ_SET_DATA_EVENTFD) {
    if (vdev.irqType === a.index) return vfioMsiSetBlock(vdev, a.start, [...a.data]);
    await vfioMsiEnable(vdev, a.start + a.count, msix);
    const r2 = vfioMsiSetBlock(vdev, a.start, [...a.data]);
    if (r2) await vfioMsiDisable(vdev, msix);
    return r2;
  }
  if (vdev.irqType !== a.index || a.start + a.count > vdev.numCtx) return -EINVAL;
  for (let i = a.start; i < a.start + a.count; i++) {
    const trigger = vdev.ctx[i]!.trigger;
    if (trigger && (t === VFIO.IRQ_SET_DATA_NONE || a.data[i - a.start])) trigger.signal(1);
  }
  return 0;
}
