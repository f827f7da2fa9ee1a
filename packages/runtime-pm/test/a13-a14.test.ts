// KERNEL.md A.13 (parent/child propagation) and A.14 (what is synchronous, what is queued).
import { describe, expect, it } from 'vitest';
import { EBUSY, EIO, Kernel } from '@vfio-ts/kernel';
import {
  pmRequestAutosuspend,
  pmRequestIdle,
  pmRequestResume,
  pmRuntimeAllow,
  pmRuntimeForbid,
  pmRuntimeGet,
  pmRuntimeGetNoresume,
  pmRuntimeGetSync,
  pmRuntimeIdle,
  pmRuntimePut,
  pmRuntimePutAutosuspend,
  pmRuntimePutSync,
  pmRuntimePutSyncSuspend,
  pmRuntimeResume,
  pmRuntimeResumeAndGet,
  pmRuntimeSuspend,
  pmSuspendIgnoreChildren,
  type Device,
} from '@vfio-ts/runtime-pm';
import { activeDevice, makeDevice, suspendedDevice } from './helpers.js';

describe('A.13 parent/child propagation', () => {
  it('A.13 a child resume resumes the parent first; the parent stays up through child_count', async () => {
    const k = new Kernel();
    const { dev: p, drv } = suspendedDevice(k, 'p');
    const { dev: c } = suspendedDevice(k, 'c', { parent: p, drv });
    expect(await k.run('g', () => pmRuntimeGetSync(c))).toBe(0);
    await k.settle();
    expect(p.power).toMatchObject({ runtimeStatus: 'active', usageCount: 0, childCount: 1 });
    expect(drv.calls).toEqual(['resume:p', 'resume:c']);
  });

  it('A.13 a failed parent gives the child -EBUSY', async () => {
    const k = new Kernel();
    const { dev: p, drv } = suspendedDevice(k, 'p');
    const { dev: c } = suspendedDevice(k, 'c', { parent: p });
    drv.resumeRet = -EIO;
    expect(await k.run('g', () => pmRuntimeResume(c))).toBe(-EBUSY);
  });

  it('A.13 after the last child suspends the parent idles asynchronously and suspends', async () => {
    const k = new Kernel();
    const { dev: p, drv } = activeDevice(k, 'p');
    const { dev: a } = activeDevice(k, 'a', { parent: p, drv });
    const { dev: b } = activeDevice(k, 'b', { parent: p, drv });
    expect(await k.run('s', () => pmRuntimeSuspend(a))).toBe(0);
    await k.settle();
    expect(p.power.runtimeStatus).toBe('active');
    expect(await k.run('s', () => pmRuntimeSuspend(b))).toBe(0);
    await k.settle();
    expect(p.power.runtimeStatus).toBe('suspended');
    expect(drv.calls).toEqual(['suspend:a', 'suspend:b', 'suspend:p']);
  });

  it('A.13 with ignore_children the parent may suspend under active children', async () => {
    const k = new Kernel();
    const { dev: p } = activeDevice(k, 'p');
    pmSuspendIgnoreChildren(p, true);
    const { dev: c } = activeDevice(k, 'c', { parent: p });
    expect(await k.run('s', () => pmRuntimeSuspend(p))).toBe(0);
    expect(c.power.runtimeStatus).toBe('active');
    expect(p.power.childCount).toBe(1);
    expect(await k.run('g', () => pmRuntimeGetSync(c))).toBe(1);
    expect(p.power.runtimeStatus).toBe('suspended');
  });

  it('A.13 a disabled parent is not resumed but still counts its active children', async () => {
    const k = new Kernel();
    const p = makeDevice(k, 'p');
    const { dev: c } = suspendedDevice(k, 'c', { parent: p.dev });
    expect(await k.run('g', () => pmRuntimeGetSync(c))).toBe(0);
    expect(p.dev.power).toMatchObject({ runtimeStatus: 'suspended', childCount: 1 });
    expect(await k.run('p', () => pmRuntimePutSync(c))).toBe(0);
    expect(p.dev.power.childCount).toBe(0);
    expect(p.drv.calls).toEqual([]);
  });
});

describe('A.14 synchronous vs asynchronous', () => {
  type Row = [string, (d: Device) => Promise<unknown> | unknown, 'active' | 'suspended'];
  // Sync calls finish the transition before they return; async ones leave it queued.
  const fromSuspended: Row[] = [
    ['pm_runtime_get_sync', pmRuntimeGetSync, 'active'],
    ['pm_runtime_resume_and_get', pmRuntimeResumeAndGet, 'active'],
    ['pm_runtime_resume', pmRuntimeResume, 'active'],
    ['pm_runtime_forbid', pmRuntimeForbid, 'active'],
    ['pm_runtime_get', pmRuntimeGet, 'suspended'],
    ['pm_request_resume', pmRequestResume, 'suspended'],
  ];
  for (const [name, call, after] of fromSuspended) {
    it(`A.14 ${name} from suspended: ${after === 'active' ? 'sync' : 'async'}`, async () => {
      const k = new Kernel();
      const { dev } = suspendedDevice(k, 'd');
      await k.run('t', () => call(dev));
      expect(dev.power.runtimeStatus).toBe(after);
    });
  }

  const fromActive: Row[] = [
    ['pm_runtime_put_sync', pmRuntimePutSync, 'suspended'],
    ['pm_runtime_put_sync_suspend', pmRuntimePutSyncSuspend, 'suspended'],
    ['pm_runtime_suspend', (d) => (dropRef(d), pmRuntimeSuspend(d)), 'suspended'],
    ['pm_runtime_idle', (d) => (dropRef(d), pmRuntimeIdle(d)), 'suspended'],
    ['pm_runtime_put', pmRuntimePut, 'active'],
    ['pm_runtime_put_autosuspend', pmRuntimePutAutosuspend, 'active'],
    ['pm_request_idle', (d) => (dropRef(d), pmRequestIdle(d)), 'active'],
    ['pm_request_autosuspend', (d) => (dropRef(d), pmRequestAutosuspend(d)), 'active'],
    ['pm_runtime_allow', (d) => ((d.power.runtimeAuto = false), pmRuntimeAllow(d)), 'active'],
  ];
  for (const [name, call, after] of fromActive) {
    it(`A.14 ${name} from active: ${after === 'suspended' ? 'sync' : 'async'}`, async () => {
      const k = new Kernel();
      const { dev } = activeDevice(k, 'd');
      pmRuntimeGetNoresume(dev);
      await k.run('t', () => call(dev));
      expect(dev.power.runtimeStatus).toBe(after);
      await k.settle();
      expect(dev.power.runtimeStatus).toBe('suspended');
    });
  }

  it('A.14 the parent resume inside a child resume is sync; the parent put after it is async', async () => {
    const k = new Kernel();
    const { dev: p } = suspendedDevice(k, 'p');
    const { dev: c } = suspendedDevice(k, 'c', { parent: p });
    pmSuspendIgnoreChildren(p, false);
    expect(await k.run('r', () => pmRuntimeResume(c))).toBe(0);
    expect(p.power.runtimeStatus).toBe('active');
    expect(p.power.requestPending).toBe(false); // refused at once: c is an active child
    expect(c.power.requestPending).toBe(true);
    await k.settle();
    expect(p.power.runtimeStatus).toBe('suspended');
  });
});

// Drops the test's reference without any idle (a raw decrement).
function dropRef(d: Device): void {
  d.power.usageCount--;
}
