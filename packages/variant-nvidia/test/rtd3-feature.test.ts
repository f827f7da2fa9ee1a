// VFIO_DEVICE_FEATURE_NVIDIA_RTD3 (0x8001, a simulator extension): GET/SET/PROBE with
// vfio_check_feature() semantics (KERNEL.md C.3), the payload codecs, and its errors.
import { describe, expect, it } from 'vitest';
import { VFIO } from '@vfio-ts/vfio-core';
import {
  NVIDIA_MAX_THRESHOLD,
  NvidiaVfioPciVariant,
  VFIO_DEVICE_FEATURE_NVIDIA_RTD3 as RTD3,
  decodeNvidiaRtd3Info,
  encodeNvidiaRtd3Info,
  encodeNvidiaRtd3Threshold,
  nvidiaIntxMask,
  nvidiaIntxUnmask,
  nvidiaRtd3Feature,
} from '@vfio-ts/variant-nvidia';
import {
  BDF,
  H100_D3COLD,
  H100_D3HOT,
  MiB,
  feature,
  machines,
  openGpu,
  rtd3Get,
  rtd3Set,
} from './helpers.js';

const { boot } = machines();
const GET = VFIO.DEVICE_FEATURE_GET;
const SET = VFIO.DEVICE_FEATURE_SET;
const PROBE = VFIO.DEVICE_FEATURE_PROBE;
const EINVAL = -22;
const EFAULT = -14;

