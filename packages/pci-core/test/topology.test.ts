// Building a topology: addresses, lookups, bridges, removal, trace events, sysfs parsers.
import { describe, expect, it } from 'vitest';
import { Kernel } from '@vfio-ts/kernel';
import {
  NoPlatform,
  PCI_CORE_TRACE_EVENTS,
  PCI_D0,
  PCI_D3hot,
  PciTopology,
  createBuiltinHw,
  defaultVfHw,
  formatBdf,
  isHotplugCapable,
  kstrtou16,
  kstrtoul,
  kstrtoull,
  parseBdf,
  pciBusDevices,
  pciReadConfigDword,
  pciSetPowerState,
  sscanfHex,
  sysfsStreq,
  toPciDev,
} from '@vfio-ts/pci-core';
import { Device } from '@vfio-ts/runtime-pm';
import { machine, synthHw, synthPort } from './pci-machine.js';

describe('PciTopology', () => {
  it('builds host bridge → root port → endpoint; lookups by bdf and name; iteration in tree order', async () => {
    const m = await machine();
    expect(m.topo.hostBridge.name).toBe('pci0000:00');
    expect(m.rp.parent).toBe(m.topo.hostBridge);
    expect(m.ep.parent).toBe(m.rp);
    expect(m.topo.lookup('0000:01:00.0')).toBe(m.ep);
    expect(m.topo.lookup('0000:01:00.0'.toUpperCase())).toBe(m.ep);
    expect(m.topo.port('rp0')).toBe(m.rp);
    expect(m.topo.port('0000:00:04.0')).toBe(m.rp);
    expect([...m.topo].map((d) => d.bdf)).toEqual(['0000:00:04.0', '0000:01:00.0']);
    expect(m.topo.rootPortFirmware(m.rp)).toMatchObject({ name: 'rp0' });
    expect(m.rp.subordinate?.number).toBe(1);
    expect(m.rp.subordinate?.isRoot).toBe(false);
    expect(m.topo.rootBus.isRoot).toBe(true);
    expect(pciBusDevices(m.topo.rootBus)).toEqual([m.rp, m.ep]);
    expect(m.topo.hostBridge.power.disableDepth).toBe(1);
  });

  it('refuses malformed, duplicate and misplaced addresses, missing models and non-bridges', async () => {
    const k = new Kernel();
    const topo = new PciTopology(k);
    expect(() => topo.addRootPort({ bdf: '00:04.0' })).toThrow(/not a PCI address/);
    expect(() => topo.addRootPort({ bdf: '0000:00:20.0' })).toThrow(/not a PCI address/);
    expect(() => topo.addRootPort({ bdf: '0000:05:04.0' })).toThrow(/is not on bus 00/);
    topo.addRootPort({ name: 'rp', bdf: '0000:00:04.0' });
    expect(() => topo.addRootPort({ bdf: '0000:00:04.0' })).toThrow(/exists already/);
    expect(() =>
      topo.addEndpoint({ bdf: '0000:01:00.0', rootPort: 'nope', model: 'e1000e' }),
    ).toThrow(/no bridge "nope"/);
    expect(() => topo.addEndpoint({ bdf: '0000:01:00.0', rootPort: 'rp' })).toThrow(
      /give a model or hw/,
    );
    expect(() =>
      topo.addEndpoint({ bdf: '0000:01:00.0', rootPort: 'rp', model: 'nope' as never }),
    ).toThrow(/unknown device model/);
    expect(() => topo.addRootPort({ bdf: '0000:00:05.0', model: 'e1000e' })).toThrow(
      /no type-1 header/,
    );
    expect(() => topo.addRootPort({ bdf: '0000:00:06.0', secondaryBus: 1 })).toThrow(
      /bus 1 is taken/,
    );
    const ep = topo.addEndpoint({ bdf: '0000:01:00.0', rootPort: 'rp', model: 'e1000e' });
    expect(() => topo.addEndpoint({ bdf: '0000:02:00.0', rootPort: ep, model: 'e1000e' })).toThrow(
      /no bridge "0000:01:00.0"/,
    );
    const second = topo.addRootPort({ bdf: '0000:00:07.0', secondaryBus: 9 });
    expect(second.subordinate?.number).toBe(9);
    expect(topo.addRootPort({ bdf: '0000:00:08.0' }).subordinate?.number).toBe(2);
  });

  it('a root-bus endpoint (no port) and a hotplug port from its Slot Capabilities', async () => {
    const k = new Kernel();
    const topo = new PciTopology(k, new NoPlatform(), {
      domain: 1,
      rootBus: 0x80,
      hostBridgeWakeup: true,
    });
    const rciep = topo.addEndpoint({ bdf: '0001:80:02.0', hw: synthHw() });
    expect(rciep.bdf).toBe('0001:80:02.0');
    expect(topo.hostBridge.name).toBe('pci0001:80');
    expect(topo.hostBridge.wakeupCapable).toBe(true);
    const hp = topo.addRootPort({ bdf: '0001:80:1c.0', hw: synthPort({ slot: { hpc: true } }) });
    expect(hp.isHotplugBridge).toBe(true);
    expect(hp.subordinate?.slot?.hotplug).toBe(true);
    const nohp = topo.addRootPort({ bdf: '0001:80:1d.0', hw: synthPort({ slot: { hpc: false } }) });
    expect(isHotplugCapable(nohp)).toBe(false);
    const qemu = topo.addRootPort({ bdf: '0001:80:1e.0', model: 'qemu-pcie-root-port' });
    expect(qemu.isHotplugBridge).toBe(true);
    await k.run('boot', () => topo.busAddDevices());
    expect(rciep.matchDriver).toBe(true);
  });

  it('removing a bridge removes what is behind it first and frees its bus number', async () => {
    const m = await machine();
    await m.k.run('rm', () => m.topo.removeDevice(m.rp));
    expect(m.topo.devices()).toEqual([]);
    expect([m.ep.registered, m.rp.registered]).toEqual([false, false]);
    expect(m.topo.port('rp0')).toBeUndefined();
    expect(m.topo.addRootPort({ bdf: '0000:00:04.0' }).subordinate?.number).toBe(1);
  });

  it('busAddDevices only adds devices not added yet', async () => {
    const m = await machine();
    const ep2 = m.topo.addEndpoint({ bdf: '0000:01:00.1', rootPort: 'rp0', model: 'e1000e' });
    expect(ep2.matchDriver).toBe(false);
    await m.k.run('boot', () => m.topo.busAddDevices());
    expect(ep2.matchDriver).toBe(true);
  });

  it('toPciDev refuses other devices; defaultVfHw needs a PF with ids', async () => {
    const m = await machine();
    expect(() => toPciDev(m.topo.hostBridge)).toThrow(/not a PCI device/);
    expect(toPciDev(m.ep as Device)).toBe(m.ep);
    const vf = defaultVfHw(m.ep, 0);
    expect(vf.configRead(0, 4)).toBe(0x10d38086);
    expect(formatBdf(0, 0x12, 0x0a)).toBe('0000:12:01.2');
    expect(parseBdf('0000:01:00.0')).toEqual({ domain: 0, bus: 1, devfn: 0 });
    expect(parseBdf('nope')).toBeNull();
    expect(createBuiltinHw('e1000e').ok).toBe(true);
  });
});

