// struct vfio_device and its driver ops table (include/linux/vfio.h).
import type { Kernel, MmStruct, UserArg, VmArea } from '@vfio-ts/kernel';
import type { Device } from '@vfio-ts/runtime-pm';
import type { VfioDeviceSet } from './device-set.js';

/**
 * What a vfio driver implements (struct vfio_device_ops). Every op returns the kernel's
 * convention: a count or 0 on success, -errno on failure.
 */
export interface VfioDeviceOps {
  /** Driver name, e.g. `vfio-pci`. */
  readonly name: string;
  /** First open of the device (open_count 0 → 1), under the set lock. */
  openDevice?(vdev: VfioDevice): Promise<number>;
  /** Last close (open_count 1 → 0), under the set lock. */
  closeDevice?(vdev: VfioDevice): Promise<void>;
  /** Every device ioctl other than VFIO_DEVICE_FEATURE. */
  ioctl?(vdev: VfioDevice, cmd: number, arg: UserArg): Promise<number>;
  read?(vdev: VfioDevice, buf: Uint8Array, count: number, pos: number): Promise<number>;
  write?(vdev: VfioDevice, buf: Uint8Array, count: number, pos: number): Promise<number>;
  /** Sets up a mapping of the device file (the VMA's offset and length are given). */
  mmap?(vdev: VfioDevice, vma: VmArea): Promise<number>;
  /** Asked to let go of the device while it is being unregistered (`count`: 0, 1, 2, …). */
  request?(vdev: VfioDevice, count: number): void;
  /** Whether this device answers to the name given to VFIO_GROUP_GET_DEVICE_FD: 1, 0 or -errno. */
  match?(vdev: VfioDevice, name: string): number;
  /**
   * VFIO_DEVICE_FEATURE for every index the core does not handle itself: a number at once when
   * nothing sleeps (a PROBE, a bad request), else a promise of it.
   */
  deviceFeature?(
    vdev: VfioDevice,
    flags: number,
    data: Uint8Array,
    datasz: number,
  ): Promise<number> | number;
}

/** A device registered with vfio (struct vfio_device). */
export class VfioDevice {
  /** Open file descriptions of this device (open_count), under the set lock. */
  openCount = 0;
  /** The device set, assigned at registration at the latest. */
  devSet: VfioDeviceSet | null = null;
  /** Registered and findable by VFIO_GROUP_GET_DEVICE_FD. */
  registered = false;
  /** Driver data (the container_of of a driver's own struct). */
  driverData: unknown = null;
  /** @internal how many device files are alive (the registration waits for 0) */
  files = 0;

  constructor(
    readonly kernel: Kernel,
    /** The physical device (vfio_device->dev): runtime PM is done on it. */
    readonly dev: Device,
    readonly ops: VfioDeviceOps,
    /** The address space of the process that opened it (for mmaps). */
    public mm: MmStruct | null = null,
  ) {}

  /** The name user space opens it by (dev_name). */
  get name(): string {
    return this.dev.name;
  }
}
