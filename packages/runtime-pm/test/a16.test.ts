// KERNEL.md A.16: the driver core brackets around probe and unbind (dd.c).
import { describe, expect, it } from 'vitest';
import { EBUSY, ENODEV, ENXIO, EIO, Kernel } from '@vfio-ts/kernel';
import {
  Device,
  __deviceReleaseDriver,
  devDriverString,
  devGetDrvdata,
  devName,
  devSetDrvdata,
  deviceDel,
  deviceDriverAttach,
  deviceReleaseDriver,
  driverProbeDevice,
  pmRuntimeBarrier,
  pmRuntimeEnable,
  pmRuntimePutSync,
  pmRuntimeGetSync,
  pmRuntimePutNoidle,
  pmRuntimeSetActive,
  type DeviceDriver,
} from '@vfio-ts/runtime-pm';
import { FakeDriver, makeDevice, suspendedDevice } from './helpers.js';

describe('A.16 driver core brackets', () => {
  it('A.16.1 probe: parent resumed and held, barrier, probe, async idle, parent put', async () => {
    const k = new Kernel();
    const { dev: p, drv: pd } = suspendedDevice(k, 'p');
    const dev = new Device(k, { name: 'd', parent: p });
    const seen: unknown[] = [];
    const drv: DeviceDriver = {
      name: 'drv',
      probe: (d) => {
        seen.push(p.power.runtimeStatus, p.power.usageCount, d.driver?.name);
        // A driver marks its device active at probe, as PCI does before calling it.
        expect(pmRuntimeSetActive(d)).toBe(0);
        pmRuntimeEnable(d);
        devSetDrvdata(d, { x: 1 });
        return 0;
      },
    };
    expect(await k.run('probe', () => deviceDriverAttach(drv, dev))).toBe(0);
    expect(seen).toEqual(['active', 1, 'drv']);
    expect(devGetDrvdata<{ x: number }>(dev)).toEqual({ x: 1 });
    expect(dev.power.requestPending).toBe(true);
    expect(p.power.usageCount).toBe(0);
    await k.settle();
    expect(dev.power.runtimeStatus).toBe('suspended');
    expect(p.power.runtimeStatus).toBe('suspended');
    expect(pd.calls).toEqual(['resume:p', 'suspend:p']);
    expect(await k.run('probe', () => driverProbeDevice(drv, dev))).toBe(-EBUSY);
  });

  it('A.16.1 a failed probe unbinds, reinits, and still idles; errors come back negative', async () => {
    const k = new Kernel();
    const dev = new Device(k, { name: 'd' });
    for (const ret of [-EIO, EIO, -ENODEV, -ENXIO]) {
      const drv: DeviceDriver = { name: 'bad', probe: () => ret };
      expect(await k.run('probe', () => driverProbeDevice(drv, dev))).toBe(-Math.abs(ret));
      expect(dev.driver).toBeNull();
    }
    expect(k.log.map((l) => l.text)).toEqual([
      'bad: probe of d failed with error -5',
      'bad: probe of d failed with error 5',
      'bad: probe of d rejects match -19',
      'bad: probe of d rejects match -6',
    ]);
  });

  it("A.16.1 the bus's probe wins over the driver's; a driver without probe binds", async () => {
    const k = new Kernel();
    const log: string[] = [];
    const bus = {
      name: 'pci',
      probe: () => (log.push('bus'), 0),
      remove: () => void log.push('bus-remove'),
    };
    const dev = new Device(k, { name: 'd', bus });
    expect(devDriverString(dev)).toBe('pci');
    const drv: DeviceDriver = { name: 'drv', probe: () => (log.push('drv'), 0) };
    expect(await k.run('p', () => driverProbeDevice(drv, dev))).toBe(0);
    expect(devDriverString(dev)).toBe('drv');
    await k.run('r', () => deviceReleaseDriver(dev));
    expect(log).toEqual(['bus', 'bus-remove']);
    const plain = new Device(k, { name: 'x', class: { name: 'net' } });
    expect(devDriverString(plain)).toBe('net');
    expect(devName(plain)).toBe('x');
    expect(await k.run('p', () => driverProbeDevice({ name: 'nop' }, plain))).toBe(0);
  });

  it('A.16.2 unbind: get_sync, put_sync (which may suspend), remove, then cleanup', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    const seen: string[] = [];
    const driver: DeviceDriver = {
      name: 'drv',
      pm: drv.pm,
      remove: (d) => void seen.push(`remove with ${d.power.runtimeStatus}`),
    };
    dev.driver = driver;
    expect(await k.run('g', () => pmRuntimeGetSync(dev))).toBe(0);
    pmRuntimePutNoidle(dev); // the driver left no reference behind
    await k.run('unbind', () => deviceReleaseDriver(dev));
    expect(drv.calls).toEqual(['resume:d', 'suspend:d']);
    expect(seen).toEqual(['remove with suspended']);
    expect(dev.driver).toBeNull();
    await k.run('unbind', () => __deviceReleaseDriver(dev)); // nothing bound: nothing done
    expect(drv.calls).toHaveLength(2);
  });

  it('A.16 device_del unbinds, removes runtime PM and leaves the parent', async () => {
    const k = new Kernel();
    const { dev: p } = suspendedDevice(k, 'p');
    const { dev } = makeDevice(k, 'd', { parent: p, drv: new FakeDriver(k) });
    expect(p.children).toEqual([dev]);
    await k.run('del', () => deviceDel(dev));
    expect(p.children).toEqual([]);
    expect(dev.registered).toBe(false);
    expect(await k.run('probe', () => driverProbeDevice({ name: 'x' }, dev))).toBe(-ENODEV);
    const orphan = new Device(k, { name: 'o' });
    await k.run('del', () => deviceDel(orphan));
    expect(orphan.registered).toBe(false);
  });

  // A bus whose probe/remove bracket the driver as local_pci_probe()/pci_device_remove() do,
  // to check that the driver-core bracket composes with it.
  function pciLikeBus(log: string[]) {
    return {
      name: 'pci',
      probe: async (d: Device): Promise<number> => {
        await pmRuntimeGetSync(d);
        const ret = await (d.driver?.probe?.(d) ?? 0);
        if (ret < 0) await pmRuntimePutSync(d);
        return ret < 0 ? ret : 0;
      },
      remove: async (d: Device): Promise<void> => {
        await pmRuntimeGetSync(d);
        await pmRuntimeBarrier(d);
        await d.driver?.remove?.(d);
        pmRuntimePutNoidle(d);
        log.push('removed');
        await pmRuntimePutSync(d);
      },
    };
  }

  it('A.16.3 a bus probe that keeps its reference on success leaves the device active', async () => {
    const k = new Kernel();
    const dev = new Device(k, { name: 'd', bus: pciLikeBus([]) });
    expect(pmRuntimeSetActive(dev)).toBe(0);
    pmRuntimeEnable(dev);
    expect(await k.run('probe', () => driverProbeDevice({ name: 'ok', probe: () => 0 }, dev))).toBe(
      0,
    );
    await k.settle();
    expect(dev.power).toMatchObject({ usageCount: 1, runtimeStatus: 'active' });
    const bad = new Device(k, { name: 'b', bus: pciLikeBus([]) });
    expect(pmRuntimeSetActive(bad)).toBe(0);
    pmRuntimeEnable(bad);
    const ret = await k.run('probe', () =>
      driverProbeDevice({ name: 'bad', probe: () => -EIO }, bad),
    );
    expect(ret).toBe(-EIO);
    await k.settle();
    expect(bad.power).toMatchObject({ usageCount: 0 });
  });

  it('A.16.4 unbind through such a bus remove drops the probe reference and suspends', async () => {
    const k = new Kernel();
    const log: string[] = [];
    const dev = new Device(k, { name: 'd', bus: pciLikeBus(log) });
    expect(pmRuntimeSetActive(dev)).toBe(0);
    pmRuntimeEnable(dev);
    const drv: DeviceDriver = { name: 'ok', probe: () => 0, remove: () => void log.push('drv') };
    expect(await k.run('probe', () => driverProbeDevice(drv, dev))).toBe(0);
    await k.run('unbind', () => deviceReleaseDriver(dev));
    expect(log).toEqual(['drv', 'removed']);
    expect(dev.power).toMatchObject({ usageCount: 0, runtimeStatus: 'suspended' });
  });
});
