// Status bookkeeping shared by the rpm_* functions (drivers/base/power/runtime.c helpers).
import { EACCES, EAGAIN, EBUSY, EINVAL, EPERM, NSEC_PER_MSEC } from '@vfio-ts/kernel';
import type { Device } from './device.js';
import type { RpmRequest, RpmStatus } from './flags.js';
import { sleepOn, type RpmOp } from './op.js';

// Mirrors update_pm_runtime_accounting(): only while enabled; transitions count as active.
export function updatePmRuntimeAccounting(dev: Device): void {
  const p = dev.power;
  if (p.disableDepth > 0) return;
  const last = p.accountingTimestamp;
  // The virtual clock never goes back, so the kernel's "now < last" guard is not needed.
  const now = dev.kernel.clock.now();
  p.accountingTimestamp = now;
  if (p.runtimeStatus === 'suspended') p.suspendedTime += now - last;
  else p.activeTime += now - last;
}

// Mirrors __update_runtime_status(): account the time spent in the old status first.
export function updateRuntimeStatus(dev: Device, status: RpmStatus): void {
  updatePmRuntimeAccounting(dev);
  dev.power.runtimeStatus = status;
}

/** Mirrors rpm_get_accounted_time(): accounted ns up to now, active or suspended. */
export function rpmGetAccountedTime(dev: Device, suspended: boolean): number {
  const p = dev.power;
  p.lock.lock();
  updatePmRuntimeAccounting(dev);
  const t = suspended ? p.suspendedTime : p.activeTime;
  p.lock.unlock();
  return t;
}

/** Mirrors pm_runtime_active_time(): ns accounted as active (incl. suspending/resuming). */
export function pmRuntimeActiveTime(dev: Device): number {
  return rpmGetAccountedTime(dev, false);
}

/** Mirrors pm_runtime_suspended_time(): ns accounted as suspended. */
export function pmRuntimeSuspendedTime(dev: Device): number {
  return rpmGetAccountedTime(dev, true);
}

// Mirrors pm_runtime_deactivate_timer().
export function pmRuntimeDeactivateTimer(dev: Device): void {
  const p = dev.power;
  if (p.timerExpires > 0) {
    p.suspendTimer?.cancel();
    p.suspendTimer = null;
    p.timerExpires = 0;
  }
}

// Mirrors pm_runtime_cancel_pending(): disarm the timer, forget the queued request.
export function pmRuntimeCancelPending(dev: Device): void {
  pmRuntimeDeactivateTimer(dev);
  dev.power.request = 'none';
}

/**
 * Mirrors pm_runtime_autosuspend_expiration() (A.12.2).
 * @returns the virtual ns at which the autosuspend delay runs out, or 0 if it already has
 */
export function pmRuntimeAutosuspendExpiration(dev: Device): number {
  const p = dev.power;
  if (!p.useAutosuspend || p.autosuspendDelay < 0) return 0;
  const expires = p.lastBusy + p.autosuspendDelay * NSEC_PER_MSEC;
  return expires > dev.kernel.clock.now() ? expires : 0;
}

// Mirrors rpm_check_suspend_allowed() (A.4): the first hit decides.
export function rpmCheckSuspendAllowed(dev: Device): number {
  const p = dev.power;
  if (p.runtimeError) return -EINVAL;
  if (p.disableDepth > 0) return -EACCES;
  if (p.usageCount) return -EAGAIN;
  if (!p.ignoreChildren && p.childCount) return -EBUSY;
  if (
    (p.deferredResume && p.runtimeStatus === 'suspending') ||
    (p.requestPending && p.request === 'resume')
  )
    return -EAGAIN;
  if (p.qosResumeLatencyUs === 0) return -EPERM;
  if (p.runtimeStatus === 'suspended') return 1;
  return 0;
}

// The "set request, queue the work unless pending" step of rpm_idle/suspend/resume (A.9.2).
export function rpmQueueRequest(dev: Device, request: RpmRequest): void {
  const p = dev.power;
  p.request = request;
  if (!p.requestPending) {
    p.requestPending = true;
    dev.kernel.pmWq.queueWork(p.work);
  }
}

// The wait loops of rpm_suspend/rpm_resume/__pm_runtime_barrier: drop the lock, sleep on the
// wait queue until `busy()` is false, retake the lock. Irq-safe devices spin in Linux; waiting
// for the same wake-up is indistinguishable here and cannot livelock the scheduler.
export function* rpmWaitWhile(dev: Device, busy: () => boolean): RpmOp<void> {
  const p = dev.power;
  p.lock.unlock();
  yield* sleepOn(() => p.waitQueue.waitEvent(() => !busy()));
  p.lock.lock();
}

/** Mirrors pm_runtime_mark_last_busy(). */
export function pmRuntimeMarkLastBusy(dev: Device): void {
  dev.power.lastBusy = dev.kernel.clock.now();
}
