// KERNEL.md A.11.6–A.11.12: set_status, enable/disable/barrier, init/reinit/remove, flags.
import { describe, expect, it } from 'vitest';
import { EAGAIN, EBUSY, EINVAL, EIO, Kernel, msecs } from '@vfio-ts/kernel';
import {
  __pmRuntimeDisable,
  __pmRuntimeSetStatus,
  pmRequestAutosuspend,
  pmRequestIdle,
  pmRequestResume,
  pmRuntimeBarrier,
  pmRuntimeDisable,
  pmRuntimeEnable,
  pmRuntimeGetNoresume,
  pmRuntimeIdle,
  pmRuntimeInit,
  pmRuntimeIrqSafe,
  pmRuntimeNoCallbacks,
  pmRuntimePutNoidle,
  pmRuntimeReinit,
  pmRuntimeRemove,
  pmRuntimeSetActive,
  pmRuntimeSetSuspended,
  pmRuntimeSuspend,
  pmScheduleSuspend,
  pmSuspendIgnoreChildren,
  powerAttrs,
} from '@vfio-ts/runtime-pm';
import { activeDevice, makeDevice, suspendedDevice } from './helpers.js';

describe('A.11.6 __pm_runtime_set_status', () => {
  it('A.11.6.1 only ACTIVE or SUSPENDED', () => {
    const k = new Kernel();
    const dev = makeDevice(k, 'd').dev;
    expect(__pmRuntimeSetStatus(dev, 'resuming')).toBe(-EINVAL);
    expect(__pmRuntimeSetStatus(dev, 'suspending')).toBe(-EINVAL);
  });

  it('A.11.6.2 refused with -EAGAIN while enabled and without error', () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    expect(pmRuntimeSetSuspended(dev)).toBe(-EAGAIN);
    expect(dev.power.runtimeStatus).toBe('active');
  });

  it('A.11.6.3 same status or no parent: just set; depth restored afterwards', () => {
    const k = new Kernel();
    const dev = makeDevice(k, 'd').dev;
    expect(pmRuntimeSetSuspended(dev)).toBe(0);
    expect(pmRuntimeSetActive(dev)).toBe(0);
    expect(dev.power).toMatchObject({ runtimeStatus: 'active', disableDepth: 1 });
  });

  it("A.11.6.4/A.11.6.7 SUSPENDED drops the parent's child_count (not below 0) and idles the parent", async () => {
    const k = new Kernel();
    const { dev: p, drv } = activeDevice(k, 'p');
    const c = makeDevice(k, 'c', { parent: p }).dev;
    expect(pmRuntimeSetActive(c)).toBe(0);
    expect(p.power.childCount).toBe(1);
    expect(pmRuntimeSetSuspended(c)).toBe(0);
    expect(p.power).toMatchObject({ childCount: 0, requestPending: true });
    await k.settle();
    expect(drv.calls).toEqual(['suspend:p']);
    c.power.runtimeStatus = 'active';
    expect(pmRuntimeSetSuspended(c)).toBe(0);
    expect(p.power.childCount).toBe(0);
    // A parent that ignores its children gets no idle request.
    const { dev: q } = activeDevice(k, 'q');
    pmSuspendIgnoreChildren(q, true);
    const d = makeDevice(k, 'd', { parent: q }).dev;
    expect(pmRuntimeSetActive(d)).toBe(0);
    expect(pmRuntimeSetSuspended(d)).toBe(0);
    expect(q.power.requestPending).toBe(false);
  });

  it('A.11.6.5/A.11.6.9 ACTIVE under a suspended, enabled parent → -EBUSY returned, status and error unchanged', async () => {
    const k = new Kernel();
    const { dev: p } = suspendedDevice(k, 'p');
    const { dev: c, drv } = suspendedDevice(k, 'c', { parent: p });
    p.driver = null;
    drv.resumeRet = 0;
    c.power.runtimeError = -EIO;
    expect(pmRuntimeSetActive(c)).toBe(-EBUSY);
    expect(c.power).toMatchObject({ runtimeStatus: 'suspended', runtimeError: -EIO });
    expect(k.log.at(-1)?.text).toBe(
      'fake c: runtime PM trying to activate child device c but parent (p) is not active',
    );
    expect(k.log.at(-1)?.level).toBe('err');
    // A disabled parent, or one that ignores children, accepts an active child.
    await k.run('d', () => pmRuntimeDisable(p));
    expect(pmRuntimeSetActive(c)).toBe(0);
    expect(p.power.childCount).toBe(1);
  });

  it('A.11.6.6 clears runtime_error on success and keeps depth balanced (A.11.6.8)', () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    dev.power.runtimeError = -EIO;
    expect(pmRuntimeSetActive(dev)).toBe(0);
    expect(dev.power).toMatchObject({ runtimeError: 0, disableDepth: 0 });
  });
});

