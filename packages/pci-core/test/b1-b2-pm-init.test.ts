// KERNEL.md B.1 (constants, power state encoding) and B.2 (pci_pm_init at enumeration).
import { describe, expect, it } from 'vitest';
import { Kernel, msecs } from '@vfio-ts/kernel';
import {
  AcpiPlatform,
  PCI_D0,
  PCI_D3cold,
  PCI_D3hot,
  PCI_PM_D2_DELAY_NS,
  PCI_PM_D3COLD_WAIT,
  PCI_PM_D3HOT_WAIT,
  PCI_RESET_WAIT,
  PCIE_RESET_READY_POLL_MS,
  PCI_UNKNOWN,
  PME_TIMEOUT_NS,
  PciTopology,
  pciPmeList,
  pciPowerName,
  pciRefreshPowerState,
  pciSetPowerState,
} from '@vfio-ts/pci-core';
import { pmRuntimeEnabled, powerAttrRead } from '@vfio-ts/runtime-pm';
import { machine, synthHw, TestDriver } from './pci-machine.js';

describe('B.1 constants and state encoding', () => {
  it('B.1 delays and timeouts have the kernel values', () => {
    expect(PCI_PM_D2_DELAY_NS).toBe(200_000);
    expect(PCI_PM_D3HOT_WAIT).toBe(10);
    expect(PCI_PM_D3COLD_WAIT).toBe(100);
    expect(PCI_RESET_WAIT).toBe(1000);
    expect(PCIE_RESET_READY_POLL_MS).toBe(60000);
    expect(PME_TIMEOUT_NS).toBe(msecs(1000));
  });

  it('B.1 pci_power_name() is what sysfs power_state shows', () => {
    expect([0, 1, 2, 3, 4, 5, -1].map(pciPowerName)).toEqual([
      'D0',
      'D1',
      'D2',
      'D3hot',
      'D3cold',
      'unknown',
      'error',
    ]);
  });

  it('B.1 pci_dev_d3_sleep sleeps max(d3hot_delay, pci_pm_d3hot_delay) of virtual time', async () => {
    const m = await machine({ topology: { params: { pciPmD3hotDelay: 25 } } });
    const t0 = m.k.clock.now();
    await m.k.run('d3', () => pciSetPowerState(m.ep, PCI_D3hot));
    expect(m.k.clock.now() - t0).toBe(msecs(25));
  });
});

