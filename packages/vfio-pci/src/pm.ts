// Power state and runtime PM of vfio-pci (vfio_pci_set_power_state, the runtime PM callbacks
// and the low-power exit helper in vfio_pci_core.c; D.5, D.6.5, D.7).
import { pmRuntimeGetNoresume, type DevPmOps, type Device } from '@vfio-ts/runtime-pm';
import {
  PCI_D0,
  PCI_D3hot,
  pciFreeSavedState,
  pciLoadAndFreeSavedState,
  pciRestoreState,
  pciSaveState,
  pciSetPowerState,
  pciStoreSavedState,
  type PciPowerState,
} from '@vfio-ts/pci-core';
import { EBUSY } from '@vfio-ts/kernel';
import { isIntx, type VfioPciCoreDevice } from './internal.js';
import { vfioPciIntxMask, vfioPciIntxUnmask } from './intrs.js';

/**
 * Mirrors vfio_pci_set_power_state() (D.5, 6.1.192): states above D0 need memory_lock held for
 * writing and no active SR-IOV; NoSoftRst− devices save their state into `pm_save` on the way
 * into D3hot (freeing an older copy first) and restore it on the way back to D0.
 * @returns pci_set_power_state()'s result, or -EBUSY
 */
export async function vfioPciSetPowerState(
  vdev: VfioPciCoreDevice,
  state: PciPowerState,
): Promise<number> {
  const pdev = vdev.pdev;
  if (state > PCI_D0) {
    if (!vdev.memoryLock.isHeldBy(undefined, 'write'))
      vdev.kernel.defect(
        'lockdep',
        `vfio_pci_set_power_state(${pdev.bdf}): memory_lock not held for writing`,
      );
    if (vdev.sriovActive) return -EBUSY;
  }
  let needsSave = false;
  let needsRestore = false;
  if (vdev.needsPmRestore) {
    if (pdev.currentState < PCI_D3hot && state >= PCI_D3hot) {
      pciSaveState(pdev);
      needsSave = true;
    }
    if (pdev.currentState >= PCI_D3hot && state <= PCI_D0) needsRestore = true;
  }
  const ret = await pciSetPowerState(pdev, state);
  if (!ret) {
    if (needsSave && pdev.currentState >= PCI_D3hot) {
      pciFreeSavedState(vdev.pmSave.take());
      vdev.pmSave.set(pciStoreSavedState(pdev, 'vfio_pci_set_power_state'));
    } else if (needsRestore) {
      pciLoadAndFreeSavedState(pdev, vdev.pmSave);
      pciRestoreState(pdev);
    }
  }
  return ret;
}

/**
 * Mirrors __vfio_pci_runtime_pm_exit() (D.6.5; memory_lock held for writing): end the
 * engagement, take the usage reference back, drop the wake-up eventfd without signalling it.
 */
export function __vfioPciRuntimePmExit(vdev: VfioPciCoreDevice): void {
  if (!vdev.pmRuntimeEngaged) return;
  vdev.pmRuntimeEngaged = false;
  pmRuntimeGetNoresume(vdev.pdev);
  if (vdev.pmWakeEventfdCtx) {
    vdev.pmWakeEventfdCtx.put();
    vdev.pmWakeEventfdCtx = null;
  }
}

/** Mirrors vfio_pci_runtime_pm_exit(): the exit helper under memory_lock (no zap). */
export async function vfioPciRuntimePmExit(vdev: VfioPciCoreDevice): Promise<void> {
  await vdev.memoryLock.downWrite();
  __vfioPciRuntimePmExit(vdev);
  vdev.memoryLock.upWrite();
}

function vdevOf(dev: Device): VfioPciCoreDevice {
  return dev.driverData as VfioPciCoreDevice;
}

/**
 * Mirrors vfio_pci_core_runtime_suspend() (D.7.1): back to D0 under memory_lock, then mask
 * INTx if it is in use and this suspend changed it.
 * @returns 0
 */
export async function vfioPciCoreRuntimeSuspend(dev: Device): Promise<number> {
  const vdev = vdevOf(dev);
  await vdev.memoryLock.downWrite();
  await vfioPciSetPowerState(vdev, PCI_D0);
  vdev.memoryLock.upWrite();
  vdev.pmIntxMasked = isIntx(vdev) && (await vfioPciIntxMask(vdev));
  return 0;
}

/**
 * Mirrors vfio_pci_core_runtime_resume() (D.7.2): signal a with-wakeup eventfd and end the
 * engagement; unmask INTx if the suspend masked it.
 * @returns 0
 */
export async function vfioPciCoreRuntimeResume(dev: Device): Promise<number> {
  const vdev = vdevOf(dev);
  await vdev.memoryLock.downWrite();
  if (vdev.pmWakeEventfdCtx) {
    vdev.pmWakeEventfdCtx.signal(1);
    __vfioPciRuntimePmExit(vdev);
  }
  vdev.memoryLock.upWrite();
  if (vdev.pmIntxMasked) await vfioPciIntxUnmask(vdev);
  return 0;
}

/** vfio_pci_core_pm_ops: runtime suspend and resume, no idle callback. */
export const vfioPciCorePmOps: DevPmOps = Object.freeze({
  runtimeSuspend: vfioPciCoreRuntimeSuspend,
  runtimeResume: vfioPciCoreRuntimeResume,
});

/**
 * A variant's runtime suspend: its `beforeSuspend` may refuse (-EBUSY), then the core's.
 * @returns 0, or the variant's -errno
 */
export async function vfioPciVariantRuntimeSuspend(dev: Device): Promise<number> {
  const vdev = vdevOf(dev);
  const ret = (await vdev.variant?.beforeSuspend?.(vdev)) ?? 0;
  if (ret) return ret;
  return vfioPciCoreRuntimeSuspend(dev);
}

/**
 * A variant's runtime resume: the core's, then the variant's re-entry policy (a plain
 * engagement ends at the wake when it forbids host re-entry), then its `afterResume`.
 * @returns 0
 */
export async function vfioPciVariantRuntimeResume(dev: Device): Promise<number> {
  const vdev = vdevOf(dev);
  const ret = await vfioPciCoreRuntimeResume(dev);
  const variant = vdev.variant;
  if (variant?.hostReentry && !variant.hostReentry(vdev)) await vfioPciRuntimePmExit(vdev);
  await variant?.afterResume?.(vdev);
  return ret;
}

/** The dev_pm_ops of a variant driver: the core's callbacks wrapped by the variant's hooks. */
export const vfioPciVariantPmOps: DevPmOps = Object.freeze({
  runtimeSuspend: vfioPciVariantRuntimeSuspend,
  runtimeResume: vfioPciVariantRuntimeResume,
});
