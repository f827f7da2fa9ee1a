// The vendor device feature VFIO_DEVICE_FEATURE_NVIDIA_RTD3 (a simulator extension): GET the
// RTD3 mode, self-refresh state, usage and threshold; SET the threshold. Its codecs.
import { EFAULT } from '@vfio-ts/kernel';
import { VFIO, vfioCheckFeature } from '@vfio-ts/vfio-core';
import type { VfioPciCoreDevice } from '@vfio-ts/vfio-pci';
import { nvidiaGpuModel, type NvidiaGpuModel, type NvidiaRtd3Info } from './gpu-model.js';
import { NVIDIA_MAX_THRESHOLD } from './regs.js';

/**
 * Feature index of the NVIDIA RTD3 feature: a simulator extension, not in `linux/vfio.h`. It
 * sits in the upper half of the 16-bit index (`VFIO_DEVICE_FEATURE_MASK`), which Linux leaves
 * unassigned (6.1 uses 0–8). GET (PROBE supported) writes a 24-byte
 * {@link NvidiaRtd3Info} (u32 mode, u32 self-refresh, u64 usage bytes, u64 threshold bytes);
 * SET takes a u64 threshold in bytes.
 */
export const VFIO_DEVICE_FEATURE_NVIDIA_RTD3 = 0x8001;

/** Bytes a GET of {@link VFIO_DEVICE_FEATURE_NVIDIA_RTD3} writes after the header. */
export const NVIDIA_RTD3_INFO_SIZE = 24;

/** Bytes a SET of {@link VFIO_DEVICE_FEATURE_NVIDIA_RTD3} reads after the header (u64 threshold). */
export const NVIDIA_RTD3_THRESHOLD_SIZE = 8;

/** Mode values of the GET payload's first u32. */
const MODE_FULL_OFF = 0;
const MODE_SELF_REFRESH = 1;

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/**
 * Encodes the GET payload: u32 mode (0 full-off, 1 self-refresh), u32 self-refresh engaged
 * (0/1), u64 usage bytes, u64 threshold bytes, little endian.
 * @returns 24 bytes
 */
export function encodeNvidiaRtd3Info(info: NvidiaRtd3Info): Uint8Array {
  const b = new Uint8Array(NVIDIA_RTD3_INFO_SIZE);
  const v = view(b);
  v.setUint32(0, info.mode === 'self-refresh' ? MODE_SELF_REFRESH : MODE_FULL_OFF, true);
  v.setUint32(4, info.selfRefresh ? 1 : 0, true);
  v.setBigUint64(8, BigInt(info.usageBytes), true);
  v.setBigUint64(16, BigInt(info.thresholdBytes), true);
  return b;
}

/**
 * Decodes the GET payload (the feature's data, after the 8-byte header).
 * @throws RangeError when `data` is shorter than {@link NVIDIA_RTD3_INFO_SIZE}
 */
export function decodeNvidiaRtd3Info(data: Uint8Array): NvidiaRtd3Info {
  if (data.length < NVIDIA_RTD3_INFO_SIZE)
    throw new RangeError(
      `decodeNvidiaRtd3Info: ${data.length} bytes, need ${NVIDIA_RTD3_INFO_SIZE}`,
    );
  const v = view(data);
  return {
    mode: v.getUint32(0, true) === MODE_SELF_REFRESH ? 'self-refresh' : 'full-off',
    selfRefresh: v.getUint32(4, true) !== 0,
    usageBytes: Number(v.getBigUint64(8, true)),
    thresholdBytes: Number(v.getBigUint64(16, true)),
  };
}

/**
 * Encodes the SET payload: the threshold in bytes as a little-endian u64.
 * @param bytes a non-negative safe integer
 * @returns 8 bytes
 * @throws RangeError for a negative, fractional or unsafe number
 */
export function encodeNvidiaRtd3Threshold(bytes: number): Uint8Array {
  if (!Number.isSafeInteger(bytes) || bytes < 0)
    throw new RangeError(`encodeNvidiaRtd3Threshold: ${bytes} is not a byte count`);
  const b = new Uint8Array(NVIDIA_RTD3_THRESHOLD_SIZE);
  view(b).setBigUint64(0, BigInt(bytes), true);
  return b;
}

function modelOf(vdev: VfioPciCoreDevice): NvidiaGpuModel {
  const model = nvidiaGpuModel(vdev);
  if (!model)
    throw new Error(`nvidia-vfio-pci ${vdev.pdev.bdf}: no GPU model (init() did not run)`);
  return model;
}

/**
 * The handler of {@link VFIO_DEVICE_FEATURE_NVIDIA_RTD3}, with vfio_check_feature() semantics:
 * GET or SET (PROBE → 0, no effect), GET|SET PROBE → 0; a GET with less than 24 bytes of data
 * or a SET with less than 8 → -EINVAL; a buffer shorter than its argsz → -EFAULT (the copy
 * faults). A SET threshold above 1024 MiB is clamped, as NVIDIA's driver clamps its option.
 * @returns 0, or -errno
 */
export async function nvidiaRtd3Feature(
  vdev: VfioPciCoreDevice,
  flags: number,
  data: Uint8Array,
  argsz: number,
): Promise<number> {
  const GET = VFIO.DEVICE_FEATURE_GET;
  const minsz = flags & GET ? NVIDIA_RTD3_INFO_SIZE : NVIDIA_RTD3_THRESHOLD_SIZE;
  const ret = vfioCheckFeature(flags, argsz, GET | VFIO.DEVICE_FEATURE_SET, minsz);
  if (ret !== 1) return ret;
  const model = modelOf(vdev);
  if (data.length < minsz) return -EFAULT;
  if (flags & GET) {
    data.set(encodeNvidiaRtd3Info(model.info()));
    return 0;
  }
  const bytes = view(data).getBigUint64(0, true);
  const max = BigInt(NVIDIA_MAX_THRESHOLD);
  model.thresholdBytes = Number(bytes > max ? max : bytes);
  return 0;
}