describe('A.11.7–A.11.9 enable, disable, barrier', () => {
  it('A.11.7 enable: unbalanced warns; at 0 last_status is INVALID; warns about active children', () => {
    const k = new Kernel();
    const p = makeDevice(k, 'p').dev;
    const c = makeDevice(k, 'c', { parent: p }).dev;
    expect(pmRuntimeSetActive(c)).toBe(0);
    p.power.disableDepth = 2;
    pmRuntimeEnable(p);
    expect(k.log).toEqual([]);
    pmRuntimeEnable(p);
    expect(p.power.lastStatus).toBe('invalid');
    expect(k.log.at(-1)?.text).toBe(
      'fake p: Enabling runtime PM for inactive device with active children',
    );
    pmRuntimeEnable(p);
    expect(k.log.at(-1)?.text).toBe('fake p: Unbalanced pm_runtime_enable!');
    expect(p.power.disableDepth).toBe(0);
  });

  it('A.11.8 disable: nested depth; a queued resume is served first; last_status recorded', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    await k.run('x', async () => {
      pmRuntimeGetNoresume(dev);
      expect(pmRequestResume(dev)).toBe(0);
      pmRuntimePutNoidle(dev);
      await pmRuntimeDisable(dev);
    });
    expect(drv.calls).toEqual(['resume:d']);
    expect(dev.power).toMatchObject({
      disableDepth: 1,
      lastStatus: 'active',
      usageCount: 0,
      requestPending: false,
      request: 'none',
    });
    await k.run('x', () => pmRuntimeDisable(dev));
    expect(dev.power.disableDepth).toBe(2);
    await k.settle();
    expect(drv.calls).toEqual(['resume:d']);
  });

  it('A.11.8 disable without check_resume drops a queued resume; it waits for a running transition', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.delayNs = msecs(2);
    await Promise.all([
      k.run('s', () => pmRuntimeSuspend(dev)),
      k.run('d', async () => {
        expect(dev.power.runtimeStatus).toBe('suspending');
        await __pmRuntimeDisable(dev, false);
        expect(dev.power.runtimeStatus).toBe('suspended');
      }),
    ]);
    expect(dev.power.lastStatus).toBe('suspended');
    const { dev: e, drv: ed } = suspendedDevice(k, 'e');
    await k.run('x', async () => {
      pmRuntimeGetNoresume(e);
      expect(pmRequestResume(e)).toBe(0);
      await __pmRuntimeDisable(e, false);
    });
    await k.settle();
    expect(ed.calls).toEqual([]);
  });

  it('A.11.8 disable cancels the timer and waits for a running work item', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.delayNs = msecs(3);
    expect(pmScheduleSuspend(dev, 10)).toBe(0);
    await k.run('d', () => pmRuntimeDisable(dev));
    expect(k.sched.pendingTimers).toBe(0);
    expect(dev.power.timerExpires).toBe(0);
    pmRuntimeEnable(dev);
    expect(pmRequestAutosuspend(dev)).toBe(0);
    await k.sched.runFor(msecs(1)); // the work is now in the suspend callback
    expect(dev.power.runtimeStatus).toBe('suspending');
    await k.run('d', () => pmRuntimeDisable(dev));
    expect(dev.power.runtimeStatus).toBe('suspended');
    expect(k.clock.now()).toBe(msecs(3));
  });

  it('A.11.8 disable waits for a running work item that left request_pending set', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.delayNs = msecs(3);
    expect(pmRequestAutosuspend(dev)).toBe(0);
    await k.sched.runFor(msecs(1));
    // A new request arrives while the work runs: request_pending again, the work re-queued.
    expect(pmRequestIdle(dev)).toBe(-EAGAIN);
    dev.power.request = 'idle';
    dev.power.requestPending = true;
    k.pmWq.queueWork(dev.power.work);
    await k.run('d', () => pmRuntimeDisable(dev));
    expect(dev.power).toMatchObject({ requestPending: false, runtimeStatus: 'suspended' });
  });

  it('A.11.9 barrier: 1 when it resumed for a queued request, 0 otherwise; usage unchanged', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    const ret = await k.run('b', () => {
      expect(pmRequestResume(dev)).toBe(0);
      return pmRuntimeBarrier(dev);
    });
    expect(ret).toBe(1);
    expect(dev.power).toMatchObject({
      runtimeStatus: 'active',
      usageCount: 0,
      requestPending: false,
    });
    expect(drv.calls).toEqual(['resume:d']);
    const ret2 = await k.run('b', () => {
      expect(pmScheduleSuspend(dev, 5)).toBe(0);
      return pmRuntimeBarrier(dev);
    });
    expect(ret2).toBe(0);
    expect(k.sched.pendingTimers).toBe(0);
    await k.settle();
    expect(dev.power.runtimeStatus).toBe('active');
  });

  it('A.11.9 barrier waits for an idle callback in progress', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.idleRet = 1;
    drv.delayNs = msecs(4);
    await Promise.all([
      k.run('i', () => pmRuntimeIdle(dev)),
      k.run('b', async () => {
        expect(dev.power.idleNotification).toBe(true);
        expect(await pmRuntimeBarrier(dev)).toBe(0);
        expect(dev.power.idleNotification).toBe(false);
      }),
    ]);
    expect(k.clock.now()).toBe(msecs(4));
  });
});

