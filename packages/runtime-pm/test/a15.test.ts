// KERNEL.md A.15: the power/ sysfs attributes and the rpm trace events.
import { describe, expect, it } from 'vitest';
import { EACCES, EINVAL, EIO, ENOENT, Kernel, msecs } from '@vfio-ts/kernel';
import {
  Device,
  POWER_ATTRS,
  RPM_ASYNC,
  RPM_AUTO,
  RPM_GET_PUT,
  RUNTIME_PM_TRACE_EVENTS,
  declareRuntimePmTraceEvents,
  formatRpmEvent,
  pmRequestIdle,
  pmRuntimeAllow,
  pmRuntimeDisable,
  pmRuntimeEnable,
  pmRuntimeForbid,
  pmRuntimeGetIfActive,
  pmRuntimeGetNoresume,
  pmRuntimeGetSync,
  pmRuntimePut,
  pmRuntimePutNoidle,
  pmRuntimeSuspend,
  pmRuntimeUseAutosuspend,
  pmRuntimeSetAutosuspendDelay,
  pmSuspendIgnoreChildren,
  powerAttrRead,
  powerAttrWrite,
  powerSysfs,
} from '@vfio-ts/runtime-pm';
import { activeDevice, makeDevice, suspendedDevice } from './helpers.js';

const read = (dev: Device, name: string): string | number => powerAttrRead(dev, name);

describe('A.15 sysfs power/', () => {
  it('A.15 lists every attribute (CONFIG_PM_ADVANCED_DEBUG)', () => {
    expect([...POWER_ATTRS].sort()).toEqual(
      [
        'autosuspend_delay_ms',
        'control',
        'runtime_active_kids',
        'runtime_active_time',
        'runtime_enabled',
        'runtime_status',
        'runtime_suspended_time',
        'runtime_usage',
      ].sort(),
    );
    expect(powerSysfs.read).toBe(powerAttrRead);
    expect(powerSysfs.write).toBe(powerAttrWrite);
  });

  it('A.15 control reads auto/on; writes "auto"/"on" (newline allowed) allow/forbid; else -EINVAL', async () => {
    const k = new Kernel();
    const { dev } = suspendedDevice(k, 'd');
    expect(read(dev, 'control')).toBe('auto\n');
    expect(await k.run('w', () => powerAttrWrite(dev, 'control', 'on\n'))).toBe(3);
    expect(read(dev, 'control')).toBe('on\n');
    expect(dev.power).toMatchObject({ usageCount: 1, runtimeStatus: 'active' });
    expect(await k.run('w', () => powerAttrWrite(dev, 'control', 'auto'))).toBe(4);
    expect(read(dev, 'control')).toBe('auto\n');
    for (const bad of ['Auto', 'on\n\n', ' on', '', 'off'])
      expect(await k.run('w', () => powerAttrWrite(dev, 'control', bad))).toBe(-EINVAL);
    await k.settle();
    expect(dev.power.runtimeStatus).toBe('suspended');
  });

  it('A.15 runtime_status: error, unsupported, or the status', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    expect(read(dev, 'runtime_status')).toBe('active\n');
    drv.delayNs = msecs(1);
    const seen: unknown[] = [];
    await Promise.all([
      k.run('s', () => pmRuntimeSuspend(dev)),
      k.run('r', () => void seen.push(read(dev, 'runtime_status'))),
    ]);
    expect(read(dev, 'runtime_status')).toBe('suspended\n');
    await Promise.all([
      k.run('g', () => pmRuntimeGetSync(dev)),
      k.run('r', () => void seen.push(read(dev, 'runtime_status'))),
    ]);
    expect(seen).toEqual(['suspending\n', 'resuming\n']);
    await k.run('d', () => pmRuntimeDisable(dev));
    expect(read(dev, 'runtime_status')).toBe('unsupported\n');
    dev.power.runtimeError = -EIO;
    expect(read(dev, 'runtime_status')).toBe('error\n');
  });

  it('A.15 runtime_usage, runtime_active_kids (0 when ignoring children), runtime_enabled', async () => {
    const k = new Kernel();
    const p = makeDevice(k, 'p').dev;
    activeDevice(k, 'c', { parent: p });
    expect(read(p, 'runtime_usage')).toBe('0\n');
    expect(read(p, 'runtime_active_kids')).toBe('1\n');
    expect(read(p, 'runtime_enabled')).toBe('disabled\n');
    await k.run('f', () => pmRuntimeForbid(p));
    expect(read(p, 'runtime_usage')).toBe('1\n');
    expect(read(p, 'runtime_enabled')).toBe('disabled & forbidden\n');
    pmRuntimeEnable(p);
    expect(read(p, 'runtime_enabled')).toBe('forbidden\n');
    pmRuntimeAllow(p);
    expect(read(p, 'runtime_enabled')).toBe('enabled\n');
    pmSuspendIgnoreChildren(p, true);
    expect(read(p, 'runtime_active_kids')).toBe('0\n');
    pmRuntimeGetNoresume(p);
    pmRuntimeGetNoresume(p);
    expect(read(p, 'runtime_usage')).toBe('2\n');
    pmRuntimePutNoidle(p);
  });

  it('A.15 runtime_active_time / runtime_suspended_time in whole ms up to now', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.delayNs = msecs(2);
    await k.sched.runFor(msecs(3) + 400_000);
    expect(read(dev, 'runtime_active_time')).toBe('3\n');
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(0);
    await k.sched.runFor(msecs(10) + 999_999);
    expect(read(dev, 'runtime_active_time')).toBe('5\n');
    expect(read(dev, 'runtime_suspended_time')).toBe('10\n');
  });

  it('A.15 autosuspend_delay_ms: -EIO unless use_autosuspend; decimal int; device lock held', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    expect(read(dev, 'autosuspend_delay_ms')).toBe(-EIO);
    expect(await k.run('w', () => powerAttrWrite(dev, 'autosuspend_delay_ms', '5'))).toBe(-EIO);
    pmRuntimeGetNoresume(dev);
    await k.run('u', () => pmRuntimeUseAutosuspend(dev));
    expect(read(dev, 'autosuspend_delay_ms')).toBe('0\n');
    expect(await k.run('w', () => powerAttrWrite(dev, 'autosuspend_delay_ms', '250\n'))).toBe(4);
    expect(read(dev, 'autosuspend_delay_ms')).toBe('250\n');
    expect(await k.run('w', () => powerAttrWrite(dev, 'autosuspend_delay_ms', '-1'))).toBe(2);
    expect(dev.power.usageCount).toBe(2);
    expect(await k.run('w', () => powerAttrWrite(dev, 'autosuspend_delay_ms', '+7'))).toBe(2);
    expect(dev.power.autosuspendDelay).toBe(7);
    expect(await k.run('w', () => powerAttrWrite(dev, 'autosuspend_delay_ms', '-0'))).toBe(2);
    expect(read(dev, 'autosuspend_delay_ms')).toBe('0\n');
    for (const bad of ['', '1.5', '0x10', '2147483648', '-2147483649', '12 ', 'abc', '1\n\n'])
      expect(await k.run('w', () => powerAttrWrite(dev, 'autosuspend_delay_ms', bad))).toBe(
        -EINVAL,
      );
    expect(await k.run('w', () => powerAttrWrite(dev, 'autosuspend_delay_ms', '2147483647'))).toBe(
      10,
    );
    await k.run('d', () => pmRuntimeSetAutosuspendDelay(dev, 0));
  });

  it('A.15 read-only attributes refuse writes with -EACCES; unknown names are -ENOENT', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    for (const name of ['runtime_status', 'runtime_usage', 'runtime_active_time'])
      expect(await k.run('w', () => powerAttrWrite(dev, name, '1'))).toBe(-EACCES);
    expect(read(dev, 'wakeup')).toBe(-ENOENT);
    expect(await k.run('w', () => powerAttrWrite(dev, 'wakeup', 'enabled'))).toBe(-ENOENT);
  });
});

