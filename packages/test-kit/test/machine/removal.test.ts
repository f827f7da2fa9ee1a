// Surprise removal of a function and an eventfd closed before the wake-up.
import { describe, expect, it } from 'vitest';
import { createMachine } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';
import { BDF, counter, engagedWithWakeup, ENTRY, feature } from '../pm/helpers.js';

const DEV = `/sys/bus/pci/devices/${BDF}`;
const EAGAIN = 11;
const ENOENT = 2;

const machine = (config = 'e1000e') =>
  createMachine({
    rootPorts: [{ name: 'rp0', d3cold: true }],
    devices: [{ bdf: BDF, rootPort: 'rp0', config }],
  });

describe('surprise removal', () => {
  it('removes an unused device in D3cold at once', async () => {
    const m = await machine();
    expect(m.sysfs.read(`${DEV}/power_state`)).toBe('D3cold\n');
    expect(m.inject({ kind: 'surprise-removal', bdf: BDF })).toBe(0);
    await m.settle();
    expect(m.topology.lookup(BDF)).toBeUndefined();
    expect(m.sysfs.read(`${DEV}/power_state`)).toBe(-ENOENT);
    expect(m.vfioPci.devices.size).toBe(0);
    expect(await m.process().openDevice(BDF)).toBeLessThan(0);
    expect(m.invariants()).toEqual([]);
  });

  it('waits for the user of an engaged D3cold device, asking through the REQ eventfd every 10 s', async () => {
    const m = await machine();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    const req = await p.eventfd(0, { nonblock: true });
    const irq = VFIO.irqSet.encode({
      flags: VFIO.IRQ_SET_DATA_EVENTFD | VFIO.IRQ_SET_ACTION_TRIGGER,
      index: VFIO.PCI_REQ_IRQ_INDEX,
      start: 0,
      eventfds: [req],
    });
    expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, irq)).toBe(0);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(m.sysfs.read(`${DEV}/power_state`)).toBe('D3cold\n');
    const dev = m.topology.lookup(BDF);
    expect(m.inject({ kind: 'surprise-removal', bdf: BDF })).toBe(0);
    // settle() returns although vfio_unregister_group_dev() keeps waiting for the fd.
    await m.settle();
    expect(await counter(p, req)).toBe(1);
    expect(m.topology.lookup(BDF)).toBe(dev);
    const t = m.clock.now();
    await m.kernel.sched.runFor(10_000e6);
    expect(m.clock.now() - t).toBe(10_000e6);
    expect(await counter(p, req)).toBe(1);
    // The device is gone: config reads through vfio see no hardware, ioctls fail.
    expect(await p.ioctl(fd, VFIO.DEVICE_GET_INFO, new Uint8Array(32))).toBeLessThan(0);
    await m.settle();
    expect(await p.close(fd)).toBe(0);
    await m.settle();
    expect(m.topology.lookup(BDF)).toBeUndefined();
    expect(m.vfioPci.devices.size).toBe(0);
    expect(await counter(p, req)).toBe(-EAGAIN);
    expect(m.invariants()).toEqual([]);
  });

  it('removes a device in use in D0 once its mapping and fd are gone', async () => {
    const m = await machine('nvidia-h100');
    const p = m.process();
    const fd = await p.openDevice(BDF);
    const map = await p.mmap(fd, VFIO.regionOffset(0), 4096);
    if (typeof map === 'number') throw new Error(`mmap: ${map}`);
    const dev = m.topology.lookup(BDF);
    expect(m.inject({ kind: 'surprise-removal', bdf: BDF })).toBe(0);
    await m.settle();
    expect(m.topology.lookup(BDF)).toBe(dev);
    expect(await p.munmap(map)).toBe(0);
    await m.settle();
    expect(m.topology.lookup(BDF)).toBe(dev);
    await p.exit();
    await m.settle();
    expect(m.topology.lookup(BDF)).toBeUndefined();
    expect(m.invariants()).toEqual([]);
  });
});

describe('surprise removal of a function without a driver', () => {
  it('removes it at once and leaves its sibling alone', async () => {
    const m = await createMachine({
      rootPorts: [{ name: 'rp0', d3cold: true }],
      devices: [
        { bdf: BDF, rootPort: 'rp0', config: 'e1000e', driver: null },
        { bdf: '0000:01:00.1', rootPort: 'rp0', config: 'e1000e' },
      ],
    });
    const sibling = m.topology.lookup('0000:01:00.1');
    expect(m.inject({ kind: 'surprise-removal', bdf: BDF })).toBe(0);
    await m.settle();
    expect(m.topology.lookup(BDF)).toBeUndefined();
    expect(m.topology.lookup('0000:01:00.1')).toBe(sibling);
    expect(sibling?.registered).toBe(true);
    const p = m.process();
    expect(await p.openDevice('0000:01:00.1')).toBe(0);
    expect(m.invariants()).toEqual([]);
  });
});

describe('an eventfd closed by the user before the wake-up', () => {
  it('keeps the context alive through the kernel reference; the signal is lost, nothing breaks', async () => {
    const m = await machine();
    const { p, fd, efd } = await engagedWithWakeup(m);
    const ctx = m.vfioPciDevice(BDF)!.pmWakeEventfdCtx!;
    expect(ctx).not.toBeNull();
    expect(ctx.refs).toBe(2);
    expect(await p.close(efd)).toBe(0);
    expect(ctx.refs).toBe(1);
    expect(await counter(p, efd)).toBe(-9);
    // A host config read wakes the D3cold device: the resume signals the orphaned context.
    expect(await m.host.lspci(BDF)).toMatch(
      /^01:00\.0 Class 0200: Device 8086:10d3\n00: 86 80 d3 10/,
    );
    await m.settle();
    expect(ctx.signals).toBe(1);
    expect(ctx.refs).toBe(0);
    expect(m.vfioPciDevice(BDF)!.pmWakeEventfdCtx).toBeNull();
    expect(m.sysfs.read(`${DEV}/power/runtime_status`)).toBe('active\n');
    expect(await p.close(fd)).toBe(0);
    await m.settle();
    expect(m.sysfs.read(`${DEV}/power_state`)).toBe('D3cold\n');
    expect(m.invariants()).toEqual([]);
  });
});
