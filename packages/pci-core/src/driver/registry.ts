// The PCI drivers of one topology and binding them to devices (pci_register_driver,
// driver_attach, device_attach in drivers/base/{bus,dd}.c, drivers/pci/pci-driver.c).
import { EBUSY, EEXIST, ENODEV, ENXIO } from '@vfio-ts/kernel';
import {
  deviceDriverAttach,
  deviceLock,
  deviceReleaseDriver,
  deviceUnlock,
  driverProbeDevice,
  pmRequestIdle,
  pmRuntimeGetSync,
  pmRuntimePut,
} from '@vfio-ts/runtime-pm';
import type { PciDeviceId, PciDriver } from '../pci/driver-types.js';
import type { PciDev } from '../pci/pci-dev.js';
import {
  newRegisteredDriver,
  pciBusMatch,
  toPciDriver,
  type RegisteredPciDriver,
} from './match.js';

/** The drivers registered with one topology's PCI bus. */
export class PciDriverRegistry {
  private readonly drivers = new Map<string, RegisteredPciDriver>();

  /** @param devices every device on the bus, in enumeration order */
  constructor(private readonly devices: () => Iterable<PciDev>) {}

  /** The registered driver called `name`. */
  get(name: string): RegisteredPciDriver | undefined {
    return this.drivers.get(name);
  }

  /** Registered drivers in registration order. */
  all(): RegisteredPciDriver[] {
    return [...this.drivers.values()];
  }

  /** Registers a driver built into the kernel, before any device is added (no attach). */
  registerBuiltin(drv: PciDriver): void {
    if (!this.drivers.has(drv.name)) this.drivers.set(drv.name, newRegisteredDriver(drv));
  }

  /**
   * Mirrors pci_register_driver(): register, then try every unbound device (driver_attach).
   * @returns 0, or -EEXIST when a driver of that name is registered
   */
  async register(drv: PciDriver): Promise<number> {
    if (this.drivers.has(drv.name)) return -EEXIST;
    const reg = newRegisteredDriver(drv);
    this.drivers.set(drv.name, reg);
    await this.driverAttach(reg);
    return 0;
  }

  /** Mirrors pci_unregister_driver(): unbind it from every device, then forget it. */
  async unregister(name: string): Promise<void> {
    const reg = this.drivers.get(name);
    if (!reg) return;
    for (const dev of this.devices())
      if (toPciDriver(dev.driver) === reg) await deviceReleaseDriver(dev);
    this.drivers.delete(name);
  }

  /** Mirrors driver_attach(): bind `reg` to every matching unbound device. */
  async driverAttach(reg: RegisteredPciDriver): Promise<void> {
    for (const dev of [...this.devices()]) {
      if (dev.driver || !pciBusMatch(reg, dev)) continue;
      await deviceDriverAttach(reg.driver, dev);
    }
  }

  /**
   * Mirrors device_attach(): under the device lock and with the parent resumed, probe the
   * first matching driver (a probe saying -ENODEV/-ENXIO lets the next one try); then an
   * async idle of the device.
   * @returns 1 bound, 0 no driver, -ENODEV unregistered
   */
  async deviceAttach(dev: PciDev): Promise<number> {
    await deviceLock(dev);
    try {
      if (!dev.registered) return -ENODEV;
      if (dev.driver) return 1;
      if (dev.parent) await pmRuntimeGetSync(dev.parent);
      let bound = 0;
      for (const reg of this.drivers.values()) {
        if (!pciBusMatch(reg, dev)) continue;
        const ret = await driverProbeDevice(reg.driver, dev);
        if (ret === 0) {
          bound = 1;
          break;
        }
        if (ret !== -ENODEV && ret !== -ENXIO && ret !== -EBUSY) break;
      }
      pmRequestIdle(dev);
      if (dev.parent) pmRuntimePut(dev.parent);
      return bound;
    } finally {
      deviceUnlock(dev);
    }
  }

  /**
   * Mirrors new_id_store()'s effect: add a dynamic id, then driver_attach.
   */
  async addDynamicId(reg: RegisteredPciDriver, id: PciDeviceId): Promise<void> {
    reg.dynids.push(id);
    await this.driverAttach(reg);
  }
}
