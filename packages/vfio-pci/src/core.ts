// vfio_pci_core.c, open/close and registration: enable on first open and disable on last
// close (D.4), the device-set reset at close (D.13.4), register/unregister (D.3), the ops.
import { EAGAIN, EBUSY, EINVAL, PAGE_SIZE, type UserArg, type VmArea } from '@vfio-ts/kernel';
import {
  devGetDrvdata,
  pmRuntimeAllow,
  pmRuntimeForbid,
  pmRuntimeGetNoresume,
  pmRuntimePut,
  pmRuntimeResume,
  pmRuntimeResumeAndGet,
} from '@vfio-ts/runtime-pm';
import {
  pciIntx,
  pciIntxMaskSupported,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_D0,
  PCI_HEADER_TYPE_NORMAL,
  PCI_MSIX_FLAGS,
  PCI_MSIX_FLAGS_QSIZE,
  PCI_MSIX_TABLE,
  PCI_MSIX_TABLE_BIR,
  PCI_PM_CTRL,
  PCI_PM_CTRL_NO_SOFT_RESET,
  pciClearMaster,
  pciDevTrylock,
  pciDevUnlock,
  pciDisableDevice,
  pciEnableDevice,
  pciFreeSavedState,
  pciLoadAndFreeSavedState,
  pciNumVf,
  pciProbeResetSlot,
  pciReadConfigWord,
  pciResetBus,
  pciResetFunctionLocked,
  pciRestoreState,
  pciSaveState,
  pciStoreSavedState,
  pciTryResetFunction,
  pciWriteConfigWord,
  type PciDev,
} from '@vfio-ts/pci-core';
import {
  VfioCore,
  type VfioDevice,
  type VfioDeviceOps,
  type VfioDeviceSet,
} from '@vfio-ts/vfio-core';
import { vfioConfigFree, vfioConfigInit } from './config-init.js';
import { vfioPciCoreIoctl } from './core-ioctl.js';
import { vfioPciDeviceFeature } from './feature.js';
import {
  pciResourceIsMem,
  pciResourceLen,
  pciResourceStart,
  toVfioPciCoreDevice,
  type VfioPciCoreDevice,
} from './internal.js';
import { vfioPciIrqTeardown } from './intrs.js';
import { vfioPciCoreMmap } from './mmap.js';
import { vfioPciRuntimePmExit, vfioPciSetPowerState } from './pm.js';
import { vfioPciRw } from './rdwr.js';
import { vfioPciCoreSriovConfigure } from './sriov.js';
import { vfioPciDevSetPmRuntimeGet, vfioPciDevSetResettable } from './reset.js';

/** Intel XL710/X710/XXV710 and X722 functions whose INTx cannot be used (vfio_pci_nointx). */
const NOINTX_DEVICES: readonly number[] = [
  0x1572, 0x1574, 0x1580, 0x1581, 0x1583, 0x1584, 0x1585, 0x1586, 0x1587, 0x1588, 0x1589, 0x158a,
  0x158b, 0x37d0, 0x37d1, 0x37d2,
];

/** Mirrors vfio_pci_nointx(): INTx is hidden from the user for these functions. */
export function vfioPciNointx(pdev: PciDev): boolean {
  return pdev.vendor === 0x8086 && NOINTX_DEVICES.includes(pdev.device);
}

/**
 * Mirrors vfio_pci_core_enable() (D.4.1): runtime PM reference, enable, function reset,
 * saved state, INTx masking support, vconfig, MSI-X table location.
 * @returns 0 or -errno (the resume error as is)
 */
