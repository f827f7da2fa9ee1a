// A machine whose firmware manages no PCI device (no ACPI companion with power resources):
// every platform call fails with -ENODEV or reports PCI_UNKNOWN, as acpi_pci_* do then.
import { ENODEV } from '@vfio-ts/kernel';
import { PCI_UNKNOWN, type PciPowerState } from '../regs/power-state.js';
import type { PciDev } from '../pci/pci-dev.js';
import type { PciPlatform } from './types.js';

/** Options of {@link NoPlatform}. */
export interface NoPlatformOptions {
  /** dmi_get_bios_year(). @default 2014 (QEMU's SeaBIOS reports 04/01/2014) */
  readonly biosYear?: number;
}

/** No platform power management (the conformance machine: no `_PR3` anywhere). */
export class NoPlatform implements PciPlatform {
  readonly name = 'none';
  readonly biosYear: number;

  constructor(opts: NoPlatformOptions = {}) {
    this.biosYear = opts.biosYear ?? 2014;
  }

  addRootPort(): void {}
  addFunction(): void {}
  removeFunction(): void {}

  isManageable(): boolean {
    return false;
  }

  /** acpi_pci_set_power_state() without a companion. */
  setState(): Promise<number> {
    return Promise.resolve(-ENODEV);
  }

  getState(): PciPowerState {
    return PCI_UNKNOWN;
  }

  refreshState(): void {}

  chooseState(): PciPowerState {
    return PCI_UNKNOWN;
  }

  /** acpi_pci_wakeup() finds no wakeup-capable node up to the root: 0. */
  setWakeup(): number {
    return 0;
  }

  bridgeD3(): boolean {
    return false;
  }

  wakeGpe(_dev: PciDev): boolean {
    return false;
  }
}
