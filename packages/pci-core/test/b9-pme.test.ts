// KERNEL.md B.9: PME enable, polling, status checks, wake-up → async runtime resume.
import { describe, expect, it } from 'vitest';
import { msecs } from '@vfio-ts/kernel';
import {
  PCI_D0,
  PCI_D3cold,
  PCI_D3hot,
  PME_TIMEOUT_NS,
  pciAcpiWakeDev,
  pciCheckPmeStatus,
  pciPmeActive,
  pciPmeList,
  pciPmeRestore,
  pciPmeWakeup,
  pciePmeHandleRequest,
} from '@vfio-ts/pci-core';
import { machine, synthHw, TestDriver } from './pci-machine.js';

const PMCSR = 0x44;
const pmcsr = (hw: { snapshot(): { readU16(o: number): number } }): number =>
  hw.snapshot().readU16(PMCSR);

/**
 * A PME-capable endpoint (PME from D0, D3hot, D3cold), bound to a trivial driver, suspended.
 * `pci`: a conventional PCI function (no PCI Express capability), found by polling.
 */
async function suspendedPme(opts: Parameters<typeof machine>[0] = {}, pci = false) {
  const hw = synthHw({ pmc: 0xc803, pcieType: pci ? null : 0 });
  const m = await machine({ ...opts, endpoint: { model: undefined, hw, ...opts.endpoint } });
  const drv = new TestDriver('t', [{ vendor: 0x1234 }]);
  await m.k.run('reg', () => m.topo.registerDriver(drv));
  await m.k.settle();
  return { ...m, drv };
}

describe('B.9.1 pci_pme_active', () => {
  it('B.9.1 no PME support: nothing is touched', async () => {
    const m = await machine();
    const before = m.ep.hw.snapshot().readU16(m.ep.pmCap + 4);
    pciPmeActive(m.ep, true);
    expect(m.ep.hw.snapshot().readU16(m.ep.pmCap + 4)).toBe(before);
    expect(pciPmeList(m.k).devices).toEqual([]);
  });

  it('B.9.1 enable clears PME_Status, sets PME_En and starts the 1 s poll worker; disable undoes it', async () => {
    const m = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: 0xc803 }) } });
    m.ep.hw.signalPme();
    expect(pmcsr(m.ep.hw) & 0x8000).toBe(0x8000);
    pciPmeActive(m.ep, true);
    expect(pmcsr(m.ep.hw) & 0x8100).toBe(0x0100);
    const list = pciPmeList(m.k);
    expect(list.devices).toEqual([m.ep]);
    expect(list.work.timer?.at).toBe(m.k.clock.now() + PME_TIMEOUT_NS);
    pciPmeActive(m.ep, false);
    expect(pmcsr(m.ep.hw) & 0x0100).toBe(0);
    expect(list.devices).toEqual([]);
  });
});

describe('B.9.2 polling worker', () => {
  it('B.9.2 a PME while runtime-suspended in D3hot is found by the poll within 1 s and resumes the device', async () => {
    const m = await suspendedPme({}, true);
    expect(m.ep.currentState).toBe(PCI_D3hot);
    expect(m.ep.wakeupPrepared).toBe(true);
    const t0 = m.k.clock.now();
    let resumedAt = -1;
    m.drv.pm!.runtimeResume = () => ((resumedAt = m.k.clock.now()), 0);
    expect(m.ep.hw.signalPme()).toBe(true);
    await m.k.settle();
    expect(resumedAt - t0).toBeGreaterThan(0);
    expect(resumedAt - t0).toBeLessThanOrEqual(msecs(1000 + 10));
    expect(m.ep.wakeupCount).toBe(1);
    // The idle check after the resume suspended it again (B.9.6: one wake per PME).
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(pciPmeList(m.k).scans).toBeGreaterThan(0);
  });

  it('B.9.2 devices behind a bridge that is not in D0, and devices in D3cold, are skipped', async () => {
    const m = await suspendedPme({}, true);
    m.rp.currentState = PCI_D3hot;
    m.ep.hw.signalPme();
    await m.k.settle();
    expect(m.ep.wakeupCount).toBe(0);
    m.rp.currentState = PCI_D0;
    m.ep.currentState = PCI_D3cold;
    m.ep.hw.signalPme();
    await m.k.settle();
    expect(m.ep.wakeupCount).toBe(0);
  });

  it('B.9.2 a device whose pme_poll was cleared leaves the list at the next scan', async () => {
    const m = await suspendedPme({}, true);
    const list = pciPmeList(m.k);
    expect(list.devices).toContain(m.ep);
    m.ep.pmePoll = false;
    list.schedule();
    await m.k.settle();
    expect(list.devices).not.toContain(m.ep);
  });
});

