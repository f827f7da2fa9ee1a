// User-space control and per-device flags (pm_runtime_allow/forbid, get_if_active, irq_safe,
// no_callbacks, ignore_children, pm_schedule_suspend; A.9.4, A.11.3–A.11.5, A.11.11–A.11.12).
import { EINVAL, NSEC_PER_MSEC } from '@vfio-ts/kernel';
import { pmRuntimeGetSync } from './api.js';
import type { Device } from './device.js';
import { RPM_ASYNC, RPM_AUTO } from './flags.js';
import { runAtomic, runSleeping, withPowerLock, type RpmOp } from './op.js';
import { rpmIdle } from './rpm-idle.js';
import { rpmResume } from './rpm-resume.js';
import { rpmSuspend } from './rpm-suspend.js';
import { pmRuntimeCancelPending, rpmCheckSuspendAllowed } from './status.js';
import { traceRpm } from './trace-events.js';
import { rpmDropUsageCount } from './usage.js';
import { pmArmSuspendTimer } from './work.js';

/** Mirrors pm_runtime_allow(): user space allows runtime PM ("auto"); drops its reference. */
export function pmRuntimeAllow(dev: Device): void {
  const p = dev.power;
  p.lock.lock();
  if (!p.runtimeAuto) {
    p.runtimeAuto = true;
    const ret = rpmDropUsageCount(dev);
    if (ret === 0) runAtomic(rpmIdle(dev, RPM_AUTO | RPM_ASYNC), 'pm_runtime_allow');
    else if (ret > 0) traceRpm('rpm_usage', dev, RPM_AUTO | RPM_ASYNC);
  }
  p.lock.unlock();
}

// Mirrors pm_runtime_forbid() with the lock held.
function* pmRuntimeForbidOp(dev: Device): RpmOp<void> {
  const p = dev.power;
  if (!p.runtimeAuto) return;
  p.runtimeAuto = false;
  p.usageCount++;
  yield* rpmResume(dev, 0);
}

/** Mirrors pm_runtime_forbid(): user space forbids runtime PM ("on"); +1 and sync resume. */
export async function pmRuntimeForbid(dev: Device): Promise<void> {
  await runSleeping(withPowerLock(dev.power.lock, pmRuntimeForbidOp(dev)));
}

/**
 * Mirrors pm_runtime_get_if_active(): take a reference only if the device is active.
 * @param ignUsageCount take it even when the count is 0
 * @returns 1 if taken, 0 if not, -EINVAL if runtime PM is disabled
 */
export function pmRuntimeGetIfActive(dev: Device, ignUsageCount = false): number {
  const p = dev.power;
  p.lock.lock();
  let retval: number;
  if (p.disableDepth > 0) retval = -EINVAL;
  else if (p.runtimeStatus !== 'active') retval = 0;
  else if (ignUsageCount || p.usageCount !== 0) {
    p.usageCount++;
    retval = 1;
  } else retval = 0;
  traceRpm('rpm_usage', dev, 0);
  p.lock.unlock();
  return retval;
}

/** Mirrors pm_runtime_get_if_in_use(): pm_runtime_get_if_active(dev, false). */
export function pmRuntimeGetIfInUse(dev: Device): number {
  return pmRuntimeGetIfActive(dev, false);
}

/** Mirrors pm_runtime_irq_safe(): keep the parent active for good; callbacks run atomic. */
export async function pmRuntimeIrqSafe(dev: Device): Promise<void> {
  if (dev.parent) await pmRuntimeGetSync(dev.parent);
  dev.power.lock.lock();
  dev.power.irqSafe = true;
  dev.power.lock.unlock();
}

/** Mirrors pm_runtime_no_callbacks(): transitions succeed without calling anything. */
export function pmRuntimeNoCallbacks(dev: Device): void {
  dev.power.lock.lock();
  dev.power.noCallbacks = true;
  dev.power.lock.unlock();
}

/** Mirrors pm_suspend_ignore_children(). */
export function pmSuspendIgnoreChildren(dev: Device, enable: boolean): void {
  dev.power.lock.lock();
  dev.power.ignoreChildren = enable;
  dev.power.lock.unlock();
}

/**
 * Mirrors pm_schedule_suspend(): an async suspend after `delayMs` (timer, no slack).
 * @returns 0 if scheduled or queued, or the nonzero result of the permission check (1 included)
 */
export function pmScheduleSuspend(dev: Device, delayMs: number): number {
  const p = dev.power;
  p.lock.lock();
  let retval: number;
  if (!delayMs) retval = runAtomic(rpmSuspend(dev, RPM_ASYNC), 'pm_schedule_suspend');
  else {
    retval = rpmCheckSuspendAllowed(dev);
    if (!retval) {
      pmRuntimeCancelPending(dev);
      p.timerAutosuspends = false;
      pmArmSuspendTimer(dev, dev.kernel.clock.now() + delayMs * NSEC_PER_MSEC, 0);
    }
  }
  p.lock.unlock();
  return retval;
}
