// KERNEL.md B.4: the cached state and the platform (ACPI-like power resources, B.3.5 D3cold).
import { describe, expect, it } from 'vitest';
import { EINVAL, EIO, ENODEV, msecs } from '@vfio-ts/kernel';
import {
  AcpiPlatform,
  NoPlatform,
  PCI_D0,
  PCI_D1,
  PCI_D3cold,
  PCI_D3hot,
  PCI_POWER_ERROR,
  PCI_UNKNOWN,
  pciPlatformPowerTransition,
  pciRefreshPowerState,
  pciSetPowerState,
  pciTargetState,
  pciUpdateCurrentState,
  platformPciGetPowerState,
  platformPciPowerManageable,
  AcpiPowerResource,
} from '@vfio-ts/pci-core';
import { machine, synthHw, TestDriver } from './pci-machine.js';

/** ACPI machine: the slot below rp0 has _PR0/_PR3 on the port's resource. */
function acpiSlot(extra = {}) {
  return machine({ acpi: true, rootPort: { d3cold: true, ...extra } });
}

describe('B.4.1 pci_update_current_state', () => {
  it('B.4.1 the platform saying D3cold wins; else PMCSR; all ones → D3cold; no PM cap → fallback', async () => {
    const m = await acpiSlot();
    m.acpi!.companion(m.ep)!.state = PCI_D3cold;
    pciUpdateCurrentState(m.ep, PCI_D0);
    expect(m.ep.currentState).toBe(PCI_D3cold);
    m.acpi!.companion(m.ep)!.state = PCI_D0;
    pciUpdateCurrentState(m.ep, PCI_D3hot);
    expect(m.ep.currentState).toBe(PCI_D0);
    m.ep.hw.powerOff();
    pciUpdateCurrentState(m.ep, PCI_D0);
    expect(m.ep.currentState).toBe(PCI_D3cold);
    const n = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: null }) } });
    pciUpdateCurrentState(n.ep, PCI_D1);
    expect(n.ep.currentState).toBe(PCI_D1);
  });
});

describe('B.4.2 platform power-manageability', () => {
  it('B.4.2 only devices with a firmware node with power resources are manageable', async () => {
    const m = await acpiSlot();
    expect(platformPciPowerManageable(m.ep)).toBe(true);
    expect(platformPciPowerManageable(m.rp)).toBe(false);
    expect(platformPciGetPowerState(m.rp)).toBe(PCI_UNKNOWN);
    expect(m.acpi!.companion('0000:01:00.0')).toBe(m.acpi!.companion(m.ep));
    expect(m.acpi!.powerResource('0000:00:04.0')).toBe(m.acpi!.powerResource(m.rp));
    expect(m.acpi!.powerResource(m.rp)).toBeInstanceOf(AcpiPowerResource);
    expect(m.acpi!.powerResource('0000:00:05.0')).toBeUndefined();
    const n = await machine();
    expect(platformPciPowerManageable(n.ep)).toBe(false);
    expect(platformPciGetPowerState(n.ep)).toBe(PCI_UNKNOWN);
    expect(new NoPlatform().biosYear).toBe(2014);
  });

  it('B.4.2 no power resource at all when neither d3cold nor pr3 is set', async () => {
    const m = await machine({ acpi: true });
    expect(m.acpi!.powerResource(m.rp)).toBeUndefined();
    expect(platformPciPowerManageable(m.ep)).toBe(false);
  });

  it('B.4.2 a per-endpoint companion flag overrides the slot default', async () => {
    const m = await machine({
      acpi: true,
      rootPort: { d3cold: true },
      endpoint: { companion: false },
    });
    expect(platformPciPowerManageable(m.ep)).toBe(false);
  });
});

describe('B.4.3 pci_platform_power_transition', () => {
  it('B.4.3 no companion → -ENODEV; failure on a device without PM cap → cur D0', async () => {
    const m = await machine({
      endpoint: { model: undefined, hw: synthHw({ pmc: null }), currentState: PCI_D3hot },
    });
    expect(await m.k.run('p', () => pciPlatformPowerTransition(m.ep, PCI_D3hot))).toBe(-ENODEV);
    expect(m.ep.currentState).toBe(PCI_D0);
  });

  it('B.4.3 invalid state → -EINVAL; D1 is not a valid ACPI state → -ENODEV; success updates cur', async () => {
    const m = await acpiSlot();
    expect(await m.k.run('p', () => m.acpi!.setState(m.ep, 7 as never))).toBe(-EINVAL);
    expect(await m.k.run('p', () => m.acpi!.setState(m.ep, PCI_D1))).toBe(-ENODEV);
    expect(await m.k.run('p', () => pciPlatformPowerTransition(m.ep, PCI_D3hot))).toBe(0);
    // The platform holds D3hot, PMCSR still says D0.
    expect(m.ep.currentState).toBe(PCI_D0);
    expect(platformPciGetPowerState(m.ep)).toBe(PCI_D3hot);
    // D3cold → D3hot is not a transition firmware makes.
    await m.k.run('p', () => pciPlatformPowerTransition(m.ep, PCI_D3cold));
    expect(await m.k.run('p', () => m.acpi!.setState(m.ep, PCI_D3hot))).toBe(-ENODEV);
  });
});

