// Shared set-up for the façade-level power-management tests (issue 7): machines, sysfs
// attributes, feature buffers and the PM capability offsets of the built-in models.
import { afterEach, expect } from 'vitest';
import {
  createMachine,
  type Machine,
  type MachineOptions,
  type UserProcess,
} from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';

export const BDF = '0000:01:00.0';
export const BDF1 = '0000:01:00.1';

/** e1000e's PM capability (DESIGN.md): PMC at +2, PMCSR at +4. */
export const E1000E_PM = 0xc8;
/** nvidia-h100's PM capability. */
export const H100_PM = 0x40;

/** One e1000e below a root port whose platform can cut power (D3cold). */
export const D3COLD: MachineOptions = {
  rootPorts: [{ name: 'rp0', d3cold: true }],
  devices: [{ bdf: BDF, rootPort: 'rp0', config: 'e1000e' }],
};

/** One e1000e below QEMU's root port: no platform D3cold, so runtime suspend ends in D3hot. */
export const D3HOT: MachineOptions = {
  rootPorts: [{ name: 'rp0' }],
  devices: [{ bdf: BDF, rootPort: 'rp0', config: 'e1000e' }],
};

/** Two functions of one slot below a D3cold root port: one device set (C.5, D.13). */
export const TWO_FUNCTIONS: MachineOptions = {
  rootPorts: [{ name: 'rp0', d3cold: true, hotplug: false }],
  devices: [
    { bdf: BDF, rootPort: 'rp0', config: 'e1000e' },
    { bdf: BDF1, rootPort: 'rp0', config: 'e1000e' },
  ],
};

export function machine(opts: MachineOptions = D3COLD): Promise<Machine> {
  return createMachine(opts);
}

/** A sysfs attribute of a function, e.g. `power_state` → `D3cold`. */
export function attr(m: Machine, name: string, bdf = BDF): string | number {
  const v = m.sysfs.read(`/sys/bus/pci/devices/${bdf}/${name}`);
  return typeof v === 'string' ? v.trim() : v;
}

/** power_state, runtime_status and runtime_usage together. */
export function pm(m: Machine, bdf = BDF): [string | number, string | number, string | number] {
  return [
    attr(m, 'power_state', bdf),
    attr(m, 'power/runtime_status', bdf),
    attr(m, 'power/runtime_usage', bdf),
  ];
}

export const SET = VFIO.DEVICE_FEATURE_SET;
export const ENTRY = VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY;
export const WAKEUP = VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP;
export const EXIT = VFIO.DEVICE_FEATURE_LOW_POWER_EXIT;

/** A VFIO_DEVICE_FEATURE buffer. */
export function feature(id: number, flags = SET, data?: Uint8Array, argsz?: number): Uint8Array {
  return VFIO.feature({
    flags,
    feature: id,
    ...(data ? { data } : {}),
    ...(argsz !== undefined ? { argsz } : {}),
  });
}

/** LOW_POWER_ENTRY_WITH_WAKEUP naming eventfd `efd`. */
export function wakeup(efd: number, argsz?: number): Uint8Array {
  return feature(WAKEUP, SET, VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: efd }), argsz);
}

/** A little-endian value of `width` bytes. */
export function le(bytes: Uint8Array, offset = 0, width = bytes.length - offset): number {
  let v = 0;
  for (let i = width - 1; i >= 0; i--) v = v * 256 + bytes[offset + i]!;
  return v;
}

export function bytesOf(value: number, width: number): Uint8Array {
  return Uint8Array.from({ length: width }, (_, i) => Math.floor(value / 256 ** i) & 0xff);
}

/**
 * Boots machines for one test file; after each test the last one must settle without a
 * broken invariant (leaks, underflows, lock cycles, hardware touched while powered off).
 */
export function machines(): (opts?: MachineOptions) => Promise<Machine> {
  let current: Machine | null = null;
  afterEach(async () => {
    const m = current;
    current = null;
    if (!m) return;
    await m.settle();
    expect(m.invariants()).toEqual([]);
  });
  return async (opts = D3COLD) => (current = await machine(opts));
}

/** Reads an eventfd counter: the value, or -EAGAIN when not signalled. */
export async function counter(p: UserProcess, efd: number): Promise<number> {
  const out = new Uint8Array(8);
  const n = await p.read(efd, out, 8);
  return n < 0 ? n : le(out);
}

/** A vfio config-space read of `n` bytes at `off` (throws when short). */
export async function configRead(
  p: UserProcess,
  fd: number,
  off: number,
  n: number,
): Promise<number> {
  const out = new Uint8Array(n);
  const r = await p.pread(fd, out, n, VFIO.pciConfigOffset(off));
  if (r !== n) throw new Error(`config read at 0x${off.toString(16)}: ${r}`);
  return le(out);
}

/** A vfio config-space write of `n` bytes. @returns the bytes written or -errno */
export function configWrite(
  p: UserProcess,
  fd: number,
  off: number,
  value: number,
  n: number,
): Promise<number> {
  return p.pwrite(fd, bytesOf(value, n), n, VFIO.pciConfigOffset(off));
}

/** A 16-bit host (sysfs) config read: what the hardware holds. */
export async function hostWord(m: Machine, off: number, bdf = BDF): Promise<number> {
  const r = await m.host.configRead(bdf, off, 2);
  if (typeof r === 'number') throw new Error(`host config read: ${r}`);
  return le(r);
}

/** Opens the device and engages ENTRY_WITH_WAKEUP; settled, it is suspended in D3cold. */
export async function engagedWithWakeup(
  m: Machine,
): Promise<{ p: UserProcess; fd: number; efd: number }> {
  const p = m.process();
  const fd = await p.openDevice(BDF);
  const efd = await p.eventfd(0, { nonblock: true });
  expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, wakeup(efd))).toBe(0);
  await m.settle();
  expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
  return { p, fd, efd };
}
