// The hypervisor and guest model: virtual ACPI power resources mapped to the low-power
// features, virtual PMEs on host wakes, guest runtime PM through the config region.
import { describe, expect, it } from 'vitest';
import {
  createMachine,
  exploreMachine,
  GuestOptionsError,
  type Machine,
  type MachineOptions,
} from '@vfio-ts/test-kit';

const A = '0000:01:00.0';
const B = '0000:02:00.0';
const ms = (n: number) => n * 1e6;
const ENODEV = -19;
const EINVAL = -22;

const TWO_PORTS: MachineOptions = {
  rootPorts: [
    { name: 'rp0', d3cold: true },
    { name: 'rp1', d3cold: true },
  ],
  devices: [
    { bdf: A, rootPort: 'rp0', config: 'e1000e' },
    { bdf: B, rootPort: 'rp1', config: 'e1000e' },
  ],
};

const attr = (m: Machine, bdf: string, name: string) => {
  const v = m.sysfs.read(`/sys/bus/pci/devices/${bdf}/${name}`);
  return typeof v === 'string' ? v.trim() : v;
};
const host = (m: Machine, bdf: string) => [
  attr(m, bdf, 'power_state'),
  attr(m, bdf, 'power/runtime_status'),
];
const run = (m: Machine, n: number) => m.kernel.sched.runFor(ms(n));
const texts = (g: { log: { device: string; text: string }[] }, device: string) =>
  g.log.filter((l) => l.device === device).map((l) => l.text);

