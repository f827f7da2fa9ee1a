// The per-device work item and suspend timer (pm_runtime_work, pm_suspend_timer_fn, A.9).
import type { Device } from './device.js';
import { RPM_ASYNC, RPM_AUTO, RPM_NOWAIT } from './flags.js';
import { runAtomic, runSleeping, withPowerLock, type RpmOp } from './op.js';
import { rpmIdle } from './rpm-idle.js';
import { rpmResume } from './rpm-resume.js';
import { rpmSuspend } from './rpm-suspend.js';

// Mirrors pm_runtime_work(): take the queued request and carry it out; results are dropped.
function* pmRuntimeWorkOp(dev: Device): RpmOp {
  const p = dev.power;
  if (!p.requestPending) return 0;
  const req = p.request;
  p.request = 'none';
  p.requestPending = false;
  switch (req) {
    case 'none':
      return 0;
    case 'idle':
      return yield* rpmIdle(dev, RPM_NOWAIT);
    case 'suspend':
      return yield* rpmSuspend(dev, RPM_NOWAIT);
    case 'autosuspend':
      return yield* rpmSuspend(dev, RPM_NOWAIT | RPM_AUTO);
    case 'resume':
      return yield* rpmResume(dev, RPM_NOWAIT);
  }
}

/** Mirrors pm_runtime_work(): the body of the device's pm_wq work item. */
export async function pmRuntimeWork(dev: Device): Promise<void> {
  await runSleeping(withPowerLock(dev.power.lock, pmRuntimeWorkOp(dev)));
}

// Mirrors pm_suspend_timer_fn(): in timer context, queue the suspend the timer was armed for.
function pmSuspendTimerFn(dev: Device): void {
  const p = dev.power;
  p.lock.lock();
  const expires = p.timerExpires;
  // Expiry 0 means the timer was deactivated; a later one means it was moved on.
  if (expires > 0 && expires <= dev.kernel.clock.now()) {
    p.timerExpires = 0;
    p.suspendTimer = null;
    const flags = p.timerAutosuspends ? RPM_ASYNC | RPM_AUTO : RPM_ASYNC;
    runAtomic(rpmSuspend(dev, flags), 'pm_suspend_timer_fn');
  }
  p.lock.unlock();
}

/**
 * Arms (or re-arms) the device's suspend timer (hrtimer_start_range_ns): `timer_expires` is the
 * soft expiry; an otherwise idle system fires the timer at its hard expiry, `expires + slackNs`.
 */
export function pmArmSuspendTimer(dev: Device, expires: number, slackNs: number): void {
  const p = dev.power;
  p.suspendTimer?.cancel();
  p.timerExpires = expires;
  p.suspendTimer = dev.kernel.sched.addTimer(expires + slackNs, () => pmSuspendTimerFn(dev));
}
