// Simulator-bug paths and rare kernel branches: what happens when a driver model misbehaves, or
// when the state is one only a race (or a test) can produce.
import { describe, expect, it } from 'vitest';
import { Kernel, msecs } from '@vfio-ts/kernel';
import {
  Device,
  pmRequestAutosuspend,
  pmRequestIdle,
  pmRequestResume,
  pmRuntimeDisable,
  pmRuntimeEnable,
  pmRuntimeGetNoresume,
  pmRuntimeGetSync,
  pmRuntimeIdle,
  pmRuntimePutSyncSuspend,
  pmRuntimeNoCallbacks,
  pmRuntimePut,
  pmRuntimePutNoidle,
  pmRuntimeReinit,
  pmRuntimeResume,
  pmRuntimeSetActive,
  pmScheduleSuspend,
} from '@vfio-ts/runtime-pm';
import { activeDevice, makeDevice, suspendedDevice } from './helpers.js';

describe('simulator bugs are reported, not hidden', () => {
  it('a callback that throws fails its task; the power lock is not left held', async () => {
    const k = new Kernel();
    const { dev } = suspendedDevice(k, 'd');
    dev.driver = {
      name: 'x',
      pm: {
        runtimeResume: async () => {
          await k.sched.sleep(1);
          throw new Error('driver model bug');
        },
      },
    };
    await expect(k.run('r', () => pmRuntimeResume(dev))).rejects.toThrow('driver model bug');
    expect(dev.power.lock.held).toBe(false);
  });

  it('an asynchronous request that would have to sleep throws instead of sleeping', () => {
    const k = new Kernel();
    const { dev: p, drv } = makeDevice(k, 'p');
    drv.delayNs = msecs(1);
    const { dev: c } = activeDevice(k, 'c', { parent: p });
    pmRuntimeEnable(p); // suspended, enabled, with an active child (it warns)
    pmRuntimeNoCallbacks(c);
    // Only a race could leave deferred_resume set on a no_callbacks device; then the async
    // suspend's deferred resume must resume the suspended parent synchronously.
    c.power.deferredResume = true;
    expect(() => pmRequestAutosuspend(c)).toThrow(
      /pm_request_autosuspend: runtime PM operation tried to sleep in atomic context/,
    );
  });

  it('taking the power lock twice, or releasing it unheld, throws', () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    dev.power.lock.lock();
    expect(() => pmRequestIdle(dev)).toThrow(
      /spin_lock\(d\.power\.lock\) by no task: already held/,
    );
    dev.power.lock.unlock();
    expect(() => dev.power.lock.unlock()).toThrow(/spin_unlock\(d\.power\.lock\) while not held/);
  });
});

describe('rare branches', () => {
  it('A.10.1 dev_warn of a device without driver, bus or class has an empty driver string', () => {
    const k = new Kernel();
    const dev = new Device(k, { name: 'd' });
    expect(pmRuntimePut(dev)).toBe(-22);
    expect(k.log[0]?.text).toBe(' d: Runtime PM usage count underflow!');
  });

  it('A.11.8 a disable racing a check_resume disable only deepens the depth', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    drv.delayNs = msecs(1);
    await Promise.all([
      k.run('a', async () => {
        pmRuntimeGetNoresume(dev);
        expect(pmRequestResume(dev)).toBe(0);
        pmRuntimePutNoidle(dev);
        await pmRuntimeDisable(dev); // resumes first, sleeping in the callback
      }),
      k.run('b', () => pmRuntimeDisable(dev)),
    ]);
    expect(dev.power.disableDepth).toBe(2);
    expect(dev.power.runtimeStatus).toBe('active');
  });

  it('A.11.10 reinit of an irq-safe device without a parent just clears the flag', () => {
    const k = new Kernel();
    const dev = makeDevice(k, 'd').dev;
    dev.power.irqSafe = true;
    pmRuntimeReinit(dev);
    expect(dev.power.irqSafe).toBe(false);
  });

  it('A.11.6.5 only a SUSPENDED child adds to the parent count when set ACTIVE', () => {
    const k = new Kernel();
    const { dev: p } = activeDevice(k, 'p');
    const c = makeDevice(k, 'c', { parent: p }).dev;
    c.power.runtimeStatus = 'resuming'; // as a race could leave it
    expect(pmRuntimeSetActive(c)).toBe(0);
    expect(p.power.childCount).toBe(0);
  });

  it('A.9.3 a timer that fires after its expiry was cleared does nothing', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    expect(pmScheduleSuspend(dev, 5)).toBe(0);
    dev.power.timerExpires = 0; // as hrtimer_try_to_cancel() failing on a running timer leaves it
    await k.settle();
    expect(drv.calls).toEqual([]);
  });

  it('A.15 trace payloads carry irq_safe and request_pending', async () => {
    const k = new Kernel();
    const { dev: p } = activeDevice(k, 'p');
    const { dev } = activeDevice(k, 'd', { parent: p });
    dev.power.irqSafe = true;
    expect(pmRequestAutosuspend(dev)).toBe(0);
    k.trace.record();
    expect(pmRequestAutosuspend(dev)).toBe(0);
    expect(k.trace.records()[0]?.payload).toMatchObject({ irq_safe: 1, request_pending: 1 });
    await k.settle();
    expect(await k.run('g', () => pmRuntimeGetSync(dev))).toBe(0);
  });
});

describe('might_sleep_if', () => {
  it('a sync call that may sleep, made under a spinlock, is reported even if it does not sleep', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    const lock = k.newSpinLock('test_lock');
    await k.run('atomic', async () => {
      lock.lock();
      expect(pmRuntimePut(dev)).toBe(-22); // async: fine
      await pmRuntimeGetSync(dev); // already active: no sleep, no report
      expect(k.defects.map((d) => d.kind)).toEqual(['rpm-usage-underflow']);
      await pmRuntimePutSyncSuspend(dev); // may sleep: reported
      await pmRuntimeIdle(dev);
      lock.unlock();
    });
    expect(k.defects.map((d) => d.message).slice(1)).toEqual([
      'BUG: sleeping function called from invalid context: __pm_runtime_suspend(d) by atomic#1',
      'BUG: sleeping function called from invalid context: __pm_runtime_idle(d) by atomic#1',
    ]);
  });
});
