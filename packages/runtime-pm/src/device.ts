// The parts of struct device that runtime PM needs (drivers/base/core.c, include/linux/device.h).
import type { Kernel, Mutex } from '@vfio-ts/kernel';
import { DevPmInfo } from './power.js';
import { declareRuntimePmTraceEvents } from './trace-events.js';

/** A runtime PM callback: 0 on success, `-errno` on failure (idle: nonzero = do not suspend). */
export type PmCallback = (dev: Device) => number | Promise<number>;

/** The runtime part of struct dev_pm_ops. A missing callback counts as one returning 0 (A.3.2). */
export interface DevPmOps {
  runtimeSuspend?: PmCallback;
  runtimeResume?: PmCallback;
  runtimeIdle?: PmCallback;
}

/** A PM domain (struct dev_pm_domain): its ops win over every other table (A.3.1). */
export interface DevPmDomain {
  readonly name: string;
  readonly ops: DevPmOps;
}

/** A device type (struct device_type) with optional PM ops. */
export interface DeviceType {
  readonly name: string;
  readonly pm?: DevPmOps;
}

/** A device class (struct class) with optional PM ops. */
export interface DeviceClass {
  readonly name: string;
  readonly pm?: DevPmOps;
}

/** A bus (struct bus_type): PCI installs its `pci_dev_pm_ops` and probe/remove here. */
export interface BusType {
  readonly name: string;
  readonly pm?: DevPmOps;
  /** Called instead of the driver's probe when present (call_driver_probe). */
  readonly probe?: (dev: Device) => number | Promise<number>;
  /** Called instead of the driver's remove when present (device_remove). */
  readonly remove?: (dev: Device) => void | Promise<void>;
}

/** A driver (struct device_driver). */
export interface DeviceDriver {
  readonly name: string;
  readonly pm?: DevPmOps;
  readonly probe?: (dev: Device) => number | Promise<number>;
  readonly remove?: (dev: Device) => void | Promise<void>;
}

/** How to create a {@link Device}. */
export interface DeviceOptions {
  /** dev_name(), e.g. `0000:01:00.0`. */
  name: string;
  parent?: Device | null;
  bus?: BusType | null;
  type?: DeviceType | null;
  class?: DeviceClass | null;
  pmDomain?: DevPmDomain | null;
}

/** A device (struct device): tree position, bus/type/class/domain, bound driver, runtime PM. */
export class Device {
  readonly name: string;
  readonly parent: Device | null;
  /** Registered children, in order of creation. */
  readonly children: Device[] = [];
  bus: BusType | null;
  type: DeviceType | null;
  class: DeviceClass | null;
  pmDomain: DevPmDomain | null;
  /** The bound driver, or `null`. */
  driver: DeviceDriver | null = null;
  /** dev_get_drvdata() / dev_set_drvdata(). */
  driverData: unknown = undefined;
  /** Runtime PM state (struct dev_pm_info). */
  readonly power: DevPmInfo;
  /** device_lock() (dev->mutex): one lockdep class per device, as Linux does not validate it. */
  readonly mutex: Mutex;
  /** Registered with device_add() and not yet deleted. */
  registered = true;

  /**
   * Initialises and registers a device (device_initialize() + device_add()).
   * @param kernel the machine's kernel; the device belongs to it for its whole life
   */
  constructor(
    readonly kernel: Kernel,
    opts: DeviceOptions,
  ) {
    this.name = opts.name;
    this.parent = opts.parent ?? null;
    if (this.parent && this.parent.kernel !== kernel)
      throw new Error(
        `Device "${opts.name}": parent "${this.parent.name}" belongs to another kernel`,
      );
    this.bus = opts.bus ?? null;
    this.type = opts.type ?? null;
    this.class = opts.class ?? null;
    this.pmDomain = opts.pmDomain ?? null;
    this.power = new DevPmInfo(this);
    this.mutex = kernel.newMutex(`&dev->mutex/${opts.name}`);
    declareRuntimePmTraceEvents(kernel.trace);
    this.parent?.children.push(this);
  }

  /** @returns `dev_name(dev)` */
  toString(): string {
    return this.name;
  }
}

/** Mirrors dev_name(). */
export function devName(dev: Device): string {
  return dev.name;
}

/** Mirrors dev_driver_string(): the driver's name, else the bus's, else the class's, else ''. */
export function devDriverString(dev: Device): string {
  return dev.driver?.name ?? dev.bus?.name ?? dev.class?.name ?? '';
}

/** Mirrors dev_get_drvdata(); the caller names the type it stored. */
export function devGetDrvdata<T>(dev: Device): T {
  return dev.driverData as T;
}

/** Mirrors dev_set_drvdata(). */
export function devSetDrvdata(dev: Device, data: unknown): void {
  dev.driverData = data;
}

/** Mirrors device_lock(). */
export function deviceLock(dev: Device): Promise<void> {
  return dev.mutex.lock();
}

/** Mirrors device_unlock(). */
export function deviceUnlock(dev: Device): void {
  dev.mutex.unlock();
}

/** Mirrors dev_warn(): `"<driver> <name>: <text>"` at warn level. */
export function devWarn(dev: Device, text: string): void {
  dev.kernel.printk('warn', devPrefix(dev) + text);
}

/** Mirrors dev_err(). */
export function devErr(dev: Device, text: string): void {
  dev.kernel.printk('err', devPrefix(dev) + text);
}

/** The `"<driver> <name>: "` prefix of dev_printk(). */
export function devPrefix(dev: Device): string {
  return `${devDriverString(dev)} ${dev.name}: `;
}
