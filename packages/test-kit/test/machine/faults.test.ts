// m.inject(): each fault's effect, and the device recovering where Linux recovers.
import { describe, expect, it } from 'vitest';
import { createMachine, type Machine, type UserProcess } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';

const BDF = '0000:01:00.0';
const DEV = `/sys/bus/pci/devices/${BDF}`;
const EIO = 5;
const EINVAL = 22;
const ENODEV = 19;

const machine = (config = 'e1000e') =>
  createMachine({
    rootPorts: [{ name: 'rp0', d3cold: true }],
    devices: [{ bdf: BDF, rootPort: 'rp0', config }],
  });
const status = (m: Machine) => m.sysfs.read(`${DEV}/power/runtime_status`);
const power = (m: Machine) => m.sysfs.read(`${DEV}/power_state`);
const feature = (feature: number, data?: Uint8Array) =>
  VFIO.feature({ flags: VFIO.DEVICE_FEATURE_SET, feature, ...(data ? { data } : {}) });
const enter = (p: UserProcess, fd: number) =>
  p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY));
const exit = (p: UserProcess, fd: number) =>
  p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(VFIO.DEVICE_FEATURE_LOW_POWER_EXIT));
const configDword = async (p: UserProcess, fd: number, at: number) => {
  const b = new Uint8Array(4);
  expect(await p.pread(fd, b, 4, VFIO.pciConfigOffset(at))).toBe(4);
  return new DataView(b.buffer).getUint32(0, true);
};

describe('m.inject() arguments', () => {
  it('returns -EINVAL for malformed faults and -ENODEV for unknown targets', async () => {
    const m = await machine();
    const bad: unknown[] = [
      null,
      7,
      {},
      { kind: 'nope' },
      { kind: 'platform-on-fail', rootPort: 3 },
      { kind: 'platform-off-fail', rootPort: 'rp0', fail: 'yes' },
      { kind: 'platform-delay', rootPort: 'rp0', onMs: -1 },
      { kind: 'platform-delay', rootPort: 'rp0', offMs: NaN },
      { kind: 'runtime-callback-error', bdf: BDF, callback: 'idle', errno: -5 },
      { kind: 'runtime-callback-error', bdf: BDF, callback: 'suspend', errno: 5 },
      { kind: 'runtime-callback-error', bdf: BDF, callback: 'suspend', errno: -5000 },
      { kind: 'runtime-callback-error', bdf: 1, callback: 'suspend', errno: -5 },
      { kind: 'config-read-error', bdf: BDF, reads: -1 },
      { kind: 'config-read-error', bdf: BDF, ms: Infinity },
      { kind: 'surprise-removal', bdf: '0000:00:01.0' },
    ];
    for (const f of bad) expect(m.inject(f as never), JSON.stringify(f)).toBe(-EINVAL);
    expect(m.inject({ kind: 'platform-on-fail', rootPort: 'rp9' })).toBe(-ENODEV);
    expect(m.inject({ kind: 'surprise-removal', bdf: '0000:07:00.0' })).toBe(-ENODEV);
    expect(m.inject({ kind: 'config-read-error', bdf: BDF, reads: 0 })).toBe(0);
    expect(m.inject({ kind: 'platform-delay', rootPort: 'rp0', onMs: 5, offMs: 5 })).toBe(0);
    expect(m.inject({ kind: 'platform-delay', rootPort: 'rp0' })).toBe(0);
    expect(m.invariants()).toEqual([]);
  });

  it('returns -EINVAL for platform faults on a machine without platform power control', async () => {
    const m = await createMachine({
      rootPorts: [{ name: 'rp0' }],
      devices: [{ bdf: BDF, rootPort: 'rp0', config: 'e1000e' }],
    });
    expect(m.inject({ kind: 'platform-off-fail', rootPort: 'rp0' })).toBe(-EINVAL);
  });
});

describe('platform _ON / _OFF failure', () => {
  it('leaves the device in D3cold when _ON fails; the firmware state stays unknown until removal', async () => {
    const m = await machine();
    expect(power(m)).toBe('D3cold\n');
    expect(m.inject({ kind: 'platform-on-fail', rootPort: 'rp0' })).toBe(0);
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(fd).toBeGreaterThanOrEqual(0);
    // pci_pm_runtime_resume() ignores pci_power_up()'s error: active, but without power.
    expect(status(m)).toBe('active\n');
    expect(power(m)).toBe('D3cold\n');
    expect(await configDword(p, fd, 0)).toBe(0xffffffff);
    expect(m.invariants().some((v) => v.includes(`powered off: ${BDF}`))).toBe(true);
    expect(m.inject({ kind: 'platform-on-fail', rootPort: 'rp0', fail: false })).toBe(0);
    expect(await p.close(fd)).toBe(0);
    await m.settle();
    // acpi_power_transition() left the node's state unknown and refuses transitions from it.
    const fd2 = await p.openDevice(BDF);
    expect(fd2).toBeGreaterThanOrEqual(0);
    expect(power(m)).toBe('D3cold\n');
    expect(await p.close(fd2)).toBe(0);
    expect(await m.sysfs.write(`${DEV}/remove`, '1')).toBe(1);
    await m.settle();
    expect(power(m)).toBe(-2);
  });

  it('keeps the device powered when _OFF fails and reaches D3cold on the next entry', async () => {
    const m = await machine();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(m.inject({ kind: 'platform-off-fail', rootPort: 'rp0' })).toBe(0);
    expect(await enter(p, fd)).toBe(0);
    await m.settle();
    expect(status(m)).toBe('suspended\n');
    const stuck = power(m);
    expect(m.inject({ kind: 'platform-off-fail', rootPort: 'rp0', fail: false })).toBe(0);
    expect(await exit(p, fd)).toBe(0);
    expect(await enter(p, fd)).toBe(0);
    await m.settle();
    expect(power(m)).toBe('D3cold\n');
    expect(stuck).not.toBe('D0\n');
    expect(m.invariants()).toEqual([]);
  });
});