export async function vfioPciCoreEnable(vdev: VfioPciCoreDevice): Promise<number> {
  const pdev = vdev.pdev;
  if (!vdev.disableIdleD3) {
    const ret = await pmRuntimeResumeAndGet(pdev);
    if (ret < 0) return ret;
  }
  const putBack = (): void => {
    if (!vdev.disableIdleD3) pmRuntimePut(pdev);
  };
  pciClearMaster(pdev);
  let ret = await pciEnableDevice(pdev);
  if (ret) {
    putBack();
    return ret;
  }
  ret = await pciTryResetFunction(pdev);
  if (ret === -EAGAIN) {
    pciDisableDevice(pdev);
    putBack();
    return ret;
  }
  vdev.resetWorks = !ret;
  pciSaveState(pdev);
  vdev.pciSavedState.set(pciStoreSavedState(pdev, 'vfio_pci_core_enable'));
  if (!vdev.pciSavedState.get())
    vdev.kernel.printk('debug', `vfio-pci ${pdev.bdf}: Couldn't store saved state`);
  if (!vdev.nointxmask) {
    if (vfioPciNointx(pdev)) {
      vdev.kernel.printk('info', `vfio-pci ${pdev.bdf}: Masking broken INTx support`);
      vdev.nointx = true;
      pciIntx(pdev, false);
    } else vdev.pci23 = await pciIntxMaskSupported(pdev);
  }
  const cmd = { value: 0 };
  pciReadConfigWord(pdev, PCI_COMMAND, cmd);
  if (vdev.pci23 && cmd.value & PCI_COMMAND_INTX_DISABLE)
    pciWriteConfigWord(pdev, PCI_COMMAND, cmd.value & ~PCI_COMMAND_INTX_DISABLE);
  vfioConfigInit(vdev);
  const msix = pdev.msixCap;
  if (msix) {
    const flags = pdev.hw.configRead(msix + PCI_MSIX_FLAGS, 2);
    const table = pdev.hw.configRead(msix + PCI_MSIX_TABLE, 4) >>> 0;
    // The PBA register is not read: 6.1 locates only the table.
    vdev.msixBar = table & PCI_MSIX_TABLE_BIR;
    vdev.msixOffset = table & ~PCI_MSIX_TABLE_BIR;
    vdev.msixSize = ((flags & PCI_MSIX_FLAGS_QSIZE) + 1) * 16;
  } else vdev.msixBar = 0xff;
  return 0;
}

/** Mirrors vfio_pci_probe_mmaps() (from vfio_pci_core_finish_enable): which BARs may be mapped. */
export function vfioPciProbeMmaps(vdev: VfioPciCoreDevice): void {
  const pdev = vdev.pdev;
  for (let i = 0; i < 6; i++) {
    const len = pciResourceLen(pdev, i);
    vdev.barMmapSupported[i] =
      pciResourceIsMem(pdev, i) &&
      len > 0 &&
      (len >= PAGE_SIZE || pciResourceStart(pdev, i) % PAGE_SIZE === 0);
  }
}

/**
 * Mirrors vfio_pci_core_disable() (D.4.3): leave low power, resume, D0, tear interrupts and
 * vconfig down, reload the open-time state, reset if possible, try a set-wide bus reset, drop
 * the open reference.
 */
export async function vfioPciCoreDisable(vdev: VfioPciCoreDevice): Promise<void> {
  const pdev = vdev.pdev;
  await vfioPciRuntimePmExit(vdev);
  await pmRuntimeResume(pdev);
  await vfioPciSetPowerState(vdev, PCI_D0);
  pciClearMaster(pdev);
  await vfioPciIrqTeardown(vdev);
  for (const ioe of vdev.ioeventfds.splice(0)) ioe.detach();
  vdev.virqDisabled = false;
  vfioConfigFree(vdev);
  vdev.barMmapSupported.fill(false);
  vdev.needsReset = true;
  let restore = true;
  if (pciLoadAndFreeSavedState(pdev, vdev.pciSavedState)) {
    vdev.kernel.printk('info', `vfio-pci ${pdev.bdf}: Couldn't reload saved state`);
    if (!vdev.resetWorks) restore = false;
    else pciSaveState(pdev);
  }
  if (restore) {
    pciWriteConfigWord(pdev, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE);
    if (vdev.resetWorks && pciDevTrylock(pdev)) {
      if (!(await pciResetFunctionLocked(pdev))) vdev.needsReset = false;
      pciDevUnlock(pdev);
    }
    pciRestoreState(pdev);
  }
  pciDisableDevice(pdev);
  await vfioPciDevSetTryReset(vdev.vdev.devSet!);
  if (!vdev.disableIdleD3) pmRuntimePut(pdev);
}

