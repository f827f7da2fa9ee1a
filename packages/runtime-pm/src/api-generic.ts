// The generic entry points (__pm_runtime_idle, __pm_runtime_suspend, __pm_runtime_resume, A.11.1).
import type { Device } from './device.js';
import { RPM_ASYNC, RPM_GET_PUT } from './flags.js';
import { runAtomic, runSleeping, withPowerLock, type RpmOp } from './op.js';
import { rpmIdle } from './rpm-idle.js';
import { rpmResume, rpmResumeAnswersAtOnce, rpmResumeAtOnce } from './rpm-resume.js';
import { rpmSuspend } from './rpm-suspend.js';
import { traceRpm } from './trace-events.js';
import { rpmDropUsageCount } from './usage.js';

// The RPM_GET_PUT step of the put-type entry points. @returns the value to return, or null to go on
function rpmPutStep(dev: Device, rpmflags: number): number | null {
  if (!(rpmflags & RPM_GET_PUT)) return null;
  const count = rpmDropUsageCount(dev);
  if (count < 0) return count;
  if (count > 0) {
    traceRpm('rpm_usage', dev, rpmflags);
    return 0;
  }
  return null;
}

// Mirrors might_sleep_if(): a call that may sleep, made in atomic context, is a bug even when
// this time it happens not to sleep.
function mightSleepIf(dev: Device, cond: boolean, fn: string): void {
  const task = dev.kernel.sched.current;
  if (cond && task && task.atomicDepth > 0)
    dev.kernel.defect(
      'sleep-in-atomic',
      `BUG: sleeping function called from invalid context: ${fn}(${dev.name}) by ${task}`,
    );
}

const mayBlock = (dev: Device, rpmflags: number): boolean =>
  !(rpmflags & RPM_ASYNC) && !dev.power.irqSafe;

/** Mirrors __pm_runtime_idle() as an operation (sleeps only without RPM_ASYNC). */
export function* __pmRuntimeIdleOp(dev: Device, rpmflags: number): RpmOp {
  const early = rpmPutStep(dev, rpmflags);
  if (early !== null) return early;
  return yield* pmRuntimeIdleLocked(dev, rpmflags);
}

// __pm_runtime_idle() past the usage step: rpm_idle() under dev.power.lock.
function* pmRuntimeIdleLocked(dev: Device, rpmflags: number): RpmOp {
  mightSleepIf(dev, mayBlock(dev, rpmflags), '__pm_runtime_idle');
  return yield* withPowerLock(dev.power.lock, rpmIdle(dev, rpmflags));
}

/**
 * Mirrors __pm_runtime_idle() for a caller that cannot sleep (RPM_ASYNC): a put that leaves
 * the usage count above zero answers without building the idle operation.
 * @param what the entry point, named if the operation tried to sleep
 */
export function __pmRuntimeIdleAtomic(dev: Device, rpmflags: number, what: string): number {
  return rpmPutStep(dev, rpmflags) ?? runAtomic(pmRuntimeIdleLocked(dev, rpmflags), what);
}

/** Mirrors __pm_runtime_suspend() as an operation. */
export function* __pmRuntimeSuspendOp(dev: Device, rpmflags: number): RpmOp {
  const early = rpmPutStep(dev, rpmflags);
  if (early !== null) return early;
  mightSleepIf(dev, mayBlock(dev, rpmflags), '__pm_runtime_suspend');
  return yield* withPowerLock(dev.power.lock, rpmSuspend(dev, rpmflags));
}

/** Mirrors __pm_runtime_resume() as an operation: with RPM_GET_PUT, +1 first, unconditionally. */
export function* __pmRuntimeResumeOp(dev: Device, rpmflags: number): RpmOp {
  pmRuntimeResumePrologue(dev, rpmflags);
  return yield* withPowerLock(dev.power.lock, rpmResume(dev, rpmflags));
}

// __pm_runtime_resume() before dev.power.lock: the might_sleep_if() check and the RPM_GET_PUT +1.
function pmRuntimeResumePrologue(dev: Device, rpmflags: number): void {
  const cond = mayBlock(dev, rpmflags) && dev.power.runtimeStatus !== 'active';
  mightSleepIf(dev, cond, '__pm_runtime_resume');
  if (rpmflags & RPM_GET_PUT) dev.power.usageCount++;
}

/**
 * Mirrors __pm_runtime_resume() when rpm_resume() answers from its first checks (an active
 * device: the hot path of every ioctl), without building the operation.
 * @returns the kernel value, or null when rpm_resume() has work to do (nothing was done:
 * run {@link __pmRuntimeResumeOp})
 */
export function __pmRuntimeResumeAtOnce(dev: Device, rpmflags: number): number | null {
  if (!rpmResumeAnswersAtOnce(dev)) return null;
  pmRuntimeResumePrologue(dev, rpmflags);
  const lock = dev.power.lock;
  lock.lock();
  try {
    return rpmResumeAtOnce(dev, rpmflags);
  } finally {
    lock.unlock();
  }
}

/**
 * Mirrors __pm_runtime_idle(): optional usage drop (RPM_GET_PUT), then rpm_idle().
 * @param rpmflags RPM_ASYNC, RPM_NOWAIT, RPM_GET_PUT, RPM_AUTO
 * @returns the kernel value (0, 1, or -errno)
 */
export function __pmRuntimeIdle(dev: Device, rpmflags: number): Promise<number> {
  return runSleeping(__pmRuntimeIdleOp(dev, rpmflags));
}

/**
 * Mirrors __pm_runtime_suspend(): optional usage drop (RPM_GET_PUT), then rpm_suspend().
 * @returns the kernel value (0, 1, or -errno)
 */
export function __pmRuntimeSuspend(dev: Device, rpmflags: number): Promise<number> {
  return runSleeping(__pmRuntimeSuspendOp(dev, rpmflags));
}

/**
 * Mirrors __pm_runtime_resume(): optional usage increment (RPM_GET_PUT), then rpm_resume().
 * @returns the kernel value (0, 1, or -errno)
 */
export function __pmRuntimeResume(dev: Device, rpmflags: number): Promise<number> {
  return runSleeping(__pmRuntimeResumeOp(dev, rpmflags));
}