describe('B.9.5 native PCIe PME (pcie_pme_handle_request)', () => {
  it('B.9.5 the PME message of a PCI Express function is serviced at once: async resume, polling stops', async () => {
    const m = await suspendedPme();
    expect(m.ep.hw.signalPme()).toBe(true);
    expect(m.ep.pmePoll).toBe(false);
    expect(m.ep.wakeupCount).toBe(1);
    expect(m.ep.power.request).toBe('resume');
    await m.k.settle();
    expect(m.drv.calls.filter((c) => c.startsWith('resume')).length).toBe(1);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
  });

  it('B.9.5 a PME from the root port itself resumes the port, or else one from a conventional function below', async () => {
    const m = await machine({
      endpoint: { model: undefined, hw: synthHw({ pmc: 0xc803, pcieType: null }) },
    });
    // PME_Status first, then PME_En, so that no PME message goes out by itself.
    m.rp.hw.signalPme();
    m.rp.hw.configWrite(m.rp.pmCap + 4, 2, 0x0100);
    expect(pciePmeHandleRequest(m.rp, m.rp)).toBe(true);
    m.ep.hw.signalPme();
    m.ep.hw.configWrite(PMCSR, 2, 0x0100);
    expect(pciePmeHandleRequest(m.rp, m.rp)).toBe(true);
    expect(m.ep.wakeupCount).toBe(1);
    expect(pciePmeHandleRequest(m.rp, m.rp)).toBe(false);
    expect(pciePmeHandleRequest(m.rp, m.ep)).toBe(false);
    expect(m.k.log.filter((l) => l.text.endsWith('Spurious native interrupt!')).length).toBe(2);
  });
});

describe('B.9.3 pci_pme_restore', () => {
  it('B.9.3 wakeup not prepared: PME_En cleared and PME_Status cleared; prepared: PME_En set, status kept', async () => {
    const m = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: 0xc803 }) } });
    m.ep.hw.configWrite(PMCSR, 2, 0x0100);
    m.ep.hw.signalPme();
    pciPmeRestore(m.ep);
    expect(pmcsr(m.ep.hw) & 0x8100).toBe(0);
    m.ep.wakeupPrepared = true;
    m.ep.hw.signalPme();
    pciPmeRestore(m.ep);
    expect(pmcsr(m.ep.hw) & 0x8100).toBe(0x8100);
    const n = await machine();
    pciPmeRestore(n.ep);
  });
});

describe('B.9.4 pci_check_pme_status', () => {
  it('B.9.4 no PM cap or PME_Status clear → false', async () => {
    const m = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: null }) } });
    expect(pciCheckPmeStatus(m.ep)).toBe(false);
    const n = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: 0xc803 }) } });
    expect(pciCheckPmeStatus(n.ep)).toBe(false);
  });

  it('B.9.4 status set, PME_En set → both cleared, true; PME_En clear → status cleared, false', async () => {
    const m = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: 0xc803 }) } });
    m.ep.hw.signalPme();
    m.ep.hw.configWrite(PMCSR, 2, 0x0100);
    expect(pciCheckPmeStatus(m.ep)).toBe(true);
    expect(pmcsr(m.ep.hw) & 0x8100).toBe(0);
    m.ep.hw.signalPme();
    expect(pciCheckPmeStatus(m.ep)).toBe(false);
    expect(pmcsr(m.ep.hw) & 0x8000).toBe(0);
  });
});

describe('B.9.5 pci_pme_wakeup and the platform path', () => {
  it('B.9.5 a genuine PME records a wakeup event and queues an async resume; pme_poll may be reset', async () => {
    const m = await suspendedPme();
    m.ep.hw.signalPme();
    pciPmeWakeup(m.ep, true);
    expect(m.ep.pmePoll).toBe(false);
    expect(m.ep.wakeupCount).toBe(1);
    expect(m.ep.power.request).toBe('resume');
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    await m.k.settle();
    expect(m.drv.calls).toContain('resume 0000:01:00.0');
  });

  it('B.9.5 a device in D3cold wakes through the firmware GPE (pci_acpi_wake_dev): resume requested', async () => {
    const m = await suspendedPme({ acpi: true, rootPort: { d3cold: true } });
    expect(m.ep.currentState).toBe(PCI_D3cold);
    expect(m.ep.hw.powered).toBe(false);
    m.ep.hw.signalPme();
    expect(m.ep.pmePoll).toBe(false);
    expect(m.ep.wakeupCount).toBe(1);
    await m.k.settle();
    expect(m.drv.calls.filter((c) => c.startsWith('resume')).length).toBe(1);
  });

  it('B.9.5 a D3cold device below a port whose node has the GPE wakes through the port', async () => {
    const m = await suspendedPme({ acpi: true, rootPort: { pr3: true } });
    await m.k.settle();
    expect(m.rp.currentState).toBe(PCI_D3cold);
    m.ep.hw.signalPme();
    expect(m.rp.wakeupCount).toBe(1);
    await m.k.settle();
    expect(m.drv.calls.filter((c) => c.startsWith('resume')).length).toBe(1);
  });

  it('B.9.5 without any firmware node a PME from D3cold goes nowhere', async () => {
    const m = await suspendedPme({}, true);
    m.ep.currentState = PCI_D3cold;
    m.ep.hw.signalPme();
    await m.k.settle();
    expect(m.ep.wakeupCount).toBe(0);
  });

  it('B.9.5 pci_acpi_wake_dev for a device not in D3cold clears its status and checks the bus below', async () => {
    const m = await suspendedPme();
    m.ep.hw.signalPme();
    pciAcpiWakeDev(m.rp);
    expect(m.rp.wakeupCount).toBe(1);
    expect(m.ep.wakeupCount).toBe(1);
    expect(m.ep.pmePoll).toBe(false);
    await m.k.settle();
  });
});
