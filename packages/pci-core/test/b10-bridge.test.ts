// KERNEL.md B.10: d3cold_allowed, bridge D3 and the PCIe port driver.
import { describe, expect, it } from 'vitest';
import { EBUSY, EINVAL, ENODEV, msecs } from '@vfio-ts/kernel';
import {
  PCI_D0,
  PCI_D3hot,
  PciTopology,
  pciBridgeD3Possible,
  pciBridgeD3Update,
  pciD3coldDisable,
  pciD3coldEnable,
  pciePortDriver,
  pciePortdrvProbe,
  pciePortRuntimeIdle,
  pciePortRuntimeSuspend,
  type PciParams,
} from '@vfio-ts/pci-core';
import { Kernel } from '@vfio-ts/kernel';
import { powerAttrRead } from '@vfio-ts/runtime-pm';
import { FakePlatform } from './fake-platform.js';
import { machine, synthHw, synthPort, TestDriver } from './pci-machine.js';

const EP = '/sys/bus/pci/devices/0000:01:00.0';

describe('B.10.1 sysfs d3cold_allowed', () => {
  it('B.10.1 reads "%u\\n"; a write sets the flag, updates the bridge and resumes synchronously', async () => {
    const m = await machine({ biosYear: 2020 });
    const drv = new TestDriver();
    await m.k.run('reg', () => m.topo.registerDriver(drv));
    await m.k.settle();
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(m.rp.bridgeD3).toBe(true);
    expect(m.sysfs.read(`${EP}/d3cold_allowed`)).toBe('1\n');
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/d3cold_allowed`, '0'))).toBe(1);
    expect(m.ep.d3coldAllowed).toBe(false);
    expect(m.rp.bridgeD3).toBe(false);
    // The resume ran in the writer (the driver's runtime_resume fired before the write returned).
    expect(drv.calls.at(-1)).toBe('resume 0000:01:00.0');
    expect(m.ep.power.runtimeStatus).toBe('active');
    expect(m.sysfs.read(`${EP}/d3cold_allowed`)).toBe('0\n');
  });

  it.each([
    ['0x1', true],
    ['+1\n', true],
    ['010', true],
    ['0\n', false],
  ])('B.10.1 "%s" parses as an unsigned long (base auto)', async (text, want) => {
    const m = await machine();
    m.ep.d3coldAllowed = !want;
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/d3cold_allowed`, text))).toBe(text.length);
    expect(m.ep.d3coldAllowed).toBe(want);
  });

  it.each([['abc'], [''], ['-1'], ['1 '], ['08'], ['18446744073709551616'], ['1\n\n']])(
    'B.10.1 "%s" is -EINVAL and changes nothing',
    async (text) => {
      const m = await machine();
      expect(await m.k.run('w', () => m.sysfs.write(`${EP}/d3cold_allowed`, text))).toBe(-EINVAL);
      expect(m.ep.d3coldAllowed).toBe(true);
    },
  );
});

describe('B.10.2 pci_d3cold_enable / pci_d3cold_disable', () => {
  it('B.10.2 toggle no_d3cold and update the bridge only when it changed', async () => {
    const m = await machine({ biosYear: 2020 });
    expect(m.rp.bridgeD3).toBe(true);
    pciD3coldDisable(m.ep);
    expect([m.ep.noD3cold, m.rp.bridgeD3]).toEqual([true, false]);
    m.rp.bridgeD3 = true;
    pciD3coldDisable(m.ep);
    expect(m.rp.bridgeD3).toBe(true);
    m.rp.bridgeD3 = false;
    pciD3coldEnable(m.ep);
    expect([m.ep.noD3cold, m.rp.bridgeD3]).toEqual([false, true]);
    pciD3coldEnable(m.ep);
  });
});

