// Setting a PCI device's power state (pci_set_power_state and its helpers in drivers/pci/pci.c;
// KERNEL.md B.3, B.4).
import { EINVAL, EIO } from '@vfio-ts/kernel';
import { PCI_PM_CTRL, PCI_PM_CTRL_NO_SOFT_RESET, PCI_PM_CTRL_STATE_MASK } from '../regs/pm.js';
import {
  PCI_D0,
  PCI_D1,
  PCI_D2,
  PCI_D3cold,
  PCI_D3hot,
  PCI_UNKNOWN,
  pciPowerName,
  type PciPowerState,
} from '../regs/power-state.js';
import { pciPossibleError, readCfg, writeCfg } from './access.js';
import { pciWalkBus, type PciBus } from './bus.js';
import { PCI_DEV_FLAGS_NO_D3, PCI_PM_D2_DELAY_NS, PCIE_RESET_READY_POLL_MS } from './constants.js';
import { pciDevIsDisconnected, type PciDev } from './pci-dev.js';
import { pciRestoreBars } from './save-restore.js';
import { pciDevD3Sleep, pciDevWait } from './wait.js';

const name = pciPowerName;

function pmcsrAt(dev: PciDev): number {
  return dev.pmCap + PCI_PM_CTRL;
}

/** Mirrors platform_pci_power_manageable(). */
export function platformPciPowerManageable(dev: PciDev): boolean {
  return dev.ctx.platform.isManageable(dev);
}

/** Mirrors platform_pci_set_power_state(). */
export function platformPciSetPowerState(dev: PciDev, state: PciPowerState): Promise<number> {
  return dev.ctx.platform.setState(dev, state);
}

/** Mirrors platform_pci_get_power_state(). */
export function platformPciGetPowerState(dev: PciDev): PciPowerState {
  return dev.ctx.platform.getState(dev);
}

/** Mirrors pci_no_d1d2(): the device or the bridge above it forbids D1/D2. */
export function pciNoD1d2(dev: PciDev): boolean {
  return dev.noD1d2 || (dev.upstreamBridge?.noD1d2 ?? false);
}

/**
 * Mirrors pci_update_current_state(): D3cold if the platform says so; else PMCSR (all ones →
 * D3cold); without a PM capability, `fallback`.
 */
export function pciUpdateCurrentState(dev: PciDev, fallback: PciPowerState): void {
  if (platformPciGetPowerState(dev) === PCI_D3cold) {
    dev.currentState = PCI_D3cold;
  } else if (dev.pmCap) {
    const pmcsr = readCfg(dev, pmcsrAt(dev), 2);
    dev.currentState = pciPossibleError(pmcsr, 2)
      ? PCI_D3cold
      : ((pmcsr & PCI_PM_CTRL_STATE_MASK) as PciPowerState);
  } else {
    dev.currentState = fallback;
  }
}

/** Mirrors pci_refresh_power_state(): let the platform re-read its state, then update. */
export function pciRefreshPowerState(dev: PciDev): void {
  dev.ctx.platform.refreshState(dev);
  pciUpdateCurrentState(dev, dev.currentState);
}

/**
 * Mirrors pci_platform_power_transition(): success → update `current_state`; failure on a
 * device without PM capability → D0.
 * @returns 0 or the platform's error
 */
export async function pciPlatformPowerTransition(
  dev: PciDev,
  state: PciPowerState,
): Promise<number> {
  const error = await platformPciSetPowerState(dev, state);
  if (!error) pciUpdateCurrentState(dev, state);
  else if (!dev.pmCap) dev.currentState = PCI_D0;
  return error;
}

/** Mirrors pci_bus_set_current_state(): every device below gets `state`. */
export function pciBusSetCurrentState(bus: PciBus | null, state: PciPowerState): void {
  pciWalkBus(bus, (d) => void (d.currentState = state));
}

/**
 * Mirrors pci_power_up(): platform D0 (result ignored), then PMCSR to D0 with the mandatory
 * delays; 6.1.192 waits for a NoSoftRst− device to answer after D3hot.
 * @returns 1 when config must be restored (D3hot/D3cold → D0 with NoSoftRst−), 0, or -EIO
 */
export async function pciPowerUp(dev: PciDev): Promise<number> {
  await platformPciSetPowerState(dev, PCI_D0);
  if (!dev.pmCap) {
    const state = platformPciGetPowerState(dev);
    dev.currentState = state === PCI_UNKNOWN ? PCI_D0 : state;
    return -EIO;
  }
  if (pciDevIsDisconnected(dev)) {
    dev.currentState = PCI_D3cold;
    return -EIO;
  }
  const pmcsr = readCfg(dev, pmcsrAt(dev), 2);
  if (pciPossibleError(pmcsr, 2)) {
    dev.kernel.printk(
      'err',
      `pci ${dev.bdf}: Unable to change power state from ${name(dev.currentState)} to D0, device inaccessible`,
    );
    dev.currentState = PCI_D3cold;
    return -EIO;
  }
  const state = pmcsr & PCI_PM_CTRL_STATE_MASK;
  const noSoftReset = (pmcsr & PCI_PM_CTRL_NO_SOFT_RESET) !== 0;
  const needRestore = (state === PCI_D3hot || dev.currentState >= PCI_D3hot) && !noSoftReset;
  if (state !== PCI_D0) {
    // The whole word to 0: PowerState D0, PME_En off, PME_Status untouched (W1C).
    writeCfg(dev, pmcsrAt(dev), 2, 0);
    if (state === PCI_D3hot) {
      await pciDevD3Sleep(dev);
      if (!noSoftReset && (await pciDevWait(dev, 'D3hot->D0', PCIE_RESET_READY_POLL_MS))) {
        dev.currentState = PCI_D3cold;
        return -EIO;
      }
    } else if (state === PCI_D2) {
      await dev.kernel.sched.sleep(PCI_PM_D2_DELAY_NS);
    }
  }
  dev.currentState = PCI_D0;
  return needRestore ? 1 : 0;
}

