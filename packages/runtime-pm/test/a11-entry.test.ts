// KERNEL.md A.11.1–A.11.5: the generic entry points, the wrappers, get_if_active, allow/forbid.
import { describe, expect, it } from 'vitest';
import { EACCES, EAGAIN, EINVAL, EIO, Kernel } from '@vfio-ts/kernel';
import {
  __pmRuntimeIdle,
  __pmRuntimeResume,
  __pmRuntimeSuspend,
  RPM_ASYNC,
  RPM_AUTO,
  RPM_GET_PUT,
  pmRequestAutosuspend,
  pmRequestIdle,
  pmRequestResume,
  pmRuntimeAllow,
  pmRuntimeAutosuspend,
  pmRuntimeEnable,
  pmRuntimeForbid,
  pmRuntimeGet,
  pmRuntimeGetIfActive,
  pmRuntimeGetIfInUse,
  pmRuntimeGetNoresume,
  pmRuntimeGetSync,
  pmRuntimeIdle,
  pmRuntimePut,
  pmRuntimePutAutosuspend,
  pmRuntimePutNoidle,
  pmRuntimePutSync,
  pmRuntimePutSyncAutosuspend,
  pmRuntimePutSyncSuspend,
  pmRuntimeResume,
  pmRuntimeResumeAndGet,
  pmRuntimeSetActive,
  pmRuntimeSuspend,
  type Device,
} from '@vfio-ts/runtime-pm';
import { activeDevice, makeDevice, suspendedDevice } from './helpers.js';

describe('A.11.1 generic entry points', () => {
  it('A.11.1 with RPM_GET_PUT a count left above 0 returns 0 and does nothing else', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    pmRuntimeGetNoresume(dev);
    pmRuntimeGetNoresume(dev);
    k.trace.record();
    expect(await k.run('i', () => __pmRuntimeIdle(dev, RPM_GET_PUT))).toBe(0);
    expect(k.trace.records().map((r) => r.name)).toEqual(['rpm_usage']);
    expect(await k.run('s', () => __pmRuntimeSuspend(dev, RPM_GET_PUT))).toBe(0);
    expect(dev.power.runtimeStatus).toBe('suspended');
  });

  it('A.11.1 __pm_runtime_resume increments first, even when the resume fails', async () => {
    const k = new Kernel();
    const dev = makeDevice(k, 'd').dev;
    expect(await k.run('r', () => __pmRuntimeResume(dev, RPM_GET_PUT))).toBe(-EACCES);
    expect(dev.power.usageCount).toBe(1);
    expect(await k.run('r', () => pmRuntimeGetSync(dev))).toBe(-EACCES);
    expect(dev.power.usageCount).toBe(2);
  });
});

