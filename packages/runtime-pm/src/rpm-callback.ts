// Choosing and running runtime PM callbacks (__rpm_get_callback, rpm_callback, __rpm_callback).
import { EACCES, EIO } from '@vfio-ts/kernel';
import type { DevPmOps, Device, PmCallback } from './device.js';
import { sleepOn, type RpmOp } from './op.js';

/** Which runtime callback. */
export type RpmCallbackName = keyof DevPmOps;

// Mirrors __rpm_get_callback() (A.3.1): PM domain, type, class, bus; the driver fills a gap.
export function rpmGetCallback(dev: Device, which: RpmCallbackName): PmCallback | null {
  const ops =
    dev.pmDomain?.ops ?? dev.type?.pm ?? dev.class?.pm ?? dev.bus?.pm ?? (null as DevPmOps | null);
  return ops?.[which] ?? dev.driver?.pm?.[which] ?? null;
}

// Runs a callback with dev.power.lock dropped. Irq-safe devices keep interrupts off, so their
// callbacks run in atomic context and sleeping in one is reported as a defect.
export function* rpmCallUnlocked(dev: Device, cb: PmCallback, what: string): RpmOp {
  const p = dev.power;
  p.lock.unlock();
  const task = p.irqSafe ? dev.kernel.sched.current : null;
  if (task) task.atomicDepth++;
  let ret: unknown;
  try {
    ret = yield* sleepOn(() => cb(dev));
  } finally {
    if (task) task.atomicDepth--;
    p.lock.lock();
  }
  if (typeof ret !== 'number' || !Number.isInteger(ret))
    throw new Error(`${what} callback of ${dev.name} returned ${String(ret)}, not an int`);
  return ret;
}

// Mirrors rpm_callback() (A.8): record the result in runtime_error, report -EACCES as -EIO.
export function* rpmCallback(dev: Device, cb: PmCallback | null, what: string): RpmOp {
  const retval = cb ? yield* rpmCallUnlocked(dev, cb, what) : 0;
  dev.power.runtimeError = retval;
  return retval !== -EACCES ? retval : -EIO;
}