describe('m.guest: guest-directed D3cold through virtual ACPI', () => {
  it('opens every vfio-pci device, boots the guest busy, and keeps the devices in D0', async () => {
    const m = await createMachine(TWO_PORTS);
    expect(host(m, A)).toEqual(['D3cold', 'suspended']);
    const g = await m.guest({ acpi: { pr3: true } });
    expect(g.devices).toEqual([A, B]);
    expect(g.isRunning).toBe(true);
    await run(m, 1000);
    expect(host(m, A)).toEqual(['D0', 'active']);
    expect(g.state(A)).toMatchObject({ driver: 'generic', status: 'active', power: 'D0' });
    expect(g.state('0000:09:00.0')).toBeUndefined();
  });

  it('suspends an idle device: PMCSR D3hot, _OFF → LOW_POWER_ENTRY_WITH_WAKEUP, host D3cold', async () => {
    const m = await createMachine(TWO_PORTS);
    const g = await m.guest({ acpi: { pr3: true }, autosuspendMs: 50 });
    expect(await g.idle(A)).toBe(0);
    await run(m, 40);
    expect(g.state(A)?.status).toBe('active');
    await run(m, 100);
    expect(g.state(A)).toMatchObject({ status: 'suspended', power: 'D3cold', suspends: 1 });
    expect(host(m, A)).toEqual(['D3cold', 'suspended']);
    expect(host(m, B)).toEqual(['D0', 'active']);
    expect(texts(g, 'port 0000:00:01.0')).toEqual(['_OFF → LOW_POWER_ENTRY_WITH_WAKEUP']);
    expect(m.invariants()).toEqual([]);
  });

  it('turns a host wake into exactly one virtual PME; the guest resumes and re-arms', async () => {
    const m = await createMachine(TWO_PORTS);
    const g = await m.guest({ acpi: { pr3: true } });
    await g.idle();
    await run(m, 300);
    await m.host.lspci(A);
    await run(m, 50);
    expect(g.state(A)).toMatchObject({ pmes: 1, status: 'active', power: 'D0', resumes: 1 });
    await run(m, 300);
    expect(g.state(A)).toMatchObject({ pmes: 1, status: 'suspended', power: 'D3cold' });
    expect(host(m, A)).toEqual(['D3cold', 'suspended']);
    // A second wake: a second engagement, a second notification.
    await m.host.lspci(A);
    await run(m, 300);
    expect(g.state(A)?.pmes).toBe(2);
    expect(g.state(B)?.pmes).toBe(0);
    expect(m.invariants()).toEqual([]);
  });

  it('does not count its own _ON as a wake: a guest access resumes without a PME', async () => {
    const m = await createMachine(TWO_PORTS);
    const g = await m.guest({ acpi: { pr3: true } });
    await g.idle(A);
    await run(m, 300);
    expect(host(m, A)[0]).toBe('D3cold');
    expect(await g.access(A)).toBe(0);
    expect(g.state(A)).toMatchObject({ pmes: 0, status: 'active', resumes: 1 });
    expect(texts(g, 'port 0000:00:01.0')).toContain('_ON → LOW_POWER_EXIT');
    await run(m, 300);
    expect(g.state(A)?.power).toBe('D3cold');
    expect(m.invariants()).toEqual([]);
  });

  it('keeps a busy device on, and resumes a suspended one the workload uses again', async () => {
    const m = await createMachine(TWO_PORTS);
    const g = await m.guest({ acpi: { pr3: true } });
    expect(await g.busy(A)).toBe(0);
    await g.idle(A);
    await g.idle(A);
    await run(m, 300);
    expect(g.state(A)?.power).toBe('D3cold');
    expect(await g.busy(A)).toBe(0);
    expect(await g.busy(A)).toBe(0);
    await run(m, 1000);
    expect(g.state(A)).toMatchObject({ status: 'active', power: 'D0', pmes: 0 });
    expect(host(m, A)).toEqual(['D0', 'active']);
  });

  it('without _PR3 stops at D3hot written to PMCSR: the host device stays runtime-active', async () => {
    const m = await createMachine(TWO_PORTS);
    const g = await m.guest({});
    await g.idle();
    await run(m, 300);
    expect(g.state(A)).toMatchObject({ status: 'suspended', power: 'D3hot' });
    expect(host(m, A)).toEqual(['D3hot', 'active']);
    expect(g.log.some((l) => l.text.startsWith('_OFF'))).toBe(false);
  });

  it('gives _PR3 only to the root ports named', async () => {
    const m = await createMachine(TWO_PORTS);
    const g = await m.guest({ acpi: { pr3: ['rp1'] } });
    await g.idle();
    await run(m, 300);
    expect(g.state(A)?.power).toBe('D3hot');
    expect(g.state(B)?.power).toBe('D3cold');
    expect(host(m, B)).toEqual(['D3cold', 'suspended']);
  });

  it('with wakeup: false maps _OFF to plain LOW_POWER_ENTRY: a host wake is not notified', async () => {
    const m = await createMachine(TWO_PORTS);
    const g = await m.guest({ devices: [A], acpi: { pr3: true, wakeup: false } });
    await g.idle();
    await run(m, 300);
    expect(texts(g, 'port 0000:00:01.0')).toEqual(['_OFF → LOW_POWER_ENTRY']);
    expect(host(m, A)).toEqual(['D3cold', 'suspended']);
    await m.host.lspci(A);
    await run(m, 300);
    // The host re-suspends it by itself (the plain engagement holds); the guest never knew.
    expect(host(m, A)).toEqual(['D3cold', 'suspended']);
    expect(g.state(A)).toMatchObject({ pmes: 0, power: 'D3cold' });
    expect(m.invariants()).toEqual([]);
  });

  it('shares a power resource among the functions below one port: _OFF only when all idle', async () => {
    const m = await createMachine({
      rootPorts: [{ name: 'rp0', d3cold: true, hotplug: false }],
      devices: [
        { bdf: A, rootPort: 'rp0', config: 'e1000e' },
        { bdf: '0000:01:00.1', rootPort: 'rp0', config: 'e1000e' },
      ],
    });
    const g = await m.guest({ acpi: { pr3: true } });
    await g.idle(A);
    await run(m, 300);
    expect(g.state(A)?.power).toBe('D3hot');
    expect(await g.hotReset('0000:01:00.1')).toBe(0);
    await g.idle('0000:01:00.1');
    await run(m, 300);
    expect(g.state(A)?.power).toBe('D3cold');
    expect(host(m, '0000:01:00.1')).toEqual(['D3cold', 'suspended']);
    expect(texts(g, '0000:01:00.1')).toContain('VFIO_DEVICE_PCI_HOT_RESET: 0');
    expect(m.invariants()).toEqual([]);
  });

  it('stops: the VMM closes its devices, which the host suspends; the VM then refuses calls', async () => {
    const m = await createMachine(TWO_PORTS);
    const g = await m.guest({ acpi: { pr3: true } });
    await g.idle(A);
    await run(m, 300);
    expect(await g.stop()).toBe(0);
    await m.settle();
    expect(g.isRunning).toBe(false);
    expect(host(m, A)).toEqual(['D3cold', 'suspended']);
    expect(host(m, B)).toEqual(['D3cold', 'suspended']);
    expect(await g.stop()).toBe(EINVAL);
    expect(await g.idle()).toBe(ENODEV);
    expect(await g.access(A)).toBe(ENODEV);
    expect(m.kernel.sched.blockedTasks()).toEqual([]);
    expect(m.invariants()).toEqual([]);
  });

  it('stops with an autosuspend pending: the guest does nothing more', async () => {
    const m = await createMachine(TWO_PORTS);
    const g = await m.guest({ acpi: { pr3: true } });
    await g.idle();
    expect(await g.stop()).toBe(0);
    await m.settle();
    expect(g.state(A)).toMatchObject({ status: 'active', suspends: 0 });
    expect(host(m, A)).toEqual(['D3cold', 'suspended']);
  });

  it('answers -ENODEV for a device not in the VM and -EINVAL for video memory on a NIC', async () => {
    const m = await createMachine(TWO_PORTS);
    const g = await m.guest({ devices: [{ bdf: A, driver: 'generic' }] });
    expect(await g.access(B)).toBe(ENODEV);
    expect(await g.hotReset(B)).toBe(ENODEV);
    expect(await g.allocate(A, 1 << 20)).toBe(EINVAL);
    expect(await g.access(undefined as never)).toBe(EINVAL);
  });

  it('reads a BAR register through the region for a guest access', async () => {
    const m = await createMachine(TWO_PORTS);
    const g = await m.guest({ devices: [A] });
    expect(await g.access(A, 0, 8)).toBe(0);
    expect(m.trace.some((r) => r.name === 'hw_access' || r.name === 'vfio_ioctl')).toBe(true);
  });

  it('lets go of a device the host removes (REQ): hot-unplug, then -ENODEV', async () => {
    const m = await createMachine(TWO_PORTS);
    const g = await m.guest({ acpi: { pr3: true } });
    expect(m.inject({ kind: 'surprise-removal', bdf: B })).toBe(0);
    await m.settle();
    expect(g.state(B)?.present).toBe(false);
    expect(texts(g, B)).toContain('hot-unplugged: the host asked for the device back (REQ)');
    expect(attr(m, B, 'power_state')).toBe(-2);
    expect(await g.access(B)).toBe(ENODEV);
    await g.idle();
    await run(m, 300);
    expect(g.state(A)?.power).toBe('D3cold');
    expect(await g.stop()).toBe(0);
    expect(m.invariants()).toEqual([]);
  });
});