describe('B.2 initial state at enumeration (pci_pm_init)', () => {
  it('B.2.1 every PCI device starts ACTIVE, enabled, usage 1, runtime_auto false', async () => {
    const m = await machine();
    expect(m.ep.power.runtimeStatus).toBe('active');
    expect(pmRuntimeEnabled(m.ep)).toBe(true);
    expect(m.ep.power.usageCount).toBe(1);
    expect(powerAttrRead(m.ep, 'control')).toBe('on\n');
    expect(m.rp.power.childCount).toBe(1);
  });

  it('B.2.1 current_state starts PCI_UNKNOWN unless the topology says otherwise', async () => {
    const m = await machine({ endpoint: { currentState: undefined } });
    expect(m.ep.currentState).toBe(PCI_UNKNOWN);
    expect(m.sysfs.read('/sys/bus/pci/devices/0000:01:00.0/power_state')).toBe('unknown\n');
  });

  it('B.2.2 no PM capability: pm_cap 0, pme_support 0, delays 0, d3cold_allowed 0', async () => {
    const m = await machine({ rootPort: { model: 'qemu-pcie-root-port' } });
    expect(m.rp.pmCap).toBe(0);
    expect(m.rp.pmeSupport).toBe(0);
    expect(m.rp.d3hotDelay).toBe(0);
    expect(m.rp.d3coldAllowed).toBe(false);
    expect(m.rp.wakeupPrepared).toBe(false);
  });

  it('B.2.2 a PMC version above 3 is treated as no PM capability (error logged)', async () => {
    const m = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: 0x0004 }) } });
    expect(m.ep.pmCap).toBe(0);
    expect(m.k.log.some((l) => l.text.includes('unsupported PM cap regs version (4)'))).toBe(true);
  });

  it('B.2.3 PM capability: pm_cap, delays 10/100 ms, d3cold_allowed, bridge_d3, D1/D2 from PMC', async () => {
    const m = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: 0x0603 }) } });
    expect(m.ep.pmCap).toBe(0x40);
    expect([m.ep.d3hotDelay, m.ep.d3coldDelay]).toEqual([10, 100]);
    expect(m.ep.d3coldAllowed).toBe(true);
    expect([m.ep.d1Support, m.ep.d2Support]).toEqual([true, true]);
    expect(m.ep.bridgeD3).toBe(false);
    const e1000e = await machine();
    expect([e1000e.ep.pmCap, e1000e.ep.d1Support, e1000e.ep.d2Support]).toEqual([
      0xc8,
      false,
      false,
    ]);
  });

  it('B.2.3 D1/D2 support is not taken when the bridge above has no_d1d2', () => {
    const k = new Kernel();
    const topo = new PciTopology(k);
    const rp = topo.addRootPort({ bdf: '0000:00:1c.0', hw: synthPortNoD1d2() });
    rp.noD1d2 = true;
    const ep = topo.addEndpoint({
      bdf: '0000:01:00.0',
      rootPort: rp,
      hw: synthHw({ pmc: 0x0603 }),
    });
    expect([ep.d1Support, ep.d2Support]).toEqual([false, false]);
  });

  it('B.2.4 PME_Support: pme_support, pme_poll, wakeup-capable but not enabled, PME disabled', async () => {
    const m = await machine({
      endpoint: { model: undefined, hw: synthHw({ pmc: 0xc803, pmcsr: 0x8100 }) },
    });
    expect(m.ep.pmeSupport).toBe(0x19);
    expect(m.ep.pmePoll).toBe(true);
    expect([m.ep.wakeupCapable, m.ep.wakeupEnabled]).toEqual([true, false]);
    expect(m.ep.hw.snapshot().readU16(0x44) & 0x8100).toBe(0);
    expect(pciPmeList(m.k).devices).not.toContain(m.ep);
  });

  it('B.2.5 a root port without PM capability keeps d3cold_allowed 0 and stays in D0', async () => {
    const m = await machine({ rootPort: { model: 'qemu-pcie-root-port', hotplug: true } });
    expect(m.sysfs.read('/sys/bus/pci/devices/0000:00:04.0/d3cold_allowed')).toBe('0\n');
    expect(m.sysfs.read('/sys/bus/pci/devices/0000:00:04.0/power_state')).toBe('D0\n');
    // pcieport bound, D3 not possible (hotplug port): forbid + probe reference = 2.
    expect(m.sysfs.read('/sys/bus/pci/devices/0000:00:04.0/power/runtime_usage')).toBe('2\n');
  });

  it('B.2.5 with _PR3 it is capped at D3hot until 1 is written to d3cold_allowed, then D3cold', async () => {
    const m = await machine({
      acpi: true,
      rootPort: { model: 'qemu-pcie-root-port', hotplug: false, pr3: true },
    });
    expect(m.rp.d3coldAllowed).toBe(false);
    // Let the unbound endpoint suspend so that the port can.
    await m.k.run('allow', () =>
      m.sysfs.write('/sys/bus/pci/devices/0000:01:00.0/power/control', 'auto'),
    );
    await m.k.settle();
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(m.rp.power.runtimeStatus).toBe('suspended');
    expect(m.rp.currentState).toBe(PCI_D3hot);
    expect(m.ep.hw.powered).toBe(true);
    const ret = await m.k.run('w', () =>
      m.sysfs.write('/sys/bus/pci/devices/0000:00:04.0/d3cold_allowed', '1\n'),
    );
    expect(ret).toBe(2);
    await m.k.settle();
    expect(m.rp.power.runtimeStatus).toBe('suspended');
    expect(m.rp.currentState).toBe(PCI_D3cold);
    expect(m.ep.currentState).toBe(PCI_D3cold);
    expect(m.ep.hw.powered).toBe(false);
    expect(m.acpi!.powerResource(m.rp)!.on).toBe(false);
    // Refreshing keeps the platform's view.
    await m.k.run('r', () => pciRefreshPowerState(m.rp));
    expect(m.rp.currentState).toBe(PCI_D3cold);
    expect(m.ep.hw.violations).toEqual([]);
  });

  it('B.2 enumeration under a runtime-suspended bridge is refused', async () => {
    const m = await machine({ acpi: true, rootPort: { pr3: true } });
    await m.k.run('allow', () =>
      m.sysfs.write('/sys/bus/pci/devices/0000:01:00.0/power/control', 'auto'),
    );
    await m.k.settle();
    expect(m.rp.power.runtimeStatus).toBe('suspended');
    expect(() =>
      m.topo.addEndpoint({ bdf: '0000:01:00.1', rootPort: 'rp0', model: 'e1000e' }),
    ).toThrow(/runtime-suspended/);
  });

  it('B.2 a bound driver keeps the device active until it drops its reference', async () => {
    const m = await machine();
    const drv = new TestDriver();
    drv.keepReference = true;
    await m.k.run('reg', () => m.topo.registerDriver(drv));
    await m.k.settle();
    expect(m.ep.power.usageCount).toBe(2);
    expect(m.ep.power.runtimeStatus).toBe('active');
    expect(m.ep.currentState).toBe(PCI_D0);
    const acpi = new AcpiPlatform(m.k);
    expect(acpi.name).toBe('acpi');
  });
});

function synthPortNoD1d2() {
  return synthHw({ bridge: true, pcieType: 4, classCode: 0x060400, bar0: false });
}