describe('A.11.2 wrappers', () => {
  type Row = [string, (d: Device) => Promise<number> | number, string, number, number];
  // name, call, the rpm_* function it enters, its flags, the usage change when it gets there
  const rows: Row[] = [
    ['pm_runtime_idle', pmRuntimeIdle, 'rpm_idle', 0, 0],
    ['pm_request_idle', pmRequestIdle, 'rpm_idle', RPM_ASYNC, 0],
    ['pm_runtime_suspend', pmRuntimeSuspend, 'rpm_suspend', 0, 0],
    ['pm_runtime_autosuspend', pmRuntimeAutosuspend, 'rpm_suspend', RPM_AUTO, 0],
    ['pm_request_autosuspend', pmRequestAutosuspend, 'rpm_suspend', RPM_ASYNC | RPM_AUTO, 0],
    ['pm_runtime_resume', pmRuntimeResume, 'rpm_resume', 0, 0],
    ['pm_request_resume', pmRequestResume, 'rpm_resume', RPM_ASYNC, 0],
    ['pm_runtime_get', pmRuntimeGet, 'rpm_resume', RPM_GET_PUT | RPM_ASYNC, 1],
    ['pm_runtime_get_sync', pmRuntimeGetSync, 'rpm_resume', RPM_GET_PUT, 1],
    ['pm_runtime_resume_and_get', pmRuntimeResumeAndGet, 'rpm_resume', RPM_GET_PUT, 1],
    ['pm_runtime_put', pmRuntimePut, 'rpm_idle', RPM_GET_PUT | RPM_ASYNC, -1],
    ['pm_runtime_put_sync', pmRuntimePutSync, 'rpm_idle', RPM_GET_PUT, -1],
    [
      'pm_runtime_put_autosuspend',
      pmRuntimePutAutosuspend,
      'rpm_suspend',
      RPM_GET_PUT | RPM_ASYNC | RPM_AUTO,
      -1,
    ],
    ['pm_runtime_put_sync_suspend', pmRuntimePutSyncSuspend, 'rpm_suspend', RPM_GET_PUT, -1],
    [
      'pm_runtime_put_sync_autosuspend',
      pmRuntimePutSyncAutosuspend,
      'rpm_suspend',
      RPM_GET_PUT | RPM_AUTO,
      -1,
    ],
  ];
  for (const [name, call, fn, flags, delta] of rows) {
    it(`A.11.2 ${name} enters ${fn} with flags ${flags}, usage ${delta >= 0 ? '+' : ''}${delta}`, async () => {
      const k = new Kernel();
      const { dev } = activeDevice(k, 'd');
      pmRuntimeGetNoresume(dev);
      k.trace.record();
      await k.run('t', () => call(dev));
      const first = k.trace.records('rpm_idle', 'rpm_suspend', 'rpm_resume')[0];
      expect(first?.name).toBe(fn);
      expect(first?.payload).toMatchObject({ flags, usage_count: 1 + delta, name: 'd' });
      expect(dev.power.usageCount).toBe(1 + delta);
    });
  }

  it('A.11.2 pm_runtime_resume_and_get: 0 also when already active; on error the count is restored', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    expect(await k.run('g', () => pmRuntimeResumeAndGet(dev))).toBe(0);
    expect(dev.power.usageCount).toBe(1);
    const { dev: bad, drv } = suspendedDevice(k, 'bad');
    drv.resumeRet = -EIO;
    expect(await k.run('g', () => pmRuntimeResumeAndGet(bad))).toBe(-EIO);
    expect(bad.power.usageCount).toBe(0);
  });
});

describe('A.11.3 pm_runtime_get_if_active', () => {
  it('A.11.3 disabled → -EINVAL; not active → 0; ign → +1 and 1; else only if in use', async () => {
    const k = new Kernel();
    const dev = makeDevice(k, 'd').dev;
    expect(pmRuntimeGetIfActive(dev, true)).toBe(-EINVAL);
    pmRuntimeEnable(dev);
    expect(pmRuntimeGetIfActive(dev, true)).toBe(0);
    expect(pmRuntimeSetActive(dev)).toBe(-EAGAIN);
    const { dev: a } = activeDevice(k, 'a');
    expect(pmRuntimeGetIfInUse(a)).toBe(0);
    expect(a.power.usageCount).toBe(0);
    expect(pmRuntimeGetIfActive(a, true)).toBe(1);
    expect(pmRuntimeGetIfInUse(a)).toBe(1);
    expect(a.power.usageCount).toBe(2);
  });
});

describe('A.11.4–A.11.5 allow and forbid', () => {
  it('A.11.4 allow: nothing if already allowed; else drop the usage and idle asynchronously', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    pmRuntimeAllow(dev);
    expect(dev.power.usageCount).toBe(0);
    expect(k.defects).toEqual([]);
    await k.run('f', () => pmRuntimeForbid(dev));
    pmRuntimeGetNoresume(dev);
    k.trace.record();
    pmRuntimeAllow(dev);
    expect(dev.power).toMatchObject({ runtimeAuto: true, usageCount: 1, requestPending: false });
    expect(k.trace.records()[0]?.name).toBe('rpm_usage');
    await k.run('f', () => pmRuntimeForbid(dev));
    pmRuntimePutNoidle(dev);
    pmRuntimeAllow(dev);
    expect(dev.power).toMatchObject({ request: 'autosuspend', requestPending: true });
    await k.settle();
    expect(dev.power.runtimeStatus).toBe('suspended');
  });

  it('A.11.5 forbid: nothing if already forbidden; else +1 and a synchronous resume', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    await k.run('f', () => pmRuntimeForbid(dev));
    expect(dev.power).toMatchObject({ runtimeAuto: false, usageCount: 1, runtimeStatus: 'active' });
    await k.run('f', () => pmRuntimeForbid(dev));
    expect(dev.power.usageCount).toBe(1);
    expect(drv.calls).toEqual(['resume:d']);
  });
});
