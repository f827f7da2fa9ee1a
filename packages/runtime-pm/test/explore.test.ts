// Schedule exploration: races between synchronous gets and asynchronous idle/suspend work, and
// between a parent's suspend and its children's transitions, under every schedule within a
// preemption bound. Invariants are checked after every scheduler step.
import { describe, expect, it } from 'vitest';
import { explore, replaySchedule, type Kernel } from '@vfio-ts/kernel';
import {
  pmRequestIdle,
  pmRuntimeGet,
  pmRuntimeGetNoresume,
  pmRuntimeGetSync,
  pmRuntimeIdle,
  pmRuntimePut,
  pmRuntimePutSync,
  pmRuntimeSuspend,
  pmSuspendIgnoreChildren,
  type Device,
} from '@vfio-ts/runtime-pm';
import { activeDevice, FakeDriver } from './helpers.js';

// The racing put: how the reference is dropped (and the suspend started) while get_sync runs.
type Racer = (k: Kernel, dev: Device) => Promise<unknown> | unknown;
const racers: Record<string, Racer> = {
  'pm_runtime_put (async idle)': (_k, d) => pmRuntimePut(d),
  'pm_runtime_put_sync (sync idle → suspend)': (_k, d) => pmRuntimePutSync(d),
  'put_noidle + pm_request_idle': (_k, d) => {
    d.power.usageCount--;
    return pmRequestIdle(d);
  },
  'put_noidle + pm_runtime_suspend': (_k, d) => {
    d.power.usageCount--;
    return pmRuntimeSuspend(d);
  },
};

// The racing get: how the device is taken again.
const getters: Record<string, (d: Device) => Promise<unknown> | unknown> = {
  pm_runtime_get_sync: pmRuntimeGetSync,
  'pm_runtime_get (async)': pmRuntimeGet,
};

const stats = { duringSuspend: 0 };

function getRacesSuspend(racer: Racer, getter: (d: Device) => Promise<unknown> | unknown) {
  return async (k: Kernel): Promise<void> => {
    const drv = new FakeDriver(k);
    drv.yieldInside = true; // every callback is a choice point
    const { dev: parent } = activeDevice(k, 'p', { drv });
    const { dev } = activeDevice(k, 'd', { parent, drv });
    pmRuntimeGetNoresume(dev);
    let inflight = 0;
    // Suspended with a reference held is allowed only while a get is still on its way.
    const check = (): string[] =>
      dev.power.runtimeStatus === 'suspended' && dev.power.usageCount > 0 && inflight === 0
        ? [`d suspended with usage ${dev.power.usageCount} and no get in flight`]
        : [];
    k.addInvariant(check);
    await Promise.all([
      k.run('put', () => racer(k, dev)),
      k.run('get', async () => {
        inflight++;
        await k.sched.yield();
        if (dev.power.runtimeStatus === 'suspending') stats.duringSuspend++;
        await getter(dev);
        // A get_sync has resumed the device by now; an async get still has work queued.
        if (getter === pmRuntimeGetSync) inflight--;
      }),
    ]);
    await k.settle();
    inflight = 0;
    const end = check();
    if (end.length) throw new Error(end.join('; '));
    if (dev.power.runtimeStatus !== 'active') throw new Error(`d ends ${dev.power.runtimeStatus}`);
  };
}

describe('explore: a get racing an asynchronous idle/suspend', () => {
  for (const [rname, racer] of Object.entries(racers)) {
    for (const [gname, getter] of Object.entries(getters)) {
      it(`never leaves the device suspended with usage > 0: ${gname} vs ${rname}`, async () => {
        stats.duringSuspend = 0;
        const res = await explore(getRacesSuspend(racer, getter), {
          preemptionBound: 3,
          schedules: 5000,
        });
        expect(res.failure?.message).toBeUndefined();
        expect(res.ok).toBe(true);
        expect(res.schedules).toBeGreaterThan(1);
        expect(res.exhausted).toBe(true);
        // Some schedule had the get arrive while the suspend callback ran.
        expect(stats.duringSuspend).toBeGreaterThan(0);
      });
    }
  }

  it('also holds under seeded random schedules', async () => {
    const res = await explore(
      getRacesSuspend(racers['pm_runtime_put (async idle)']!, pmRuntimeGetSync),
      {
        mode: 'random',
        schedules: 300,
        seed: 7,
      },
    );
    expect(res.ok).toBe(true);
  });
});

// A parent with two children whose gets and puts race the parent's own idle.
function parentScenario(ignore: boolean, allowIgnore: boolean) {
  return async (k: Kernel): Promise<void> => {
    const drv = new FakeDriver(k);
    drv.yieldInside = true;
    const { dev: p } = activeDevice(k, 'p', { drv });
    const { dev: a } = activeDevice(k, 'a', { parent: p, drv });
    const { dev: b } = activeDevice(k, 'b', { parent: p, drv });
    if (ignore) pmSuspendIgnoreChildren(p, true);
    k.addInvariant(() => {
      const down = p.power.runtimeStatus === 'suspended' || p.power.runtimeStatus === 'suspending';
      const up = [a, b].filter((c) => c.power.runtimeStatus !== 'suspended');
      if (!down || !up.length || (allowIgnore && p.power.ignoreChildren)) return [];
      return [
        `p ${p.power.runtimeStatus} while ${up.map((c) => `${c.name} ${c.power.runtimeStatus}`).join(', ')}`,
      ];
    });
    await Promise.all([
      k.run('a', async () => {
        await pmRuntimeGetSync(a);
        await pmRuntimePutSync(a);
        await pmRuntimeGetSync(a);
        pmRuntimePut(a);
      }),
      k.run('b', async () => {
        await pmRuntimeSuspend(b);
        await pmRuntimeGetSync(b);
        await pmRuntimePutSync(b);
      }),
      k.run('p', () => pmRuntimeIdle(p)),
    ]);
  };
}

describe('explore: a parent never suspends while a child is active', () => {
  it('holds in every schedule (preemption bound 2)', async () => {
    const res = await explore(parentScenario(false, false), {
      preemptionBound: 2,
      schedules: 3000,
    });
    expect(res.failure?.message).toBeUndefined();
    expect(res.ok).toBe(true);
  });

  it('unless ignore_children: then exploration finds the parent suspended under an active child', async () => {
    const strict = parentScenario(true, false);
    const res = await explore(strict, { preemptionBound: 1, schedules: 500 });
    expect(res.ok).toBe(false);
    expect(res.failure?.kind).toBe('invariant');
    expect(res.failure?.message).toMatch(/p suspend(ed|ing) while/);
    const again = await replaySchedule(strict, res.failure!.token);
    expect(again.ok).toBe(false);
    const allowed = await explore(parentScenario(true, true), {
      preemptionBound: 1,
      schedules: 500,
    });
    expect(allowed.ok).toBe(true);
  });
});
