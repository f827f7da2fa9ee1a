// Corners of the PCI core: driver attach order, readiness polling, capability accessors,
// lock failures, firmware bookkeeping.
import { describe, expect, it } from 'vitest';
import { EIO, ENODEV, msecs } from '@vfio-ts/kernel';
import {
  NoPlatform,
  PCI_D0,
  PCI_D3cold,
  PCI_EXP_LNKCAP2,
  PCI_EXP_LNKCTL,
  PCI_EXP_SLTCAP,
  PciTopology,
  createFunctionHw,
  kmemRegistry,
  pciBusReset,
  pciBusTrylock,
  pciClearMaster,
  pciDevTrylock,
  pciEnableDevice,
  pciPmInit,
  pciPmeCapable,
  pciResetFunctionLocked,
  pciSaveState,
  pciStoreSavedState,
  pciWalkBus,
  pcieCapabilityReadDword,
  pcieCapabilityReadWord,
  pciFreeSavedState,
  pciSetPowerState,
} from '@vfio-ts/pci-core';
import { Kernel } from '@vfio-ts/kernel';
import { machine, synthHw, synthPort, TestDriver } from './pci-machine.js';

function switchTopology() {
  const k = new Kernel();
  const topo = new PciTopology(k);
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
  });
  const ep = topo.addEndpoint({ bdf: '0000:03:00.0', rootPort: down, hw: synthHw() });
  return { k, topo, rp, up, down, ep };
}

describe('driver attach (device_attach)', () => {
  it('a driver saying -ENODEV lets the next one try; any other error stops the search', async () => {
    const m = await machine();
    const first = new TestDriver('first');
    first.probeRet = -ENODEV;
    const second = new TestDriver('second');
    await m.k.run('reg', async () => {
      await m.topo.registerDriver(first);
      await m.topo.registerDriver(second);
    });
    expect(m.ep.driver?.name).toBe('second');
    expect(await m.k.run('a', () => m.topo.drivers.deviceAttach(m.ep))).toBe(1);
    const n = await machine({ boot: false });
    const bad = new TestDriver('bad');
    bad.probeRet = -EIO;
    const good = new TestDriver('good');
    await n.k.run('reg', async () => {
      n.topo.drivers.registerBuiltin(bad);
      n.topo.drivers.registerBuiltin(bad);
      n.topo.drivers.registerBuiltin(good);
      await n.topo.busAddDevices();
    });
    expect(n.ep.driver).toBeNull();
    await n.k.run('rm', () => n.topo.removeDevice(n.ep));
    expect(await n.k.run('a', () => n.topo.drivers.deviceAttach(n.ep))).toBe(-ENODEV);
  });
});

describe('readiness polling (pci_dev_wait, pci_bridge_wait_for_secondary_bus)', () => {
  it('a device that answers only after 1.5 s is logged as waiting, then ready', async () => {
    const m = await machine({ endpoint: { model: 'nvidia-h100' } });
    m.ep.hw.subscribe((e) => {
      if (e.type === 'reset' && e.cause === 'flr') m.ep.hw.powerOff();
    });
    const waker = m.k.run('waker', async () => {
      await m.k.sched.sleep(msecs(1500));
      m.ep.hw.powerOn();
    });
    expect(await m.k.run('flr', () => pciResetFunctionLocked(m.ep))).toBe(0);
    await waker;
    const texts = m.k.log.map((l) => l.text);
    expect(texts.some((t) => /not ready \d+ms after FLR; waiting/.test(t))).toBe(true);
    expect(texts.some((t) => /ready \d+ms after FLR$/.test(t))).toBe(true);
  });

  it('behind a conventional PCI bridge a bus reset waits 1 s + d3cold_delay', async () => {
    const k = new Kernel();
    const topo = new PciTopology(k, new NoPlatform());
    const br = topo.addRootPort({ bdf: '0000:00:1e.0', hw: synthPort({ pcieType: null }) });
    topo.addEndpoint({ bdf: '0000:01:00.0', rootPort: br, hw: synthHw({ pcieType: null }) });
    const t0 = k.clock.now();
    expect(await k.run('r', () => pciBusReset(br.subordinate!, false))).toBe(0);
    expect(k.clock.now() - t0).toBe(msecs(2 + 1100));
  });

  it('a switch upstream port does not wait after a bus reset; an empty bus or no PM cap neither', async () => {
    const s = switchTopology();
    const t0 = s.k.clock.now();
    expect(await s.k.run('r', () => pciBusReset(s.down.pciBus, false))).toBe(0);
    expect(s.k.clock.now() - t0).toBe(msecs(2));
    const m = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: null }) } });
    const t1 = m.k.clock.now();
    expect(await m.k.run('r', () => pciBusReset(m.ep.pciBus, false))).toBe(0);
    expect(m.k.clock.now() - t1).toBe(msecs(2));
  });
});

