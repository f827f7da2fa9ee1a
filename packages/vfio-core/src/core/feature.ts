// VFIO_DEVICE_FEATURE parsing and the helper drivers use (vfio_ioctl_device_feature,
// vfio_check_feature).
import { EFAULT, EINVAL, ENOTTY, type UserArg } from '@vfio-ts/kernel';
import { VFIO } from '../uapi/vfio.js';
import type { VfioDevice } from './device.js';

const GET = VFIO.DEVICE_FEATURE_GET;
const SET = VFIO.DEVICE_FEATURE_SET;
const PROBE = VFIO.DEVICE_FEATURE_PROBE;
const HEADER = 8;

/**
 * Checks a feature request against what the feature supports (vfio_check_feature).
 * @param supportedOps the GET and/or SET bits the feature accepts
 * @param minsz the data size a GET or SET needs
 * @returns 1 to go ahead, 0 for a PROBE (the caller returns 0 at once), or -EINVAL
 */
export function vfioCheckFeature(
  flags: number,
  argsz: number,
  supportedOps: number,
  minsz: number,
): number {
  if ((flags & (GET | SET) & ~supportedOps) !== 0) return -EINVAL;
  if (flags & PROBE) return 0;
  if (!(flags & (GET | SET))) return -EINVAL;
  if (argsz < minsz) return -EINVAL;
  return 1;
}

// A little-endian u32 of user memory (the header fields), without a DataView per call.
const u32 = (b: Uint8Array, at: number): number =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/**
 * Parses VFIO_DEVICE_FEATURE from user memory and dispatches it (vfio_ioctl_device_feature).
 * @returns the driver's answer (a promise when it has one), or -errno at once for a bad header
 */
export function vfioIoctlDeviceFeature(vdev: VfioDevice, arg: UserArg): Promise<number> | number {
  if (!(arg instanceof Uint8Array) || arg.length < HEADER) return -EFAULT;
  const argsz = u32(arg, 0);
  const flags = u32(arg, 4);
  if (argsz < HEADER) return -EINVAL;
  if ((flags & ~(VFIO.DEVICE_FEATURE_MASK | GET | SET | PROBE)) >>> 0 !== 0) return -EINVAL;
  if (!(flags & PROBE) && flags & SET && flags & GET) return -EINVAL;
  switch (flags & VFIO.DEVICE_FEATURE_MASK) {
    // No simulated driver has migration or dirty-logging ops.
    case VFIO.DEVICE_FEATURE_MIGRATION:
    case VFIO.DEVICE_FEATURE_MIG_DEVICE_STATE:
    case VFIO.DEVICE_FEATURE_DMA_LOGGING_START:
    case VFIO.DEVICE_FEATURE_DMA_LOGGING_STOP:
    case VFIO.DEVICE_FEATURE_DMA_LOGGING_REPORT:
      return -ENOTTY;
    default:
      if (!vdev.ops.deviceFeature) return -ENOTTY;
      return vdev.ops.deviceFeature(vdev, flags, arg.subarray(HEADER), argsz - HEADER);
  }
}
