// The device file: open through the group, runtime PM around every ioctl, read/write/mmap
// passed to the driver, release on the last reference (drivers/vfio/vfio_main.c).
import {
  EINVAL,
  EIO,
  File,
  type FileOperations,
  type FileTable,
  type UserArg,
  type VmArea,
} from '@vfio-ts/kernel';
import { pmRuntimePut, pmRuntimeResumeAndGet } from '@vfio-ts/runtime-pm';
import { VFIO } from '../uapi/vfio.js';
import type { VfioDevice } from './device.js';
import type { VfioCore } from './device-set.js';
import { vfioIoctlDeviceFeature } from './feature.js';

// Mirrors vfio_device_pm_runtime_get(): resume for the ioctl when the driver has PM ops.
// Synchronous while the device is active.
function vfioDevicePmRuntimeGet(vdev: VfioDevice): Promise<number> | number {
  if (!vdev.dev.driver?.pm) return 0;
  const ret = pmRuntimeResumeAndGet(vdev.dev);
  return typeof ret === 'number' ? pmGetDone(vdev, ret) : ret.then((r) => pmGetDone(vdev, r));
}

function pmGetDone(vdev: VfioDevice, ret: number): number {
  if (ret < 0) {
    vdev.kernel.printk('err', `vfio: runtime resume failed ${ret}`);
    return -EIO;
  }
  return 0;
}

// Mirrors vfio_device_pm_runtime_put().
function vfioDevicePmRuntimePut(vdev: VfioDevice): void {
  if (vdev.dev.driver?.pm) pmRuntimePut(vdev.dev);
}

function traceIoctl(
  vdev: VfioDevice,
  cmd: number,
  phase: 'begin' | 'end',
  ret: number | null,
): void {
  const trace = vdev.kernel.trace;
  if (trace.on) trace.emit('vfio_ioctl', { device: vdev.name, cmd, phase, ret });
}

/**
 * An ioctl on a device file (vfio_device_fops_unl_ioctl). Nothing here sleeps unless the
 * runtime resume or the driver does, so the answer is synchronous when neither does.
 * @returns the driver's answer or -errno (a promise when something slept)
 */
export function vfioDeviceFopsUnlIoctl(
  vdev: VfioDevice,
  cmd: number,
  arg: UserArg,
): Promise<number> | number {
  traceIoctl(vdev, cmd, 'begin', null);
  const got = vfioDevicePmRuntimeGet(vdev);
  return typeof got === 'number'
    ? ioctlHeld(vdev, cmd, arg, got)
    : got.then((r) => ioctlHeld(vdev, cmd, arg, r));
}

// The ioctl proper, once the runtime PM reference is held (got === 0) or refused.
function ioctlHeld(
  vdev: VfioDevice,
  cmd: number,
  arg: UserArg,
  got: number,
): Promise<number> | number {
  if (got !== 0) return ioctlEnd(vdev, cmd, got);
  let ret: Promise<number> | number;
  if (cmd === VFIO.DEVICE_FEATURE) ret = vfioIoctlDeviceFeature(vdev, arg);
  else ret = vdev.ops.ioctl ? vdev.ops.ioctl(vdev, cmd, arg) : -EINVAL;
  return typeof ret === 'number'
    ? ioctlDone(vdev, cmd, arg, ret)
    : ret.then((r) => ioctlDone(vdev, cmd, arg, r));
}

function ioctlDone(vdev: VfioDevice, cmd: number, arg: UserArg, ret: number): number {
  if (cmd === VFIO.DEVICE_FEATURE) {
    const trace = vdev.kernel.trace;
    if (trace.on && arg instanceof Uint8Array && arg.length >= 8) {
      const v = new DataView(arg.buffer, arg.byteOffset, 8);
      const flags = v.getUint32(4, true);
      trace.emit('vfio_feature', {
        device: vdev.name,
        flags,
        feature: flags & 0xffff,
        argsz: v.getUint32(0, true),
        ret,
      });
    }
  }
  vfioDevicePmRuntimePut(vdev);
  return ioctlEnd(vdev, cmd, ret);
}

function ioctlEnd(vdev: VfioDevice, cmd: number, ret: number): number {
  traceIoctl(vdev, cmd, 'end', ret);
  return ret;
}

const vfioDeviceFops: FileOperations = {
  ioctl: (file, cmd, arg) => vfioDeviceFopsUnlIoctl(file.privateData as VfioDevice, cmd, arg),
  // Mirrors vfio_device_fops_read() / _write(): straight to the driver, no PM here.
  read(file, buf, count, pos) {
    const vdev = file.privateData as VfioDevice;
    return vdev.ops.read ? vdev.ops.read(vdev, buf, count, pos) : -EINVAL;
  },
  write(file, buf, count, pos) {
    const vdev = file.privateData as VfioDevice;
    return vdev.ops.write ? vdev.ops.write(vdev, buf, count, pos) : -EINVAL;
  },
  release: (file) => vfioDeviceFopsRelease(file.privateData as VfioDevice),
};

/** Maps the device file (vfio_device_fops_mmap): the driver's op, -EINVAL without one. */
export async function vfioDeviceFopsMmap(vma: VmArea): Promise<number> {
  const vdev = vma.file.privateData as VfioDevice;
  return vdev.ops.mmap ? vdev.ops.mmap(vdev, vma) : -EINVAL;
}

/** Whether `file` is a vfio device file. */
export function isVfioDeviceFile(file: File): boolean {
  return file.fops === vfioDeviceFops;
}

// Mirrors vfio_device_fops_release(): close_device on the last close, under the set lock.
async function vfioDeviceFopsRelease(vdev: VfioDevice): Promise<void> {
  const set = vdev.devSet!;
  await set.lock.lock();
  if (vdev.openCount === 1) await vdev.ops.closeDevice?.(vdev);
  vdev.openCount--;
  set.lock.unlock();
  vdev.files--;
}

/** Opens the device: open_device on the first open, under the set lock (vfio_device_open). */
export async function vfioDeviceOpen(vdev: VfioDevice): Promise<File | number> {
  const set = vdev.devSet!;
  await set.lock.lock();
  vdev.openCount++;
  if (vdev.openCount === 1 && vdev.ops.openDevice) {
    const ret = await vdev.ops.openDevice(vdev);
    if (ret) {
      vdev.openCount--;
      set.lock.unlock();
      return ret;
    }
  }
  set.lock.unlock();
  vdev.files++;
  return new File(vfioDeviceFops, vdev, {}, `vfio-device:${vdev.name}`);
}

/**
 * Finds a registered device by name, opens it and installs a descriptor
 * (vfio_group_ioctl_get_device_fd). @returns the fd, or -errno
 */
export async function vfioGroupGetDeviceFd(
  core: VfioCore,
  files: FileTable,
  name: string,
): Promise<number> {
  const vdev = core.find(name);
  if (typeof vdev === 'number') return vdev;
  const file = await vfioDeviceOpen(vdev);
  if (typeof file === 'number') return file;
  const fd = files.install(file);
  if (fd < 0) await file.put();
  return fd;
}