/**
 * Mirrors pci_set_full_power_state(): power up, re-read PMCSR, restore BARs after a
 * NoSoftRst− power-up.
 * @returns 0, or -EIO when the device could not be reached and is not in D0
 */
export async function pciSetFullPowerState(dev: PciDev): Promise<number> {
  const ret = await pciPowerUp(dev);
  if (ret < 0) return dev.currentState === PCI_D0 ? 0 : ret;
  const pmcsr = readCfg(dev, pmcsrAt(dev), 2);
  dev.currentState = (pmcsr & PCI_PM_CTRL_STATE_MASK) as PciPowerState;
  if (dev.currentState !== PCI_D0)
    dev.kernel.printk(
      'info',
      `pci ${dev.bdf}: Refused to change power state from ${name(dev.currentState)} to D0`,
    );
  else if (ret > 0) pciRestoreBars(dev);
  return 0;
}

/**
 * Mirrors pci_set_low_power_state(): the native PMCSR write for D1, D2 or D3hot.
 * @returns 0 (also when the device refused), -EIO (no PM cap, unsupported D1/D2, unreachable),
 * -EINVAL (a shallower low-power state than the current one)
 */
export async function pciSetLowPowerState(dev: PciDev, state: PciPowerState): Promise<number> {
  if (!dev.pmCap) return -EIO;
  const cur = dev.currentState;
  if (cur <= PCI_D3cold && cur > state) {
    dev.kernel.printk(
      'err',
      `pci ${dev.bdf}: Invalid power transition (from ${name(cur)} to ${name(state)})`,
    );
    return -EINVAL;
  }
  if ((state === PCI_D1 && !dev.d1Support) || (state === PCI_D2 && !dev.d2Support)) return -EIO;
  if (cur === state) return 0;
  let pmcsr = readCfg(dev, pmcsrAt(dev), 2);
  if (pciPossibleError(pmcsr, 2)) {
    dev.kernel.printk(
      'err',
      `pci ${dev.bdf}: Unable to change power state from ${name(cur)} to ${name(state)}, device inaccessible`,
    );
    dev.currentState = PCI_D3cold;
    return -EIO;
  }
  pmcsr = (pmcsr & ~PCI_PM_CTRL_STATE_MASK) | state;
  writeCfg(dev, pmcsrAt(dev), 2, pmcsr);
  if (state === PCI_D3hot) await pciDevD3Sleep(dev);
  else if (state === PCI_D2) await dev.kernel.sched.sleep(PCI_PM_D2_DELAY_NS);
  pmcsr = readCfg(dev, pmcsrAt(dev), 2);
  dev.currentState = (pmcsr & PCI_PM_CTRL_STATE_MASK) as PciPowerState;
  if (dev.currentState !== state)
    dev.kernel.printk(
      'info',
      `pci ${dev.bdf}: Refused to change power state from ${name(cur)} to ${name(state)}`,
    );
  return 0;
}

/**
 * Mirrors pci_set_power_state(): clamp, then full power or the native step followed by the
 * platform step; D3cold through the platform marks every device below D3cold too (B.3).
 * @returns 0 or -errno (see the B.3.8 table)
 */
export async function pciSetPowerState(dev: PciDev, state: number): Promise<number> {
  let target: PciPowerState;
  if (state > PCI_D3cold) target = PCI_D3cold;
  else if (state < PCI_D0) target = PCI_D0;
  else target = state as PciPowerState;
  if ((target === PCI_D1 || target === PCI_D2) && pciNoD1d2(dev)) return 0;
  if (dev.currentState === target) return 0;
  if (target === PCI_D0) return pciSetFullPowerState(dev);
  if (target >= PCI_D3hot && dev.devFlags & PCI_DEV_FLAGS_NO_D3) return 0;
  if (target === PCI_D3cold) {
    // Native D3hot first, then the platform cuts power.
    const error = await pciSetLowPowerState(dev, PCI_D3hot);
    if (await pciPlatformPowerTransition(dev, PCI_D3cold)) return error;
    // Powering off a bridge may power off the whole hierarchy below it.
    if (dev.currentState === PCI_D3cold) pciBusSetCurrentState(dev.subordinate, PCI_D3cold);
  } else {
    const error = await pciSetLowPowerState(dev, target);
    if (await pciPlatformPowerTransition(dev, target)) return error;
  }
  return 0;
}

/** Mirrors pci_set_power_state_locked() [6.1.192]: the same with pci_bus_sem held (not modelled). */
export function pciSetPowerStateLocked(dev: PciDev, state: number): Promise<number> {
  return pciSetPowerState(dev, state);
}
