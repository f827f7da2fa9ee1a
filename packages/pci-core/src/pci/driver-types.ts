// struct pci_driver, struct pci_device_id and the SR-IOV state (include/linux/pci.h).
import type { DevPmOps } from '@vfio-ts/runtime-pm';
import type { PciDev } from './pci-dev.js';

/**
 * One entry of a driver's id table (struct pci_device_id). Omitted ids match anything
 * (PCI_ANY_ID); `classCode`/`classMask` compare `(pdev.classCode ^ classCode) & classMask`.
 */
export interface PciDeviceId {
  readonly vendor?: number;
  readonly device?: number;
  readonly subvendor?: number;
  readonly subdevice?: number;
  readonly classCode?: number;
  readonly classMask?: number;
  /** Matches only when the device's driver_override names the driver. */
  readonly overrideOnly?: boolean;
  readonly driverData?: unknown;
}

/** The error handlers used around resets (struct pci_error_handlers, the reset part). */
export interface PciErrorHandlers {
  resetPrepare?(pdev: PciDev): void | Promise<void>;
  resetDone?(pdev: PciDev): void | Promise<void>;
}

/** A PCI driver (struct pci_driver). */
export interface PciDriver {
  readonly name: string;
  readonly idTable: readonly PciDeviceId[];
  /** @returns 0 or -errno (positive values are success with a warning) */
  probe(pdev: PciDev, id: PciDeviceId): number | Promise<number>;
  remove?(pdev: PciDev): void | Promise<void>;
  /** The driver's dev_pm_ops; without it runtime idle is refused with -ENOSYS (B.7.3). */
  readonly pm?: DevPmOps;
  /** sysfs sriov_numvfs: @returns the number of VFs enabled, or -errno */
  sriovConfigure?(pdev: PciDev, numVfs: number): number | Promise<number>;
  readonly errHandler?: PciErrorHandlers;
}

/** The SR-IOV state of a PF (struct pci_sriov). */
export interface PciSriov {
  /** Offset of the SR-IOV extended capability. */
  readonly pos: number;
  readonly totalVFs: number;
  readonly initialVFs: number;
  readonly offset: number;
  readonly stride: number;
  readonly vfDevice: number;
  /** SR-IOV capabilities register. */
  readonly cap: number;
  /** SR-IOV control as last written. */
  ctrl: number;
  /** VFs currently enabled (num_VFs). */
  numVFs: number;
  /** Probe drivers for new VFs (sriov_drivers_autoprobe). */
  driversAutoprobe: boolean;
  /** The VF devices, by index. */
  readonly vfs: PciDev[];
}