// Mirrors vfio_pci_dev_set_needs_reset(): no other member open, and someone needs a reset.
function vfioPciDevSetNeedsReset(set: VfioDeviceSet): boolean {
  if (VfioCore.vfioDeviceSetOpenCount(set) > 1) return false;
  return [...set.devices].some((d) => toVfioPciCoreDevice(d).needsReset);
}

/** Mirrors vfio_pci_dev_set_try_reset() (D.13.4): the close-time bus reset of a device set. */
export async function vfioPciDevSetTryReset(set: VfioDeviceSet): Promise<void> {
  if (!vfioPciDevSetNeedsReset(set)) return;
  const pdev = vfioPciDevSetResettable(set);
  if (!pdev) return;
  const members = [...set.devices].map(toVfioPciCoreDevice);
  // The module parameter: every member copied the same value.
  const pm = !members[0]!.disableIdleD3;
  if (pm && (await vfioPciDevSetPmRuntimeGet(members))) return;
  const done = !(await pciResetBus(pdev));
  for (const cur of members) {
    if (done) cur.needsReset = false;
    if (pm) pmRuntimePut(cur.pdev);
  }
}

/** Mirrors vfio_pci_open_device(): enable, then finish_enable. @returns 0 or -errno */
export async function vfioPciOpenDevice(core: VfioDevice): Promise<number> {
  const vdev = toVfioPciCoreDevice(core);
  const ret = await vfioPciCoreEnable(vdev);
  if (ret) return ret;
  vfioPciProbeMmaps(vdev);
  return 0;
}

/** Mirrors vfio_pci_core_close_device(): disable, then drop the ERR/REQ eventfds under igate. */
export async function vfioPciCoreCloseDevice(core: VfioDevice): Promise<void> {
  const vdev = toVfioPciCoreDevice(core);
  await vfioPciCoreDisable(vdev);
  await vdev.igate.lock();
  vdev.errTrigger?.put();
  vdev.errTrigger = null;
  vdev.reqTrigger?.put();
  vdev.reqTrigger = null;
  vdev.igate.unlock();
}