describe('trace events', () => {
  it('pci_power_state on every current_state change; hw_access for every access, violations flagged', async () => {
    const m = await machine();
    m.k.trace.record();
    await m.k.run('d3', () => pciSetPowerState(m.ep, PCI_D3hot));
    await m.k.run('d0', () => pciSetPowerState(m.ep, PCI_D0));
    expect(m.k.trace.records('pci_power_state').map((r) => r.payload)).toEqual([
      { device: '0000:01:00.0', from: 'D0', to: 'D3hot' },
      { device: '0000:01:00.0', from: 'D3hot', to: 'D0' },
    ]);
    m.k.trace.clear();
    m.ep.hw.powerOff();
    pciReadConfigDword(m.ep, 0, { value: 0 });
    m.ep.hw.powerOn();
    m.ep.hw.barRead(0, 0, 4);
    expect(m.k.trace.records('hw_access').map((r) => r.payload)).toEqual([
      {
        device: '0000:01:00.0',
        kind: 'config-read',
        offset: 0,
        width: 4,
        value: 0xffffffff,
        bar: -1,
        violation: true,
      },
      {
        device: '0000:01:00.0',
        kind: 'bar-read',
        offset: 0,
        width: 4,
        value: 0x18140245,
        bar: 0,
        violation: false,
      },
    ]);
    expect(Object.keys(PCI_CORE_TRACE_EVENTS)).toEqual([
      'pci_power_state',
      'hw_access',
      'pci_power_resource',
    ]);
    expect(m.k.trace.events().get('hw_access')).toEqual(PCI_CORE_TRACE_EVENTS.hw_access);
  });
});

describe('sysfs parsers', () => {
  it('kstrtoul / kstrtou16 accept what the kernel accepts', () => {
    expect(['0', '10', '0x1f', '0X1F', '017', '+5', '7\n'].map((s) => kstrtoul(s))).toEqual([
      0, 10, 31, 31, 15, 5, 7,
    ]);
    expect(['', '\n', '-1', '0x', '08', ' 1', '1 ', '1\n\n', 'x'].map((s) => kstrtoul(s))).toEqual(
      Array(9).fill(null),
    );
    expect(kstrtoul('18446744073709551615')).toBe(2 ** 64 - 1);
    expect(kstrtoul('18446744073709551616')).toBeNull();
    expect([kstrtou16('65535'), kstrtou16('65536')]).toEqual([65535, null]);
    expect(kstrtoull('ff', 16)).toBe(255n);
    expect(kstrtoull('0xff', 16)).toBe(255n);
    expect(kstrtoull('12', 10)).toBe(12n);
    expect(kstrtoul('1\0garbage')).toBe(1);
  });

  it('sscanf("%x %x …") and sysfs_streq', () => {
    expect(sscanfHex('8086 10d3', 7)).toEqual([0x8086n, 0x10d3n]);
    expect(sscanfHex('  0x8086\t0X10D3 ffffffff', 7)).toEqual([0x8086n, 0x10d3n, 0xffffffffn]);
    expect(sscanfHex('8086,10d3', 7)).toEqual([0x8086n]);
    expect(sscanfHex('1 2 3', 2)).toEqual([1n, 2n]);
    expect(sscanfHex('', 2)).toEqual([]);
    expect(sysfsStreq('auto\n', 'auto')).toBe(true);
    expect(sysfsStreq('auto', 'auto\n')).toBe(true);
    expect(sysfsStreq('auto\n\n', 'auto')).toBe(false);
  });
});
