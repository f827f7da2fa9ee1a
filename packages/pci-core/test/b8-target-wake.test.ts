// KERNEL.md B.8: choosing and entering the runtime low-power state, and arming wakeup.
import { describe, expect, it } from 'vitest';
import { EINVAL, EIO } from '@vfio-ts/kernel';
import {
  PCI_D0,
  PCI_D1,
  PCI_D3cold,
  PCI_D3hot,
  PCI_POWER_ERROR,
  PCI_UNKNOWN,
  __pciEnableWake,
  pciDevRunWake,
  pciEnableWake,
  pciFinishRuntimeSuspend,
  pciPmeList,
  pciTargetState,
  pciWakeFromD3,
  type PciPowerState,
} from '@vfio-ts/pci-core';
import { FakePlatform } from './fake-platform.js';
import { machine, synthHw, TestDriver } from './pci-machine.js';

/** An endpoint with PME from D0, D3hot and D3cold (PMC 0xc803) under a fake platform. */
async function pmeMachine(pmc = 0xc803) {
  const fake = new FakePlatform();
  const m = await machine({
    platform: () => fake,
    endpoint: { model: undefined, hw: synthHw({ pmc }) },
  });
  return { ...m, fake };
}

describe('B.8.2 pci_target_state', () => {
  const platformRows: [string, PciPowerState, boolean, PciPowerState][] = [
    ['PCI_POWER_ERROR', PCI_POWER_ERROR, false, PCI_D3hot],
    ['PCI_UNKNOWN', PCI_UNKNOWN, false, PCI_D3hot],
    ['D1 with no_d1d2', PCI_D1, true, PCI_D3hot],
    ['D1', PCI_D1, false, PCI_D1],
    ['D3cold', PCI_D3cold, false, PCI_D3cold],
  ];
  it.each(platformRows)(
    'B.8.2 step 1: the platform chooses %s → %s',
    async (_n, choice, noD1d2, want) => {
      const m = await pmeMachine();
      m.fake.manageable.add(m.ep);
      m.fake.choice = choice;
      m.ep.noD1d2 = noD1d2;
      expect(pciTargetState(m.ep, true)).toBe(want);
    },
  );

  const nativeRows: [string, number | null, boolean, PciPowerState][] = [
    ['PME from D3hot', 0xc803, true, PCI_D3hot],
    ['PME from D1 only', 0x1203, true, PCI_D1],
    ['PME from D0 only', 0x0803, true, PCI_D0],
    ['no PME', 0x0003, true, PCI_D3hot],
    ['PME but no wakeup wanted', 0x0803, false, PCI_D3hot],
    ['no PM capability', null, true, PCI_D0],
  ];
  it.each(nativeRows)('B.8.2 steps 2–4: %s → %s', async (_n, pmc, wakeup, want) => {
    const m = await pmeMachine();
    const n = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc }) } });
    expect(pciTargetState(n.ep, wakeup)).toBe(want);
    expect(m.ep.pmCap).toBe(0x40);
  });

  it('B.8.2 step 2: a device found in D3cold is left to slumber', async () => {
    const m = await machine();
    m.ep.currentState = PCI_D3cold;
    expect(pciTargetState(m.ep, false)).toBe(PCI_D3cold);
  });
});

describe('B.8.3 pci_dev_run_wake', () => {
  it('B.8.3 no PME support → false', async () => {
    const m = await machine();
    expect(pciDevRunWake(m.ep)).toBe(false);
  });

  it('B.8.3 PME not possible from the runtime target state → false', async () => {
    const m = await pmeMachine(0x4803);
    m.fake.manageable.add(m.ep);
    m.fake.choice = PCI_D3cold;
    expect(pciDevRunWake(m.ep)).toBe(false);
  });

  it('B.8.3 the device, a bridge above, or the host bridge must be wakeup-capable', async () => {
    const m = await pmeMachine();
    expect(pciDevRunWake(m.ep)).toBe(true);
    m.ep.wakeupCapable = false;
    expect(m.rp.wakeupCapable).toBe(true);
    expect(pciDevRunWake(m.ep)).toBe(true);
    m.rp.wakeupCapable = false;
    expect(pciDevRunWake(m.ep)).toBe(false);
    m.topo.hostBridge.wakeupCapable = true;
    expect(pciDevRunWake(m.ep)).toBe(true);
  });
});

