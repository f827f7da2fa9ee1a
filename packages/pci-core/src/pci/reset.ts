// Function resets and the reset-method list (drivers/pci/pci.c: pcie_flr, pci_af_flr,
// pci_pm_reset, pci_reset_bus_function, __pci_reset_function_locked, pci_reset_function,
// pci_try_reset_function; KERNEL.md B.6.3, B.12).
import { EAGAIN, EINVAL, ENOTTY, msecs } from '@vfio-ts/kernel';
import { deviceLock, deviceUnlock } from '@vfio-ts/runtime-pm';
import { findCapability } from '../config/capabilities.js';
import { PCI_CAP_ID_AF } from '../regs/caps.js';
import * as X from '../regs/exp.js';
import * as H from '../regs/header.js';
import { PCI_PM_CTRL, PCI_PM_CTRL_NO_SOFT_RESET, PCI_PM_CTRL_STATE_MASK } from '../regs/pm.js';
import { PCI_D0, PCI_D3hot } from '../regs/power-state.js';
import {
  pciCfgAccessLock,
  pciCfgAccessTrylock,
  pciCfgAccessUnlock,
  readCfg,
  writeCfg,
} from './access.js';
import {
  PCI_DEV_FLAGS_NO_BUS_RESET,
  PCI_DEV_FLAGS_NO_FLR_RESET,
  PCI_DEV_FLAGS_NO_PM_RESET,
  PCI_NUM_RESET_METHODS,
  PCIE_RESET_READY_POLL_MS,
} from './constants.js';
import type { PciDev } from './pci-dev.js';
import { pcieCapabilityReadWord, pcieCapabilitySetWord } from './pcie-cap.js';
import { pciSetPowerState } from './power.js';
import { pciRestoreState, pciSaveState } from './save-restore.js';
import { pciBridgeWaitForSecondaryBus, pciDevD3Sleep, pciDevWait } from './wait.js';

/**
 * A reset method: probe (is it possible? answered at once) or do it (may sleep).
 * 0, -ENOTTY (not supported) or -errno.
 */
export type PciResetFn = (dev: PciDev, probe: boolean) => number | Promise<number>;

/** Mirrors pci_dev_specific_reset(): no quirk table entry for the simulated devices. */
export function pciDevSpecificReset(): number {
  return -ENOTTY;
}

/** Mirrors pci_dev_acpi_reset(): the simulated firmware has no `_RST`. */
export function pciDevAcpiReset(): number {
  return -ENOTTY;
}

/** Mirrors pcie_flr(): wait for pending transactions, Initiate FLR, 100 ms, poll readiness. */
export async function pcieFlr(dev: PciDev): Promise<number> {
  // pci_wait_for_pending_transaction(): the simulated functions have none outstanding.
  if (pcieCapabilityReadWord(dev, X.PCI_EXP_DEVSTA) & X.PCI_EXP_DEVSTA_TRPND)
    dev.kernel.printk(
      'err',
      `pci ${dev.bdf}: timed out waiting for pending transaction; performing function level reset anyway`,
    );
  pcieCapabilitySetWord(dev, X.PCI_EXP_DEVCTL, X.PCI_EXP_DEVCTL_BCR_FLR);
  if (dev.immReady) return 0;
  await dev.kernel.sched.sleep(msecs(100));
  return pciDevWait(dev, 'FLR', PCIE_RESET_READY_POLL_MS);
}

/** Mirrors pcie_reset_flr(): needs DevCap.FLR. */
export function pcieResetFlr(dev: PciDev, probe: boolean): number | Promise<number> {
  if (dev.devFlags & PCI_DEV_FLAGS_NO_FLR_RESET) return -ENOTTY;
  if (!(dev.devcap & X.PCI_EXP_DEVCAP_FLR)) return -ENOTTY;
  return probe ? 0 : pcieFlr(dev);
}

/** Advanced Features capability registers (pci_regs.h). */
const PCI_AF_CAP = 3;
const PCI_AF_CAP_TP = 0x01;
const PCI_AF_CAP_FLR = 0x02;
const PCI_AF_CTRL = 4;
const PCI_AF_CTRL_FLR = 0x01;

/** Mirrors pci_af_flr(): FLR through the Advanced Features capability (conventional PCI). */
export function pciAfFlr(dev: PciDev, probe: boolean): number | Promise<number> {
  const pos = findCapability(dev.hw, PCI_CAP_ID_AF);
  if (!pos || dev.devFlags & PCI_DEV_FLAGS_NO_FLR_RESET) return -ENOTTY;
  const cap = readCfg(dev, pos + PCI_AF_CAP, 1);
  if (!(cap & PCI_AF_CAP_TP) || !(cap & PCI_AF_CAP_FLR)) return -ENOTTY;
  return probe ? 0 : afFlr(dev, pos);
}

