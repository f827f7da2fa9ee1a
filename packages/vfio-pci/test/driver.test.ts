import { describe, expect, it } from 'vitest';
import { PciSysfs } from '@vfio-ts/pci-core';
import { BDF, close, open, setup } from './machine.js';

const DEV = `/sys/bus/pci/devices/${BDF}`;

describe('vfio-pci driver binding through sysfs', () => {
  it('driver_override + drivers/vfio-pci/bind binds; power/control becomes auto with usage 0 (FORMAT.md §7)', async () => {
    const m = await setup({ bind: false });
    m.ep.driverOverride = null;
    await m.k.run('reg', () => m.topo.registerDriver(m.drv));
    expect(m.ep.driver).toBeNull();
    const sysfs = new PciSysfs(m.topo);
    expect(
      await m.k.run('w', () => sysfs.write(`${DEV}/driver_override`, 'vfio-pci\n')),
    ).toBeGreaterThan(0);
    expect(await m.k.run('w', () => sysfs.write('/sys/bus/pci/drivers/vfio-pci/bind', BDF))).toBe(
      BDF.length,
    );
    await m.k.settle();
    expect(m.ep.driver?.name).toBe('vfio-pci');
    expect(sysfs.read(`${DEV}/power/control`)).toBe('auto\n');
    expect(sysfs.read(`${DEV}/power/runtime_usage`)).toBe('0\n');
    expect(sysfs.read(`${DEV}/power/runtime_status`)).toBe('suspended\n');
    expect(sysfs.read(`${DEV}/power_state`)).toBe('D3hot\n');
  });

  it('unbind through sysfs waits for no fd and leaves the device active with runtime PM forbidden', async () => {
    const m = await setup();
    const sysfs = new PciSysfs(m.topo);
    const fd = await open(m);
    await close(m, fd);
    expect(await m.k.run('w', () => sysfs.write('/sys/bus/pci/drivers/vfio-pci/unbind', BDF))).toBe(
      BDF.length,
    );
    expect(m.ep.driver).toBeNull();
    expect(sysfs.read(`${DEV}/power/control`)).toBe('on\n');
    expect(m.drv.devices.size).toBe(0);
  });

  it('the driver has no static ids: without driver_override it binds nothing', async () => {
    const m = await setup({ bind: false });
    m.ep.driverOverride = null;
    await m.k.run('reg', () => m.topo.registerDriver(m.drv));
    expect(m.ep.driver).toBeNull();
    expect(m.drv.idTable).toEqual([]);
  });

  it('the ids= module option binds matching functions', async () => {
    const m = await setup({ bind: false, ids: [{ vendor: 0x8086, device: 0x10d3 }] });
    m.ep.driverOverride = null;
    await m.k.run('reg', () => m.topo.registerDriver(m.drv));
    expect(m.ep.driver?.name).toBe('vfio-pci');
  });
});
