// Shared set-up for the NVIDIA variant's tests: an H100 below a root port, the variant
// registered, and the guest driver's steps (BAR writes, the RTD3 feature, low-power entry).
import { afterEach, expect } from 'vitest';
import {
  createMachine,
  type Machine,
  type MachineOptions,
  type UserProcess,
} from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';
import {
  NVIDIA_VRAM_BAR,
  NVIDIA_VRAM_CHUNK,
  NVSIM_FB_EVICT,
  NVSIM_RTD3_CTRL,
  NvidiaVfioPciVariant,
  VFIO_DEVICE_FEATURE_NVIDIA_RTD3,
  decodeNvidiaRtd3Info,
  encodeNvidiaRtd3Threshold,
  type NvidiaRtd3Info,
} from '@vfio-ts/variant-nvidia';

export const BDF = '0000:01:00.0';
export const MiB = 2 ** 20;

/** An H100 below a root port whose platform can cut power (D3cold), with the variant. */
export const H100_D3COLD: MachineOptions = {
  rootPorts: [{ name: 'rp0', d3cold: true }],
  devices: [{ bdf: BDF, rootPort: 'rp0', config: 'nvidia-h100' }],
  variants: [NvidiaVfioPciVariant],
};

/** An H100 below QEMU's root port: runtime suspend ends in D3hot, power stays on. */
export const H100_D3HOT: MachineOptions = {
  rootPorts: [{ name: 'rp0' }],
  devices: [{ bdf: BDF, rootPort: 'rp0', config: 'nvidia-h100' }],
  variants: [NvidiaVfioPciVariant],
};

/**
 * Boots machines for one test file; after each test the last one must settle with the
 * invariants it expects (none by default).
 */
export function machines(): {
  boot: (opts?: MachineOptions) => Promise<Machine>;
  expectViolations: (match: RegExp) => void;
} {
  let current: Machine | null = null;
  let expected: RegExp | null = null;
  afterEach(async () => {
    const m = current;
    const want = expected;
    current = null;
    expected = null;
    if (!m) return;
    await m.settle();
    const v = m.invariants();
    if (want) {
      expect(v).not.toEqual([]);
      for (const x of v) expect(x).toMatch(want);
    } else expect(v).toEqual([]);
  });
  return {
    boot: async (opts = H100_D3COLD) => (current = await createMachine(opts)),
    expectViolations: (match) => void (expected = match),
  };
}

/** A sysfs attribute of the function, trimmed. */
export function attr(m: Machine, name: string, bdf = BDF): string | number {
  const v = m.sysfs.read(`/sys/bus/pci/devices/${bdf}/${name}`);
  return typeof v === 'string' ? v.trim() : v;
}

/** A VFIO_DEVICE_FEATURE buffer. */
export function feature(id: number, flags: number, data?: Uint8Array, argsz?: number): Uint8Array {
  return VFIO.feature({
    flags,
    feature: id,
    ...(data ? { data } : {}),
    ...(argsz !== undefined ? { argsz } : {}),
  });
}

/** LOW_POWER_ENTRY, then settle. @returns the ioctl's result */
export async function entry(m: Machine, p: UserProcess, fd: number): Promise<number> {
  const f = feature(VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY, VFIO.DEVICE_FEATURE_SET);
  const r = await p.ioctl(fd, VFIO.DEVICE_FEATURE, f);
  await m.settle();
  return r;
}

/** LOW_POWER_EXIT. @returns the ioctl's result */
export function exit(p: UserProcess, fd: number): Promise<number> {
  const f = feature(VFIO.DEVICE_FEATURE_LOW_POWER_EXIT, VFIO.DEVICE_FEATURE_SET);
  return p.ioctl(fd, VFIO.DEVICE_FEATURE, f);
}

/** GET of the RTD3 feature: the decoded state, or -errno. */
export async function rtd3Get(p: UserProcess, fd: number): Promise<NvidiaRtd3Info | number> {
  const b = feature(VFIO_DEVICE_FEATURE_NVIDIA_RTD3, VFIO.DEVICE_FEATURE_GET, new Uint8Array(24));
  const r = await p.ioctl(fd, VFIO.DEVICE_FEATURE, b);
  return r < 0 ? r : decodeNvidiaRtd3Info(b.subarray(8));
}

/** SET of the RTD3 threshold. @returns the ioctl's result */
export function rtd3Set(p: UserProcess, fd: number, bytes: number): Promise<number> {
  const b = feature(
    VFIO_DEVICE_FEATURE_NVIDIA_RTD3,
    VFIO.DEVICE_FEATURE_SET,
    encodeNvidiaRtd3Threshold(bytes),
  );
  return p.ioctl(fd, VFIO.DEVICE_FEATURE, b);
}

const u32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
};

/** A 32-bit write into a BAR through the device fd. @returns bytes or -errno */
export function barWrite(
  p: UserProcess,
  fd: number,
  bar: number,
  off: number,
  v: number,
): Promise<number> {
  return p.pwrite(fd, u32(v), 4, VFIO.regionOffset(bar) + off);
}

/** A 32-bit read of a BAR through the device fd: the value, or -errno. */
export async function barRead(
  p: UserProcess,
  fd: number,
  bar: number,
  off: number,
): Promise<number> {
  const b = new Uint8Array(4);
  const r = await p.pread(fd, b, 4, VFIO.regionOffset(bar) + off);
  return r < 0 ? r : new DataView(b.buffer).getUint32(0, true);
}

/** Opens the device and enables Memory Space (the guest driver's first steps). */
export async function openGpu(p: UserProcess, bdf = BDF): Promise<number> {
  const fd = await p.openDevice(bdf);
  expect(fd).toBeGreaterThanOrEqual(0);
  const cmd = new Uint8Array([0x06, 0x00]);
  expect(await p.pwrite(fd, cmd, 2, VFIO.pciConfigOffset(4))).toBe(2);
  return fd;
}

/** The guest uses `mib` MiB of video memory: one word written per chunk, pattern = chunk. */
export async function fillVram(p: UserProcess, fd: number, mib: number): Promise<void> {
  for (let i = 0; i < mib; i++)
    expect(await barWrite(p, fd, NVIDIA_VRAM_BAR, i * NVIDIA_VRAM_CHUNK, 0xc0de0000 + i)).toBe(4);
}

/** Reads back what {@link fillVram} wrote: the chunks whose word differs. */
export async function vramMismatches(p: UserProcess, fd: number, mib: number): Promise<number[]> {
  const bad: number[] = [];
  for (let i = 0; i < mib; i++)
    if ((await barRead(p, fd, NVIDIA_VRAM_BAR, i * NVIDIA_VRAM_CHUNK)) !== 0xc0de0000 + i)
      bad.push(i);
  return bad;
}

/** The guest engages video-memory self-refresh (before a low-power entry). */
export function engageSelfRefresh(p: UserProcess, fd: number, on = true): Promise<number> {
  return barWrite(p, fd, 0, NVSIM_RTD3_CTRL, on ? 1 : 0);
}

/** The guest saved video memory to system memory and released it. */
export function evict(p: UserProcess, fd: number): Promise<number> {
  return barWrite(p, fd, 0, NVSIM_FB_EVICT, 1);
}
