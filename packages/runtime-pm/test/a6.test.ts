// KERNEL.md A.6: rpm_suspend.
import { describe, expect, it } from 'vitest';
import { EACCES, EAGAIN, EBUSY, EINPROGRESS, EINVAL, EIO, Kernel, msecs } from '@vfio-ts/kernel';
import {
  __pmRuntimeSuspend,
  RPM_NOWAIT,
  pmRequestAutosuspend,
  pmRequestResume,
  pmRuntimeAutosuspend,
  pmRuntimeGet,
  pmRuntimeGetNoresume,
  pmRuntimeIrqSafe,
  pmRuntimeMarkLastBusy,
  pmRuntimeNoCallbacks,
  pmRuntimePutNoidle,
  pmRuntimeResume,
  pmRuntimeSetAutosuspendDelay,
  pmRuntimeSuspend,
  pmRuntimeUseAutosuspend,
  pmScheduleSuspend,
  pmSuspendIgnoreChildren,
  type Device,
} from '@vfio-ts/runtime-pm';
import { activeDevice, suspendedDevice } from './helpers.js';

async function withAutosuspend(k: Kernel, dev: Device, delayMs: number): Promise<void> {
  pmRuntimeGetNoresume(dev);
  await k.run('as', async () => {
    await pmRuntimeSetAutosuspendDelay(dev, delayMs);
    await pmRuntimeUseAutosuspend(dev);
  });
  pmRuntimePutNoidle(dev);
}

