// Issue 12: the synchronous answers of runtime PM hot paths and the status watchers.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EIO, Kernel } from '@vfio-ts/kernel';
import {
  __pmRuntimeIdle,
  declareRuntimePmTraceEvents,
  Device,
  pmRuntimeEnable,
  pmRuntimeGetSync,
  pmRuntimePut,
  pmRuntimePutNoidle,
  pmRuntimeResumeAndGet,
  pmRuntimeSetActive,
  pmRuntimeSuspend,
  pmScheduleSuspend,
  RPM_ASYNC,
  RPM_GET_PUT,
  runMaybeSleeping,
  runSleeping,
  watchRuntimeStatus,
  type RpmLastStatus,
  type RpmOp,
  type RpmRequest,
} from '@vfio-ts/runtime-pm';

// A device's runtime PM state as a test sets it directly.
interface PmState {
  runtimeError: number;
  disableDepth: number;
  status: 'active' | 'suspended';
  lastStatus: RpmLastStatus;
  request: RpmRequest;
  requestPending: boolean;
  timerAutosuspends: boolean;
  usageCount: number;
  /** A suspend timer armed this many ms ahead first (0: none). */
  timerMs: number;
}

const pmStateArb: fc.Arbitrary<PmState> = fc.record({
  runtimeError: fc.constantFrom(0, -EIO),
  disableDepth: fc.constantFrom(0, 1, 2),
  status: fc.constantFrom('active', 'suspended'),
  lastStatus: fc.constantFrom<RpmLastStatus>('invalid', 'active', 'suspended'),
  request: fc.constantFrom<RpmRequest>('none', 'idle', 'suspend', 'autosuspend', 'resume'),
  requestPending: fc.boolean(),
  timerAutosuspends: fc.boolean(),
  usageCount: fc.integer({ min: 0, max: 3 }),
  timerMs: fc.constantFrom(0, 5),
});

// A traced kernel with one device in state `s`; the same calls on two of them trace alike.
function deviceIn(s: PmState): { k: Kernel; dev: Device } {
  const k = new Kernel();
  declareRuntimePmTraceEvents(k.trace);
  const dev = device(k);
  const p = dev.power;
  if (s.timerMs) expect(pmScheduleSuspend(dev, s.timerMs)).toBe(0);
  p.runtimeError = s.runtimeError;
  p.disableDepth = s.disableDepth;
  p.runtimeStatus = s.status;
  p.lastStatus = s.lastStatus;
  p.request = s.request;
  p.requestPending = s.requestPending;
  p.timerAutosuspends = s.timerAutosuspends;
  p.usageCount = s.usageCount;
  k.trace.record();
  return { k, dev };
}

const fields = (dev: Device) => {
  const p = dev.power;
  return {
    status: p.runtimeStatus,
    last: p.lastStatus,
    usage: p.usageCount,
    request: p.request,
    pending: p.requestPending,
    depth: p.disableDepth,
    deferredResume: p.deferredResume,
    timerExpires: p.timerExpires,
    timers: dev.kernel.sched.pendingTimers,
    defects: dev.kernel.defects.map((d) => d.message),
  };
};

function device(k: Kernel): Device {
  const dev = new Device(k, { name: 'dev0' });
  dev.driver = { name: 'd', pm: { runtimeSuspend: () => 0, runtimeResume: () => 0 } };
  pmRuntimeSetActive(dev);
  pmRuntimeEnable(dev);
  return dev;
}

describe('runtime PM fast paths', () => {
  it('pm_runtime_resume_and_get answers synchronously for an active device, with a promise after a sleep', async () => {
    const k = new Kernel();
    const dev = device(k);
    await k.run('t', async () => {
      expect(pmRuntimeResumeAndGet(dev)).toBe(0);
      pmRuntimePutNoidle(dev);
      expect(await pmRuntimeSuspend(dev)).toBe(0);
      const r = pmRuntimeResumeAndGet(dev);
      expect(r).toBeInstanceOf(Promise);
      expect(await r).toBe(0);
      expect(dev.power.usageCount).toBe(1);
    });
  });

  it('resume_and_get and put answer at once exactly as the sleeping operations do (same value, state, trace)', async () => {
    await fc.assert(
      fc.asyncProperty(pmStateArb, async (s) => {
        const fast = deviceIn(s);
        const slow = deviceIn(s);
        // resume_and_get takes the at-once path where it can; get_sync always builds the operation.
        const got = await fast.k.run('t', () => pmRuntimeResumeAndGet(fast.dev));
        const ref = await slow.k.run('t', () => pmRuntimeGetSync(slow.dev));
        // resume_and_get gives the reference back on failure; get_sync keeps it.
        if (ref < 0) pmRuntimePutNoidle(slow.dev);
        expect(got).toBe(ref < 0 ? ref : 0);
        expect(fields(fast.dev)).toEqual(fields(slow.dev));
        // pm_runtime_put answers at once while the count stays above zero; __pm_runtime_idle()
        // with its flags always builds the operation.
        const put = await fast.k.run('t', () => pmRuntimePut(fast.dev));
        const putRef = await slow.k.run('t', () =>
          __pmRuntimeIdle(slow.dev, RPM_GET_PUT | RPM_ASYNC),
        );
        expect(put).toBe(putRef);
        expect(fields(fast.dev)).toEqual(fields(slow.dev));
        expect(fast.k.trace.records()).toEqual(slow.k.trace.records());
      }),
      { numRuns: 300 },
    );
  });

  it('runMaybeSleeping returns an operation that never sleeps at once, one that sleeps as a promise', async () => {
    // eslint-disable-next-line require-yield
    function* now(): RpmOp {
      return 7;
    }
    function* later(): RpmOp {
      return (yield () => Promise.resolve(8)) as number;
    }
    expect(runMaybeSleeping(now())).toBe(7);
    await expect(runMaybeSleeping(later())).resolves.toBe(8);
  });

  it('runSleeping rejects (never throws) when the operation fails before its first sleep', async () => {
    // eslint-disable-next-line require-yield
    function* bad(): RpmOp {
      throw new Error('bug');
    }
    const r = runSleeping(bad());
    await expect(r).rejects.toThrow('bug');
  });

  it('tells status watchers of every runtime_status change until they stop', async () => {
    const k = new Kernel();
    const dev = device(k);
    const seen: string[] = [];
    const stop = watchRuntimeStatus(k, (d) => seen.push(`${d.name} ${d.power.runtimeStatus}`));
    await k.run('t', () => pmRuntimeSuspend(dev));
    expect(seen).toEqual(['dev0 suspending', 'dev0 suspended']);
    dev.power.runtimeStatus = 'suspended';
    expect(seen).toHaveLength(2);
    stop();
    await k.run('t', () => pmRuntimeResumeAndGet(dev));
    expect(seen).toHaveLength(2);
    expect(dev.power.runtimeStatus).toBe('active');
  });
});
