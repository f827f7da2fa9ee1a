// KERNEL.md A.7: rpm_resume.
import { describe, expect, it } from 'vitest';
import { EACCES, EBUSY, EINPROGRESS, EINVAL, EIO, Kernel, msecs } from '@vfio-ts/kernel';
import {
  __pmRuntimeResume,
  RPM_NOWAIT,
  pmRequestIdle,
  pmRequestResume,
  pmRuntimeDisable,
  pmRuntimeGetNoresume,
  pmRuntimeGet,
  pmRuntimeGetSync,
  pmRuntimeIrqSafe,
  pmRuntimeNoCallbacks,
  pmRuntimePutNoidle,
  pmRuntimeResume,
  pmRuntimeSetActive,
  pmRuntimeSetAutosuspendDelay,
  pmRuntimeSuspend,
  pmRuntimeUseAutosuspend,
  pmScheduleSuspend,
  pmSuspendIgnoreChildren,
  pmRequestAutosuspend,
} from '@vfio-ts/runtime-pm';
import { activeDevice, makeDevice, suspendedDevice } from './helpers.js';

describe('A.7 rpm_resume', () => {
  it('A.7.1 runtime_error → -EINVAL', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.suspendRet = -EIO;
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(-EIO);
    expect(await k.run('r', () => pmRuntimeResume(dev))).toBe(-EINVAL);
  });

  it('A.7.1 disabled → 1 only if it was active when disabled, else -EACCES', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    await k.run('d', () => pmRuntimeDisable(dev));
    expect(dev.power.lastStatus).toBe('active');
    expect(await k.run('r', () => pmRuntimeResume(dev))).toBe(1);
    const never = makeDevice(k, 'n').dev; // disabled since creation: last_status INVALID
    expect(pmRuntimeSetActive(never)).toBe(0);
    expect(never.power.disableDepth).toBe(1);
    expect(await k.run('r', () => pmRuntimeResume(never))).toBe(-EACCES);
    const { dev: s } = suspendedDevice(k, 's');
    await k.run('d', () => pmRuntimeDisable(s));
    expect(await k.run('r', () => pmRuntimeResume(s))).toBe(-EACCES);
  });

  it('A.7.2 cancels the queued request and the timer, but leaves an autosuspend timer armed', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    const ret = await k.run('r', () => {
      expect(pmScheduleSuspend(dev, 10)).toBe(0);
      return pmRuntimeResume(dev);
    });
    expect(ret).toBe(1);
    expect(dev.power.timerExpires).toBe(0);
    pmRuntimeGetNoresume(dev);
    await k.run('a', async () => {
      await pmRuntimeSetAutosuspendDelay(dev, 100);
      await pmRuntimeUseAutosuspend(dev);
    });
    pmRuntimePutNoidle(dev);
    dev.power.lastBusy = k.clock.now();
    expect(pmRequestAutosuspend(dev)).toBe(0);
    const armed = dev.power.timerExpires;
    expect(armed).toBeGreaterThan(0);
    expect(await k.run('r', () => pmRuntimeResume(dev))).toBe(1);
    expect(dev.power.timerExpires).toBe(armed);
  });

  it('A.7.3 ACTIVE → 1, cancelling a queued idle or suspend', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    const ret = await k.run('r', () => {
      expect(pmRequestIdle(dev)).toBe(0);
      return pmRuntimeResume(dev);
    });
    expect(ret).toBe(1);
    expect(dev.power.request).toBe('none');
    await k.settle();
    expect(drv.calls).toEqual([]);
    expect(dev.power.runtimeStatus).toBe('active');
  });

  it('A.7.4 while SUSPENDING: async → deferred resume and 0; NOWAIT → deferred and -EINPROGRESS; sync waits', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.delayNs = msecs(1);
    const seen: unknown[] = [];
    await Promise.all([
      k.run('s', () => pmRuntimeSuspend(dev)),
      k.run('x', async () => {
        seen.push(pmRequestResume(dev), dev.power.deferredResume);
        dev.power.deferredResume = false;
        seen.push(await __pmRuntimeResume(dev, RPM_NOWAIT), dev.power.deferredResume);
        seen.push(await pmRuntimeResume(dev));
      }),
    ]);
    // The deferred resume already brought it back, so the sync waiter finds it active.
    expect(seen).toEqual([0, true, -EINPROGRESS, true, 1]);
  });

  it('A.7.4 while RESUMING: async or NOWAIT → -EINPROGRESS; sync waits', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    drv.delayNs = msecs(1);
    const seen: number[] = [];
    await Promise.all([
      k.run('r', () => pmRuntimeResume(dev)),
      k.run('x', async () => {
        seen.push(pmRequestResume(dev), await __pmRuntimeResume(dev, RPM_NOWAIT));
        seen.push(await pmRuntimeResume(dev));
      }),
    ]);
    expect(seen).toEqual([-EINPROGRESS, -EINPROGRESS, 1]);
    expect(drv.calls).toEqual(['resume:d']);
  });

  it('A.7.5 no_callbacks child of an active, disabled or ignoring parent: parent counted, 1', async () => {
    const k = new Kernel();
    const { dev: p } = activeDevice(k, 'p');
    const { dev: c, drv } = suspendedDevice(k, 'c', { parent: p });
    pmRuntimeNoCallbacks(c);
    expect(pmRuntimeGet(c)).toBe(1);
    expect(c.power.runtimeStatus).toBe('active');
    expect(p.power.childCount).toBe(1);
    expect(p.power.usageCount).toBe(0);
    expect(drv.calls).toEqual([]);
    // With no reference held, the async idle after the resume suspends it again at once.
    pmRuntimePutNoidle(c);
    expect(pmRequestResume(c)).toBe(1);
    expect(c.power.runtimeStatus).toBe('active');
    await k.run('s', () => pmRuntimeSuspend(c));
    expect(c.power.runtimeStatus).toBe('suspended');
    expect(pmRequestResume(c)).toBe(1);
    expect(c.power.runtimeStatus).toBe('suspended');
    // A suspended, enabled parent is resumed the normal way.
    const { dev: p2, drv: d2 } = suspendedDevice(k, 'p2');
    const { dev: c2 } = suspendedDevice(k, 'c2', { parent: p2 });
    pmRuntimeNoCallbacks(c2);
    expect(await k.run('r', () => pmRuntimeGetSync(c2))).toBe(0);
    expect(d2.calls).toEqual(['resume:p2']);
    expect(p2.power.childCount).toBe(1);
    // A disabled parent, or one that ignores its children, is not woken.
    const p3 = makeDevice(k, 'p3').dev;
    const { dev: c3 } = suspendedDevice(k, 'c3', { parent: p3 });
    pmRuntimeNoCallbacks(c3);
    expect(await k.run('r', () => pmRuntimeGetSync(c3))).toBe(1);
    const { dev: p4 } = suspendedDevice(k, 'p4');
    pmSuspendIgnoreChildren(p4, true);
    const { dev: c4 } = suspendedDevice(k, 'c4', { parent: p4 });
    pmRuntimeNoCallbacks(c4);
    expect(await k.run('r', () => pmRuntimeGetSync(c4))).toBe(1);
    expect(p4.power).toMatchObject({ runtimeStatus: 'suspended', childCount: 1 });
  });

  it('A.7.6 async: request RESUME, queue the work, return 0', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    pmRuntimeGetNoresume(dev);
    expect(pmRequestResume(dev)).toBe(0);
    expect(dev.power).toMatchObject({ request: 'resume', requestPending: true });
    await k.settle();
    expect(drv.calls).toEqual(['resume:d']);
    expect(dev.power.runtimeStatus).toBe('active');
  });

  it('A.7.7 the parent is resumed first, synchronously, with a reference held meanwhile', async () => {
    const k = new Kernel();
    const { dev: p, drv } = suspendedDevice(k, 'p');
    const { dev: c } = suspendedDevice(k, 'c', { parent: p, drv });
    const seen: number[] = [];
    c.driver = {
      name: 'fake',
      pm: {
        runtimeResume: (d) => {
          drv.calls.push(`resume:${d.name}`);
          seen.push(p.power.usageCount);
          return 0;
        },
      },
    };
    expect(await k.run('g', () => pmRuntimeGetSync(c))).toBe(0);
    expect(drv.calls).toEqual(['resume:p', 'resume:c']);
    expect(seen).toEqual([1]);
    expect(p.power).toMatchObject({ usageCount: 0, childCount: 1, runtimeStatus: 'active' });
  });

  it('A.7.7 a parent that does not come up → -EBUSY, the child stays SUSPENDED', async () => {
    const k = new Kernel();
    const { dev: p, drv: pd } = suspendedDevice(k, 'p');
    const { dev: c, drv: cd } = suspendedDevice(k, 'c', { parent: p });
    pd.resumeRet = -EIO;
    expect(await k.run('g', () => pmRuntimeGetSync(c))).toBe(-EBUSY);
    expect(c.power.runtimeStatus).toBe('suspended');
    expect(c.power.runtimeError).toBe(0);
    expect(cd.calls).toEqual([]);
    expect(p.power).toMatchObject({ usageCount: 0, runtimeError: -EIO });
  });

  it('A.7.7 a disabled parent, or one ignoring children, is not resumed', async () => {
    const k = new Kernel();
    const p = makeDevice(k, 'p');
    const { dev: c } = suspendedDevice(k, 'c', { parent: p.dev });
    expect(await k.run('g', () => pmRuntimeGetSync(c))).toBe(0);
    expect(p.drv.calls).toEqual([]);
    expect(p.dev.power.childCount).toBe(1);
  });

  it('A.7.8 a failing resume callback: back to SUSPENDED, error kept, requests cancelled', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    drv.resumeRet = -EACCES;
    const ret = await k.run('g', () => {
      expect(pmScheduleSuspend(dev, 0)).toBe(1);
      return pmRuntimeGetSync(dev);
    });
    expect(ret).toBe(-EIO);
    expect(dev.power).toMatchObject({
      runtimeStatus: 'suspended',
      runtimeError: -EACCES,
      usageCount: 1,
      request: 'none',
    });
  });

  it('A.7.8 a positive resume result is an error too', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    drv.resumeRet = 3;
    expect(await k.run('r', () => pmRuntimeResume(dev))).toBe(3);
    expect(dev.power).toMatchObject({ runtimeStatus: 'suspended', runtimeError: 3 });
  });

  it("A.7.9 success: ACTIVE, last_busy = now, parent's child_count +1", async () => {
    const k = new Kernel();
    const { dev: p } = activeDevice(k, 'p');
    const { dev: c } = suspendedDevice(k, 'c', { parent: p });
    await k.sched.runFor(msecs(3));
    expect(await k.run('g', () => pmRuntimeGetSync(c))).toBe(0);
    expect(c.power.lastBusy).toBe(msecs(3));
    expect(p.power.childCount).toBe(1);
  });

  it('A.7.10 an async idle follows every resume; the parent reference is dropped with a put', async () => {
    const k = new Kernel();
    const { dev: p, drv } = suspendedDevice(k, 'p');
    const { dev: c } = suspendedDevice(k, 'c', { parent: p, drv });
    expect(await k.run('r', () => pmRuntimeResume(c))).toBe(0);
    expect(c.power).toMatchObject({ requestPending: true, request: 'autosuspend' });
    await k.settle();
    expect(drv.calls).toEqual(['resume:p', 'resume:c', 'suspend:c', 'suspend:p']);
    // Refused at once while the usage count is held.
    expect(await k.run('g', () => pmRuntimeGetSync(c))).toBe(0);
    expect(c.power.requestPending).toBe(false);
  });

  it('A.7.7 an irq-safe child skips the parent step; its parent stays active for good', async () => {
    const k = new Kernel();
    const { dev: p, drv: pd } = activeDevice(k, 'p');
    const { dev: c } = activeDevice(k, 'c', { parent: p });
    await k.run('irq', () => pmRuntimeIrqSafe(c));
    expect(p.power.usageCount).toBe(1);
    expect(await k.run('s', () => pmRuntimeSuspend(c))).toBe(0);
    expect(await k.run('g', () => pmRuntimeGetSync(c))).toBe(0);
    expect(p.power).toMatchObject({ usageCount: 1, childCount: 1 });
    expect(pd.calls).toEqual([]);
  });
});
