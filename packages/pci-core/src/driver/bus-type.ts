// The PCI bus type: its runtime PM ops and the probe/remove brackets (pci_dev_pm_ops,
// pci_device_probe, local_pci_probe, pci_device_remove in drivers/pci/pci-driver.c; A.16.3–4).
import { ENODEV } from '@vfio-ts/kernel';
import {
  pmRuntimeBarrier,
  pmRuntimeGetSync,
  pmRuntimePutNoidle,
  pmRuntimePutSync,
  type BusType,
  type Device,
} from '@vfio-ts/runtime-pm';
import { PCI_D0, PCI_UNKNOWN } from '../regs/power-state.js';
import type { PciDeviceId } from '../pci/driver-types.js';
import { toPciDev, type PciDev } from '../pci/pci-dev.js';
import { pciPmRuntimeIdle, pciPmRuntimeResume, pciPmRuntimeSuspend } from '../pci/runtime.js';
import { pciMatchDevice, toPciDriver, type RegisteredPciDriver } from './match.js';

/** Mirrors pci_device_can_probe(): VFs only with autoprobe on or a driver_override. */
export function pciDeviceCanProbe(dev: PciDev): boolean {
  return (
    !dev.isVirtfn || (dev.physfn?.sriov?.driversAutoprobe ?? true) || dev.driverOverride !== null
  );
}

/**
 * Mirrors local_pci_probe(): the device is resumed and referenced around the driver's probe;
 * on success the reference stays (the driver drops it), on failure it is put synchronously.
 * @returns 0 or the probe's negative error
 */
export async function localPciProbe(
  dev: PciDev,
  reg: RegisteredPciDriver,
  id: PciDeviceId,
): Promise<number> {
  await pmRuntimeGetSync(dev);
  dev.pciDriver = reg.drv;
  const rc = await reg.drv.probe(dev, id);
  if (!rc) return 0;
  if (rc < 0) {
    dev.pciDriver = null;
    await pmRuntimePutSync(dev);
    return rc;
  }
  dev.kernel.printk('warn', `pci ${dev.bdf}: Driver probe function unexpectedly returned ${rc}`);
  return 0;
}

/** Mirrors pci_device_probe(): match again, then local_pci_probe. */
export async function pciDeviceProbe(device: Device): Promise<number> {
  const dev = toPciDev(device);
  const reg = toPciDriver(device.driver);
  if (!reg || !pciDeviceCanProbe(dev)) return -ENODEV;
  const id = pciMatchDevice(reg, dev);
  return id ? localPciProbe(dev, reg, id) : -ENODEV;
}

/**
 * Mirrors pci_device_remove(): the driver's remove bracketed by get_sync/barrier/put_noidle,
 * then the probe reference is dropped with a sync put; a device left in D0 becomes UNKNOWN.
 */
export async function pciDeviceRemove(device: Device): Promise<void> {
  const dev = toPciDev(device);
  const drv = dev.pciDriver;
  if (drv?.remove) {
    await pmRuntimeGetSync(dev);
    await pmRuntimeBarrier(dev);
    await drv.remove(dev);
    pmRuntimePutNoidle(dev);
  }
  dev.pciDriver = null;
  // pci_iov_remove().
  if (dev.sriov?.numVFs)
    dev.kernel.printk('warn', `pci ${dev.bdf}: driver left SR-IOV enabled after remove`);
  await pmRuntimePutSync(dev);
  if (dev.currentState === PCI_D0) dev.currentState = PCI_UNKNOWN;
}

/** The PCI bus type (pci_bus_type) with pci_dev_pm_ops' runtime callbacks. */
export const pciBusType: BusType = Object.freeze({
  name: 'pci',
  pm: Object.freeze({
    runtimeSuspend: pciPmRuntimeSuspend,
    runtimeResume: pciPmRuntimeResume,
    runtimeIdle: pciPmRuntimeIdle,
  }),
  probe: pciDeviceProbe,
  remove: pciDeviceRemove,
});
