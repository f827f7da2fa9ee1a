import { describe, expect, it } from 'vitest';
import { EINVAL, ENODEV } from '@vfio-ts/kernel';
import { PCI_D0, PCI_D3hot, PCI_UNKNOWN } from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import { vfioPciCoreMatch, vfioPciCoreRequest } from '@vfio-ts/vfio-pci';
import {
  BDF,
  cfgRead,
  cfgWrite,
  close,
  e1000eHw,
  engage,
  eventfd,
  efdCount,
  hostRead,
  ioctl,
  open,
  setup,
} from './machine.js';

describe('D.3 probe and registration', () => {
  it('D.3.2/D.16.1 bound through driver_override: runtime PM allowed, usage 0, suspended in D3hot', async () => {
    const m = await setup();
    expect(m.ep.driver?.name).toBe('vfio-pci');
    expect(m.ep.power.runtimeAuto).toBe(true);
    expect(m.ep.power.usageCount).toBe(0);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(m.ep.currentState).toBe(PCI_D3hot);
  });

  it('D.2/D.16.2 disable_idle_d3 keeps the unused device active in D0 with usage 1', async () => {
    const m = await setup({ disableIdleD3: true });
    expect(m.ep.power.usageCount).toBe(1);
    expect(m.ep.power.runtimeStatus).toBe('active');
    expect(m.ep.currentState).toBe(PCI_D0);
    const fd = await open(m);
    expect(m.ep.power.usageCount).toBe(1);
    await close(m, fd);
    expect(m.ep.power.usageCount).toBe(1);
  });

  it('D.3.2 step 6 needs_pm_restore follows NoSoftRst', async () => {
    const m = await setup({ endpoint: { hw: e1000eHw((img) => (img[0xcc] = 0x08)) } });
    expect(m.vdev.needsPmRestore).toBe(false);
  });

  it('D.3.2 step 7 a device found in PCI_UNKNOWN is put in D0 before runtime PM starts', async () => {
    const m = await setup({ endpoint: { currentState: PCI_UNKNOWN }, disableIdleD3: true });
    expect(m.ep.currentState).toBe(PCI_D0);
  });

  it('D.3.1 a denylisted device fails probe with -EINVAL (unless disable_denylist)', async () => {
    const qat = e1000eHw((img) => {
      img[2] = 0x35;
      img[3] = 0x04;
    });
    const m = await setup({ endpoint: { hw: qat } });
    expect(m.ep.driver).toBeNull();
    expect(m.vdev).toBeUndefined();
    const m2 = await setup({
      endpoint: {
        hw: e1000eHw((img) => {
          img[2] = 0x35;
          img[3] = 0x04;
        }),
      },
      disableDenylist: true,
    });
    expect(m2.ep.driver?.name).toBe('vfio-pci');
  });

  it('C.5.2 the device set is keyed by the bus behind a non-hotplug port, by the slot of a hotplug one', async () => {
    const m = await setup();
    expect(m.vdev.vdev.devSet!.setId).toBe(m.ep.pciBus);
    const m2 = await setup({ hotplug: true });
    expect(m2.vdev.vdev.devSet!.setId).toBe(m2.ep.slot);
  });

  it('D.3.3/D.16.1 unbind takes the reference back and forbids runtime PM', async () => {
    const m = await setup();
    await m.k.run('unbind', () => m.topo.unregisterDriver('vfio-pci'));
    expect(m.ep.driver).toBeNull();
    expect(m.ep.power.runtimeAuto).toBe(false);
    expect(m.ep.power.usageCount).toBe(1);
    expect(m.ep.power.runtimeStatus).toBe('active');
    expect(m.core.find(BDF)).toBe(-ENODEV);
  });

  it('the device is found by its name; a vf_token is refused; other names do not match', async () => {
    const m = await setup();
    expect(vfioPciCoreMatch(m.vdev.vdev, BDF)).toBe(1);
    expect(
      vfioPciCoreMatch(m.vdev.vdev, `${BDF} vf_token=2ab74924-c335-45f4-9b16-8569e5b08258`),
    ).toBe(-EINVAL);
    expect(vfioPciCoreMatch(m.vdev.vdev, `${BDF} bogus`)).toBe(-EINVAL);
    expect(vfioPciCoreMatch(m.vdev.vdev, `${BDF}x`)).toBe(0);
    expect(vfioPciCoreMatch(m.vdev.vdev, '0000:02:00.0')).toBe(0);
  });

  it('C.6.2 a removal request is relayed to the REQ eventfd, or logged once', async () => {
    const m = await setup();
    const fd = await open(m);
    vfioPciCoreRequest(m.vdev.vdev, 0);
    expect(m.k.log.some((l) => l.text.includes('No device request channel'))).toBe(true);
    const efd = eventfd(m);
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      VFIO.irqSet.encode({ flags: 4 | 0x20, index: 4, eventfds: [efd] }),
    );
    vfioPciCoreRequest(m.vdev.vdev, 0);
    vfioPciCoreRequest(m.vdev.vdev, 1);
    expect(efdCount(m, efd)).toBe(2n);
  });
});