/** Mirrors vfio_pci_core_request(): relay a removal request to the user's REQ eventfd. */
export function vfioPciCoreRequest(core: VfioDevice, count: number): void {
  const vdev = toVfioPciCoreDevice(core);
  if (vdev.reqTrigger) {
    if (!(count % 10))
      vdev.kernel.printk(
        'info',
        `vfio-pci ${vdev.pdev.bdf}: Relaying device request to user (#${count})`,
      );
    vdev.reqTrigger.signal(1);
  } else if (count === 0) {
    vdev.kernel.printk(
      'warn',
      `vfio-pci ${vdev.pdev.bdf}: No device request channel registered, blocked until released by user`,
    );
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Mirrors vfio_pci_core_match(): the PCI name, optionally followed by ` vf_token=<uuid>`
 * (refused with -EINVAL here: no device is a PF with a token or a VF of one).
 * @returns 1 match, 0 no match, -EINVAL
 */
export function vfioPciCoreMatch(core: VfioDevice, name: string): number {
  const bdf = toVfioPciCoreDevice(core).pdev.bdf;
  if (!name.startsWith(bdf)) return 0;
  const rest = name.slice(bdf.length);
  if (!rest) return 1;
  if (rest[0] !== ' ') return 0;
  const arg = rest.trim();
  if (!arg.startsWith('vf_token=') || !UUID_RE.test(arg.slice(9))) return -EINVAL;
  return -EINVAL;
}

/** The vfio device ops of the default vfio-pci driver (vfio_pci_ops). */
export const vfioPciOps: VfioDeviceOps = Object.freeze({
  name: 'vfio-pci',
  openDevice: vfioPciOpenDevice,
  closeDevice: vfioPciCoreCloseDevice,
  ioctl: (core: VfioDevice, cmd: number, arg: UserArg) =>
    vfioPciCoreIoctl(toVfioPciCoreDevice(core), cmd, arg),
  read: (core: VfioDevice, buf: Uint8Array, count: number, pos: number) =>
    vfioPciRw(toVfioPciCoreDevice(core), buf, count, pos, false),
  write: (core: VfioDevice, buf: Uint8Array, count: number, pos: number) =>
    vfioPciRw(toVfioPciCoreDevice(core), buf, count, pos, true),
  mmap: async (core: VfioDevice, vma: VmArea) => vfioPciCoreMmap(toVfioPciCoreDevice(core), vma),
  request: vfioPciCoreRequest,
  match: vfioPciCoreMatch,
  deviceFeature: (core: VfioDevice, flags: number, data: Uint8Array, datasz: number) =>
    vfioPciDeviceFeature(toVfioPciCoreDevice(core), flags, data, datasz),
});

// Mirrors vfio_pci_probe_power_state(): NoSoftRst− devices lose their config in D3hot.
function vfioPciProbePowerState(vdev: VfioPciCoreDevice): void {
  const pdev = vdev.pdev;
  if (!pdev.pmCap) return;
  const pmcsr = pdev.hw.configRead(pdev.pmCap + PCI_PM_CTRL, 2);
  vdev.needsPmRestore = !(pmcsr & PCI_PM_CTRL_NO_SOFT_RESET);
}

/**
 * Mirrors vfio_pci_core_register_device() (D.3.2): checks, device set by reset scope (C.5.2),
 * D0, runtime PM allowed and the probe reference dropped, then registration with vfio.
 * @returns 0 or -errno (-EINVAL, -EBUSY with VFs enabled, or vfio's error)
 */
export async function vfioPciCoreRegisterDevice(
  vdev: VfioPciCoreDevice,
  core: VfioCore,
): Promise<number> {
  const pdev = vdev.pdev;
  if (devGetDrvdata(pdev) !== vdev) {
    vdev.kernel.defect('warn', `vfio-pci ${pdev.bdf}: drvdata is not the vfio device`);
    return -EINVAL;
  }
  if (pdev.hdrType !== PCI_HEADER_TYPE_NORMAL) return -EINVAL;
  if (pciNumVf(pdev)) {
    vdev.kernel.printk('warn', `vfio-pci ${pdev.bdf}: Cannot bind to PF with SR-IOV enabled`);
    return -EBUSY;
  }
  const v = vdev.vdev;
  if (pdev.pciBus.isRoot || pdev.isVirtfn) core.vfioAssignDeviceSet(v, v);
  else if (!pciProbeResetSlot(pdev.slot)) core.vfioAssignDeviceSet(v, pdev.slot);
  else core.vfioAssignDeviceSet(v, pdev.pciBus);
  vfioPciProbePowerState(vdev);
  await vfioPciSetPowerState(vdev, PCI_D0);
  pmRuntimeAllow(pdev);
  if (!vdev.disableIdleD3) pmRuntimePut(pdev);
  const ret = core.vfioRegisterGroupDev(v);
  if (ret) {
    if (!vdev.disableIdleD3) pmRuntimeGetNoresume(pdev);
    await pmRuntimeForbid(pdev);
    core.vfioReleaseDeviceSet(v);
    return ret;
  }
  vdev.registered = true;
  return 0;
}

/**
 * Mirrors vfio_pci_core_unregister_device() (D.3.3) and vfio_pci_core_release_dev(): VFs
 * disabled, wait for every fd to close, take the runtime PM reference back, forbid, free `pm_save`.
 */
export async function vfioPciCoreUnregisterDevice(
  vdev: VfioPciCoreDevice,
  core: VfioCore,
): Promise<void> {
  await vfioPciCoreSriovConfigure(vdev, 0);
  await core.vfioUnregisterGroupDev(vdev.vdev);
  vdev.registered = false;
  if (!vdev.disableIdleD3) pmRuntimeGetNoresume(vdev.pdev);
  await pmRuntimeForbid(vdev.pdev);
  pciFreeSavedState(vdev.pmSave.take());
}
