// struct pci_bus and struct pci_slot (include/linux/pci.h): who sits on which bus.
import type { Device } from '@vfio-ts/runtime-pm';
import type { PciDev } from './pci-dev.js';

/** A PCI hotplug slot (struct pci_slot): the functions behind one port. */
export class PciSlot {
  /**
   * @param bus the bus behind the port
   * @param number the physical slot number
   * @param hotplug a hotplug controller drives it (pciehp): slot resets are possible
   */
  constructor(
    readonly bus: PciBus,
    readonly number: number,
    readonly hotplug: boolean,
  ) {}
}

/** A PCI bus (struct pci_bus): its bridge, its devices, the buses below it. */
export class PciBus {
  /** Devices on this bus, in order of addition (bus->devices). */
  readonly devices: PciDev[] = [];
  /** Buses behind bridges on this bus (bus->children). */
  readonly children: PciBus[] = [];
  /** The slot behind a hotplug-capable port, if any. */
  slot: PciSlot | null = null;

  /**
   * @param number bus number
   * @param parent the bus above (null for a root bus)
   * @param self the bridge leading to it (null for a root bus)
   * @param bridge the device that parents this bus's devices: the host bridge or `self`
   */
  constructor(
    readonly domain: number,
    readonly number: number,
    readonly parent: PciBus | null,
    readonly self: PciDev | null,
    readonly bridge: Device,
  ) {
    parent?.children.push(this);
  }

  /** pci_is_root_bus(). */
  get isRoot(): boolean {
    return this.parent === null;
  }
}

/** Mirrors pci_walk_bus(): `fn` for every device on `bus` and below; stops when it returns true. */
export function pciWalkBus(bus: PciBus | null, fn: (dev: PciDev) => boolean | undefined): boolean {
  if (!bus) return false;
  for (const dev of [...bus.devices]) {
    if (fn(dev)) return true;
    if (dev.subordinate && pciWalkBus(dev.subordinate, fn)) return true;
  }
  return false;
}

/** Every device on `bus` and below, depth first. */
export function pciBusDevices(bus: PciBus | null): PciDev[] {
  const out: PciDev[] = [];
  pciWalkBus(bus, (d) => void out.push(d));
  return out;
}
