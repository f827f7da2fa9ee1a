// Choosing the runtime low-power state and arming wakeup (pci_target_state, pci_dev_run_wake,
// __pci_enable_wake, pci_finish_runtime_suspend in drivers/pci/pci.c; KERNEL.md B.8).
import { EINVAL, EIO } from '@vfio-ts/kernel';
import {
  PCI_D0,
  PCI_D1,
  PCI_D2,
  PCI_D3cold,
  PCI_D3hot,
  PCI_POWER_ERROR,
  PCI_UNKNOWN,
  type PciPowerState,
} from '../regs/power-state.js';
import { deviceCanWakeup, deviceMayWakeup, type PciDev } from './pci-dev.js';
import { pciPmeActive } from './pme.js';
import { pciNoD1d2, pciSetPowerState, platformPciPowerManageable } from './power.js';

/** Mirrors pci_pme_capable(): PME_Support covers `state`. */
export function pciPmeCapable(dev: PciDev, state: number): boolean {
  if (!dev.pmCap || state < PCI_D0 || state > PCI_D3cold) return false;
  return (dev.pmeSupport & (1 << state)) !== 0;
}

/** Mirrors pci_power_manageable(): non-bridges always; bridges need `bridge_d3`. */
export function pciPowerManageable(dev: PciDev): boolean {
  return dev.subordinate === null || dev.bridgeD3;
}

/**
 * Mirrors pci_target_state(): the platform's choice when it manages the device; else D3cold
 * stays, no PM cap → D0, the deepest PME-capable state when waking, otherwise D3hot.
 */
export function pciTargetState(dev: PciDev, wakeup: boolean): PciPowerState {
  if (platformPciPowerManageable(dev)) {
    const state = dev.ctx.platform.chooseState(dev);
    if (state === PCI_POWER_ERROR || state === PCI_UNKNOWN) return PCI_D3hot;
    if ((state === PCI_D1 || state === PCI_D2) && pciNoD1d2(dev)) return PCI_D3hot;
    return state;
  }
  // Powered down by non-standard means: let it slumber.
  if (dev.currentState === PCI_D3cold) return PCI_D3cold;
  if (!dev.pmCap) return PCI_D0;
  if (wakeup && dev.pmeSupport) {
    let state: number = PCI_D3hot;
    while (state && !(dev.pmeSupport & (1 << state))) state--;
    if (state) return state as PciPowerState;
    if (dev.pmeSupport & 1) return PCI_D0;
  }
  return PCI_D3hot;
}

/**
 * Mirrors pci_dev_run_wake(): the device can wake from its runtime target state and it, a
 * bridge above it, or the host bridge is wakeup-capable.
 */
export function pciDevRunWake(dev: PciDev): boolean {
  if (!dev.pmeSupport) return false;
  if (!pciPmeCapable(dev, pciTargetState(dev, true))) return false;
  if (deviceCanWakeup(dev)) return true;
  let bus = dev.pciBus;
  while (bus.self) {
    if (deviceCanWakeup(bus.self)) return true;
    bus = bus.self.pciBus;
  }
  return (bus.bridge as { wakeupCapable?: boolean }).wakeupCapable === true;
}

/**
 * Mirrors __pci_enable_wake(): arm (PME, platform wakeup) or disarm; bridges that cannot go to
 * D3 and repeated requests do nothing.
 * @returns 0, or the platform error when PME is impossible from `state` and from D3cold
 */
export function __pciEnableWake(dev: PciDev, state: PciPowerState, enable: boolean): number {
  if (!pciPowerManageable(dev)) return 0;
  if (enable === dev.wakeupPrepared) return 0;
  let ret = 0;
  if (enable) {
    if (pciPmeCapable(dev, state) || pciPmeCapable(dev, PCI_D3cold)) pciPmeActive(dev, true);
    else ret = 1;
    const error = dev.ctx.platform.setWakeup(dev, true);
    if (ret) ret = error;
    if (!ret) dev.wakeupPrepared = true;
  } else {
    dev.ctx.platform.setWakeup(dev, false);
    pciPmeActive(dev, false);
    dev.wakeupPrepared = false;
  }
  return ret;
}

/**
 * Mirrors pci_enable_wake(): enabling needs device_may_wakeup().
 * @returns 0, -EINVAL (wakeup not enabled by user space), or a platform error
 */
export function pciEnableWake(dev: PciDev, state: PciPowerState, enable: boolean): number {
  if (enable && !deviceMayWakeup(dev)) return -EINVAL;
  return __pciEnableWake(dev, state, enable);
}

/**
 * Mirrors pci_finish_runtime_suspend(): pick the target state, arm runtime wakeup if the
 * hardware path exists, enter the state (disarm on failure).
 * @returns 0, -EIO (no valid target), or the pci_set_power_state() error
 */
export async function pciFinishRuntimeSuspend(dev: PciDev): Promise<number> {
  const target = pciTargetState(dev, deviceCanWakeup(dev));
  if (target === PCI_POWER_ERROR) return -EIO;
  __pciEnableWake(dev, target, pciDevRunWake(dev));
  const error = await pciSetPowerState(dev, target);
  if (error) pciEnableWake(dev, target, false);
  return error;
}

/** Mirrors pci_wake_from_d3(): arm or disarm wakeup for D3cold if PME works there, else D3hot. */
export function pciWakeFromD3(dev: PciDev, enable: boolean): number {
  return pciPmeCapable(dev, PCI_D3cold)
    ? pciEnableWake(dev, PCI_D3cold, enable)
    : pciEnableWake(dev, PCI_D3hot, enable);
}