describe('A.11.10–A.11.12 init, reinit, remove, irq_safe, no_callbacks', () => {
  it('A.11.10 init restores the A.2 defaults', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    pmRuntimeGetNoresume(dev);
    expect(pmScheduleSuspend(dev, 0)).toBe(-EAGAIN);
    pmRuntimePutNoidle(dev);
    expect(pmScheduleSuspend(dev, 9)).toBe(0);
    pmRuntimeInit(dev);
    expect(dev.power).toMatchObject({
      runtimeStatus: 'suspended',
      disableDepth: 1,
      usageCount: 0,
      timerExpires: 0,
      lastStatus: 'invalid',
    });
    expect(k.sched.pendingTimers).toBe(0);
  });

  it('A.11.10 reinit (disabled only): ACTIVE → suspended, irq_safe cleared with the parent put', async () => {
    const k = new Kernel();
    const { dev: p } = activeDevice(k, 'p');
    const { dev: c } = activeDevice(k, 'c', { parent: p });
    pmRuntimeReinit(c);
    expect(c.power.runtimeStatus).toBe('active');
    await k.run('irq', () => pmRuntimeIrqSafe(c));
    c.power.needsForceResume = true;
    await k.run('d', () => pmRuntimeDisable(c));
    pmRuntimeReinit(c);
    expect(c.power).toMatchObject({
      runtimeStatus: 'suspended',
      irqSafe: false,
      needsForceResume: false,
    });
    expect(p.power).toMatchObject({ usageCount: 0, childCount: 0 });
    await k.settle();
    expect(p.power.runtimeStatus).toBe('suspended');
  });

  it('A.11.10 remove = disable without resume, flush, reinit', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    await k.run('r', async () => {
      pmRuntimeGetNoresume(dev);
      dev.power.runtimeStatus = 'suspended';
      expect(pmRequestResume(dev)).toBe(0);
      await pmRuntimeRemove(dev);
    });
    expect(drv.calls).toEqual([]);
    expect(dev.power).toMatchObject({ disableDepth: 1, runtimeStatus: 'suspended' });
    const { dev: a } = activeDevice(k, 'a');
    await k.run('r', () => pmRuntimeRemove(a));
    expect(a.power).toMatchObject({ disableDepth: 1, runtimeStatus: 'suspended' });
  });

  it('A.11.11 irq_safe: the parent is held active for good (get_sync)', async () => {
    const k = new Kernel();
    const { dev: p, drv } = suspendedDevice(k, 'p');
    const { dev: c } = suspendedDevice(k, 'c', { parent: p });
    await k.run('irq', () => pmRuntimeIrqSafe(c));
    expect(p.power).toMatchObject({ usageCount: 1, runtimeStatus: 'active' });
    expect(drv.calls).toEqual(['resume:p']);
    const orphan = makeDevice(k, 'o').dev;
    await k.run('irq', () => pmRuntimeIrqSafe(orphan));
    expect(orphan.power.irqSafe).toBe(true);
  });

  it('A.11.12 no_callbacks removes the runtime sysfs group', () => {
    const k = new Kernel();
    const dev = makeDevice(k, 'd').dev;
    expect(powerAttrs(dev)).toContain('control');
    pmRuntimeNoCallbacks(dev);
    expect(powerAttrs(dev)).toEqual([
      'runtime_status',
      'runtime_usage',
      'runtime_active_kids',
      'runtime_enabled',
    ]);
  });
});
