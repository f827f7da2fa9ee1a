// KERNEL.md B.12 (resets and power state), B.6.3 (PM reset), B.11.5 (sysfs reset).
import { describe, expect, it } from 'vitest';
import { EAGAIN, EINVAL, ENOENT, ENOTTY, msecs } from '@vfio-ts/kernel';
import {
  PCI_D0,
  PCI_D3hot,
  PCI_DEV_FLAGS_NO_BUS_RESET,
  PCI_DEV_FLAGS_NO_FLR_RESET,
  PCI_DEV_FLAGS_NO_PM_RESET,
  pciBusReset,
  pciDevLock,
  pciDevUnlock,
  pciProbeResetBus,
  pciProbeResetFunction,
  pciProbeResetSlot,
  pciResetBus,
  pciResetFunction,
  pciResetFunctionLocked,
  pciResetSupported,
  pciSetPowerState,
  pciTryResetFunction,
  PciTopology,
  type HwEvent,
  type PciDev,
} from '@vfio-ts/pci-core';
import { Kernel } from '@vfio-ts/kernel';
import { deviceLock, deviceUnlock } from '@vfio-ts/runtime-pm';
import { machine, synthHw, synthPort, TestDriver } from './pci-machine.js';

const EP = '/sys/bus/pci/devices/0000:01:00.0';

/** Resets the function's hardware reported while `fn` runs. */
async function resetsDuring(devs: PciDev[], fn: () => Promise<unknown>): Promise<string[]> {
  const out: string[] = [];
  const offs = devs.map((d) =>
    d.hw.subscribe((e: HwEvent) => void (e.type === 'reset' && out.push(`${d.bdf} ${e.cause}`))),
  );
  await fn();
  offs.forEach((off) => off());
  return out;
}

describe('B.12 reset methods', () => {
  it('B.12 the methods found at enumeration, as sysfs reset_method shows them', async () => {
    const e = await machine();
    expect(e.sysfs.read(`${EP}/reset_method`)).toBe('pm bus\n');
    const h = await machine({ endpoint: { model: 'nvidia-h100' } });
    expect(h.sysfs.read(`${EP}/reset_method`)).toBe('flr bus\n');
    const s = await machine({
      endpoint: { model: undefined, hw: synthHw({ flr: true, af: true }) },
    });
    expect(s.sysfs.read(`${EP}/reset_method`)).toBe('flr af_flr pm bus\n');
    const hp = await machine({ rootPort: { hotplug: true } });
    expect(hp.sysfs.read(`${EP}/reset_method`)).toBe('pm bus\n');
  });

  it('B.12 quirk flags remove methods; a root-bus device has no bus reset; no method → no reset files', () => {
    const k = new Kernel();
    const topo = new PciTopology(k);
    const ep = topo.addEndpoint({ bdf: '0000:00:02.0', hw: synthHw({ pmc: null }) });
    expect(pciResetSupported(ep)).toBe(false);
    expect(pciProbeResetFunction(ep)).toBe(-ENOTTY);
    expect(ep.resetAttrsVisible).toBe(false);
  });

  it('B.12 AF FLR needs both TP and FLR in the AF capability', async () => {
    const m = await machine({
      endpoint: { model: undefined, hw: synthHw({ af: true, pmc: null, immReady: true }) },
    });
    expect(m.ep.resetMethods).toEqual([4, 6]);
    m.ep.hw.configWrite(0x8b, 1, 0);
    expect(await m.k.run('r', () => pciResetFunctionLocked(m.ep))).toBe(0);
    m.ep.devFlags |= PCI_DEV_FLAGS_NO_FLR_RESET;
    const n = await machine({
      endpoint: { model: undefined, hw: synthHw({ af: true, pmcsr: 0x08 }) },
    });
    n.ep.devFlags |=
      PCI_DEV_FLAGS_NO_FLR_RESET | PCI_DEV_FLAGS_NO_PM_RESET | PCI_DEV_FLAGS_NO_BUS_RESET;
    expect(await n.k.run('r', () => pciResetFunctionLocked(n.ep))).toBe(-ENOTTY);
  });
});