describe('accessors and helpers', () => {
  it('pcie_capability_read_*: registers the port type lacks read 0', async () => {
    const m = await machine();
    expect(pcieCapabilityReadWord(m.ep, PCI_EXP_SLTCAP)).toBe(0);
    expect(pcieCapabilityReadWord(m.ep, 6)).toBe(0);
    expect(pcieCapabilityReadDword(m.rp, PCI_EXP_SLTCAP)).toBe(
      m.rp.hw.configRead(m.rp.pcieCap + 20, 4),
    );
    expect(pcieCapabilityReadWord(m.ep, PCI_EXP_LNKCTL)).toBe(
      m.ep.hw.configRead(m.ep.pcieCap + 16, 2),
    );
    expect(pcieCapabilityReadDword(m.ep, PCI_EXP_LNKCAP2)).toBe(0);
    const conv = await machine({ endpoint: { model: undefined, hw: synthHw({ pcieType: null }) } });
    expect(pcieCapabilityReadWord(conv.ep, PCI_EXP_LNKCTL)).toBe(0);
  });

  it('pci_walk_bus stops at the first device the callback accepts, at any depth', () => {
    const s = switchTopology();
    const seen: string[] = [];
    expect(pciWalkBus(s.rp.subordinate, (d) => (seen.push(d.bdf), d === s.ep))).toBe(true);
    expect(seen).toEqual(['0000:01:00.0', '0000:02:00.0', '0000:03:00.0']);
    expect(pciWalkBus(null, () => true)).toBe(false);
  });

  it('pci_pme_capable is false outside D0…D3cold', async () => {
    const m = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: 0xf803 }) } });
    expect([pciPmeCapable(m.ep, -1), pciPmeCapable(m.ep, 5), pciPmeCapable(m.ep, PCI_D0)]).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('pci_enable_device enables the bridges above; pci_clear_master', async () => {
    const s = switchTopology();
    await s.k.run('e', () => pciEnableDevice(s.ep));
    expect([s.rp.enableCnt, s.up.enableCnt, s.down.enableCnt]).toEqual([1, 1, 1]);
    expect([s.rp.isBusmaster, s.down.isBusmaster]).toEqual([true, true]);
    pciClearMaster(s.down);
    await s.k.run('e', () =>
      pciEnableDevice(s.topo.addEndpoint({ bdf: '0000:03:00.1', rootPort: s.down, hw: synthHw() })),
    );
    expect(s.down.isBusmaster).toBe(true);
    expect(s.down.hw.configRead(4, 2) & 4).toBe(4);
  });

  it('pci_pm_init on a device whose runtime PM already runs fails as pm_runtime_set_active does', async () => {
    const m = await machine();
    expect(pciPmInit(m.ep)).toBe(-11);
  });

  it('a stored state made in a task records the task', async () => {
    const m = await machine();
    const st = await m.k.run('saver', () => (pciSaveState(m.ep), pciStoreSavedState(m.ep)));
    expect(st!.alloc.task).toMatch(/^saver/);
    pciFreeSavedState(st);
    expect(kmemRegistry(m.k).allocations()).toEqual([]);
  });
});

describe('lock failures', () => {
  it('pci_dev_trylock gives the device lock back when config access is already blocked', async () => {
    const m = await machine();
    await m.k.run('t', () => {
      m.ep.blockCfgAccess = true;
      expect(pciDevTrylock(m.ep)).toBe(false);
      expect(m.ep.mutex.locked).toBe(false);
      m.ep.blockCfgAccess = false;
    });
  });

  it('pci_bus_trylock undoes everything taken when a device deep below is busy', () => {
    const s = switchTopology();
    s.ep.blockCfgAccess = true;
    return s.k.run('t', () => {
      expect(pciBusTrylock(s.rp.subordinate!)).toBe(false);
      expect([s.up.mutex.locked, s.down.mutex.locked, s.up.blockCfgAccess]).toEqual([
        false,
        false,
        false,
      ]);
      s.ep.blockCfgAccess = false;
    });
  });
});

describe('firmware bookkeeping', () => {
  it('power resource: releasing with no reference does nothing; _ON/_OFF skip a resource already in that state', async () => {
    const m = await machine({ acpi: true, rootPort: { d3cold: true } });
    const res = m.acpi!.powerResource(m.rp)!;
    await m.k.run('a', async () => {
      expect(res.refCount).toBe(1);
      expect(await res.release()).toBe(0);
      expect([res.on, m.ep.hw.powered]).toEqual([false, false]);
      expect(await res.release()).toBe(0);
      expect(res.refCount).toBe(0);
      // Firmware switched it on behind the OS's back: _ON finds it on and powers nothing.
      res.on = true;
      expect(await res.acquire()).toBe(0);
      expect(m.ep.hw.powered).toBe(false);
      res.on = false;
      expect(await res.release()).toBe(0);
    });
    expect([res.on, res.onCount, res.offCount]).toEqual([false, 1, 2]);
  });

  it('ACPI: removing a device in D3cold drops no reference; unknown devices are ignored', async () => {
    const m = await machine({ acpi: true, rootPort: { d3cold: true, pr3: true } });
    const res = m.acpi!.powerResource(m.rp)!;
    await m.k.run('d3c', () => pciSetPowerState(m.ep, PCI_D3cold));
    expect(res.refCount).toBe(1);
    m.acpi!.removeFunction(m.ep);
    expect(res.refCount).toBe(1);
    const stranger = (await machine()).ep;
    m.acpi!.refreshState(stranger);
    expect(m.acpi!.setWakeup(stranger, true)).toBe(0);
    expect(await m.k.run('s', () => m.acpi!.setState(m.rp, -1 as never))).toBe(-22);
    expect(m.acpi!.companion('0000:09:00.0')).toBeUndefined();
  });

  it('no platform: every query is answered without firmware', async () => {
    const m = await machine();
    const p = new NoPlatform();
    p.addRootPort();
    p.addFunction();
    p.removeFunction();
    p.refreshState();
    expect([p.isManageable(), p.bridgeD3(), p.wakeGpe(m.ep), p.setWakeup()]).toEqual([
      false,
      false,
      false,
      0,
    ]);
    expect(await p.setState()).toBe(-19);
  });

  it('a hand-built function works as an endpoint', async () => {
    const hw = createFunctionHw(synthHw().snapshot().bytes, { name: 'x' });
    expect(hw.ok).toBe(true);
  });
});