async function afFlr(dev: PciDev, pos: number): Promise<number> {
  writeCfg(dev, pos + PCI_AF_CTRL, 1, PCI_AF_CTRL_FLR);
  // The function performs the FLR it was asked for.
  dev.hw.flr();
  if (dev.immReady) return 0;
  await dev.kernel.sched.sleep(msecs(100));
  return pciDevWait(dev, 'AF_FLR', PCIE_RESET_READY_POLL_MS);
}

/**
 * Mirrors pci_pm_reset(): NoSoftRst− only (else -ENOTTY), from D0 only (else -EINVAL);
 * D3hot, wait, D0, wait, poll readiness.
 */
export function pciPmReset(dev: PciDev, probe: boolean): number | Promise<number> {
  if (!dev.pmCap || dev.devFlags & PCI_DEV_FLAGS_NO_PM_RESET) return -ENOTTY;
  const csr = readCfg(dev, dev.pmCap + PCI_PM_CTRL, 2);
  if (csr & PCI_PM_CTRL_NO_SOFT_RESET) return -ENOTTY;
  if (probe) return 0;
  if (dev.currentState !== PCI_D0) return -EINVAL;
  return pmReset(dev, csr);
}

async function pmReset(dev: PciDev, csr: number): Promise<number> {
  csr = (csr & ~PCI_PM_CTRL_STATE_MASK) | PCI_D3hot;
  writeCfg(dev, dev.pmCap + PCI_PM_CTRL, 2, csr);
  await pciDevD3Sleep(dev);
  csr = (csr & ~PCI_PM_CTRL_STATE_MASK) | PCI_D0;
  writeCfg(dev, dev.pmCap + PCI_PM_CTRL, 2, csr);
  await pciDevD3Sleep(dev);
  return pciDevWait(dev, 'PM D3hot->D0', PCIE_RESET_READY_POLL_MS);
}

/** Mirrors pci_reset_secondary_bus(): assert Secondary Bus Reset for 2 ms. */
export async function pciResetSecondaryBus(bridge: PciDev): Promise<void> {
  let ctrl = readCfg(bridge, H.PCI_BRIDGE_CONTROL, 2);
  ctrl |= H.PCI_BRIDGE_CTL_BUS_RESET;
  writeCfg(bridge, H.PCI_BRIDGE_CONTROL, 2, ctrl);
  await bridge.kernel.sched.sleep(msecs(2));
  ctrl &= ~H.PCI_BRIDGE_CTL_BUS_RESET;
  writeCfg(bridge, H.PCI_BRIDGE_CONTROL, 2, ctrl);
}

/** Mirrors pci_bridge_secondary_bus_reset(): reset, then wait for the devices below. */
export async function pciBridgeSecondaryBusReset(bridge: PciDev): Promise<number> {
  await pciResetSecondaryBus(bridge);
  return pciBridgeWaitForSecondaryBus(bridge, 'bus reset');
}

/** Mirrors pci_dev_reset_slot_function(): the slot's hotplug reset (pciehp: a bus reset). */
export function pciDevResetSlotFunction(dev: PciDev, probe: boolean): number | Promise<number> {
  if (
    dev.multifunction ||
    dev.subordinate ||
    !dev.slot ||
    dev.devFlags & PCI_DEV_FLAGS_NO_BUS_RESET
  )
    return -ENOTTY;
  return pciResetHotplugSlot(dev.slot.bus.self, dev.slot.hotplug, probe);
}

/** Mirrors pci_reset_hotplug_slot() with pciehp_reset_slot(). */
export function pciResetHotplugSlot(
  port: PciDev | null,
  hotplug: boolean,
  probe: boolean,
): number | Promise<number> {
  if (!hotplug || !port) return -ENOTTY;
  return probe ? 0 : pciBridgeSecondaryBusReset(port);
}

/** Mirrors pci_parent_bus_reset(): the only device below a bridge gets a bus reset. */
export function pciParentBusReset(dev: PciDev, probe: boolean): number | Promise<number> {
  const bus = dev.pciBus;
  if (bus.isRoot || dev.subordinate || !bus.self || dev.devFlags & PCI_DEV_FLAGS_NO_BUS_RESET)
    return -ENOTTY;
  if (bus.devices.some((d) => d !== dev)) return -ENOTTY;
  return probe ? 0 : pciBridgeSecondaryBusReset(bus.self);
}