describe('B.12.1 pci_try_reset_function / pci_reset_function / __pci_reset_function_locked', () => {
  it('B.12.1 FLR: Initiate FLR, 100 ms, readiness; the state is saved, D0 first, then restored', async () => {
    const m = await machine({ endpoint: { model: 'nvidia-h100' } });
    await m.k.run('d3', () => pciSetPowerState(m.ep, PCI_D3hot));
    m.ep.hw.configWrite(0x0c, 1, 0x10);
    const t0 = m.k.clock.now();
    const resets = await resetsDuring([m.ep], () => m.k.run('r', () => pciTryResetFunction(m.ep)));
    expect(resets).toEqual(['0000:01:00.0 flr']);
    expect(m.ep.currentState).toBe(PCI_D0);
    // 10 ms for D3hot → D0, then 100 ms after the FLR.
    expect(m.k.clock.now() - t0).toBe(msecs(110));
    expect(m.ep.hw.configRead(0x0c, 1)).toBe(0x10);
    expect(m.ep.stateSaved).toBe(false);
  });

  it('B.12.1 the driver is told around the reset (reset_prepare / reset_done)', async () => {
    const m = await machine();
    const calls: string[] = [];
    const drv = new TestDriver();
    (drv as { errHandler?: object }).errHandler = {
      resetPrepare: () => void calls.push('prepare'),
      resetDone: () => void calls.push('done'),
    };
    await m.k.run('reg', () => m.topo.registerDriver(drv));
    await m.k.run('r', () => pciResetFunction(m.ep));
    expect(calls).toEqual(['prepare', 'done']);
  });

  it('B.12.1 no reset method → -ENOTTY; device lock busy → -EAGAIN (try) or wait (blocking)', async () => {
    const m = await machine();
    m.ep.resetMethods = [];
    expect(await m.k.run('r', () => pciTryResetFunction(m.ep))).toBe(-ENOTTY);
    expect(await m.k.run('r', () => pciResetFunction(m.ep))).toBe(-ENOTTY);
    expect(await m.k.run('r', () => pciResetFunctionLocked(m.ep))).toBe(-ENOTTY);
    m.ep.resetMethods = [5];
    // One task holds the device lock for 5 ms; the others try meanwhile.
    const holder = m.k.run('holder', async () => {
      await deviceLock(m.ep);
      await m.k.sched.sleep(msecs(5));
      deviceUnlock(m.ep);
    });
    const trier = m.k.run('try', async () => {
      await m.k.sched.sleep(msecs(1));
      return pciTryResetFunction(m.ep);
    });
    const blocker = m.k.run('block', async () => {
      await m.k.sched.sleep(msecs(1));
      const ret = await pciResetFunction(m.ep);
      return [ret, m.k.clock.now()];
    });
    await holder;
    expect(await trier).toBe(-EAGAIN);
    const [ret, at] = await blocker;
    expect(ret).toBe(0);
    expect(at).toBeGreaterThan(msecs(5));
  });

  it('B.12.2 / B.6.3 PM reset: D3hot then D0 from D0; __pci_reset_function_locked from D3hot → -EINVAL', async () => {
    const m = await machine();
    const resets = await resetsDuring([m.ep], () => m.k.run('r', () => pciResetFunction(m.ep)));
    expect(resets).toEqual(['0000:01:00.0 soft-reset']);
    await m.k.run('d3', () => pciSetPowerState(m.ep, PCI_D3hot));
    expect(await m.k.run('r', () => pciResetFunctionLocked(m.ep))).toBe(-EINVAL);
    expect(m.ep.currentState).toBe(PCI_D3hot);
  });

  it('B.6.3 PM reset is not offered for NoSoftRst+ functions or without a PM capability', async () => {
    const h = await machine({ endpoint: { model: 'nvidia-h100' } });
    expect(h.ep.resetMethods).not.toContain(5);
    const n = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: null }) } });
    expect(n.ep.resetMethods).toEqual([6]);
  });

  it('B.12.1 a bus reset as the function reset resets the only function below the port', async () => {
    const m = await machine();
    m.ep.resetMethods = [6];
    const resets = await resetsDuring([m.ep], () => m.k.run('r', () => pciTryResetFunction(m.ep)));
    expect(resets).toEqual(['0000:01:00.0 flr']);
    m.topo.addEndpoint({ bdf: '0000:01:00.1', rootPort: 'rp0', model: 'e1000e' });
    expect(await m.k.run('r', () => pciResetFunctionLocked(m.ep))).toBe(-ENOTTY);
  });

  it('B.12.1 a hotplug slot is reset through its hotplug controller', async () => {
    const m = await machine({ rootPort: { hotplug: true } });
    expect(m.ep.slot?.hotplug).toBe(true);
    m.ep.resetMethods = [6];
    const resets = await resetsDuring([m.ep], () => m.k.run('r', () => pciTryResetFunction(m.ep)));
    expect(resets).toEqual(['0000:01:00.0 flr']);
  });
});

