// The platform firmware interface the PCI core calls (platform_pci_* in drivers/pci/pci.c,
// implemented by ACPI in pci-acpi.c; KERNEL.md B.4, B.8.2, B.10.3).
import type { PciPowerState } from '../regs/power-state.js';
import type { PciDev } from '../pci/pci-dev.js';

/** What the firmware says about one root port and the slot below it. */
export interface RootPortFirmware {
  /**
   * The slot below can lose power: functions below the port get firmware nodes with `_PR0`/`_PR3`
   * on the port's power resource (so they are platform-manageable and D3cold is valid for them).
   * @default false
   */
  readonly d3cold?: boolean;
  /** The root port's own node has `_PR0`/`_PR3` on that power resource. @default false */
  readonly pr3?: boolean;
  /** Virtual time `_ON` takes, in ms. @default 0 */
  readonly onDelayMs?: number;
  /** Virtual time `_OFF` takes, in ms. @default 0 */
  readonly offDelayMs?: number;
}

/**
 * Platform power management as the PCI core sees it. Return conventions are the kernel's:
 * 0 or -errno. `setState` may sleep (power resources, firmware delays): call it in a task.
 */
export interface PciPlatform {
  /** Name for messages ("none", "acpi"). */
  readonly name: string;
  /** Year of the BIOS (dmi_get_bios_year()), used by pci_bridge_d3_possible(). */
  readonly biosYear: number;
  /** A root port was enumerated; `fw` is its firmware description. */
  addRootPort(port: PciDev, fw: RootPortFirmware): void;
  /** A function below `port` was enumerated; `companion` says whether its node has `_PR0`/`_PR3`. */
  addFunction(dev: PciDev, port: PciDev, companion: boolean): void;
  /** A device went away. */
  removeFunction(dev: PciDev): void;
  /** platform_pci_power_manageable(). */
  isManageable(dev: PciDev): boolean;
  /** platform_pci_set_power_state(): 0, -ENODEV (no node), -EINVAL, -EBUSY, or a firmware error. */
  setState(dev: PciDev, state: PciPowerState): Promise<number>;
  /** platform_pci_get_power_state(): the state firmware last set, PCI_UNKNOWN without a node. */
  getState(dev: PciDev): PciPowerState;
  /** platform_pci_refresh_power_state(): re-read the state from the power resources. */
  refreshState(dev: PciDev): void;
  /** platform_pci_choose_state(): deepest allowed state, PCI_POWER_ERROR on error. */
  chooseState(dev: PciDev): PciPowerState;
  /** platform_pci_set_wakeup(): 0 or -errno. */
  setWakeup(dev: PciDev, enable: boolean): number;
  /** platform_pci_bridge_d3(): the firmware says this bridge may go to D3. */
  bridgeD3(dev: PciDev): boolean;
  /** A wake event (GPE) for `dev` would reach the OS (pci_acpi_wake_dev). */
  wakeGpe(dev: PciDev): boolean;
}