describe('B.10.3 pci_bridge_d3_possible', () => {
  const rows: [
    string,
    Partial<PciParams>,
    { hotplug?: boolean; tb?: boolean; platform?: boolean; bios?: number; type?: number | null },
    boolean,
  ][] = [
    ['a conventional bridge', {}, { type: null }, false],
    ['an endpoint-type function', {}, { type: 0 }, false],
    ['pcie_port_pm=off', { pciePortPm: 'off' }, {}, false],
    [
      'a hotplug port not owned by pciehp',
      { pciehpNative: false, pciePortPm: 'force' },
      { hotplug: true },
      false,
    ],
    ['pcie_port_pm=force', { pciePortPm: 'force' }, { bios: 2000 }, true],
    ['a Thunderbolt port', {}, { tb: true, bios: 2000 }, true],
    ['the platform says so', {}, { platform: true, hotplug: true, bios: 2000 }, true],
    ['another hotplug port', {}, { hotplug: true }, false],
    ['a BIOS from 2015', {}, { bios: 2015 }, true],
    ['a BIOS from 2014', {}, { bios: 2014 }, false],
    ['a switch upstream port, BIOS 2015', {}, { type: 5, bios: 2015 }, true],
    ['a switch downstream port, BIOS 2015', {}, { type: 6, bios: 2015 }, true],
  ];
  it.each(rows)('B.10.3 %s → %s', (_name, params, o, want) => {
    const k = new Kernel();
    const fake = new FakePlatform();
    fake.biosYear = o.bios ?? 2020;
    fake.bridgeD3Ret = o.platform ?? false;
    const topo = new PciTopology(k, fake, { params });
    const port = topo.addRootPort({
      bdf: '0000:00:1c.0',
      hw: synthPort({ pcieType: o.type === undefined ? 4 : o.type }),
      hotplug: o.hotplug ?? false,
    });
    port.isThunderbolt = o.tb ?? false;
    expect(pciBridgeD3Possible(port)).toBe(want);
  });
});

describe('B.10.4 pci_bridge_d3_update', () => {
  it.each([
    ['no_d3cold', (d: { noD3cold: boolean }) => (d.noD3cold = true)],
    ['!d3cold_allowed', (d: { d3coldAllowed: boolean }) => (d.d3coldAllowed = false)],
    [
      'may wake up without PME from D3cold',
      (d: { wakeupCapable: boolean; wakeupEnabled: boolean }) => (
        (d.wakeupCapable = true),
        (d.wakeupEnabled = true)
      ),
    ],
  ] as const)('B.10.4 a child with %s blocks D3 of its bridge', async (_n, spoil) => {
    const m = await machine({ biosYear: 2020 });
    expect(m.rp.bridgeD3).toBe(true);
    spoil(m.ep as never);
    pciBridgeD3Update(m.ep);
    expect(m.rp.bridgeD3).toBe(false);
  });

  it('B.10.4 a child bridge without bridge_d3 blocks, and the change propagates upwards', () => {
    const k = new Kernel();
    const fake = new FakePlatform();
    const topo = new PciTopology(k, fake);
    const rp = topo.addRootPort({ name: 'rp', bdf: '0000:00:1c.0', hw: synthPort() });
    const up = topo.addSwitchPort({
      bdf: '0000:01:00.0',
      parent: 'rp',
      hw: synthPort({ pcieType: 5 }),
    });
    const down = topo.addSwitchPort({
      bdf: '0000:02:00.0',
      parent: up,
      hw: synthPort({ pcieType: 6 }),
      hotplug: true,
    });
    const ep = topo.addEndpoint({ bdf: '0000:03:00.0', rootPort: down, hw: synthHw() });
    for (const d of [up, down, ep]) pciBridgeD3Update(d);
    // The hotplug downstream port cannot go to D3: it blocks the upstream port, which blocks rp.
    expect([rp.bridgeD3, up.bridgeD3, down.bridgeD3]).toEqual([false, false, false]);
    // Once firmware allows D3 for it, the change propagates up to the root port.
    fake.bridgeD3Ret = true;
    down.bridgeD3 = pciBridgeD3Possible(down);
    pciBridgeD3Update(down);
    expect([rp.bridgeD3, up.bridgeD3, down.bridgeD3]).toEqual([true, true, true]);
    expect(topo.devices().map((d) => d.bdf)).toEqual([
      '0000:00:1c.0',
      '0000:01:00.0',
      '0000:02:00.0',
      '0000:03:00.0',
    ]);
  });

  it('B.10.4 removing a child: a bridge allowing D3 is left alone; otherwise its children are rechecked', async () => {
    const m = await machine({ biosYear: 2020 });
    const ep2 = m.topo.addEndpoint({ bdf: '0000:01:00.1', rootPort: 'rp0', model: 'e1000e' });
    ep2.d3coldAllowed = false;
    pciBridgeD3Update(ep2);
    expect(m.rp.bridgeD3).toBe(false);
    await m.k.run('rm', () => m.topo.removeDevice(ep2));
    expect(m.rp.bridgeD3).toBe(true);
    await m.k.run('rm', () => m.topo.removeDevice(m.ep));
    expect(m.rp.bridgeD3).toBe(true);
  });
});

