// KERNEL.md A.9 (work item and timer), A.10 (usage count), A.12 (autosuspend).
import { describe, expect, it } from 'vitest';
import { EAGAIN, EINVAL, Kernel, msecs } from '@vfio-ts/kernel';
import {
  RPM_USAGE_UNDERFLOW,
  pmRequestAutosuspend,
  pmRequestIdle,
  pmRequestResume,
  pmRuntimeAllow,
  pmRuntimeAutosuspend,
  pmRuntimeAutosuspendExpiration,
  pmRuntimeDontUseAutosuspend,
  pmRuntimeForbid,
  pmRuntimeGetNoresume,
  pmRuntimeGetSync,
  pmRuntimeMarkLastBusy,
  pmRuntimePut,
  pmRuntimePutAutosuspend,
  pmRuntimePutNoidle,
  pmRuntimePutSync,
  pmRuntimePutSyncAutosuspend,
  pmRuntimePutSyncSuspend,
  pmRuntimeSetAutosuspendDelay,
  pmRuntimeSuspend,
  pmRuntimeUseAutosuspend,
  pmScheduleSuspend,
  type Device,
} from '@vfio-ts/runtime-pm';
import { activeDevice, suspendedDevice } from './helpers.js';

describe('A.9 pm_runtime_work and the suspend timer', () => {
  it('A.9.1 the work takes the request and clears it: IDLE, SUSPEND, AUTOSUSPEND, RESUME', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.idleRet = 0;
    expect(pmRequestIdle(dev)).toBe(0);
    await k.settle();
    expect(dev.power).toMatchObject({ runtimeStatus: 'suspended', requestPending: false });
    pmRuntimeGetNoresume(dev);
    expect(pmRequestResume(dev)).toBe(0);
    await k.settle();
    pmRuntimePutNoidle(dev);
    expect(pmScheduleSuspend(dev, 0)).toBe(0);
    await k.settle();
    expect(drv.calls).toEqual(['idle:d', 'suspend:d', 'resume:d', 'suspend:d']);
  });

  it('A.9.1 a work that finds no request pending, or NONE, does nothing', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    const ret = await k.run('x', () => {
      expect(pmRequestAutosuspend(dev)).toBe(0);
      dev.power.request = 'none';
      return 0;
    });
    expect(ret).toBe(0);
    await k.settle();
    expect(drv.calls).toEqual([]);
    k.pmWq.queueWork(dev.power.work);
    await k.settle();
    expect(drv.calls).toEqual([]);
  });

  it('A.9.2 requests coalesce into the one work item; the last one wins', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.idleRet = 0;
    pmRuntimeGetNoresume(dev);
    pmRuntimePutNoidle(dev);
    expect(pmRequestIdle(dev)).toBe(0);
    expect(pmRequestAutosuspend(dev)).toBe(0);
    expect(k.sched.runnableCount).toBe(1);
    expect(dev.power.request).toBe('autosuspend');
    await k.settle();
    expect(drv.calls).toEqual(['suspend:d']);
  });

  it('A.9.3 the timer queues a suspend (or an autosuspend) when it expires', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    expect(pmScheduleSuspend(dev, 20)).toBe(0);
    expect(dev.power).toMatchObject({ timerExpires: msecs(20), timerAutosuspends: false });
    await k.sched.runFor(msecs(20) - 1);
    expect(drv.calls).toEqual([]);
    await k.settle();
    expect(k.clock.now()).toBe(msecs(20));
    expect(dev.power.timerExpires).toBe(0);
    expect(drv.calls).toEqual(['suspend:d']);
  });

  it('A.9.4 pm_schedule_suspend: 0 ms → async suspend; a nonzero check result is returned', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    pmRuntimeGetNoresume(dev);
    expect(pmScheduleSuspend(dev, 5)).toBe(-EAGAIN);
    expect(pmScheduleSuspend(dev, 0)).toBe(-EAGAIN);
    pmRuntimePutNoidle(dev);
    await k.run('s', () => pmRuntimeSuspend(dev));
    expect(pmScheduleSuspend(dev, 5)).toBe(1);
    expect(k.sched.pendingTimers).toBe(0);
  });

  it('A.9.4 pm_schedule_suspend cancels a queued request and replaces an armed timer', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.idleRet = 1;
    expect(pmRequestIdle(dev)).toBe(0);
    expect(pmScheduleSuspend(dev, 10)).toBe(0);
    expect(dev.power.request).toBe('none');
    expect(pmScheduleSuspend(dev, 30)).toBe(0);
    await k.settle();
    expect(k.clock.now()).toBe(msecs(30));
    expect(drv.calls).toEqual(['suspend:d']);
  });
});

