// VFIO_DEVICE_FEATURE for vfio-pci (vfio_pci_core_ioctl_feature; D.6): the low-power entry,
// entry with wake-up eventfd, and exit features; the VF token.
import { EFAULT, EINVAL, ENOTTY, type EventfdCtx } from '@vfio-ts/kernel';
import { pmRuntimePutNoidle } from '@vfio-ts/runtime-pm';
import { VFIO, vfioCheckFeature } from '@vfio-ts/vfio-core';
import { vfioEventfdGet, type VfioPciCoreDevice } from './internal.js';
import { vfioPciZapAndDownWriteMemoryLock } from './mmap.js';
import { vfioPciRuntimePmExit } from './pm.js';

/**
 * Mirrors vfio_pci_runtime_pm_entry() (D.6.2 steps 2–4): zap and memory_lock (the zap happens
 * even when already engaged), then engage and drop the open reference without an idle check.
 * @returns 0, or -EINVAL when already engaged
 */
export async function vfioPciRuntimePmEntry(
  vdev: VfioPciCoreDevice,
  efdctx: EventfdCtx | null,
): Promise<number> {
  await vfioPciZapAndDownWriteMemoryLock(vdev);
  if (vdev.pmRuntimeEngaged) {
    vdev.memoryLock.upWrite();
    return -EINVAL;
  }
  vdev.pmRuntimeEngaged = true;
  vdev.pmWakeEventfdCtx = efdctx;
  pmRuntimePutNoidle(vdev.pdev);
  vdev.memoryLock.upWrite();
  return 0;
}

// Mirrors vfio_pci_core_pm_entry() (D.6.2). PROBE and bad requests answer at once.
function vfioPciCorePmEntry(
  vdev: VfioPciCoreDevice,
  flags: number,
  argsz: number,
): Promise<number> | number {
  const ret = vfioCheckFeature(flags, argsz, VFIO.DEVICE_FEATURE_SET, 0);
  if (ret !== 1) return ret;
  return vfioPciRuntimePmEntry(vdev, null);
}

// Mirrors vfio_pci_core_pm_entry_with_wakeup() (D.6.3).
function vfioPciCorePmEntryWithWakeup(
  vdev: VfioPciCoreDevice,
  flags: number,
  data: Uint8Array,
  argsz: number,
): Promise<number> | number {
  const L = VFIO.deviceLowPowerEntryWithWakeup;
  const ret = vfioCheckFeature(flags, argsz, VFIO.DEVICE_FEATURE_SET, L.SIZE);
  if (ret !== 1) return ret;
  if (data.length < L.SIZE) return -EFAULT;
  const fd = new DataView(data.buffer, data.byteOffset, L.SIZE).getInt32(0, true);
  if (fd < 0) return -EINVAL;
  const ctx = vfioEventfdGet(vdev, fd);
  if (typeof ctx === 'number') return ctx;
  return vfioPciRuntimePmEntry(vdev, ctx).then((r) => {
    if (r) ctx.put();
    return r;
  });
}

// Mirrors vfio_pci_core_pm_exit() (D.6.4): always 0 once the flags are valid.
function vfioPciCorePmExit(
  vdev: VfioPciCoreDevice,
  flags: number,
  argsz: number,
): Promise<number> | number {
  const ret = vfioCheckFeature(flags, argsz, VFIO.DEVICE_FEATURE_SET, 0);
  if (ret !== 1) return ret;
  return vfioPciRuntimePmExit(vdev).then(() => 0);
}

/**
 * Mirrors vfio_pci_core_ioctl_feature() (D.6.1). No function here is a PF with a VF token, so
 * PCI_VF_TOKEN answers -ENOTTY.
 * @returns 0, or -errno: at once when nothing sleeps (PROBE, a bad request), else a promise
 */
export function vfioPciCoreIoctlFeature(
  vdev: VfioPciCoreDevice,
  flags: number,
  data: Uint8Array,
  argsz: number,
): Promise<number> | number {
  switch (flags & VFIO.DEVICE_FEATURE_MASK) {
    case VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY:
      return vfioPciCorePmEntry(vdev, flags, argsz);
    case VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP:
      return vfioPciCorePmEntryWithWakeup(vdev, flags, data, argsz);
    case VFIO.DEVICE_FEATURE_LOW_POWER_EXIT:
      return vfioPciCorePmExit(vdev, flags, argsz);
  }
  return -ENOTTY;
}

/**
 * The device_feature op of a vfio-pci driver: a variant's handler for the index first (a new
 * feature or an override), else the core's (vfio_pci_core_ioctl_feature).
 * @returns 0, or -errno (at once or as a promise, as the handler answers)
 */
export function vfioPciDeviceFeature(
  vdev: VfioPciCoreDevice,
  flags: number,
  data: Uint8Array,
  argsz: number,
): Promise<number> | number {
  const handler = vdev.variant?.features?.get(flags & VFIO.DEVICE_FEATURE_MASK);
  if (handler) return handler(vdev, flags, data, argsz);
  return vfioPciCoreIoctlFeature(vdev, flags, data, argsz);
}
