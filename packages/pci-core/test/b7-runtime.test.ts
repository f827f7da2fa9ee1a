// KERNEL.md B.7: the PCI bus runtime callbacks, and A.16.3/A.16.4 (probe/remove brackets).
import { describe, expect, it } from 'vitest';
import { EAGAIN, EBUSY, EIO, ENODEV, ENOSYS } from '@vfio-ts/kernel';
import {
  PCI_D0,
  PCI_D3cold,
  PCI_D3hot,
  PCI_UNKNOWN,
  pciDevIsDisconnected,
  pciPmRuntimeIdle,
  pciSaveState,
  pciSetPowerState,
} from '@vfio-ts/pci-core';
import {
  pmRuntimeGetSync,
  pmRuntimePut,
  pmRuntimeResume,
  powerAttrRead,
  type Device,
} from '@vfio-ts/runtime-pm';
import { machine, TestDriver, type Machine } from './pci-machine.js';

async function bind(m: Machine, drv = new TestDriver()): Promise<TestDriver> {
  expect(await m.k.run('reg', () => m.topo.registerDriver(drv))).toBe(0);
  await m.k.settle();
  return drv;
}

async function allow(m: Machine, bdf = '0000:01:00.0'): Promise<void> {
  expect(
    await m.k.run('auto', () =>
      m.sysfs.write(`/sys/bus/pci/devices/${bdf}/power/control`, 'auto\n'),
    ),
  ).toBe(5);
  await m.k.settle();
}

describe('B.7.1 pci_pm_runtime_suspend', () => {
  it('B.7.1 step 2 / B.7.5: an unbound device runtime-suspends in D0 with its config saved', async () => {
    const m = await machine();
    await allow(m);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(m.ep.currentState).toBe(PCI_D0);
    expect(m.ep.stateSaved).toBe(true);
  });

  it('B.7.1 steps 3–8: a bound device with a trivial driver goes to D3hot (no platform)', async () => {
    const m = await machine();
    const drv = await bind(m);
    expect(drv.calls).toEqual(['probe 0000:01:00.0', 'suspend 0000:01:00.0']);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(m.ep.currentState).toBe(PCI_D3hot);
    expect(m.ep.stateSaved).toBe(true);
  });

  it.each([[-EBUSY], [-EAGAIN]])(
    'B.7.1 step 4: the driver returning %s means "try later" (not fatal)',
    async (ret) => {
      const m = await machine();
      const drv = new TestDriver();
      drv.suspendRet = ret;
      await bind(m, drv);
      expect(m.ep.power.runtimeStatus).toBe('active');
      expect(m.ep.power.runtimeError).toBe(0);
      expect(m.ep.currentState).toBe(PCI_D0);
    },
  );

  it('B.7.1 step 4: any other error is logged and fatal for the PM core', async () => {
    const m = await machine();
    const drv = new TestDriver();
    drv.suspendRet = -EIO;
    await bind(m, drv);
    expect(powerAttrRead(m.ep, 'runtime_status')).toBe('error\n');
    expect(m.k.log.map((l) => l.text)).toContain("pci 0000:01:00.0: can't suspend (returned -5)");
  });

  it('B.7.1 step 6: a driver that moved the device itself without saving state: left as is, warned', async () => {
    const m = await machine();
    const drv = new TestDriver();
    drv.pm!.runtimeSuspend = async (d: Device) => {
      drv.calls.push('suspend');
      await pciSetPowerState(m.topo.lookup(d.name)!, PCI_D3hot);
      return 0;
    };
    await bind(m, drv);
    expect(m.ep.currentState).toBe(PCI_D3hot);
    expect(m.ep.stateSaved).toBe(false);
    expect(m.k.defects.map((d) => d.message)).toContain(
      'PCI PM: State of device 0000:01:00.0 not saved by runtime_suspend',
    );
  });

  it('B.7.1 step 6: a driver that saved state itself: the PCI core neither saves nor moves the device', async () => {
    const m = await machine();
    const drv = new TestDriver();
    drv.pm!.runtimeSuspend = (d: Device) => (pciSaveState(m.topo.lookup(d.name)!), 0);
    await bind(m, drv);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(m.ep.currentState).toBe(PCI_D0);
  });

  it('B.7.1 step 7: failing to reach the low-power state does not fail the runtime suspend', async () => {
    const m = await machine();
    m.ep.hw.powerOff();
    await bind(m);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(m.ep.currentState).toBe(PCI_D3cold);
    expect(m.ep.power.runtimeError).toBe(0);
  });
});

