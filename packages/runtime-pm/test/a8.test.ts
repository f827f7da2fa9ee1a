// KERNEL.md A.8: rpm_callback and the error bookkeeping.
import { describe, expect, it } from 'vitest';
import { EACCES, EINVAL, EIO, Kernel } from '@vfio-ts/kernel';
import {
  pmRuntimeEnable,
  pmRuntimeGetNoresume,
  pmRuntimeGetSync,
  pmRuntimePutSync,
  pmRuntimeIdle,
  pmRuntimePutNoidle,
  pmRuntimeResume,
  pmRuntimeSetActive,
  pmRuntimeSetSuspended,
  pmRuntimeSuspend,
  powerAttrRead,
} from '@vfio-ts/runtime-pm';
import { activeDevice, suspendedDevice } from './helpers.js';

describe('A.8 rpm_callback', () => {
  it('A.8.1 the lock is dropped around the callback; irq-safe callbacks run atomic', async () => {
    const k = new Kernel();
    const { dev } = activeDevice(k, 'd');
    const seen: unknown[] = [];
    dev.driver = {
      name: 'x',
      pm: {
        runtimeSuspend: async (d) => {
          seen.push(d.power.lock.held, k.sched.current?.atomicDepth);
          await k.sched.sleep(1);
          return 0;
        },
      },
    };
    await k.run('s', () => pmRuntimeSuspend(dev));
    expect(seen).toEqual([false, 0]);
    expect(k.defects).toEqual([]);
    pmRuntimeGetNoresume(dev);
    dev.power.irqSafe = true;
    await k.run('r', () => pmRuntimeResume(dev));
    pmRuntimePutNoidle(dev);
    await k.run('s', () => pmRuntimeSuspend(dev));
    expect(seen.slice(2)).toEqual([false, 1]);
    expect(k.defects.map((d) => d.kind)).toEqual(['sleep-in-atomic']);
  });

  it('A.8.2 runtime_error takes the raw callback value; a success leaves 0', async () => {
    const k = new Kernel();
    const { dev, drv } = activeDevice(k, 'd');
    drv.suspendRet = -EIO;
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(-EIO);
    expect(dev.power.runtimeError).toBe(-EIO);
    expect(pmRuntimeSetActive(dev)).toBe(0);
    drv.suspendRet = 0;
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(0);
    expect(dev.power.runtimeError).toBe(0);
    drv.resumeRet = 2;
    expect(await k.run('r', () => pmRuntimeResume(dev))).toBe(2);
    expect(dev.power.runtimeError).toBe(2);
  });

  it('A.8.3 -EACCES from a callback is reported as -EIO', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    drv.resumeRet = -EACCES;
    expect(await k.run('r', () => pmRuntimeResume(dev))).toBe(-EIO);
    expect(dev.power.runtimeError).toBe(-EACCES);
  });

  it('A.8.4 a fatal error blocks every operation and reads "error" until set_active/set_suspended', async () => {
    const k = new Kernel();
    const { dev, drv } = suspendedDevice(k, 'd');
    drv.resumeRet = -EIO;
    expect(await k.run('r', () => pmRuntimeResume(dev))).toBe(-EIO);
    expect(await k.run('i', () => pmRuntimeIdle(dev))).toBe(-EINVAL);
    expect(await k.run('s', () => pmRuntimeSuspend(dev))).toBe(-EINVAL);
    expect(await k.run('r', () => pmRuntimeResume(dev))).toBe(-EINVAL);
    expect(powerAttrRead(dev, 'runtime_status')).toBe('error\n');
    expect(pmRuntimeSetSuspended(dev)).toBe(0);
    expect(dev.power.runtimeError).toBe(0);
    expect(dev.power.disableDepth).toBe(0);
    expect(powerAttrRead(dev, 'runtime_status')).toBe('suspended\n');
    drv.resumeRet = 0;
    expect(await k.run('r', () => pmRuntimeGetSync(dev))).toBe(0);
    drv.suspendRet = -EIO;
    expect(await k.run('s', () => pmRuntimePutSync(dev))).toBe(-EIO);
    expect(pmRuntimeSetActive(dev)).toBe(0);
    expect(dev.power).toMatchObject({ runtimeError: 0, runtimeStatus: 'active' });
    pmRuntimeEnable(dev);
    expect(k.log.at(-1)?.text).toBe('fake d: Unbalanced pm_runtime_enable!');
  });
});
