// Driver-side sysfs files: /sys/bus/pci/drivers/<name>/{bind,unbind,new_id,remove_id} and
// /sys/bus/pci/drivers_probe (drivers/base/bus.c, drivers/pci/pci-driver.c).
import { EEXIST, EINVAL, ENODEV } from '@vfio-ts/kernel';
import { deviceDriverAttach, deviceReleaseDriver } from '@vfio-ts/runtime-pm';
import { PCI_ANY_ID } from '../pci/constants.js';
import type { PciDeviceId } from '../pci/driver-types.js';
import type { PciDev } from '../pci/pci-dev.js';
import {
  pciBusMatch,
  pciMatchDevice,
  toPciDriver,
  type RegisteredPciDriver,
} from '../driver/match.js';
import type { PciTopology } from '../topology/topology.js';
import { sscanfHex, sysfsStreq } from './parse.js';

/** Mirrors bus_find_device_by_name(): the registered device whose name equals `text`. */
export function busFindDeviceByName(topo: PciTopology, text: string): PciDev | undefined {
  // Names are unique: look the one name up (the bdf index) instead of walking every device.
  const name = text.endsWith('\n') ? text.slice(0, -1) : text;
  const d = topo.lookup(name);
  return d && d.registered && sysfsStreq(d.bdf, name) ? d : undefined;
}

/** Mirrors bind_store(): attach the driver to a matching device. @returns count or -errno */
export async function bindStore(
  topo: PciTopology,
  reg: RegisteredPciDriver,
  text: string,
  count: number,
): Promise<number> {
  const dev = busFindDeviceByName(topo, text);
  if (!dev || !pciBusMatch(reg, dev)) return -ENODEV;
  const err = await deviceDriverAttach(reg.driver, dev);
  return err ? err : count;
}

/** Mirrors unbind_store(): detach the device if this driver has it. @returns count or -ENODEV */
export async function unbindStore(
  topo: PciTopology,
  reg: RegisteredPciDriver,
  text: string,
  count: number,
): Promise<number> {
  const dev = busFindDeviceByName(topo, text);
  if (!dev || toPciDriver(dev.driver) !== reg) return -ENODEV;
  await deviceReleaseDriver(dev);
  return count;
}

const u32 = (v: bigint | undefined, dflt: number): number =>
  v === undefined ? dflt : Number(v & 0xffffffffn);

/**
 * Mirrors new_id_store(): "vendor device [subvendor subdevice class class_mask driver_data]"
 * in hex; refused when an id already matches (fewer than 7 fields) or driver_data is not one
 * of the table's; then a dynamic id and driver_attach.
 * @returns count, -EINVAL or -EEXIST
 */
export async function newIdStore(
  topo: PciTopology,
  reg: RegisteredPciDriver,
  text: string,
  count: number,
): Promise<number> {
  const f = sscanfHex(text, 7);
  if (f.length < 2) return -EINVAL;
  const id: PciDeviceId = {
    vendor: u32(f[0], 0),
    device: u32(f[1], 0),
    subvendor: u32(f[2], PCI_ANY_ID),
    subdevice: u32(f[3], PCI_ANY_ID),
    classCode: u32(f[4], 0),
    classMask: u32(f[5], 0),
    driverData: Number(f[6] ?? 0n),
  };
  if (f.length !== 7) {
    const probe = {
      vendor: id.vendor!,
      device: id.device!,
      subsystemVendor: id.subvendor!,
      subsystemDevice: id.subdevice!,
      classCode: id.classCode!,
      driverOverride: null,
    };
    if (pciMatchDevice(reg, probe)) return -EEXIST;
  }
  const table = reg.drv.idTable;
  if (table.length && !table.some((t) => (t.driverData ?? 0) === id.driverData)) return -EINVAL;
  await topo.drivers.addDynamicId(reg, id);
  return count;
}

/** Mirrors remove_id_store(): drop the first dynamic id that matches. @returns count or -ENODEV */
export function removeIdStore(reg: RegisteredPciDriver, text: string, count: number): number {
  const f = sscanfHex(text, 6);
  if (f.length < 2) return -EINVAL;
  const [vendor, device] = [u32(f[0], 0), u32(f[1], 0)];
  const [subvendor, subdevice] = [u32(f[2], PCI_ANY_ID), u32(f[3], PCI_ANY_ID)];
  const [cls, mask] = [u32(f[4], 0), u32(f[5], 0)];
  const i = reg.dynids.findIndex(
    (id) =>
      id.vendor === vendor &&
      id.device === device &&
      (subvendor === PCI_ANY_ID || id.subvendor === subvendor) &&
      (subdevice === PCI_ANY_ID || id.subdevice === subdevice) &&
      (((id.classCode ?? 0) ^ cls) & mask) === 0,
  );
  if (i < 0) return -ENODEV;
  reg.dynids.splice(i, 1);
  return count;
}

/**
 * Mirrors drivers_probe_store(): attach a driver to an unbound device (driver_override
 * decides which). @returns count (also when no driver took it), -ENODEV for an unknown device
 */
export async function driversProbeStore(
  topo: PciTopology,
  text: string,
  count: number,
): Promise<number> {
  const dev = busFindDeviceByName(topo, text);
  if (!dev) return -ENODEV;
  if (!dev.driver) {
    const ret = await topo.drivers.deviceAttach(dev);
    if (ret < 0) return -EINVAL;
  }
  return count;
}
