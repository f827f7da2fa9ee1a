// m.invariants(): each invariant reports a planted violation, naming the device.
import { describe, expect, it } from 'vitest';
import { createMachine, InvariantMonitor, type Machine, type UserProcess } from '@vfio-ts/test-kit';
import { createBuiltinHw, kmemRegistry } from '@vfio-ts/pci-core';
import { pmRuntimePut } from '@vfio-ts/runtime-pm';
import { VFIO } from '@vfio-ts/vfio-core';

const BDF = '0000:01:00.0';

const machine = (opts: { invariants?: boolean } = {}) =>
  createMachine({
    rootPorts: [{ name: 'rp0', d3cold: true }],
    devices: [{ bdf: BDF, rootPort: 'rp0', config: 'e1000e' }],
    ...opts,
  });
const pdevOf = (m: Machine) => m.topology.lookup(BDF)!;
const vdevOf = (m: Machine) => m.vfioPci.devices.get(pdevOf(m))!;
const engageWithWakeup = async (m: Machine, p: UserProcess) => {
  const fd = await p.openDevice(BDF);
  const efd = await p.eventfd(0, { nonblock: true });
  const buf = VFIO.feature({
    flags: VFIO.DEVICE_FEATURE_SET,
    feature: VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
    data: VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: efd }),
  });
  expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, buf)).toBe(0);
  await m.settle();
  expect(pdevOf(m).power.runtimeStatus).toBe('suspended');
  return { fd, efd };
};

describe('wake-up notifications', () => {
  it('reports none for a host wake, a user exit and a close while engaged', async () => {
    const m = await machine();
    const p = m.process();
    const { fd, efd } = await engageWithWakeup(m, p);
    expect(await m.host.lspci(BDF)).toMatch(/^01:00\.0/);
    const b = new Uint8Array(8);
    expect(await p.read(efd, b, 8)).toBe(8);
    expect(b[0]).toBe(1);
    await p.close(fd);
    await m.settle();
    const again = await engageWithWakeup(m, p);
    await p.close(again.fd);
    await m.settle();
    expect(await p.read(again.efd, b, 8)).toBe(-11);
    expect(m.invariants()).toEqual([]);
  });

  it('reports a resume from a with-wakeup engagement that signals nothing as lost', async () => {
    const m = await machine();
    await engageWithWakeup(m, m.process());
    // A buggy driver: the device resumes without vfio_pci_core_runtime_resume().
    pdevOf(m).pmDomain = { name: 'planted', ops: { runtimeResume: () => 0 } };
    await m.host.lspci(BDF);
    await m.settle();
    expect(m.invariants()).toContainEqual(
      expect.stringMatching(/^wake-up notification lost: 0000:01:00\.0 /),
    );
  });

  it('reports a second signal of the same engagement as duplicated', async () => {
    const m = await machine();
    await engageWithWakeup(m, m.process());
    const ctx = vdevOf(m).pmWakeEventfdCtx!;
    await m.settle();
    ctx.signal(1);
    ctx.signal(1);
    expect(m.invariants()).toContainEqual(
      expect.stringMatching(
        /^wake-up notification duplicated: 0000:01:00\.0 signalled eventfd \d+ 2 times/,
      ),
    );
  });
});

describe('invariants after a step look only at what changed', () => {
  it('stops following an engagement once its device is no longer bound', async () => {
    const m = await machine();
    await engageWithWakeup(m, m.process());
    const pdev = pdevOf(m);
    const vdev = vdevOf(m);
    pdev.driverData = undefined;
    vdev.pmWakeEventfdCtx!.signal(1);
    vdev.pmWakeEventfdCtx!.signal(1);
    expect(m.invariants()).toEqual([]);
    pdev.driverData = vdev;
  });

  it('finds violations on any of many devices, and those made before the monitor existed', async () => {
    const devices = Array.from({ length: 20 }, (_, i) => ({
      bdf: `0000:0${1 + (i >> 3)}:00.${i & 7}`,
      rootPort: i < 8 ? 'rp0' : 'rp1',
      config: 'e1000e',
    }));
    const m = await createMachine({
      rootPorts: [
        { name: 'rp0', d3cold: true },
        { name: 'rp1', d3cold: true },
      ],
      devices: devices.slice(0, 16),
    });
    const last = m.topology.lookup('0000:02:00.7')!;
    last.hw.configRead(8, 4);
    expect(m.invariants()).toEqual([
      'hardware access while powered off: 0000:02:00.7 config-read at 0x8',
    ]);
    const early = new InvariantMonitor(m.kernel, m.topology);
    expect(early.list().map((v) => v.violation)).toEqual(m.invariants());
  });

  it('reports the accesses enumeration makes to a function added while it is powered off', async () => {
    const m = await createMachine({ rootPorts: [{ name: 'rp0' }] });
    const r = createBuiltinHw('e1000e', { name: 'late' });
    if (!r.ok) throw new Error(r.error);
    r.value.powerOff();
    m.topology.addEndpoint({ bdf: '0000:01:00.0', rootPort: 'rp0', hw: r.value });
    expect(m.invariants()[0]).toMatch(
      /^hardware access while powered off: 0000:01:00\.0 config-read/,
    );
  });
});

describe('other invariants', () => {
  it('reports a task left waiting on a suspended device', async () => {
    const m = await machine();
    const pdev = pdevOf(m);
    expect(pdev.power.runtimeStatus).toBe('suspended');
    m.kernel.sched.spawn('stuck-user', () => pdev.power.waitQueue.wait());
    await m.settle();
    expect(m.invariants()).toContainEqual(
      expect.stringMatching(
        /^device left suspended with users waiting: 0000:01:00\.0 \(.*stuck-user/,
      ),
    );
  });

  it('reports a hardware access while the function is powered off', async () => {
    const m = await machine();
    pdevOf(m).hw.configRead(0, 4);
    expect(m.invariants()).toEqual([
      'hardware access while powered off: 0000:01:00.0 config-read at 0x0',
    ]);
  });

  it('reports a leaked saved-state allocation with its owner', async () => {
    const m = await machine();
    kmemRegistry(m.kernel).track('pci_saved_state', BDF, 64, ['pci_store_saved_state']);
    await m.kernel.sched.runFor(6e9);
    expect(m.invariants()).toContainEqual(
      expect.stringContaining(`pci_saved_state (size 64) of ${BDF}`),
    );
  });

  it('reports a runtime PM usage count underflow', async () => {
    const m = await machine();
    await m.kernel.run('planted', () => pmRuntimePut(pdevOf(m)));
    expect(m.invariants()).toContainEqual(
      expect.stringMatching(/^runtime PM usage count underflow: .*0000:01:00\.0/),
    );
  });

  it('checks only when asked without per-step checking, and keeps each violation once', async () => {
    const m = await machine({ invariants: false });
    pdevOf(m).hw.configRead(0, 4);
    pdevOf(m).hw.configRead(0, 4);
    const monitor = new InvariantMonitor(m.kernel, m.topology);
    monitor.check();
    expect(monitor.size).toBe(1);
    expect(monitor.list()).toEqual([
      {
        violation: 'hardware access while powered off: 0000:01:00.0 config-read at 0x0',
        at: m.clock.now(),
      },
    ]);
    expect(m.invariants()).toHaveLength(1);
  });
});
