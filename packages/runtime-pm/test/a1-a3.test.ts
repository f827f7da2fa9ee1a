// KERNEL.md A.1–A.3: constants, the dev_pm_info fields and predicates, callback selection.
import { describe, expect, it } from 'vitest';
import { Kernel, msecs } from '@vfio-ts/kernel';
import {
  Device,
  PM_QOS_RESUME_LATENCY_NO_CONSTRAINT,
  RPM_ASYNC,
  RPM_AUTO,
  RPM_GET_PUT,
  RPM_NOWAIT,
  RPM_REQUEST_VALUE,
  RPM_STATUS_VALUE,
  pmRuntimeActive,
  pmRuntimeActiveTime,
  pmRuntimeCallbacksPresent,
  pmRuntimeDisable,
  pmRuntimeEnable,
  pmRuntimeEnabled,
  pmRuntimeGetSync,
  pmRuntimeHasNoCallbacks,
  pmRuntimeIsIrqSafe,
  pmRuntimeNoCallbacks,
  pmRuntimePutSync,
  pmRuntimeResume,
  pmRuntimeSetActive,
  pmRuntimeStatusSuspended,
  pmRuntimeSuspend,
  pmRuntimeSuspended,
  pmRuntimeSuspendedTime,
  type DevPmOps,
} from '@vfio-ts/runtime-pm';
import { activeDevice, FakeDriver, makeDevice } from './helpers.js';

describe('A.1 constants', () => {
  it('A.1 numbers the flags, statuses and requests as the kernel does', () => {
    expect([RPM_ASYNC, RPM_NOWAIT, RPM_GET_PUT, RPM_AUTO]).toEqual([1, 2, 4, 8]);
    expect(RPM_STATUS_VALUE).toEqual({
      invalid: -1,
      active: 0,
      resuming: 1,
      suspended: 2,
      suspending: 3,
    });
    expect(RPM_REQUEST_VALUE).toEqual({ none: 0, idle: 1, suspend: 2, autosuspend: 3, resume: 4 });
  });
});

describe('A.2 dev_pm_info fields and predicates', () => {
  it('A.2 starts disabled, suspended, usage 0, runtime_auto, nothing pending', () => {
    const k = new Kernel();
    const dev = new Device(k, { name: 'd' });
    expect(dev.power).toMatchObject({
      usageCount: 0,
      childCount: 0,
      disableDepth: 1,
      runtimeStatus: 'suspended',
      lastStatus: 'invalid',
      runtimeError: 0,
      ignoreChildren: false,
      runtimeAuto: true,
      requestPending: false,
      request: 'none',
      idleNotification: false,
      deferredResume: false,
      noCallbacks: false,
      irqSafe: false,
      useAutosuspend: false,
      autosuspendDelay: 0,
      lastBusy: 0,
      timerExpires: 0,
      timerAutosuspends: false,
      needsForceResume: false,
      linksCount: 0,
      activeTime: 0,
      suspendedTime: 0,
      accountingTimestamp: 0,
      qosResumeLatencyUs: PM_QOS_RESUME_LATENCY_NO_CONSTRAINT,
    });
    expect(String(dev)).toBe('d');
  });

  it('A.2 predicates: suspended needs enabled; active includes disabled; status_suspended ignores depth', () => {
    const k = new Kernel();
    const dev = new Device(k, { name: 'd' });
    expect(pmRuntimeSuspended(dev)).toBe(false);
    expect(pmRuntimeStatusSuspended(dev)).toBe(true);
    expect(pmRuntimeActive(dev)).toBe(true);
    expect(pmRuntimeEnabled(dev)).toBe(false);
    pmRuntimeEnable(dev);
    expect(pmRuntimeSuspended(dev)).toBe(true);
    expect(pmRuntimeActive(dev)).toBe(false);
    expect(pmRuntimeEnabled(dev)).toBe(true);
    expect(pmRuntimeHasNoCallbacks(dev)).toBe(false);
    expect(pmRuntimeCallbacksPresent(dev)).toBe(true);
    expect(pmRuntimeIsIrqSafe(dev)).toBe(false);
    pmRuntimeNoCallbacks(dev);
    expect(pmRuntimeHasNoCallbacks(dev)).toBe(true);
    expect(pmRuntimeCallbacksPresent(dev)).toBe(false);
  });

  it('A.2 accounts time only while enabled, suspending and resuming as active', async () => {
    const k = new Kernel();
    const { dev, drv } = makeDevice(k, 'd');
    drv.delayNs = msecs(10);
    await k.sched.runFor(msecs(50)); // disabled: not accounted
    expect(pmRuntimeSetActive(dev)).toBe(0);
    pmRuntimeEnable(dev);
    await k.sched.runFor(msecs(5));
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(0); // 10 ms suspending
    await k.sched.runFor(msecs(7));
    expect(await k.run('r', () => pmRuntimeResume(dev))).toBe(0); // 10 ms resuming
    expect(pmRuntimeActiveTime(dev)).toBe(msecs(25));
    expect(pmRuntimeSuspendedTime(dev)).toBe(msecs(7));
    await k.run('d', () => pmRuntimeDisable(dev));
    await k.sched.runFor(msecs(100));
    expect(pmRuntimeActiveTime(dev)).toBe(msecs(25));
  });
});