describe('A.15 trace events', () => {
  it('A.15 declares rpm_idle/suspend/resume/usage/return_int with the kernel fields, idempotently', () => {
    const k = new Kernel();
    new Device(k, { name: 'a' });
    new Device(k, { name: 'b' });
    declareRuntimePmTraceEvents(k.trace);
    const ev = k.trace.events();
    for (const name of ['rpm_idle', 'rpm_suspend', 'rpm_resume', 'rpm_usage'])
      expect(ev.get(name)).toEqual([
        'name',
        'flags',
        'usage_count',
        'disable_depth',
        'runtime_auto',
        'request_pending',
        'irq_safe',
        'child_count',
      ]);
    expect(ev.get('rpm_return_int')).toEqual(['name', 'ip', 'ret']);
    expect(Object.keys(RUNTIME_PM_TRACE_EVENTS)).toHaveLength(5);
  });

  it('A.15 a get_sync/put pair: entry events, return values at each return point, idle before suspend', async () => {
    const k = new Kernel();
    const { dev } = suspendedDevice(k, 'd');
    k.trace.record();
    await k.run('g', () => pmRuntimeGetSync(dev));
    pmRuntimePut(dev);
    await k.settle();
    const lines = k.trace.records().map((r) => `${r.name} ${formatRpmEvent(r.name, r.payload)}`);
    expect(lines).toEqual([
      'rpm_resume d flags-4 cnt-1  dep-0  auto-1 p-0 irq-0 child-0',
      'rpm_idle d flags-1 cnt-1  dep-0  auto-1 p-0 irq-0 child-0',
      'rpm_return_int rpm_idle:d ret=-11',
      'rpm_return_int rpm_resume:d ret=0',
      'rpm_idle d flags-5 cnt-0  dep-0  auto-1 p-0 irq-0 child-0',
      'rpm_return_int rpm_idle:d ret=0',
      'rpm_suspend d flags-d cnt-0  dep-0  auto-1 p-0 irq-0 child-0',
      'rpm_return_int rpm_suspend:d ret=0',
      'rpm_suspend d flags-a cnt-0  dep-0  auto-1 p-0 irq-0 child-0',
      'rpm_return_int rpm_suspend:d ret=0',
    ]);
    expect(RPM_GET_PUT | RPM_ASYNC | RPM_AUTO).toBe(0xd);
  });

  it('A.15 rpm_return_int also fires on the early 0 of an async idle with a callback', () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.idleRet = 0;
    k.trace.record();
    expect(pmRequestIdle(dev)).toBe(0);
    expect(k.trace.records().map((r) => r.name)).toEqual(['rpm_idle', 'rpm_return_int']);
  });

  it('A.15 rpm_usage fires in get_if_active', () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    k.trace.record();
    pmRuntimeGetIfActive(dev, true);
    expect(k.trace.records()[0]).toMatchObject({
      name: 'rpm_usage',
      payload: { flags: 0, usage_count: 1 },
    });
  });

  it('A.15 events cost nothing when nobody listens', async () => {
    const k = new Kernel();
    const { dev } = suspendedDevice(k, 'd');
    await k.run('g', () => pmRuntimeGetSync(dev));
    expect(k.trace.records()).toEqual([]);
  });
});