/** Mirrors pci_reset_bus_function(): slot reset, else parent bus reset. */
export function pciResetBusFunction(dev: PciDev, probe: boolean): number | Promise<number> {
  const rc = pciDevResetSlotFunction(dev, probe);
  return rc !== -ENOTTY ? rc : pciParentBusReset(dev, probe);
}

/** pci_reset_fn_methods[]: index → method (index 0 ends the list). */
export const PCI_RESET_FN_METHODS: readonly (PciResetFn | null)[] = [
  null,
  pciDevSpecificReset,
  pciDevAcpiReset,
  pcieResetFlr,
  pciAfFlr,
  pciPmReset,
  pciResetBusFunction,
];

/** Probes reset method `m` (a probe never sleeps). */
export function pciResetMethodProbe(dev: PciDev, m: number): number {
  const rc = PCI_RESET_FN_METHODS[m]!(dev, true);
  if (typeof rc !== 'number')
    throw new Error(`reset method ${m} of ${dev.bdf} slept while probing`);
  return rc;
}

/** Mirrors pci_init_reset_methods(): probe each method; stop at the first hard error. */
export function pciInitResetMethods(dev: PciDev): void {
  const methods: number[] = [];
  for (let m = 1; m < PCI_NUM_RESET_METHODS; m++) {
    const rc = pciResetMethodProbe(dev, m);
    if (!rc) methods.push(m);
    else if (rc !== -ENOTTY) break;
  }
  dev.resetMethods = methods;
}

/** Mirrors pci_reset_supported(). */
export function pciResetSupported(dev: PciDev): boolean {
  return dev.resetMethods.length > 0;
}

/** Mirrors pci_dev_lock(): device lock, then config access blocked. */
export async function pciDevLock(dev: PciDev): Promise<void> {
  await deviceLock(dev);
  await pciCfgAccessLock(dev);
}

/** Mirrors pci_dev_trylock(). @returns whether both were taken */
export function pciDevTrylock(dev: PciDev): boolean {
  if (!dev.mutex.tryLock()) return false;
  if (pciCfgAccessTrylock(dev)) return true;
  deviceUnlock(dev);
  return false;
}

/** Mirrors pci_dev_unlock(). */
export function pciDevUnlock(dev: PciDev): void {
  pciCfgAccessUnlock(dev);
  deviceUnlock(dev);
}

/**
 * Mirrors pci_dev_save_and_disable(): reset_prepare, D0, save, Command := INTx disable only.
 */
export async function pciDevSaveAndDisable(dev: PciDev): Promise<void> {
  await dev.pciDriver?.errHandler?.resetPrepare?.(dev);
  await pciSetPowerState(dev, PCI_D0);
  pciSaveState(dev);
  writeCfg(dev, H.PCI_COMMAND, 2, H.PCI_COMMAND_INTX_DISABLE);
}

/** Mirrors pci_dev_restore(): restore state, reset_done. */
export async function pciDevRestore(dev: PciDev): Promise<void> {
  pciRestoreState(dev);
  await dev.pciDriver?.errHandler?.resetDone?.(dev);
}

/**
 * Mirrors __pci_reset_function_locked(): the methods in order until one succeeds or fails
 * with something other than -ENOTTY. No save/restore, no D0 step.
 */
export async function pciResetFunctionLocked(dev: PciDev): Promise<number> {
  for (const m of dev.resetMethods) {
    const rc = await PCI_RESET_FN_METHODS[m]!(dev, false);
    if (!rc) return 0;
    if (rc !== -ENOTTY) return rc;
  }
  return -ENOTTY;
}

/** Mirrors pci_reset_function(): locked (sleeping) save, reset, restore. */
export async function pciResetFunction(dev: PciDev): Promise<number> {
  if (!pciResetSupported(dev)) return -ENOTTY;
  await pciDevLock(dev);
  await pciDevSaveAndDisable(dev);
  const rc = await pciResetFunctionLocked(dev);
  await pciDevRestore(dev);
  pciDevUnlock(dev);
  return rc;
}

/** Mirrors pci_try_reset_function(): as pci_reset_function, -EAGAIN if the lock is busy. */
export async function pciTryResetFunction(dev: PciDev): Promise<number> {
  if (!pciResetSupported(dev)) return -ENOTTY;
  if (!pciDevTrylock(dev)) return -EAGAIN;
  await pciDevSaveAndDisable(dev);
  const rc = await pciResetFunctionLocked(dev);
  await pciDevRestore(dev);
  pciDevUnlock(dev);
  return rc;
}

/** Mirrors pci_probe_reset_function(): 0 if a reset method exists, else -ENOTTY. */
export function pciProbeResetFunction(dev: PciDev): number {
  return pciResetSupported(dev) ? 0 : -ENOTTY;
}