describe('VFIO_DEVICE_FEATURE_NVIDIA_RTD3', () => {
  it('sits in the upper half of the 16-bit feature index, which Linux leaves unassigned', () => {
    expect(RTD3).toBe(0x8001);
    expect(RTD3 & ~VFIO.DEVICE_FEATURE_MASK).toBe(0);
    expect(RTD3).toBeGreaterThan(VFIO.DEVICE_FEATURE_DMA_LOGGING_REPORT);
  });

  it('C.3 returns the vfio_check_feature() result for every combination of flags', async () => {
    const m = await boot(H100_D3HOT);
    const p = m.process();
    const fd = await openGpu(p);
    const rc = (flags: number, data?: Uint8Array, argsz?: number) =>
      p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(RTD3, flags, data, argsz));
    expect(await rc(PROBE | GET)).toBe(0);
    expect(await rc(PROBE | SET)).toBe(0);
    expect(await rc(PROBE | GET | SET)).toBe(0);
    expect(await rc(PROBE)).toBe(0);
    expect(await rc(GET | SET, new Uint8Array(24))).toBe(EINVAL); // C.2.4
    expect(await rc(0)).toBe(EINVAL);
    expect(await rc(GET, new Uint8Array(16))).toBe(EINVAL); // data < 24
    expect(await rc(SET, new Uint8Array(4))).toBe(EINVAL); // data < 8
    expect(await rc(SET)).toBe(EINVAL);
    // argsz says more than the buffer holds: the copy faults.
    expect(await rc(GET, new Uint8Array(8), 8 + 24)).toBe(EFAULT);
    expect(await rc(SET, new Uint8Array(4), 8 + 8)).toBe(EFAULT);
    // A neighbouring vendor index is nobody's.
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(RTD3 + 1, PROBE | GET))).toBe(-25);
    // A PROBE changes nothing.
    expect(await rc(PROBE | SET, encodeNvidiaRtd3Threshold(0))).toBe(0);
    expect(await rtd3Get(p, fd)).toMatchObject({ thresholdBytes: 200 * MiB });
    await p.exit();
  });

  it('GET writes 24 bytes (u32 mode, u32 self-refresh, u64 usage, u64 threshold) and leaves the rest', async () => {
    const m = await boot(H100_D3HOT);
    const p = m.process();
    const fd = await openGpu(p);
    const data = new Uint8Array(32).fill(0xee);
    const b = feature(RTD3, GET, data);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, b)).toBe(0);
    expect([...b.subarray(8, 16)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(decodeNvidiaRtd3Info(b.subarray(8))).toEqual({
      mode: 'full-off',
      selfRefresh: false,
      usageBytes: 0,
      thresholdBytes: 200 * MiB,
    });
    expect([...b.subarray(32)]).toEqual(new Array(8).fill(0xee));
    await p.exit();
  });

  it('SET changes the threshold, clamped to 1024 MiB as NVIDIA clamps its option', async () => {
    const m = await boot(H100_D3HOT);
    const p = m.process();
    const fd = await openGpu(p);
    expect(await rtd3Set(p, fd, 0)).toBe(0);
    expect(await rtd3Get(p, fd)).toMatchObject({ thresholdBytes: 0, mode: 'full-off' });
    expect(await rtd3Set(p, fd, 4 * 2 ** 30)).toBe(0);
    expect(await rtd3Get(p, fd)).toMatchObject({ thresholdBytes: NVIDIA_MAX_THRESHOLD });
    const max = new Uint8Array(8).fill(0xff);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(RTD3, SET, max))).toBe(0);
    expect(await rtd3Get(p, fd)).toMatchObject({ thresholdBytes: NVIDIA_MAX_THRESHOLD });
    // Extra data after the u64 is ignored.
    const long = new Uint8Array(16);
    long.set(encodeNvidiaRtd3Threshold(5 * MiB));
    long.fill(0xff, 8);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(RTD3, SET, long))).toBe(0);
    expect(await rtd3Get(p, fd)).toMatchObject({ thresholdBytes: 5 * MiB });
    await p.exit();
  });

  it('the threshold is per device and starts at the default on every probe', async () => {
    const m = await boot({
      ...H100_D3COLD,
      devices: [
        { bdf: BDF, rootPort: 'rp0', config: 'nvidia-h100' },
        { bdf: '0000:01:00.1', rootPort: 'rp0', config: 'nvidia-h100' },
      ],
    });
    const p = m.process();
    const a = await openGpu(p, BDF);
    const b = await openGpu(p, '0000:01:00.1');
    expect(await rtd3Set(p, a, MiB)).toBe(0);
    expect(await rtd3Get(p, b)).toMatchObject({ thresholdBytes: 200 * MiB });
    await p.exit();
  });

  it('codecs round-trip and refuse what they cannot encode or decode', () => {
    const info = {
      mode: 'self-refresh',
      selfRefresh: true,
      usageBytes: 300 * MiB,
      thresholdBytes: 2 ** 40,
    } as const;
    expect(decodeNvidiaRtd3Info(encodeNvidiaRtd3Info(info))).toEqual(info);
    expect(() => decodeNvidiaRtd3Info(new Uint8Array(23))).toThrow(RangeError);
    expect([...encodeNvidiaRtd3Threshold(0x0102)]).toEqual([2, 1, 0, 0, 0, 0, 0, 0]);
    expect(() => encodeNvidiaRtd3Threshold(-1)).toThrow(RangeError);
    expect(() => encodeNvidiaRtd3Threshold(1.5)).toThrow(RangeError);
    expect(() => encodeNvidiaRtd3Threshold(2 ** 60)).toThrow(RangeError);
  });

  it('a device the variant did not initialise is a simulator bug, not an errno', async () => {
    const m = await boot({
      ...H100_D3HOT,
      devices: [{ bdf: BDF, rootPort: 'rp0', config: 'nvidia-h100', driver: 'vfio-pci' }],
    });
    const vdev = m.vfioPciDevice(BDF)!;
    await expect(nvidiaRtd3Feature(vdev, GET, new Uint8Array(24), 24)).rejects.toThrow(
      /nvidia-vfio-pci 0000:01:00\.0: no GPU model/,
    );
    // The policy and the INTx hook fall back to the core's behaviour.
    expect(new NvidiaVfioPciVariant().hostReentry(vdev)).toBe(true);
    expect(nvidiaIntxMask(vdev, () => true)).toBe(true);
    expect(nvidiaIntxUnmask(vdev, () => true)).toBe(true);
    expect(nvidiaIntxUnmask(vdev, () => false)).toBe(false);
  });
});
