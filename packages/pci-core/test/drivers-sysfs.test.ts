// Binding and unbinding PCI drivers as Linux does it (driver_override, bind/unbind, new_id,
// drivers_probe; pci_match_device), and the remaining sysfs attributes (FORMAT.md section 5).
import { describe, expect, it } from 'vitest';
import { EACCES, EBUSY, EEXIST, EINVAL, EIO, ENODEV, ENOENT } from '@vfio-ts/kernel';
import {
  PCI_D0,
  PCI_D3hot,
  PCI_DEVICE_ID_ANY,
  pciIsEnabled,
  pciMatchDevice,
  pciMatchOneDevice,
  pciSetPowerState,
  toPciDriver,
} from '@vfio-ts/pci-core';
import { powerAttrRead } from '@vfio-ts/runtime-pm';
import { machine, synthHw, TestDriver } from './pci-machine.js';

const EP = '/sys/bus/pci/devices/0000:01:00.0';

/** A driver that matches nothing by itself (as vfio-pci: override only). */
function vfioLike(): TestDriver {
  return new TestDriver('vfio-pci', [{ overrideOnly: true }]);
}

describe('pci_match_device and driver_override', () => {
  it('matches vendor/device/subsystem/class with PCI_ANY_ID defaults', async () => {
    const m = await machine();
    const id = (o: object) => pciMatchOneDevice(o, m.ep);
    expect(id({})).toBe(true);
    expect(id({ vendor: 0x8086, device: 0x10d3 })).toBe(true);
    expect(id({ vendor: 0x8086, device: 0x10d4 })).toBe(false);
    expect(id({ subvendor: m.ep.subsystemVendor, subdevice: 0xffffffff })).toBe(true);
    expect(id({ subvendor: 0x1 })).toBe(false);
    expect(id({ classCode: 0x020000, classMask: 0xffff00 })).toBe(true);
    expect(id({ classCode: 0x030000, classMask: 0xff0000 })).toBe(false);
    expect(m.sysfs.read(`${EP}/class`)).toBe('0x020000\n');
  });

  it('driver_override wins: only that driver matches, and it always matches', async () => {
    const m = await machine();
    const native = new TestDriver('e1000e');
    const vfio = vfioLike();
    await m.k.run('reg', async () => {
      await m.topo.registerDriver(vfio);
      m.ep.driverOverride = 'vfio-pci';
      await m.topo.registerDriver(native);
    });
    expect(m.ep.driver).toBeNull();
    const regNative = m.topo.drivers.get('e1000e')!;
    const regVfio = m.topo.drivers.get('vfio-pci')!;
    expect(pciMatchDevice(regNative, m.ep)).toBeNull();
    expect(pciMatchDevice(regVfio, m.ep)).toEqual({ overrideOnly: true });
    m.ep.driverOverride = 'other';
    expect(pciMatchDevice(regVfio, m.ep)).toBeNull();
    const plain = new TestDriver('plain', []);
    await m.k.run('reg', () => m.topo.registerDriver(plain));
    m.ep.driverOverride = 'plain';
    expect(pciMatchDevice(m.topo.drivers.get('plain')!, m.ep)).toBe(PCI_DEVICE_ID_ANY);
    m.ep.driverOverride = null;
    expect(pciMatchDevice(regVfio, m.ep)).toBeNull();
    expect(await m.k.run('reg', () => m.topo.registerDriver(new TestDriver('plain')))).toBe(
      -EEXIST,
    );
  });

  it('FORMAT.md 7: driver_override, then drivers/vfio-pci/bind; control becomes auto, usage 0, D3hot', async () => {
    const m = await machine({ rootPort: { model: 'qemu-pcie-root-port', hotplug: true } });
    const vfio = vfioLike();
    await m.k.run('reg', () => m.topo.registerDriver(vfio));
    expect(m.sysfs.read(`${EP}/driver_override`)).toBe('(null)\n');
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/driver_override`, 'vfio-pci\n'))).toBe(9);
    expect(m.sysfs.read(`${EP}/driver_override`)).toBe('vfio-pci\n');
    expect(
      await m.k.run('w', () =>
        m.sysfs.write('/sys/bus/pci/drivers/vfio-pci/bind', '0000:01:00.0\n'),
      ),
    ).toBe(13);
    expect(m.sysfs.readlink(`${EP}/driver`)).toBe('/sys/bus/pci/drivers/vfio-pci');
    await m.k.settle();
    expect(powerAttrRead(m.ep, 'control')).toBe('auto\n');
    expect(powerAttrRead(m.ep, 'runtime_usage')).toBe('0\n');
    expect(m.sysfs.read(`${EP}/power_state`)).toBe('D3hot\n');
    expect(m.sysfs.read(`${EP}/power/runtime_status`)).toBe('suspended\n');
    expect(powerAttrRead(m.rp, 'runtime_active_kids')).toBe('0\n');
  });

  it('bind refuses unknown devices, non-matching drivers and bound devices; unbind only its own', async () => {
    const m = await machine();
    const vfio = vfioLike();
    const other = new TestDriver('other', [{ vendor: 0xabcd }]);
    await m.k.run('reg', async () => {
      await m.topo.registerDriver(vfio);
      await m.topo.registerDriver(other);
    });
    const bind = (drv: string, text: string) =>
      m.k.run('b', () => m.sysfs.write(`/sys/bus/pci/drivers/${drv}/bind`, text));
    const unbind = (drv: string, text: string) =>
      m.k.run('u', () => m.sysfs.write(`/sys/bus/pci/drivers/${drv}/unbind`, text));
    expect(await bind('vfio-pci', '0000:09:00.0')).toBe(-ENODEV);
    expect(await bind('vfio-pci', '0000:01:00.0')).toBe(-ENODEV);
    expect(await bind('other', '0000:01:00.0')).toBe(-ENODEV);
    m.ep.driverOverride = 'vfio-pci';
    expect(await bind('vfio-pci', '0000:01:00.0')).toBe(12);
    expect(await bind('vfio-pci', '0000:01:00.0')).toBe(-EBUSY);
    expect(await unbind('other', '0000:01:00.0')).toBe(-ENODEV);
    expect(await unbind('vfio-pci', 'garbage')).toBe(-ENODEV);
    expect(await unbind('vfio-pci', '0000:01:00.0\n')).toBe(13);
    expect(m.ep.driver).toBeNull();
    expect(m.sysfs.readlink(`${EP}/driver`)).toBe(-ENOENT);
    expect(await bind('nosuch', '0000:01:00.0')).toBe(-ENOENT);
    expect(
      await m.k.run('x', () => m.sysfs.write('/sys/bus/pci/drivers/vfio-pci/nosuch', 'x')),
    ).toBe(-ENOENT);
    expect(m.sysfs.read('/sys/bus/pci/drivers/vfio-pci/bind')).toBe(-EACCES);
    expect(m.sysfs.read('/sys/bus/pci/drivers/vfio-pci/nosuch')).toBe(-ENOENT);
    expect(m.sysfs.read('/sys/bus/pci/drivers_probe')).toBe(-EACCES);
  });

  it('a failing probe is reported by bind as the probe error', async () => {
    const m = await machine();
    const drv = new TestDriver();
    drv.probeRet = -EIO;
    await m.k.run('reg', () => m.topo.registerDriver(drv));
    expect(
      await m.k.run('b', () => m.sysfs.write('/sys/bus/pci/drivers/testdrv/bind', '0000:01:00.0')),
    ).toBe(-EIO);
    expect(m.ep.driver).toBeNull();
  });

  it('driver_override: "\\n" or "" clears it; text after a newline is dropped; too long is -EINVAL', async () => {
    const m = await machine();
    const w = (t: string) => m.k.run('w', () => m.sysfs.write(`${EP}/driver_override`, t));
    expect(await w('abc\ndef')).toBe(7);
    expect(m.ep.driverOverride).toBe('abc');
    expect(await w('\n')).toBe(1);
    expect(m.ep.driverOverride).toBeNull();
    await w('x');
    expect(await w('')).toBe(0);
    expect(m.ep.driverOverride).toBeNull();
    expect(await w('y'.repeat(4095))).toBe(-EINVAL);
    expect(m.ep.driverOverride).toBeNull();
  });

  it('new_id adds a dynamic id and binds; remove_id takes it away; bad input is -EINVAL', async () => {
    const m = await machine();
    const drv = new TestDriver('stub', []);
    await m.k.run('reg', () => m.topo.registerDriver(drv));
    const w = (f: string, t: string) =>
      m.k.run('w', () => m.sysfs.write(`/sys/bus/pci/drivers/stub/${f}`, t));
    expect(await w('new_id', '8086')).toBe(-EINVAL);
    expect(await w('new_id', 'zz 10d3')).toBe(-EINVAL);
    expect(await w('new_id', '8086 10d3\n')).toBe(10);
    expect(m.ep.driver?.name).toBe('stub');
    expect(await w('new_id', '8086 10d3')).toBe(-EEXIST);
    expect(await w('new_id', '0x8086 0x10d4 ffffffff ffffffff 0 0 0')).toBe(37);
    expect(toPciDriver(m.ep.driver!)!.dynids.length).toBe(2);
    expect(toPciDriver(m.ep.driver!)!.driver).toBe(m.ep.driver);
    expect([toPciDriver({ name: 'stub' }), toPciDriver(null)]).toEqual([null, null]);
    expect(await w('remove_id', '8086')).toBe(-EINVAL);
    expect(await w('remove_id', '8086 1234')).toBe(-ENODEV);
    expect(await w('remove_id', '8086 10d3 ffffffff ffffffff 0 0')).toBe(31);
    expect(toPciDriver(m.ep.driver!)!.dynids.length).toBe(1);
    const tabled = new TestDriver('tabled', [{ vendor: 0xabcd, driverData: 7 }]);
    await m.k.run('reg', () => m.topo.registerDriver(tabled));
    const t = (s: string) =>
      m.k.run('w', () => m.sysfs.write('/sys/bus/pci/drivers/tabled/new_id', s));
    expect(await t('1 2 3 4 5 6 8')).toBe(-EINVAL);
    expect(await t('1 2 3 4 5 6 7')).toBe(13);
  });

  it('drivers_probe attaches a driver per driver_override; unknown devices are -ENODEV', async () => {
    const m = await machine();
    const vfio = vfioLike();
    await m.k.run('reg', () => m.topo.registerDriver(vfio));
    const probe = (t: string) => m.k.run('p', () => m.sysfs.write('/sys/bus/pci/drivers_probe', t));
    expect(await probe('0000:01:00.0')).toBe(12);
    expect(m.ep.driver).toBeNull();
    m.ep.driverOverride = 'vfio-pci';
    expect(await probe('0000:01:00.0\n')).toBe(13);
    expect(m.ep.driver?.name).toBe('vfio-pci');
    expect(await probe('0000:01:00.0')).toBe(12);
    expect(await probe('0000:02:00.0')).toBe(-ENODEV);
  });

  it('unregistering a driver unbinds it from its devices', async () => {
    const m = await machine();
    const drv = new TestDriver();
    await m.k.run('reg', () => m.topo.registerDriver(drv));
    await m.k.run('unreg', () => m.topo.unregisterDriver('testdrv'));
    expect(m.ep.driver).toBeNull();
    expect(drv.calls).toContain('remove 0000:01:00.0');
    await m.k.run('unreg', () => m.topo.unregisterDriver('testdrv'));
    expect(m.sysfs.list('/sys/bus/pci/drivers')).toEqual(['pcieport']);
  });
});

describe('device attributes (FORMAT.md section 5)', () => {
  it('identity files print as pci-sysfs.c does', async () => {
    const m = await machine();
    expect(m.sysfs.read(`${EP}/vendor`)).toBe('0x8086\n');
    expect(m.sysfs.read(`${EP}/device`)).toBe('0x10d3\n');
    expect(m.sysfs.read(`${EP}/subsystem_vendor`)).toBe('0x8086\n');
    expect(m.sysfs.read(`${EP}/subsystem_device`)).toBe('0x0000\n');
    expect(m.sysfs.read(`${EP}/revision`)).toBe('0x00\n');
    expect(m.sysfs.read('/sys/bus/pci/devices/0000:00:04.0/class')).toBe('0x060400\n');
  });

  it('power_state follows current_state; read-only files refuse writes (-EACCES)', async () => {
    const m = await machine();
    expect(m.sysfs.read(`${EP}/power_state`)).toBe('D0\n');
    await m.k.run('d3', () => pciSetPowerState(m.ep, PCI_D3hot));
    expect(m.sysfs.read(`${EP}/power_state`)).toBe('D3hot\n');
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/power_state`, 'D0'))).toBe(-EACCES);
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/vendor`, '1'))).toBe(-EACCES);
    expect(m.sysfs.read(`${EP}/remove`)).toBe(-EACCES);
  });

  it('enable: "1" enables (D0, decode), "0" disables, "0" again -EIO, busy with a driver, bad -EINVAL', async () => {
    const m = await machine();
    const w = (t: string) => m.k.run('w', () => m.sysfs.write(`${EP}/enable`, t));
    expect(m.sysfs.read(`${EP}/enable`)).toBe('0\n');
    await m.k.run('d3', () => pciSetPowerState(m.ep, PCI_D3hot));
    expect(await w('1')).toBe(1);
    expect(m.ep.currentState).toBe(PCI_D0);
    expect(pciIsEnabled(m.ep)).toBe(true);
    expect(m.sysfs.read(`${EP}/enable`)).toBe('1\n');
    expect(m.ep.hw.configRead(4, 2) & 3).toBe(3);
    expect(await w('1')).toBe(1);
    expect(await w('0')).toBe(1);
    expect(await w('0')).toBe(1);
    expect(await w('0')).toBe(-EIO);
    expect(await w('x')).toBe(-EINVAL);
    await m.k.run('reg', () => m.topo.registerDriver(new TestDriver()));
    expect(await w('1')).toBe(-EBUSY);
  });

  it('power/ files come from runtime-pm; power/wakeup exists only for wakeup-capable devices', async () => {
    const m = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: 0xc803 }) } });
    expect(m.sysfs.read(`${EP}/power/runtime_status`)).toBe('active\n');
    expect(m.sysfs.read(`${EP}/power/wakeup`)).toBe('disabled\n');
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/power/wakeup`, 'enabled\n'))).toBe(8);
    expect(m.ep.wakeupEnabled).toBe(true);
    expect(m.sysfs.read(`${EP}/power/wakeup`)).toBe('enabled\n');
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/power/wakeup`, 'disabled'))).toBe(8);
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/power/wakeup`, 'maybe'))).toBe(-EINVAL);
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/power/control`, 'sometimes'))).toBe(
      -EINVAL,
    );
    expect(m.sysfs.list(`${EP}/power`)).toContain('wakeup');
    const n = await machine();
    expect(n.sysfs.read(`${EP}/power/wakeup`)).toBe(-ENOENT);
    expect(await n.k.run('w', () => n.sysfs.write(`${EP}/power/wakeup`, 'enabled'))).toBe(-ENOENT);
    expect(n.sysfs.exists(`${EP}/power/wakeup`)).toBe(false);
    expect(n.sysfs.exists(`${EP}/power/control`)).toBe(true);
    expect(n.sysfs.list(`${EP}/power`)).not.toContain('wakeup');
  });

  it('remove: a nonzero value removes the device; "0" does nothing; bad -EINVAL', async () => {
    const m = await machine();
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/remove`, 'x'))).toBe(-EINVAL);
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/remove`, '0'))).toBe(1);
    expect(m.topo.lookup('0000:01:00.0')).toBe(m.ep);
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/remove`, '1'))).toBe(1);
    expect(m.topo.lookup('0000:01:00.0')).toBeUndefined();
    expect(m.sysfs.read(`${EP}/vendor`)).toBe(-ENOENT);
    expect(m.rp.power.childCount).toBe(0);
  });

  it('listing, existence and unknown paths', async () => {
    const m = await machine();
    expect(m.sysfs.list('/sys/bus/pci/devices')).toEqual(['0000:00:04.0', '0000:01:00.0']);
    const files = m.sysfs.list(`${EP}/`) as string[];
    expect(files).toEqual(
      expect.arrayContaining([
        'config',
        'power_state',
        'd3cold_allowed',
        'reset',
        'reset_method',
        'driver_override',
      ]),
    );
    expect(files).not.toContain('sriov_numvfs');
    expect(m.sysfs.list('/sys/bus/pci/drivers/pcieport')).toEqual([
      'bind',
      'unbind',
      'new_id',
      'remove_id',
    ]);
    expect(m.sysfs.list('/sys/bus/pci/nope')).toBe(-ENOENT);
    expect(m.sysfs.list('/sys/bus/pci/drivers/nope')).toBe(-ENOENT);
    expect(m.sysfs.exists(`${EP}/config`)).toBe(true);
    expect(m.sysfs.exists(`${EP}/nope`)).toBe(false);
    expect(m.sysfs.exists('/sys/bus/pci/drivers/pcieport/bind')).toBe(true);
    expect(m.sysfs.exists('/sys/bus/pci/drivers/nope/bind')).toBe(false);
    expect(m.sysfs.exists('/sys/bus/pci/drivers_probe')).toBe(true);
    expect(m.sysfs.exists('/nope')).toBe(false);
    expect(m.sysfs.read('/nope')).toBe(-ENOENT);
    expect(m.sysfs.read(`${EP}/nope`)).toBe(-ENOENT);
    expect(m.sysfs.read(`${EP}/toString`)).toBe(-ENOENT);
  });

  it('paths resolve as sysfs names them: trailing slashes dropped, no empty or extra parts', async () => {
    const m = await machine();
    expect(m.sysfs.read(`${EP}/power_state//`)).toBe('D0\n');
    expect(m.sysfs.read(`${EP}/power/runtime_status/`)).toBe('active\n');
    expect(m.sysfs.exists(`${EP}/power/`)).toBe(false);
    for (const p of [
      EP,
      '/sys/bus/pci/devices/',
      '/sys/bus/pci/devices//power_state',
      `${EP}/power/runtime_status/x`,
      `${EP}/power//runtime_status`,
      `${EP}/d3cold_allowed/x`,
      `${EP}//power_state`,
      '/sys/bus/pci/devices/0000:09:00.0/power_state',
      '/sys/bus/pci/devices/0000:09:00.0/power/control',
    ])
      expect([p, m.sysfs.read(p)]).toEqual([p, -ENOENT]);
    expect(m.sysfs.read(`${EP}/power/nope`)).toBe(-ENOENT);
    expect(await m.k.run('w', () => m.sysfs.write('/nope', '1'))).toBe(-ENOENT);
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/nope`, '1'))).toBe(-ENOENT);
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/config`, '1'))).toBe(-EINVAL);
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/power/runtime_status`, '1'))).toBe(
      -EACCES,
    );
    expect(m.sysfs.readlink('/sys/bus/pci/devices/0000:00:04.0/driver')).toBe(
      '/sys/bus/pci/drivers/pcieport',
    );
    expect(m.sysfs.readlink('/nope')).toBe(-ENOENT);
    expect(await m.k.run('r', () => m.sysfs.readBinary(`${EP}/nope`, 0, 1))).toBe(-ENOENT);
    expect(
      await m.k.run('r', () => m.sysfs.writeBinary(`${EP}/vendor`, 0, new Uint8Array(1))),
    ).toBe(-EINVAL);
  });
});
