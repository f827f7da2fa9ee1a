// Issue 12: the synchronous answers of runtime PM hot paths and the status watchers.
import { describe, expect, it } from 'vitest';
import { Kernel } from '@vfio-ts/kernel';
import {
  Device,
  pmRuntimeEnable,
  pmRuntimePutNoidle,
  pmRuntimeResumeAndGet,
  pmRuntimeSetActive,
  pmRuntimeSuspend,
  runMaybeSleeping,
  runSleeping,
  watchRuntimeStatus,
  type RpmOp,
} from '@vfio-ts/runtime-pm';

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