describe('B.8.4 wake arming', () => {
  it('B.8.4 a bridge that cannot go to D3 is skipped; a repeated request does nothing', async () => {
    const m = await pmeMachine();
    m.rp.bridgeD3 = false;
    expect(__pciEnableWake(m.rp, PCI_D3hot, true)).toBe(0);
    expect(m.rp.wakeupPrepared).toBe(false);
    expect(__pciEnableWake(m.ep, PCI_D3hot, false)).toBe(0);
    expect(m.fake.calls).toEqual([]);
  });

  it('B.8.4 enable with PME possible: PME_En on, on the poll list, platform wakeup, prepared', async () => {
    const m = await pmeMachine();
    expect(__pciEnableWake(m.ep, PCI_D3hot, true)).toBe(0);
    expect(m.ep.hw.snapshot().readU16(0x44) & 0x0100).toBe(0x0100);
    expect(pciPmeList(m.k).devices).toContain(m.ep);
    expect(m.fake.calls).toEqual(['wakeup 0000:01:00.0 true']);
    expect(m.ep.wakeupPrepared).toBe(true);
    expect(__pciEnableWake(m.ep, PCI_D3hot, false)).toBe(0);
    expect(m.ep.hw.snapshot().readU16(0x44) & 0x0100).toBe(0);
    expect(pciPmeList(m.k).devices).not.toContain(m.ep);
    expect(m.ep.wakeupPrepared).toBe(false);
  });

  it('B.8.4 enable without PME from the state or D3cold: the platform result decides', async () => {
    const m = await pmeMachine(0x0803);
    m.fake.wakeupRet = -EIO;
    expect(__pciEnableWake(m.ep, PCI_D3hot, true)).toBe(-EIO);
    expect(m.ep.wakeupPrepared).toBe(false);
    m.fake.wakeupRet = 0;
    expect(__pciEnableWake(m.ep, PCI_D3hot, true)).toBe(0);
    expect(m.ep.wakeupPrepared).toBe(true);
  });

  it('B.8.4 pci_enable_wake needs device_may_wakeup to enable; pci_wake_from_d3 picks D3cold or D3hot', async () => {
    const m = await pmeMachine();
    expect(pciEnableWake(m.ep, PCI_D3hot, true)).toBe(-EINVAL);
    m.ep.wakeupEnabled = true;
    expect(pciWakeFromD3(m.ep, true)).toBe(0);
    expect(pciWakeFromD3(m.ep, false)).toBe(0);
    const n = await pmeMachine(0x4803);
    n.ep.wakeupEnabled = true;
    expect(pciWakeFromD3(n.ep, true)).toBe(0);
    expect(n.ep.wakeupPrepared).toBe(true);
  });
});

describe('B.8.1 pci_finish_runtime_suspend', () => {
  it('B.8.1 arms runtime wakeup whenever the hardware path exists (can, not may), then sets the state', async () => {
    const m = await pmeMachine();
    expect(m.ep.wakeupEnabled).toBe(false);
    await m.k.run('reg', () => m.topo.registerDriver(new TestDriver('t', [{ vendor: 0x1234 }])));
    await m.k.settle();
    expect(m.ep.currentState).toBe(PCI_D3hot);
    expect(m.ep.wakeupPrepared).toBe(true);
  });

  it('B.8.1 a failed pci_set_power_state disarms wakeup and is returned', async () => {
    const m = await pmeMachine();
    m.ep.hw.powerOff();
    expect(await m.k.run('f', () => pciFinishRuntimeSuspend(m.ep))).toBe(-EIO);
    expect(m.ep.wakeupPrepared).toBe(false);
    expect(m.ep.currentState).toBe(PCI_D3cold);
  });

  it('B.8.2 consequence: without platform power resources a bound device suspends to D3hot', async () => {
    const m = await machine();
    await m.k.run('reg', () => m.topo.registerDriver(new TestDriver()));
    await m.k.settle();
    expect(m.ep.currentState).toBe(PCI_D3hot);
    expect(PCI_D0).toBe(0);
  });
});