describe('runtime callback error', () => {
  it('puts the device in runtime error on a failed suspend; only removal clears it', async () => {
    const m = await machine();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(
      m.inject({ kind: 'runtime-callback-error', bdf: BDF, callback: 'suspend', errno: -EIO }),
    ).toBe(0);
    expect(await enter(p, fd)).toBe(0);
    await m.settle();
    expect(status(m)).toBe('error\n');
    expect(power(m)).toBe('D0\n');
    // rpm_resume() answers -EINVAL while runtime_error is set; vfio reports -EIO.
    expect(await p.ioctl(fd, VFIO.DEVICE_GET_INFO, new Uint8Array(32))).toBe(-EIO);
    // Neither power/control nor unbind/bind calls pm_runtime_set_*(): the error stays.
    expect(await m.sysfs.write(`${DEV}/power/control`, 'on')).toBe(2);
    expect(await m.sysfs.write(`${DEV}/power/control`, 'auto')).toBe(4);
    expect(status(m)).toBe('error\n');
    expect(await p.close(fd)).toBe(0);
    await m.settle();
    expect(await m.sysfs.write('/sys/bus/pci/drivers/vfio-pci/unbind', BDF)).toBe(BDF.length);
    expect(await m.sysfs.write('/sys/bus/pci/drivers/vfio-pci/bind', BDF)).toBe(BDF.length);
    await m.settle();
    expect(status(m)).toBe('error\n');
    expect(await m.sysfs.write(`${DEV}/remove`, '1')).toBe(1);
    await m.settle();
    expect(status(m)).toBe(-2);
    expect(m.invariants()).toEqual([]);
  });

  it('retries a suspend that failed with -EBUSY: no error state', async () => {
    const m = await machine();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(
      m.inject({ kind: 'runtime-callback-error', bdf: BDF, callback: 'suspend', errno: -16 }),
    ).toBe(0);
    expect(await enter(p, fd)).toBe(0);
    await m.settle();
    expect(status(m)).toBe('active\n');
    // The next idle notification (here a power/control cycle) suspends it.
    await m.sysfs.write(`${DEV}/power/control`, 'on');
    await m.sysfs.write(`${DEV}/power/control`, 'auto');
    await m.settle();
    expect(status(m)).toBe('suspended\n');
    expect(power(m)).toBe('D3cold\n');
    expect(m.invariants()).toEqual([]);
  });

  it('fails a resume after powering the device up, leaving runtime_error set', async () => {
    const m = await machine();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await enter(p, fd)).toBe(0);
    await m.settle();
    expect(power(m)).toBe('D3cold\n');
    expect(
      m.inject({ kind: 'runtime-callback-error', bdf: BDF, callback: 'resume', errno: -EIO }),
    ).toBe(0);
    expect(await exit(p, fd)).toBe(-EIO);
    expect(status(m)).toBe('error\n');
    expect(await exit(p, fd)).toBe(-EIO);
    expect(await p.close(fd)).toBe(0);
    await m.settle();
    expect(await m.sysfs.write(`${DEV}/remove`, '1')).toBe(1);
    await m.settle();
    expect(m.invariants()).toEqual([]);
  });
});

describe('config read error', () => {
  it('answers all ones for the next reads, then the real registers', async () => {
    const m = await machine();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(m.inject({ kind: 'config-read-error', bdf: BDF, reads: 2 })).toBe(0);
    expect(await configDword(p, fd, 0x2c)).toBe(0xffffffff);
    expect(await configDword(p, fd, 0x2c)).toBe(0xffffffff);
    expect(await configDword(p, fd, 0x2c)).toBe(0x00008086);
    expect(m.invariants()).toEqual([]);
  });

  it('answers all ones for a while, then recovers', async () => {
    const m = await machine();
    expect(await m.process().openDevice(BDF)).toBe(0);
    expect(m.inject({ kind: 'config-read-error', bdf: BDF, ms: 1000 })).toBe(0);
    expect(m.inject({ kind: 'config-read-error', bdf: BDF, ms: 1000 })).toBe(0);
    expect(await m.host.lspci(BDF)).toMatch(
      /^01:00\.0 Class ffff: Device ffff:ffff\n00: ff ff ff ff/,
    );
    await m.kernel.sched.runFor(1000e6);
    expect(await m.host.lspci(BDF)).toMatch(
      /^01:00\.0 Class 0200: Device 8086:10d3\n00: 86 80 d3 10/,
    );
    expect(m.invariants()).toEqual([]);
  });
});
