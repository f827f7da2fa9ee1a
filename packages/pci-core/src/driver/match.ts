// Matching PCI drivers to devices (pci_match_one_device, pci_match_device in
// drivers/pci/pci-driver.c) and the device_driver behind each registered pci_driver.
import type { DeviceDriver } from '@vfio-ts/runtime-pm';
import type { PciDeviceId, PciDriver } from '../pci/driver-types.js';
import type { PciDev } from '../pci/pci-dev.js';
import { PCI_ANY_ID } from '../pci/constants.js';

/** A registered driver: the pci_driver, its device_driver and its dynamic ids (new_id). */
export interface RegisteredPciDriver {
  readonly drv: PciDriver;
  /** The embedded struct device_driver that runtime PM and the driver core see. */
  readonly driver: DeviceDriver;
  /** Ids added through sysfs new_id, matched before the static table. */
  readonly dynids: PciDeviceId[];
}

// The device_driver embedded in a registered pci_driver, which it leads back to (container_of).
// Not a module-level WeakMap: one whose values point back at their keys was seen (heap profiles
// of exploration) to keep machines alive through young-generation collections.
class EmbeddedDeviceDriver implements DeviceDriver {
  readonly #reg: RegisteredPciDriver;
  constructor(
    readonly name: string,
    readonly pm: DeviceDriver['pm'],
    reg: RegisteredPciDriver,
  ) {
    this.#reg = reg;
  }

  static containerOf(driver: DeviceDriver): RegisteredPciDriver | null {
    return driver instanceof EmbeddedDeviceDriver ? driver.#reg : null;
  }
}

/** Wraps a pci_driver for registration. */
export function newRegisteredDriver(drv: PciDriver): RegisteredPciDriver {
  const reg = { drv, driver: null as unknown as DeviceDriver, dynids: [] as PciDeviceId[] };
  reg.driver = new EmbeddedDeviceDriver(drv.name, drv.pm, reg);
  return reg;
}

/** Mirrors to_pci_driver(): the registered pci_driver behind a device_driver. */
export function toPciDriver(driver: DeviceDriver | null): RegisteredPciDriver | null {
  return driver ? EmbeddedDeviceDriver.containerOf(driver) : null;
}

const any = (want: number | undefined, have: number): boolean =>
  want === undefined || want === PCI_ANY_ID || want === have;

/** What matching looks at: the ids of a device and its driver_override. */
export type PciMatchable = Pick<
  PciDev,
  'vendor' | 'device' | 'subsystemVendor' | 'subsystemDevice' | 'classCode' | 'driverOverride'
>;

/** Mirrors pci_match_one_device(). */
export function pciMatchOneDevice(id: PciDeviceId, dev: PciMatchable): boolean {
  return (
    any(id.vendor, dev.vendor) &&
    any(id.device, dev.device) &&
    any(id.subvendor, dev.subsystemVendor) &&
    any(id.subdevice, dev.subsystemDevice) &&
    (((id.classCode ?? 0) ^ dev.classCode) & (id.classMask ?? 0)) === 0
  );
}

/** pci_device_id_any: what a driver_override match gets. */
export const PCI_DEVICE_ID_ANY: PciDeviceId = Object.freeze({});

/**
 * Mirrors pci_match_device(): driver_override set → only that driver, and it always matches;
 * dynamic ids first; override_only entries need driver_override.
 * @returns the matching id, or null
 */
export function pciMatchDevice(reg: RegisteredPciDriver, dev: PciMatchable): PciDeviceId | null {
  const override = dev.driverOverride;
  if (override !== null && override !== reg.drv.name) return null;
  const dyn = reg.dynids.find((id) => pciMatchOneDevice(id, dev));
  if (dyn) return dyn;
  for (const id of reg.drv.idTable) {
    if (!pciMatchOneDevice(id, dev)) continue;
    if (!id.overrideOnly || override !== null) return id;
  }
  return override !== null ? PCI_DEVICE_ID_ANY : null;
}

/** Mirrors pci_bus_match(): the device accepts drivers and one of the driver's ids matches. */
export function pciBusMatch(reg: RegisteredPciDriver, dev: PciDev): boolean {
  return dev.matchDriver && pciMatchDevice(reg, dev) !== null;
}