describe('A.10 usage count', () => {
  it('A.10.1 a put at 0 warns "Runtime PM usage count underflow!", stays 0, returns -EINVAL', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    const puts = [
      () => Promise.resolve(pmRuntimePut(dev)),
      () => pmRuntimePutSync(dev),
      () => Promise.resolve(pmRuntimePutAutosuspend(dev)),
      () => pmRuntimePutSyncSuspend(dev),
      () => pmRuntimePutSyncAutosuspend(dev),
    ];
    for (const put of puts) expect(await k.run('p', put)).toBe(-EINVAL);
    expect(dev.power.usageCount).toBe(0);
    expect(dev.power.runtimeStatus).toBe('active');
    expect(drv.calls).toEqual([]);
    expect(k.defects.map((d) => d.kind)).toEqual(Array(5).fill(RPM_USAGE_UNDERFLOW));
    expect(k.log[0]?.text).toBe('fake d: Runtime PM usage count underflow!');
    expect(k.log[0]?.level).toBe('warn');
  });

  it('A.10.1 pm_runtime_allow underflows too', () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    dev.power.runtimeAuto = false;
    pmRuntimeAllow(dev);
    expect(dev.power).toMatchObject({ usageCount: 0, runtimeAuto: true, requestPending: false });
    expect(k.defects).toHaveLength(1);
  });

  it('A.10.2 put_noidle never underflows and never warns', () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    pmRuntimePutNoidle(dev);
    expect(dev.power.usageCount).toBe(0);
    expect(k.log).toEqual([]);
  });

  it('A.10.3 get_noresume only increments', () => {
    const k = new Kernel();
    const { dev } = suspendedDevice(k, 'd');
    pmRuntimeGetNoresume(dev);
    expect(dev.power).toMatchObject({ usageCount: 1, runtimeStatus: 'suspended' });
    expect(k.sched.runnableCount).toBe(0);
  });
});

describe('A.12 autosuspend', () => {
  async function setup(k: Kernel, dev: Device, delay: number): Promise<void> {
    pmRuntimeGetNoresume(dev);
    await k.run('a', async () => {
      await pmRuntimeSetAutosuspendDelay(dev, delay);
      await pmRuntimeUseAutosuspend(dev);
    });
    pmRuntimePutNoidle(dev);
  }

  it('A.12.1 autosuspend is off until a driver turns it on: RPM_AUTO then suspends at once', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    pmRuntimeMarkLastBusy(dev);
    dev.power.autosuspendDelay = 1000;
    expect(dev.power.useAutosuspend).toBe(false);
    expect(await k.run('a', () => pmRuntimeAutosuspend(dev))).toBe(0);
    expect(dev.power.runtimeStatus).toBe('suspended');
  });

  it('A.12.2 expiry: 0 without autosuspend or with a negative delay, else last_busy + delay if ahead', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    await k.sched.runFor(msecs(10));
    pmRuntimeMarkLastBusy(dev);
    expect(pmRuntimeAutosuspendExpiration(dev)).toBe(0);
    await setup(k, dev, 50);
    expect(pmRuntimeAutosuspendExpiration(dev)).toBe(msecs(60));
    await k.sched.runFor(msecs(50));
    expect(pmRuntimeAutosuspendExpiration(dev)).toBe(0);
    dev.power.autosuspendDelay = -1;
    expect(pmRuntimeAutosuspendExpiration(dev)).toBe(0);
  });

  it('A.12.3 a negative delay holds a reference and resumes; back to ≥ 0 drops it and idles', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    await k.run('u', () => pmRuntimeUseAutosuspend(dev)); // delay 0: sync idle, already suspended
    await k.run('d', () => pmRuntimeSetAutosuspendDelay(dev, -1));
    expect(dev.power).toMatchObject({ usageCount: 1, runtimeStatus: 'active' });
    await k.run('d', () => pmRuntimeSetAutosuspendDelay(dev, -5)); // still prevented: no change
    expect(dev.power.usageCount).toBe(1);
    await k.run('d', () => pmRuntimeSetAutosuspendDelay(dev, 0));
    expect(dev.power).toMatchObject({ usageCount: 0, runtimeStatus: 'suspended' });
    expect(drv.calls).toEqual(['resume:d', 'suspend:d']);
  });

  it('A.12.3 turning autosuspend off with a negative delay drops the reference', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    await setup(k, dev, -1);
    expect(dev.power.usageCount).toBe(1);
    await k.run('d', () => pmRuntimeDontUseAutosuspend(dev));
    expect(dev.power).toMatchObject({ usageCount: 0, runtimeStatus: 'suspended' });
  });

  it('A.12 put_autosuspend after activity suspends one delay (+25 % slack) after last_busy', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    await setup(k, dev, 40);
    expect(await k.run('g', () => pmRuntimeGetSync(dev))).toBe(1);
    pmRuntimeMarkLastBusy(dev);
    expect(pmRuntimePutAutosuspend(dev)).toBe(0);
    await k.settle();
    expect(k.clock.now()).toBe(msecs(50));
    expect(drv.calls).toEqual(['suspend:d']);
    expect(await k.run('g', () => pmRuntimeGetSync(dev))).toBe(0);
    pmRuntimeMarkLastBusy(dev);
    expect(await k.run('p', () => pmRuntimePutSyncAutosuspend(dev))).toBe(0);
    expect(dev.power.runtimeStatus).toBe('active');
  });

  it('A.12 forbid/allow around autosuspend keeps the count balanced', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    await k.run('f', () => pmRuntimeForbid(dev));
    await k.run('f', () => pmRuntimeForbid(dev));
    expect(dev.power.usageCount).toBe(1);
    pmRuntimeAllow(dev);
    pmRuntimeAllow(dev);
    expect(dev.power.usageCount).toBe(0);
    await k.settle();
    expect(dev.power.runtimeStatus).toBe('suspended');
  });
});