describe('D.4 enable and disable', () => {
  it('D.4.1 first open resumes (usage 1, D0), resets, and builds vconfig', async () => {
    const m = await setup();
    const fd = await open(m);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(m.ep.power.usageCount).toBe(1);
    expect(m.ep.power.runtimeStatus).toBe('active');
    expect(m.ep.currentState).toBe(PCI_D0);
    expect(m.vdev.resetWorks).toBe(true);
    expect(m.vdev.vconfig).not.toBeNull();
    expect(m.vdev.pciSavedState.get()).not.toBeNull();
    expect([m.vdev.msixBar, m.vdev.msixOffset, m.vdev.msixSize]).toEqual([3, 0, 80]);
  });

  it('C.4.2 a second fd does not enable again', async () => {
    const m = await setup();
    const a = await open(m);
    const b = await open(m);
    expect(b).toBe(a + 1);
    expect(m.ep.power.usageCount).toBe(1);
  });

  it('D.4.1 step 1 a failed resume fails the open with that error', async () => {
    const m = await setup();
    const { pmRuntimeDisable } = await import('@vfio-ts/runtime-pm');
    pmRuntimeDisable(m.ep);
    expect(await open(m)).toBeLessThan(0);
    expect(m.vdev.vdev.openCount).toBe(0);
  });

  it('D.4.3 last close: vconfig freed, state reloaded, usage back to 0, suspends again', async () => {
    const m = await setup();
    const fd = await open(m);
    const efd = eventfd(m);
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      VFIO.irqSet.encode({ flags: 4 | 0x20, index: 0, eventfds: [efd] }),
    );
    await cfgWrite(m, fd, 0x04, 2, 0x0503);
    await close(m, fd);
    expect(m.vdev.vconfig).toBeNull();
    expect(m.vdev.irqType).toBe(VFIO.PCI_NUM_IRQS);
    expect(m.vdev.virqDisabled).toBe(false);
    expect(m.vdev.pciSavedState.get()).toBeNull();
    expect(m.ep.power.usageCount).toBe(0);
    await m.k.settle();
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(m.topo.kmem.leaks(0)).toEqual([]);
  });

  it('D.4.3 close of a device the user left in D3hot brings it to D0 and restores it', async () => {
    const m = await setup();
    const fd = await open(m);
    const bar0 = hostRead(m, 0x10, 4);
    await cfgWrite(m, fd, 0xcc, 2, 3);
    await close(m, fd);
    expect(m.vdev.pmSave.get()).toBeNull();
    expect(hostRead(m, 0x10, 4)).toBe(bar0);
  });

  it('D.4.3 step 1/D.16.1 close while engaged: exit, resume, usage back to 0', async () => {
    const m = await setup();
    const fd = await open(m);
    const efd = eventfd(m);
    const buf = VFIO.feature({
      flags: VFIO.DEVICE_FEATURE_SET,
      feature: 4,
      data: VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: efd }),
    });
    expect(await ioctl(m, fd, VFIO.DEVICE_FEATURE, buf)).toBe(0);
    await m.k.settle();
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    await close(m, fd);
    expect(m.vdev.pmRuntimeEngaged).toBe(false);
    expect(efdCount(m, efd)).toBe(0n);
    expect(m.ep.power.usageCount).toBe(0);
  });

  it('reopening after close reads the same config', async () => {
    const m = await setup();
    let fd = await open(m);
    const cmd = await cfgRead(m, fd, 4, 2);
    await close(m, fd);
    fd = await open(m);
    expect(await cfgRead(m, fd, 4, 2)).toBe(cmd);
    await engage(m, fd);
    await close(m, fd);
    expect(m.ep.power.usageCount).toBe(0);
  });
});