describe('B.3.5 + B.4.3 D3cold through the platform', () => {
  it('B.3.5 D3cold: native D3hot, then the power resource is dropped; power goes when the last user goes', async () => {
    const m = await machine({
      acpi: true,
      rootPort: { d3cold: true },
    });
    const ep2 = m.topo.addEndpoint({
      bdf: '0000:01:00.1',
      rootPort: 'rp0',
      model: 'e1000e',
      currentState: PCI_D0,
    });
    const res = m.acpi!.powerResource(m.rp)!;
    expect(res.refCount).toBe(2);
    expect(await m.k.run('a', () => pciSetPowerState(m.ep, PCI_D3cold))).toBe(0);
    expect(m.ep.currentState).toBe(PCI_D3cold);
    expect([res.refCount, res.on, m.ep.hw.powered, m.ep.hw.powerState]).toEqual([
      1,
      true,
      true,
      PCI_D3hot,
    ]);
    expect(await m.k.run('b', () => pciSetPowerState(ep2, PCI_D3cold))).toBe(0);
    expect([res.refCount, res.on, m.ep.hw.powered, ep2.hw.powered]).toEqual([
      0,
      false,
      false,
      false,
    ]);
    // Back to D0: _ON powers every function below; each comes up in D0 with reset defaults.
    expect(await m.k.run('c', () => pciSetPowerState(m.ep, PCI_D0))).toBe(0);
    expect([res.refCount, res.on, m.ep.currentState, ep2.hw.powered]).toEqual([
      1,
      true,
      PCI_D0,
      true,
    ]);
    expect(ep2.currentState).toBe(PCI_D3cold);
    expect(res.onCount).toBe(1);
    expect(res.offCount).toBe(1);
  });

  it('B.3.5 a bridge in D3cold through the platform marks every device below D3cold', async () => {
    const m = await machine({ acpi: true, rootPort: { pr3: true } });
    expect(await m.k.run('a', () => pciSetPowerState(m.rp, PCI_D3cold))).toBe(0);
    expect([m.rp.currentState, m.ep.currentState, m.ep.hw.powered]).toEqual([
      PCI_D3cold,
      PCI_D3cold,
      false,
    ]);
  });

  it('B.3.5 platform failure (_PS3 fails): the device ends in D3hot and the call returns 0', async () => {
    const m = await acpiSlot();
    m.acpi!.companion(m.ep)!.failPs3 = true;
    expect(await m.k.run('a', () => pciSetPowerState(m.ep, PCI_D3cold))).toBe(0);
    expect(m.ep.currentState).toBe(PCI_D3hot);
    expect(m.acpi!.powerResource(m.rp)!.on).toBe(true);
  });

  it('B.4.3 _OFF fails: ignored by the transition (returns 0); the function keeps power in D3hot', async () => {
    const m = await acpiSlot();
    const res = m.acpi!.powerResource(m.rp)!;
    res.failOff = true;
    expect(await m.k.run('a', () => pciSetPowerState(m.ep, PCI_D3cold))).toBe(0);
    expect([res.on, res.refCount, m.ep.hw.powered, m.ep.hw.powerState]).toEqual([
      true,
      1,
      true,
      PCI_D3hot,
    ]);
    // Firmware recorded D3cold, so that is what the PCI core believes.
    expect(m.ep.currentState).toBe(PCI_D3cold);
    expect(m.ep.hw.violations).toEqual([]);
  });

  it('B.4.3 _ON fails: power-up finds all ones → -EIO, D3cold; firmware state unknown until refreshed', async () => {
    const m = await acpiSlot();
    const res = m.acpi!.powerResource(m.rp)!;
    expect(await m.k.run('a', () => pciSetPowerState(m.ep, PCI_D3cold))).toBe(0);
    res.failOn = true;
    expect(await m.k.run('b', () => pciSetPowerState(m.ep, PCI_D0))).toBe(-EIO);
    expect(m.ep.currentState).toBe(PCI_D3cold);
    expect(platformPciGetPowerState(m.ep)).toBe(PCI_UNKNOWN);
    res.failOn = false;
    expect(await m.k.run('c', () => m.acpi!.setState(m.ep, PCI_D0))).toBe(-ENODEV);
    pciRefreshPowerState(m.ep);
    expect(platformPciGetPowerState(m.ep)).toBe(PCI_D3cold);
    expect(await m.k.run('d', () => pciSetPowerState(m.ep, PCI_D0))).toBe(0);
    expect([m.ep.currentState, res.on, res.refCount]).toEqual([PCI_D0, true, 1]);
  });

  it('B.4.3 _ON and _OFF take their delays in virtual time', async () => {
    const m = await acpiSlot({ onDelayMs: 30, offDelayMs: 7 });
    const t0 = m.k.clock.now();
    await m.k.run('a', () => pciSetPowerState(m.ep, PCI_D3cold));
    expect(m.k.clock.now() - t0).toBe(msecs(10 + 7));
    const t1 = m.k.clock.now();
    await m.k.run('b', () => pciSetPowerState(m.ep, PCI_D0));
    // _ON, then the NoSoftRst− readiness poll is immediate: the function answers at once.
    expect(m.k.clock.now() - t1).toBe(msecs(30));
  });

  it('B.4 refresh re-reads the resources: a resource that went off means D3cold', async () => {
    const m = await machine({ acpi: true, rootPort: { d3cold: true, pr3: true } });
    const c = m.acpi!.companion(m.ep)!;
    const res = m.acpi!.powerResource(m.rp)!;
    res.on = false;
    pciRefreshPowerState(m.ep);
    expect([c.state, res.refCount, m.ep.currentState]).toEqual([PCI_D3cold, 1, PCI_D3cold]);
    res.on = true;
    pciRefreshPowerState(m.ep);
    expect([c.state, res.refCount]).toEqual([PCI_D0, 2]);
    m.acpi!.refreshState(m.topo.lookup('0000:00:04.0')!);
    expect(m.acpi!.getState(m.rp)).toBe(PCI_D0);
  });

  it('B.4 a node found with its resource off starts in D3cold and holds no reference', async () => {
    const m = await machine({ acpi: true, rootPort: { d3cold: true }, endpoint: null });
    const res = m.acpi!.powerResource(m.rp)!;
    res.on = false;
    const ep = m.topo.addEndpoint({ bdf: '0000:01:00.0', rootPort: 'rp0', model: 'e1000e' });
    expect([m.acpi!.getState(ep), res.refCount]).toEqual([PCI_D3cold, 0]);
  });

  it('B.4 removing a device drops its reference', async () => {
    const m = await acpiSlot();
    const res = m.acpi!.powerResource(m.rp)!;
    await m.k.run('rm', () => m.topo.removeDevice(m.ep));
    expect(res.refCount).toBe(0);
    expect(m.acpi!.companion(m.ep)).toBeUndefined();
  });

  it('B.4 the power resource reports on/off as trace events', async () => {
    const m = await acpiSlot();
    m.k.trace.record();
    await m.k.run('a', () => pciSetPowerState(m.ep, PCI_D3cold));
    await m.k.run('b', () => pciSetPowerState(m.ep, PCI_D0));
    expect(m.k.trace.records('pci_power_resource').map((r) => r.payload)).toEqual([
      { resource: 'PR_0000:00:04.0', on: false, refs: 0 },
      { resource: 'PR_0000:00:04.0', on: true, refs: 1 },
    ]);
  });
});