describe('B.7.2 pci_pm_runtime_resume', () => {
  it('B.7.2 bound: power up, restore config, disarm wakeup, then the driver; its result is returned', async () => {
    const m = await machine();
    const drv = await bind(m);
    const cmd = m.ep.savedConfigSpace[1]! & 0xffff;
    expect(await m.k.run('get', () => pmRuntimeGetSync(m.ep))).toBe(0);
    expect(m.ep.currentState).toBe(PCI_D0);
    expect(m.ep.hw.configRead(0x04, 2)).toBe(cmd);
    expect(m.ep.stateSaved).toBe(false);
    expect(drv.calls.at(-1)).toBe('resume 0000:01:00.0');
    drv.resumeRet = -EIO;
    await m.k.run('put', () => pmRuntimePut(m.ep));
    await m.k.settle();
    expect(await m.k.run('get', () => pmRuntimeGetSync(m.ep))).toBe(-EIO);
    expect(powerAttrRead(m.ep, 'runtime_status')).toBe('error\n');
  });

  it('B.7.2 step 3 / B.7.5: an unbound device whose bridge went to D3cold gets its config back', async () => {
    const m = await machine({ acpi: true, rootPort: { pr3: true } });
    await allow(m);
    expect([m.rp.currentState, m.ep.currentState, m.ep.hw.powered]).toEqual([
      PCI_D3cold,
      PCI_D3cold,
      false,
    ]);
    expect(await m.k.run('r', () => pmRuntimeResume(m.ep))).toBe(0);
    expect([m.ep.currentState, m.ep.hw.powered]).toEqual([PCI_D0, true]);
    expect(m.ep.hw.configRead(0x04, 2)).toBe(0x0103);
    expect(m.ep.hw.configRead(0x10, 4)).toBe(m.ep.resources[0]!.value);
    expect(m.ep.hw.violations).toEqual([]);
  });

  it('B.7.2 step 5 [6.1.192]: a bridge back from D3cold waits d3cold_delay, then resumes everything below', async () => {
    const m = await machine({ acpi: true, rootPort: { pr3: true } });
    await allow(m);
    const t0 = m.k.clock.now();
    await m.k.run('r', () => pmRuntimeResume(m.rp));
    // 10 ms for the port's own D3hot → D0, 100 ms for the children's d3cold_delay; the e1000e
    // answers at once.
    expect(m.k.clock.now() - t0).toBe(110_000_000);
    expect(m.ep.power.requestPending && m.ep.power.request).toBe('resume');
    await m.k.run('flush', () => m.k.sched.yield());
    expect(m.ep.currentState).toBe(PCI_D0);
  });

  it('B.7.2 step 5 [6.1.192]: if the secondary bus stays down, everything below is disconnected', async () => {
    const m = await machine({ acpi: true, rootPort: { pr3: true } });
    await allow(m);
    const res = m.acpi!.powerResource(m.rp)!;
    // The port's own node comes up but the slot's power does not.
    const on = res.acquire.bind(res);
    res.acquire = async () => {
      const r = await on();
      for (const d of [m.ep]) d.hw.powerOff();
      return r;
    };
    await m.k.run('r', () => pmRuntimeResume(m.rp));
    expect(pciDevIsDisconnected(m.ep)).toBe(true);
    expect(
      m.k.log.some(
        (l) => l.text.includes('not ready') && l.text.includes('after resume; giving up'),
      ),
    ).toBe(true);
  });
});

describe('B.7.3 pci_pm_runtime_idle', () => {
  it('B.7.3 unbound → 0; no dev_pm_ops → -ENOSYS (never auto-suspends); runtime_idle decides', async () => {
    const m = await machine();
    expect(await pciPmRuntimeIdle(m.ep)).toBe(0);
    const noPm = new TestDriver('nopm', undefined, false);
    await bind(m, noPm);
    expect(await pciPmRuntimeIdle(m.ep)).toBe(-ENOSYS);
    expect(m.ep.power.runtimeStatus).toBe('active');
    const n = await machine();
    const drv = new TestDriver();
    drv.idleRet = -EBUSY;
    await bind(n, drv);
    expect(await pciPmRuntimeIdle(n.ep)).toBe(-EBUSY);
    expect(n.ep.power.runtimeStatus).toBe('active');
    drv.idleRet = null;
    expect(await pciPmRuntimeIdle(n.ep)).toBe(0);
  });
});

describe('B.7.6 / A.16.3–A.16.4 probe and remove brackets', () => {
  it('A.16.3 local_pci_probe resumes and references the device; a failing probe is put synchronously', async () => {
    const m = await machine();
    await allow(m);
    const drv = new TestDriver();
    drv.probeRet = -ENODEV;
    await bind(m, drv);
    expect(m.ep.driver).toBeNull();
    expect(m.ep.power.usageCount).toBe(0);
    expect(m.ep.pciDriver).toBeNull();
  });

  it('A.16.3 a positive probe result is a success with a warning', async () => {
    const m = await machine();
    const drv = new TestDriver();
    drv.probeRet = 3;
    await bind(m, drv);
    expect(m.ep.driver?.name).toBe('testdrv');
    expect(m.k.log.map((l) => l.text)).toContain(
      'pci 0000:01:00.0: Driver probe function unexpectedly returned 3',
    );
  });

  it('A.16.4 remove: resumed around the driver remove; the probe reference is dropped; D0 → unknown', async () => {
    const m = await machine();
    const drv = await bind(m);
    expect(m.ep.currentState).toBe(PCI_D3hot);
    await m.k.run('unbind', () =>
      m.sysfs.write('/sys/bus/pci/drivers/testdrv/unbind', '0000:01:00.0'),
    );
    expect(drv.calls.slice(-2)).toEqual(['resume 0000:01:00.0', 'remove 0000:01:00.0']);
    expect(m.ep.currentState).toBe(PCI_UNKNOWN);
    // The driver had dropped its reference and allowed runtime PM: usage is back to 0.
    expect(m.ep.power.usageCount).toBe(0);
  });
});
