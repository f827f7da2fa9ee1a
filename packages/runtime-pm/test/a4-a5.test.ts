// KERNEL.md A.4 (suspend permission check) and A.5 (rpm_idle).
import { describe, expect, it } from 'vitest';
import {
  EACCES,
  EAGAIN,
  EBUSY,
  EINPROGRESS,
  EINVAL,
  EIO,
  EPERM,
  Kernel,
  msecs,
} from '@vfio-ts/kernel';
import {
  pmRequestAutosuspend,
  pmRequestIdle,
  pmRequestResume,
  pmRuntimeDisable,
  pmRuntimeGetNoresume,
  pmRuntimeIdle,
  pmRuntimeNoCallbacks,
  pmRuntimePutNoidle,
  pmRuntimeResume,
  pmRuntimeSetAutosuspendDelay,
  pmRuntimeSuspend,
  pmRuntimeUseAutosuspend,
  pmSuspendIgnoreChildren,
} from '@vfio-ts/runtime-pm';
import { activeDevice, suspendedDevice } from './helpers.js';

// A device whose last resume failed with -EIO: runtime_error set, every rpm_* refused.
async function failedDevice(k: Kernel) {
  const r = suspendedDevice(k, 'd');
  r.drv.resumeRet = -EIO;
  expect(await k.run('r', () => pmRuntimeResume(r.dev))).toBe(-EIO);
  return r;
}

describe('A.4 rpm_check_suspend_allowed', () => {
  it('A.4.1 runtime_error → -EINVAL, before the disable check', async () => {
    const k = new Kernel();
    const { dev } = await failedDevice(k);
    await k.run('d', () => pmRuntimeDisable(dev));
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(-EINVAL);
  });

  it('A.4.2 disabled → -EACCES, before the usage check', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    pmRuntimeGetNoresume(dev);
    await k.run('d', () => pmRuntimeDisable(dev));
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(-EACCES);
  });

  it('A.4.3 usage != 0 → -EAGAIN, before the children check', async () => {
    const k = new Kernel();
    const { dev: p } = activeDevice(k, 'p');
    activeDevice(k, 'c', { parent: p });
    pmRuntimeGetNoresume(p);
    expect(await k.run('s', () => pmRuntimeSuspend(p))).toBe(-EAGAIN);
  });

  it('A.4.4 active children → -EBUSY unless ignore_children', async () => {
    const k = new Kernel();
    const { dev: p } = activeDevice(k, 'p');
    activeDevice(k, 'c', { parent: p });
    expect(await k.run('s', () => pmRuntimeSuspend(p))).toBe(-EBUSY);
    pmSuspendIgnoreChildren(p, true);
    expect(await k.run('s', () => pmRuntimeSuspend(p))).toBe(0);
    expect(p.power.runtimeStatus).toBe('suspended');
    expect(p.power.childCount).toBe(1);
  });

  it('A.4.5 a queued resume request beats a suspend → -EAGAIN (even when suspended)', async () => {
    const k = new Kernel();
    const { dev } = suspendedDevice(k, 'd');
    // In one task: the queued work must not run in between.
    const ret = await k.run('s', () => {
      expect(pmRequestResume(dev)).toBe(0);
      return pmRuntimeSuspend(dev);
    });
    expect(ret).toBe(-EAGAIN);
  });

  it('A.4.5 a deferred resume during SUSPENDING beats a suspend → -EAGAIN', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.delayNs = msecs(1);
    const seen: number[] = [];
    await Promise.all([
      k.run('s', () => pmRuntimeSuspend(dev)),
      k.run('x', () => {
        expect(dev.power.runtimeStatus).toBe('suspending');
        seen.push(pmRequestResume(dev), pmRequestAutosuspend(dev));
      }),
    ]);
    expect(seen).toEqual([0, -EAGAIN]);
  });

  it('A.4.6 PM QoS resume latency 0 → -EPERM, before "already suspended"', async () => {
    const k = new Kernel();
    const { dev } = suspendedDevice(k, 'd');
    dev.power.qosResumeLatencyUs = 0;
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(-EPERM);
  });

  it('A.4.7 already suspended → 1', async () => {
    const k = new Kernel();
    const { dev } = suspendedDevice(k, 'd');
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(1);
  });

  it('A.4.8 otherwise 0: the suspend goes ahead', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(0);
    expect(drv.calls).toEqual(['suspend:d']);
  });
});