describe('A.6 rpm_suspend', () => {
  it('A.6.1 returns a negative permission result', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    pmRuntimeGetNoresume(dev);
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(-EAGAIN);
  });

  it('A.6.2 a sync suspend while RESUMING → -EAGAIN; an async one is queued', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    drv.delayNs = msecs(1);
    const seen: unknown[] = [];
    await Promise.all([
      k.run('r', () => pmRuntimeResume(dev)),
      k.run('s', async () => {
        seen.push(await pmRuntimeSuspend(dev), pmRequestAutosuspend(dev), dev.power.request);
      }),
    ]);
    expect(seen).toEqual([-EAGAIN, 0, 'autosuspend']);
  });

  it('A.6.3 already SUSPENDED → 1', async () => {
    const k = new Kernel();
    const { dev } = suspendedDevice(k, 'd');
    expect(pmRequestAutosuspend(dev)).toBe(1);
  });

  it('A.6.4 RPM_AUTO before the delay runs out arms the timer (25 % slack) and returns 0', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    await withAutosuspend(k, dev, 100);
    pmRuntimeMarkLastBusy(dev);
    const t0 = k.clock.now();
    expect(await k.run('a', () => pmRuntimeAutosuspend(dev))).toBe(0);
    expect(dev.power).toMatchObject({ timerExpires: t0 + msecs(100), timerAutosuspends: true });
    expect(dev.power.runtimeStatus).toBe('active');
    await k.sched.runFor(msecs(124));
    expect(dev.power.runtimeStatus).toBe('active');
    await k.settle();
    expect(dev.power.runtimeStatus).toBe('suspended');
    expect(k.clock.now()).toBe(t0 + msecs(125));
    expect(drv.calls).toEqual(['suspend:d']);
  });

  it('A.6.4 keeps an earlier armed timer; when it fires the new expiry re-arms it', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    await withAutosuspend(k, dev, 100);
    pmRuntimeMarkLastBusy(dev);
    const t0 = k.clock.now();
    expect(pmRequestAutosuspend(dev)).toBe(0);
    await k.sched.runFor(msecs(50));
    pmRuntimeMarkLastBusy(dev);
    expect(pmRequestAutosuspend(dev)).toBe(0);
    expect(dev.power.timerExpires).toBe(t0 + msecs(100));
    await k.sched.runFor(msecs(75)); // the first timer fires at 125 ms and re-arms
    expect(dev.power.timerExpires).toBe(t0 + msecs(150));
    expect(dev.power.runtimeStatus).toBe('active');
    await k.settle();
    expect(k.clock.now()).toBe(t0 + msecs(175));
    expect(dev.power.runtimeStatus).toBe('suspended');
  });

  it('A.6.4 a later expiry than the armed one re-arms for the earlier time', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    await withAutosuspend(k, dev, 100);
    pmRuntimeMarkLastBusy(dev);
    expect(pmScheduleSuspend(dev, 500)).toBe(0);
    expect(pmRequestAutosuspend(dev)).toBe(0);
    expect(dev.power.timerExpires).toBe(k.clock.now() + msecs(100));
  });

  it('A.6.5 a sync suspend disarms the timer and cancels the queued request', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    const ret = await k.run('s', () => {
      expect(pmScheduleSuspend(dev, 50)).toBe(0);
      expect(dev.power.timerExpires).toBeGreaterThan(0);
      return pmRuntimeSuspend(dev);
    });
    expect(ret).toBe(0);
    expect(dev.power.timerExpires).toBe(0);
    expect(k.sched.pendingTimers).toBe(0);
  });

  it('A.6.6 another suspend in progress: async/nowait → -EINPROGRESS; sync waits and starts over', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.delayNs = msecs(1);
    const seen: number[] = [];
    await Promise.all([
      k.run('a', () => pmRuntimeSuspend(dev)),
      k.run('b', async () => {
        seen.push(pmRequestAutosuspend(dev));
        seen.push(await __pmRuntimeSuspend(dev, RPM_NOWAIT));
        seen.push(await pmRuntimeSuspend(dev));
      }),
    ]);
    expect(seen).toEqual([-EINPROGRESS, -EINPROGRESS, 1]);
    expect(drv.calls).toEqual(['suspend:d']);
  });

  it('A.6.7 no_callbacks: suspended at once, even for an async request', () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    pmRuntimeNoCallbacks(dev);
    expect(pmRequestAutosuspend(dev)).toBe(0);
    expect(dev.power.runtimeStatus).toBe('suspended');
    expect(dev.power.requestPending).toBe(false);
    expect(drv.calls).toEqual([]);
  });

  it('A.6.8 async: request SUSPEND (AUTOSUSPEND with RPM_AUTO), queued once', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    expect(pmScheduleSuspend(dev, 0)).toBe(0);
    expect(dev.power).toMatchObject({ request: 'suspend', requestPending: true });
    expect(pmRequestAutosuspend(dev)).toBe(0);
    expect(dev.power.request).toBe('autosuspend');
    expect(k.sched.runnableCount).toBe(1);
    await k.settle();
    expect(drv.calls).toEqual(['suspend:d']);
  });

  it('A.6.9 status is SUSPENDING while the callback runs', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    const seen: string[] = [];
    dev.driver = {
      name: 'x',
      pm: { runtimeSuspend: (d) => (seen.push(d.power.runtimeStatus), 0) },
    };
    await k.run('s', () => pmRuntimeSuspend(dev));
    expect(seen).toEqual(['suspending']);
  });

  it("A.6.10 success: SUSPENDED, timer off, parent's child_count -1 (not below 0), waiters woken", async () => {
    const k = new Kernel();
    const { dev: p } = activeDevice(k, 'p');
    const { dev: c } = activeDevice(k, 'c', { parent: p });
    expect(p.power.childCount).toBe(1);
    expect(await k.run('s', () => pmRuntimeSuspend(c))).toBe(0);
    expect(c.power.runtimeStatus).toBe('suspended');
    expect(p.power.childCount).toBe(0);
    // Not below 0: a child made active behind the parent's back then suspended twice over.
    c.power.runtimeStatus = 'active';
    expect(await k.run('s', () => pmRuntimeSuspend(c))).toBe(0);
    expect(p.power.childCount).toBe(0);
  });

  it('A.6.11 a resume requested during the callback runs right after; the suspend reports -EAGAIN', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.delayNs = msecs(1);
    const [ret] = await Promise.all([
      k.run('s', () => pmRuntimeSuspend(dev)),
      k.run('g', () => {
        expect(pmRuntimeGet(dev)).toBe(0);
        expect(dev.power.deferredResume).toBe(true);
      }),
    ]);
    expect(ret).toBe(-EAGAIN);
    expect(dev.power).toMatchObject({
      runtimeStatus: 'active',
      deferredResume: false,
      usageCount: 1,
    });
    expect(drv.calls).toEqual(['suspend:d', 'resume:d']);
  });

  it('A.6.11 after a child suspends the parent gets an async idle (not if it ignores children)', async () => {
    const k = new Kernel();
    const { dev: p, drv } = activeDevice(k, 'p');
    const { dev: c } = activeDevice(k, 'c', { parent: p, drv });
    expect(await k.run('s', () => pmRuntimeSuspend(c))).toBe(0);
    expect(p.power).toMatchObject({ requestPending: true, request: 'autosuspend' });
    await k.settle();
    expect(drv.calls).toEqual(['suspend:c', 'suspend:p']);

    const k2 = new Kernel();
    const { dev: p2 } = activeDevice(k2, 'p');
    const { dev: c2 } = activeDevice(k2, 'c', { parent: p2 });
    pmSuspendIgnoreChildren(p2, true);
    pmRuntimeGetNoresume(p2);
    pmRuntimePutNoidle(p2);
    expect(await k2.run('s', () => pmRuntimeSuspend(c2))).toBe(0);
    expect(p2.power.requestPending).toBe(false);
  });

  it('A.6.11 an irq-safe child does not notify its parent', async () => {
    const k = new Kernel();
    const { dev: p } = activeDevice(k, 'p');
    const { dev: c } = activeDevice(k, 'c', { parent: p });
    await k.run('irq', () => pmRuntimeIrqSafe(c));
    pmRuntimePutNoidle(p); // let the parent go idle by itself if notified
    expect(await k.run('s', () => pmRuntimeSuspend(c))).toBe(0);
    expect(p.power.requestPending).toBe(false);
    expect(p.power.childCount).toBe(0);
  });

  it('A.6.12 -EAGAIN/-EBUSY from the callback: back to ACTIVE, runtime_error cleared', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    for (const err of [-EAGAIN, -EBUSY]) {
      drv.suspendRet = err;
      expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(err);
      expect(dev.power).toMatchObject({ runtimeStatus: 'active', runtimeError: 0 });
    }
    drv.suspendRet = 0;
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(0);
  });

  it('A.6.12 a busy autosuspend whose expiry moved on is rescheduled', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    await withAutosuspend(k, dev, 100);
    await k.sched.runFor(msecs(200));
    dev.driver = {
      name: 'x',
      pm: {
        runtimeSuspend: (d) => {
          pmRuntimeMarkLastBusy(d);
          return -EBUSY;
        },
      },
    };
    expect(await k.run('a', () => pmRuntimeAutosuspend(dev))).toBe(0);
    expect(dev.power.runtimeStatus).toBe('active');
    expect(dev.power.timerExpires).toBe(k.clock.now() + msecs(100));
  });

  it('A.6.12 another error is fatal: runtime_error kept, pending work cancelled, -EACCES shown as -EIO', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.suspendRet = -EACCES;
    const ret = await k.run('s', () => {
      expect(pmScheduleSuspend(dev, 10)).toBe(0);
      return __pmRuntimeSuspend(dev, 0);
    });
    expect(ret).toBe(-EIO);
    expect(dev.power).toMatchObject({
      runtimeStatus: 'active',
      runtimeError: -EACCES,
      timerExpires: 0,
      request: 'none',
    });
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(-EINVAL);
    expect(pmRequestResume(dev)).toBe(-EINVAL);
  });
});