describe('B.10.5 the PCIe port driver', () => {
  it('B.10.5 a port that may go to D3: 100 ms autosuspend, probe reference dropped, runtime PM allowed', async () => {
    const m = await machine({ biosYear: 2020 });
    expect(m.rp.driver?.name).toBe('pcieport');
    expect(powerAttrRead(m.rp, 'control')).toBe('auto\n');
    expect(powerAttrRead(m.rp, 'autosuspend_delay_ms')).toBe('100\n');
    expect(powerAttrRead(m.rp, 'runtime_usage')).toBe('0\n');
    expect(m.rp.currentState).toBe(PCI_D0);
    expect(m.rp.isBusmaster).toBe(true);
  });

  it('B.10.5 the port suspends ~100 ms after its last active child suspended', async () => {
    const m = await machine({ biosYear: 2020 });
    await m.k.run('auto', () => m.sysfs.write(`${EP}/power/control`, 'auto'));
    const t0 = m.k.clock.now();
    let suspendedAt = -1;
    m.rp.hw.subscribe((e) => {
      if (e.type === 'power-state' && e.to === PCI_D3hot) suspendedAt = m.k.clock.now();
    });
    await m.k.settle();
    expect(m.rp.power.runtimeStatus).toBe('suspended');
    expect(m.rp.currentState).toBe(PCI_D3hot);
    expect(suspendedAt - t0).toBeGreaterThanOrEqual(msecs(100));
    expect(suspendedAt - t0).toBeLessThan(msecs(130));
  });

  it('B.10.5 runtime_idle is 0 only with bridge_d3; runtime_suspend refuses with -EBUSY otherwise', async () => {
    const m = await machine({ biosYear: 2020 });
    expect([pciePortRuntimeIdle(m.rp), pciePortRuntimeSuspend(m.rp)]).toEqual([0, 0]);
    m.rp.bridgeD3 = false;
    expect([pciePortRuntimeIdle(m.rp), pciePortRuntimeSuspend(m.rp)]).toEqual([-EBUSY, -EBUSY]);
    expect(pciePortDriver.pm!.runtimeResume!(m.rp)).toBe(0);
  });

  it('B.10.5 a port that cannot go to D3 keeps its probe reference (usage 2 with control "on")', async () => {
    const m = await machine({ rootPort: { model: 'qemu-pcie-root-port', hotplug: true } });
    expect(powerAttrRead(m.rp, 'runtime_usage')).toBe('2\n');
    await m.k.run('auto', () =>
      m.sysfs.write('/sys/bus/pci/devices/0000:00:04.0/power/control', 'auto'),
    );
    await m.k.settle();
    expect(powerAttrRead(m.rp, 'runtime_usage')).toBe('1\n');
    expect(m.rp.power.runtimeStatus).toBe('active');
    expect(powerAttrRead(m.rp, 'runtime_active_kids')).toBe('1\n');
  });

  it('B.10.5 remove gives back what probe took; non-port functions are refused (-ENODEV)', async () => {
    const m = await machine({ biosYear: 2020 });
    await m.k.run('unreg', () => m.topo.unregisterDriver('pcieport'));
    expect(m.rp.driver).toBeNull();
    expect(powerAttrRead(m.rp, 'control')).toBe('on\n');
    expect(m.rp.enableCnt).toBe(0);
    expect(await m.k.run('p', () => pciePortdrvProbe(m.ep))).toBe(-ENODEV);
    const n = await machine({ rootPort: { hw: synthPort({ pcieType: null }) } });
    expect(n.rp.driver).toBeNull();
  });
});