describe('A.5 rpm_idle', () => {
  it('A.5.1 returns a negative permission result as is', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    pmRuntimeGetNoresume(dev);
    expect(await k.run('i', () => pmRuntimeIdle(dev))).toBe(-EAGAIN);
    expect(pmRequestIdle(dev)).toBe(-EAGAIN);
  });

  it('A.5.2 not ACTIVE → -EAGAIN (suspended, or resuming)', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    expect(await k.run('i', () => pmRuntimeIdle(dev))).toBe(-EAGAIN);
    drv.delayNs = msecs(1);
    const seen: number[] = [];
    await Promise.all([
      k.run('r', () => pmRuntimeResume(dev)),
      k.run('i', () => void seen.push(pmRequestIdle(dev))),
    ]);
    expect(seen).toEqual([-EAGAIN]);
  });

  it('A.5.3 a queued suspend, autosuspend or resume request → -EAGAIN; a queued idle does not block', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.idleRet = 1; // an idle callback that vetoes the suspend
    expect(pmRequestIdle(dev)).toBe(0);
    expect(pmRequestIdle(dev)).toBe(0);
    expect(dev.power.request).toBe('idle');
    expect(pmRequestAutosuspend(dev)).toBe(0);
    expect(dev.power.request).toBe('autosuspend');
    expect(pmRequestIdle(dev)).toBe(-EAGAIN);
    expect(await k.run('i', () => pmRuntimeIdle(dev))).toBe(-EAGAIN);
  });

  it('A.5.4 an idle callback already running → -EINPROGRESS', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.idleRet = -EBUSY;
    drv.delayNs = msecs(1);
    const results = await Promise.all([
      k.run('a', () => pmRuntimeIdle(dev)),
      k.run('b', async () => {
        expect(dev.power.idleNotification).toBe(true);
        return [await pmRuntimeIdle(dev), pmRequestIdle(dev)];
      }),
    ]);
    expect(results).toEqual([-EBUSY, [-EINPROGRESS, -EINPROGRESS]]);
    expect(dev.power.idleNotification).toBe(false);
  });

  it('A.5.5 a sync idle cancels a queued idle: the work finds NONE', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.idleRet = 0;
    const ret = await k.run('i', () => {
      expect(pmRequestIdle(dev)).toBe(0);
      return pmRuntimeIdle(dev);
    });
    expect(ret).toBe(0);
    await k.settle();
    expect(drv.calls).toEqual(['idle:d', 'suspend:d']);
  });

  it('A.5.6 without an idle callback (or with no_callbacks) goes straight to suspend', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    expect(await k.run('i', () => pmRuntimeIdle(dev))).toBe(0);
    expect(drv.calls).toEqual(['suspend:d']);
    const { dev: nc, drv: ncDrv } = activeDevice(k, 'nc');
    ncDrv.idleRet = 0;
    pmRuntimeNoCallbacks(nc);
    expect(await k.run('i', () => pmRuntimeIdle(nc))).toBe(0);
    expect(nc.power.runtimeStatus).toBe('suspended');
    expect(ncDrv.calls).toEqual([]);
  });

  it('A.5.7 async with a callback: request IDLE, queue the work, return 0; the work runs it', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.idleRet = 0;
    expect(pmRequestIdle(dev)).toBe(0);
    expect(dev.power).toMatchObject({ request: 'idle', requestPending: true });
    expect(drv.calls).toEqual([]);
    await k.settle();
    expect(drv.calls).toEqual(['idle:d', 'suspend:d']);
    expect(dev.power).toMatchObject({ request: 'none', requestPending: false });
  });

  it('A.5.8 sync: idle_notification set while the callback runs without the lock', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    const seen: unknown[] = [];
    dev.driver = {
      name: 'x',
      pm: {
        ...drv.pm,
        runtimeIdle: (d) => (seen.push(d.power.idleNotification, d.power.lock.held), 7),
      },
    };
    expect(await k.run('i', () => pmRuntimeIdle(dev))).toBe(7);
    expect(seen).toEqual([true, false]);
    expect(dev.power.idleNotification).toBe(false);
  });

  it('A.5.9 a nonzero idle result is returned; 0 suspends with RPM_AUTO', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.idleRet = -EIO;
    expect(await k.run('i', () => pmRuntimeIdle(dev))).toBe(-EIO);
    expect(dev.power.runtimeError).toBe(0);
    drv.idleRet = 0;
    pmRuntimeGetNoresume(dev); // hold the device while autosuspend is set up
    await k.run('a', () => pmRuntimeUseAutosuspend(dev));
    await k.run('a', () => pmRuntimeSetAutosuspendDelay(dev, 100));
    pmRuntimePutNoidle(dev);
    dev.power.lastBusy = k.clock.now();
    // RPM_AUTO: the delay has not run out, so the timer is armed instead.
    expect(await k.run('i', () => pmRuntimeIdle(dev))).toBe(0);
    expect(dev.power.runtimeStatus).toBe('active');
    expect(dev.power.timerExpires).toBe(k.clock.now() + msecs(100));
  });

  it('A.5.9 an async idle without a callback queues an autosuspend request', () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    expect(pmRequestIdle(dev)).toBe(0);
    expect(dev.power.request).toBe('autosuspend');
  });

  it('A.5 put_noidle reaching 0 sends no idle notification', () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    pmRuntimeGetNoresume(dev);
    pmRuntimePutNoidle(dev);
    expect(dev.power.requestPending).toBe(false);
  });
});