describe('A.3 callback selection', () => {
  const ops = (tag: string, log: string[]): DevPmOps => ({
    runtimeSuspend: () => (log.push(`${tag}.suspend`), 0),
    runtimeResume: () => (log.push(`${tag}.resume`), 0),
  });

  it('A.3.1 takes PM domain, then type, then class, then bus', async () => {
    const k = new Kernel();
    const log: string[] = [];
    const dev = new Device(k, {
      name: 'd',
      pmDomain: { name: 'dom', ops: ops('domain', log) },
      type: { name: 't', pm: ops('type', log) },
      class: { name: 'c', pm: ops('class', log) },
      bus: { name: 'b', pm: ops('bus', log) },
    });
    dev.driver = { name: 'drv', pm: ops('driver', log) };
    pmRuntimeEnable(dev);
    const cycle = async (): Promise<void> => {
      await k.run('r', () => pmRuntimeResume(dev));
      await k.run('s', () => pmRuntimeSuspend(dev));
    };
    await cycle();
    dev.pmDomain = null;
    await cycle();
    dev.type = { name: 't' }; // a type without a pm table is skipped
    await cycle();
    dev.class = null;
    await cycle();
    dev.bus = null;
    await cycle();
    expect(log).toEqual([
      'domain.resume',
      'domain.suspend',
      'type.resume',
      'type.suspend',
      'class.resume',
      'class.suspend',
      'bus.resume',
      'bus.suspend',
      'driver.resume',
      'driver.suspend',
    ]);
  });

  it("A.3.1 uses the driver's callback where the chosen table has none", async () => {
    const k = new Kernel();
    const log: string[] = [];
    const dev = new Device(k, { name: 'd', bus: { name: 'pci', pm: { runtimeIdle: () => 0 } } });
    dev.driver = { name: 'drv', pm: ops('driver', log) };
    pmRuntimeEnable(dev);
    await k.run('r', () => pmRuntimeResume(dev));
    expect(log).toEqual(['driver.resume']);
  });

  it('A.3.2 treats a missing callback as success and never calls a no_callbacks device', async () => {
    const k = new Kernel();
    const dev = new Device(k, { name: 'd' });
    pmRuntimeEnable(dev);
    expect(await k.run('r', () => pmRuntimeGetSync(dev))).toBe(0);
    expect(dev.power.runtimeStatus).toBe('active');
    expect(await k.run('s', () => pmRuntimePutSync(dev))).toBe(0);
    expect(dev.power.runtimeStatus).toBe('suspended');
    const { dev: nc, drv } = makeDevice(k, 'nc');
    pmRuntimeNoCallbacks(nc);
    pmRuntimeEnable(nc);
    expect(await k.run('g', () => pmRuntimeGetSync(nc))).toBe(0);
    expect(await k.run('p', () => pmRuntimePutSync(nc))).toBe(0);
    expect(nc.power.runtimeStatus).toBe('suspended');
    expect(drv.calls).toEqual([]);
  });

  it('A.3 rejects a callback that does not return an int (a simulator bug)', async () => {
    const k = new Kernel();
    const dev = new Device(k, { name: 'd' });
    dev.driver = { name: 'bad', pm: { runtimeResume: () => undefined as unknown as number } };
    pmRuntimeEnable(dev);
    await expect(k.run('r', () => pmRuntimeResume(dev))).rejects.toThrow(
      /runtime_resume callback of d returned undefined/,
    );
    expect(dev.power.lock.held).toBe(false);
  });

  it('A.3 a device refuses a parent from another kernel', () => {
    const p = new Device(new Kernel(), { name: 'p' });
    expect(() => new Device(new Kernel(), { name: 'c', parent: p })).toThrow(/another kernel/);
    const k = new Kernel();
    activeDevice(k, 'x', { drv: new FakeDriver(k) });
  });
});