describe('m.guest options', () => {
  it('names every problem of bad options', async () => {
    const m = await createMachine(TWO_PORTS);
    const bad = {
      devices: [A, A, 7, { bdf: B, driver: 'amd' }],
      acpi: { pr3: 'yes', wakeup: 1 },
      autosuspendMs: -1,
      nvidiaThresholdBytes: 1.5,
    };
    const e = await m.guest(bad as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GuestOptionsError);
    expect((e as GuestOptionsError).problems).toEqual([
      `devices[1]: ${A} given twice`,
      'devices[2]: a bdf or { bdf, driver }',
      'devices[3].driver: "generic" or "nvidia"',
      'acpi.pr3: true, false or a list of root ports',
      'acpi.wakeup: true or false',
      'autosuspendMs: a number of ms from 0 to 3600000',
      'nvidiaThresholdBytes: a whole number of bytes',
    ]);
    await expect(m.guest({ devices: 'all' } as never)).rejects.toThrow(
      'guest: devices: a list of bdfs or { bdf, driver }',
    );
    await expect(m.guest({ acpi: true } as never)).rejects.toThrow(
      'acpi: an object { pr3, wakeup }',
    );
    await expect(m.guest(3 as never)).rejects.toThrow('guest options: an object');
  });

  it('refuses a device it cannot open, and leaves nothing open', async () => {
    const m = await createMachine(TWO_PORTS);
    await expect(m.guest({ devices: [A, '0000:07:00.0'] })).rejects.toThrow(
      'guest: devices[1]: cannot open 0000:07:00.0: -ENODEV (-19)',
    );
    await m.settle();
    expect(host(m, A)).toEqual(['D3cold', 'suspended']);
  });
});

describe('the guest model under schedule exploration', () => {
  it('delivers exactly one PME per host wake whatever the interleaving', async () => {
    const r = await exploreMachine(
      TWO_PORTS,
      async (m) => {
        const g = await m.guest({ devices: [A], acpi: { pr3: true }, autosuspendMs: 0 });
        await g.idle();
        await m.kernel.sched.runFor(ms(200));
        // The host wake races a guest access (its own _ON).
        await Promise.all([m.host.lspci(A), g.access(A)]);
        await m.kernel.sched.runFor(ms(200));
        const s = g.state(A)!;
        if (s.pmes > 1) throw new Error(`${s.pmes} PMEs for one wake`);
        if (s.power !== 'D3cold') throw new Error(`ended in ${s.power}`);
        await g.stop();
      },
      { mode: 'random', schedules: 25 },
    );
    expect(r.failure?.message).toBeUndefined();
    expect(r.ok).toBe(true);
  });
});