describe('registration failures', () => {
  it('D.3.2 step 11 a duplicate name at vfio registration fails the probe; PM is undone', async () => {
    const m = await setup({ bind: false });
    const { VfioDevice } = await import('@vfio-ts/vfio-core');
    m.core.vfioRegisterGroupDev(new VfioDevice(m.k, m.ep, { name: 'other' }));
    await m.k.run('bind', () => m.topo.registerDriver(m.drv));
    expect(m.ep.driver).toBeNull();
    expect(m.ep.power.runtimeAuto).toBe(false);
    expect(m.drv.devices.size).toBe(0);
  });

  it('D.3.2 steps 1 and 2: drvdata mismatch and a bridge header are -EINVAL', async () => {
    const m = await setup();
    const { VfioDevice } = await import('@vfio-ts/vfio-core');
    const { VfioPciCoreDevice, vfioPciCoreRegisterDevice } = await import('@vfio-ts/vfio-pci');
    const rp = m.topo.port('rp0')!;
    const opts = m.drv.options;
    const v = new VfioPciCoreDevice(rp, new VfioDevice(m.k, rp, { name: 'x' }), opts);
    expect(await m.k.run('r', () => vfioPciCoreRegisterDevice(v, m.core))).toBe(-EINVAL);
    const saved = rp.driverData;
    rp.driverData = v;
    expect(await m.k.run('r', () => vfioPciCoreRegisterDevice(v, m.core))).toBe(-EINVAL);
    rp.driverData = saved;
    expect(m.k.defects.some((d) => d.message.includes('drvdata'))).toBe(true);
  });

  it('toVfioPciCoreDevice refuses a vfio device of another driver', async () => {
    const m = await setup();
    const { VfioDevice } = await import('@vfio-ts/vfio-core');
    const { toVfioPciCoreDevice } = await import('@vfio-ts/vfio-pci');
    expect(() => toVfioPciCoreDevice(new VfioDevice(m.k, m.ep, { name: 'x' }))).toThrow(
      /not a vfio-pci device/,
    );
  });

  it('D.4.1 step 3 a busy device lock makes the first open -EAGAIN and undoes the PM reference', async () => {
    const m = await setup();
    const wq = m.k.newWaitQueue('never');
    m.k.sched.spawn('holder', async () => {
      await m.ep.mutex.lock();
      await wq.wait();
    });
    await m.k.settle();
    expect(await open(m)).toBe(-11);
    expect(m.ep.power.usageCount).toBe(0);
  });

  it('C.6.2 later removal requests without a channel are silent', async () => {
    const m = await setup();
    vfioPciCoreRequest(m.vdev.vdev, 3);
    expect(m.k.log.some((l) => l.text.includes('No device request channel'))).toBe(false);
  });
});

describe('D.3.3/C.6.2 unbind while open', () => {
  it('unbind waits for the last fd, relaying removal requests to the REQ eventfd meanwhile', async () => {
    const m = await setup();
    const fd = await open(m);
    const efd = eventfd(m);
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      VFIO.irqSet.encode({ flags: 4 | 0x20, index: 4, eventfds: [efd] }),
    );
    let done = false;
    m.k.sched.spawn('unbind', async () => {
      await m.topo.unregisterDriver('vfio-pci');
      done = true;
    });
    await m.k.sched.runFor(25_000_000_000);
    expect(done).toBe(false);
    expect(efdCount(m, efd)).toBe(3n);
    await close(m, fd);
    await m.k.settle();
    expect(done).toBe(true);
    expect(m.ep.driver).toBeNull();
  });
});

describe('D.16.1 usage-count timeline (normal mode)', () => {
  it('bind 0 → open 1 → RESET ioctl 2 during, 1 after → ENTRY 0 → EXIT 1 → close 0 → unbind 1', async () => {
    const m = await setup();
    const seen: number[] = [m.ep.power.usageCount];
    const fd = await open(m);
    seen.push(m.ep.power.usageCount);
    let during = -1;
    const stop = m.ep.hw.subscribe(() => (during = Math.max(during, m.ep.power.usageCount)));
    await ioctl(m, fd, VFIO.DEVICE_RESET);
    stop();
    seen.push(during, m.ep.power.usageCount);
    await engage(m, fd);
    seen.push(m.ep.power.usageCount);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_FEATURE,
      VFIO.feature({ flags: VFIO.DEVICE_FEATURE_SET, feature: 5 }),
    );
    seen.push(m.ep.power.usageCount);
    await close(m, fd);
    seen.push(m.ep.power.usageCount);
    await m.k.run('unbind', () => m.topo.unregisterDriver('vfio-pci'));
    seen.push(m.ep.power.usageCount);
    expect(seen).toEqual([0, 1, 2, 1, 0, 1, 0, 1]);
  });
});