describe('B.4.4 acpi_pci_choose_state', () => {
  it('B.4.4 D3cold unless no_d3cold or !d3cold_allowed (then D3hot); not manageable → UNKNOWN', async () => {
    const m = await acpiSlot();
    expect(m.acpi!.chooseState(m.ep)).toBe(PCI_D3cold);
    m.ep.d3coldAllowed = false;
    expect(m.acpi!.chooseState(m.ep)).toBe(PCI_D3hot);
    m.ep.d3coldAllowed = true;
    m.ep.noD3cold = true;
    expect(pciTargetState(m.ep, false)).toBe(PCI_D3hot);
    expect(m.acpi!.chooseState(m.rp)).toBe(PCI_UNKNOWN);
    expect(new AcpiPlatform(m.k).biosYear).toBe(2020);
    expect(PCI_POWER_ERROR).toBe(-1);
  });

  it('B.4.4 a bound device runtime-suspends to D3cold through the platform', async () => {
    const m = await acpiSlot();
    const drv = new TestDriver();
    await m.k.run('reg', () => m.topo.registerDriver(drv));
    await m.k.settle();
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(m.ep.currentState).toBe(PCI_D3cold);
    // The slot's resource went off: the port does not use it.
    expect(m.ep.hw.powered).toBe(false);
  });
});
