// Device sets and registration (vfio_assign_device_set, vfio_register_group_dev,
// vfio_unregister_group_dev in drivers/vfio/vfio_main.c).
import { EBUSY, ENODEV, type Kernel, type Mutex, msecs } from '@vfio-ts/kernel';
import type { VfioDevice } from './device.js';
import { VFIO_CORE_TRACE_EVENTS } from './trace-events.js';

/** Devices opened, closed and reset under one lock (struct vfio_device_set). */
export class VfioDeviceSet {
  readonly devices = new Set<VfioDevice>();
  readonly lock: Mutex;

  constructor(
    kernel: Kernel,
    /** The opaque key (a slot, a bus, or the device itself). */
    readonly setId: unknown,
  ) {
    this.lock = kernel.newMutex('&dev_set->lock');
  }

  /** Members (device_count). */
  get deviceCount(): number {
    return this.devices.size;
  }
}

/** The vfio core's state on one machine: device sets and registered devices. */
export class VfioCore {
  private readonly sets = new Map<unknown, VfioDeviceSet>();
  private readonly devices = new Set<VfioDevice>();
  // Registered devices by dev_name, so registration needs no walk over every device.
  private readonly names = new Set<string>();

  constructor(readonly kernel: Kernel) {
    kernel.trace.declare(VFIO_CORE_TRACE_EVENTS);
  }

  /** Puts `vdev` into the set keyed by `setId`, creating it (vfio_assign_device_set). */
  vfioAssignDeviceSet(vdev: VfioDevice, setId: unknown): number {
    let set = this.sets.get(setId);
    if (!set) this.sets.set(setId, (set = new VfioDeviceSet(this.kernel, setId)));
    set.devices.add(vdev);
    vdev.devSet = set;
    return 0;
  }

  /** Takes `vdev` out of its set, freeing the set with its last member (vfio_release_device_set). */
  vfioReleaseDeviceSet(vdev: VfioDevice): void {
    const set = vdev.devSet;
    if (!set) return;
    set.devices.delete(vdev);
    if (set.deviceCount === 0) this.sets.delete(set.setId);
    vdev.devSet = null;
  }

  /** Makes `vdev` findable; a device without a set gets a singleton one (vfio_register_group_dev). */
  vfioRegisterGroupDev(vdev: VfioDevice): number {
    if (vdev.registered || this.names.has(vdev.name)) return -EBUSY;
    if (!vdev.devSet) this.vfioAssignDeviceSet(vdev, vdev);
    vdev.registered = true;
    this.devices.add(vdev);
    this.names.add(vdev.name);
    return 0;
  }

  /**
   * Unregisters `vdev`, waiting until every file of it is closed and asking the driver to let
   * go every 10 s of virtual time meanwhile (vfio_unregister_group_dev).
   */
  async vfioUnregisterGroupDev(vdev: VfioDevice): Promise<void> {
    vdev.registered = false;
    if (this.devices.delete(vdev)) this.names.delete(vdev.name);
    for (let i = 0; vdev.files > 0; i++) {
      vdev.ops.request?.(vdev, i);
      const deadline = this.kernel.clock.now() + msecs(10_000);
      while (vdev.files > 0 && this.kernel.clock.now() < deadline)
        await this.kernel.sched.sleep(msecs(10));
    }
    this.vfioReleaseDeviceSet(vdev);
  }

  /** The registered device whose driver accepts `name` (the match op, else dev_name). */
  find(name: string): VfioDevice | number {
    for (const d of this.devices) {
      const m = d.ops.match ? d.ops.match(d, name) : d.name === name ? 1 : 0;
      if (m < 0) return m;
      if (m > 0) return d;
    }
    return -ENODEV;
  }

  /** Registered devices. */
  registeredDevices(): VfioDevice[] {
    return [...this.devices];
  }

  /** Sum of open counts over a set (vfio_device_set_open_count); the set lock must be held. */
  static vfioDeviceSetOpenCount(set: VfioDeviceSet): number {
    let n = 0;
    for (const d of set.devices) n += d.openCount;
    return n;
  }
}