describe('B.12.3 bus and slot resets', () => {
  it('B.12.3 pci_reset_bus resets every function below, saving and restoring each (D0 first)', async () => {
    const m = await machine();
    const ep2 = m.topo.addEndpoint({
      bdf: '0000:01:00.1',
      rootPort: 'rp0',
      model: 'e1000e',
      currentState: PCI_D0,
    });
    await m.k.run('d3', () => pciSetPowerState(ep2, PCI_D3hot));
    m.ep.hw.configWrite(0x0c, 1, 0x10);
    expect(pciProbeResetBus(m.ep.pciBus)).toBe(0);
    expect(pciProbeResetSlot(m.ep.slot)).toBe(-ENOTTY);
    const resets = await resetsDuring([m.ep, ep2], () => m.k.run('r', () => pciResetBus(m.ep)));
    expect(resets).toEqual(['0000:01:00.1 soft-reset', '0000:01:00.0 flr', '0000:01:00.1 flr']);
    expect(ep2.currentState).toBe(PCI_D0);
    expect(m.ep.hw.configRead(0x0c, 1)).toBe(0x10);
  });

  it('B.12.3 a hotplug slot is reset as a slot', async () => {
    const m = await machine({ rootPort: { hotplug: true } });
    expect(pciProbeResetSlot(m.ep.slot)).toBe(0);
    const resets = await resetsDuring([m.ep], () => m.k.run('r', () => pciResetBus(m.ep)));
    expect(resets).toEqual(['0000:01:00.0 flr']);
    m.ep.devFlags |= PCI_DEV_FLAGS_NO_BUS_RESET;
    expect(pciProbeResetSlot(m.ep.slot)).toBe(-ENOTTY);
    m.ep.devFlags = 0;
    m.rp.devFlags |= PCI_DEV_FLAGS_NO_BUS_RESET;
    expect(pciProbeResetSlot(m.ep.slot)).toBe(-ENOTTY);
  });

  it('B.12.3 a locked device makes the bus reset -EAGAIN; a refusing device -ENOTTY', async () => {
    const m = await machine();
    const locked = await m.k.run('lock', async () => {
      await pciDevLock(m.ep);
      const r = await pciResetBus(m.ep);
      pciDevUnlock(m.ep);
      return r;
    });
    expect(locked).toBe(-EAGAIN);
    m.ep.devFlags |= PCI_DEV_FLAGS_NO_BUS_RESET;
    expect(await m.k.run('r', () => pciResetBus(m.ep))).toBe(-ENOTTY);
    expect(await m.k.run('r', () => pciBusReset(m.topo.rootBus, true))).toBe(-ENOTTY);
  });

  it('B.12.3 pci_bus_reset resets below a switch too, under the bus lock, without save/restore', async () => {
    const k = new Kernel();
    const topo = new PciTopology(k);
    topo.addRootPort({ name: 'rp', bdf: '0000:00:1c.0', hw: synthPort() });
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
    const resets = await resetsDuring([up, down, ep], () =>
      k.run('r', () => pciBusReset(up.pciBus, false)),
    );
    expect(resets).toEqual(['0000:01:00.0 flr', '0000:02:00.0 flr', '0000:03:00.0 flr']);
    expect(await k.run('r', () => pciResetBus(ep))).toBe(0);
    down.devFlags |= PCI_DEV_FLAGS_NO_BUS_RESET;
    expect(pciProbeResetBus(up.pciBus)).toBe(-ENOTTY);
    const downLocked = await k.run('l', async () => {
      await pciDevLock(ep);
      down.devFlags = 0;
      const r = await pciResetBus(down);
      pciDevUnlock(ep);
      return r;
    });
    expect(downLocked).toBe(-EAGAIN);
  });
});

describe('B.11.5 sysfs reset and reset_method', () => {
  it('B.11.5 "1" resets with the device resumed around it; anything else is -EINVAL', async () => {
    const m = await machine();
    const drv = new TestDriver();
    await m.k.run('reg', () => m.topo.registerDriver(drv));
    await m.k.settle();
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    const resets = await resetsDuring([m.ep], () =>
      m.k.run('w', () => m.sysfs.write(`${EP}/reset`, '1\n')),
    );
    expect(resets).toEqual(['0000:01:00.0 soft-reset', '0000:01:00.0 soft-reset']);
    expect(drv.calls).toContain('resume 0000:01:00.0');
    for (const bad of ['2', 'x', '', '1 '])
      expect(await m.k.run('w', () => m.sysfs.write(`${EP}/reset`, bad))).toBe(-EINVAL);
    expect(m.sysfs.read(`${EP}/reset`)).toBe(-13);
  });

  it('B.11.5 reset_method: reorder, disable all, default; bad or duplicate names leave it unchanged', async () => {
    const m = await machine();
    const w = (t: string) => m.k.run('w', () => m.sysfs.write(`${EP}/reset_method`, t));
    expect(await w('bus pm\n')).toBe(7);
    expect(m.sysfs.read(`${EP}/reset_method`)).toBe('bus pm\n');
    expect(await w('flr')).toBe(-EINVAL);
    expect(await w('pm  pm')).toBe(-EINVAL);
    expect(await w('nosuch')).toBe(-EINVAL);
    expect(m.sysfs.read(`${EP}/reset_method`)).toBe('bus pm\n');
    expect(await w('\n')).toBe(1);
    expect(m.sysfs.read(`${EP}/reset_method`)).toBe('');
    expect(await m.k.run('w', () => m.sysfs.write(`${EP}/reset`, '1'))).toBe(-ENOTTY);
    expect(await w('default')).toBe(7);
    expect(m.sysfs.read(`${EP}/reset_method`)).toBe('pm bus\n');
    const none = await machine({
      endpoint: {
        model: undefined,
        hw: synthHw({ pmc: null }),
        rootPort: undefined,
        bdf: '0000:00:03.0',
      },
    });
    expect(none.sysfs.read('/sys/bus/pci/devices/0000:00:03.0/reset')).toBe(-ENOENT);
    expect(none.sysfs.read('/sys/bus/pci/devices/0000:00:03.0/reset_method')).toBe(-ENOENT);
  });
});
