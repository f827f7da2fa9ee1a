// Mirrors rpm_suspend() (A.6): checks, autosuspend deferral, the callback, parent notification.
import { EAGAIN, EBUSY, EINPROGRESS, NSEC_PER_MSEC } from '@vfio-ts/kernel';
import type { Device } from './device.js';
import { RPM_ASYNC, RPM_AUTO, RPM_NOWAIT } from './flags.js';
import type { RpmOp } from './op.js';
import { rpmCallback, rpmGetCallback } from './rpm-callback.js';
import { rpmIdle } from './rpm-idle.js';
import { rpmResume } from './rpm-resume.js';
import {
  pmRuntimeAutosuspendExpiration,
  pmRuntimeCancelPending,
  pmRuntimeDeactivateTimer,
  rpmCheckSuspendAllowed,
  rpmQueueRequest,
  rpmWaitWhile,
  updateRuntimeStatus,
} from './status.js';
import { traceRpm, traceRpmReturnInt } from './trace-events.js';
import { pmArmSuspendTimer } from './work.js';

/**
 * Mirrors rpm_suspend(): called with dev.power.lock held.
 * @returns 0 (suspended, queued or deferred), 1 (already suspended), or a negative error
 */
export function* rpmSuspend(dev: Device, rpmflags: number): RpmOp {
  const p = dev.power;
  traceRpm('rpm_suspend', dev, rpmflags);
  let retval: number;
  for (;;) {
    retval = rpmCheckSuspendAllowed(dev);
    if (retval < 0) break;
    // Synchronous suspends are not allowed while resuming.
    if (p.runtimeStatus === 'resuming' && !(rpmflags & RPM_ASYNC)) retval = -EAGAIN;
    if (retval) break;

    // If the autosuspend delay has not run out yet, (re)arm the timer instead.
    if (rpmflags & RPM_AUTO && p.runtimeStatus !== 'suspending') {
      const expires = pmRuntimeAutosuspendExpiration(dev);
      if (expires !== 0) {
        p.request = 'none';
        if (!(p.timerExpires && p.timerExpires <= expires)) {
          // A slack of 25 % of the delay, as hrtimer_start_range_ns() is given.
          const slack = p.autosuspendDelay * (NSEC_PER_MSEC / 4);
          pmArmSuspendTimer(dev, expires, slack);
        }
        p.timerAutosuspends = true;
        break;
      }
    }

    // Other scheduled or pending requests need to be cancelled.
    pmRuntimeCancelPending(dev);

    if (p.runtimeStatus === 'suspending') {
      if (rpmflags & (RPM_ASYNC | RPM_NOWAIT)) {
        retval = -EINPROGRESS;
        break;
      }
      // Wait for the other suspend running in parallel with us, then start over.
      yield* rpmWaitWhile(dev, () => p.runtimeStatus === 'suspending');
      continue;
    }

    if (!p.noCallbacks) {
      if (rpmflags & RPM_ASYNC) {
        rpmQueueRequest(dev, rpmflags & RPM_AUTO ? 'autosuspend' : 'suspend');
        break;
      }
      updateRuntimeStatus(dev, 'suspending');
      retval = yield* rpmCallback(dev, rpmGetCallback(dev, 'runtimeSuspend'), 'runtime_suspend');
      if (retval) {
        if (rpmSuspendFailed(dev, rpmflags, retval)) continue;
        break;
      }
    }
    retval = yield* rpmSuspendDone(dev);
    break;
  }
  traceRpmReturnInt(dev, 'rpm_suspend', retval);
  return retval;
}

// The fail: label of rpm_suspend(). @returns whether to start over (a new autosuspend expiry).
function rpmSuspendFailed(dev: Device, rpmflags: number, retval: number): boolean {
  const p = dev.power;
  updateRuntimeStatus(dev, 'active');
  p.deferredResume = false;
  p.waitQueue.wakeUp();
  if (retval === -EAGAIN || retval === -EBUSY) {
    // Not fatal; an autosuspend whose expiry moved on is rescheduled.
    p.runtimeError = 0;
    return (rpmflags & RPM_AUTO) !== 0 && pmRuntimeAutosuspendExpiration(dev) !== 0;
  }
  pmRuntimeCancelPending(dev);
  return false;
}

// The no_callback: label of rpm_suspend(): the device is suspended; tell whoever cares.
function* rpmSuspendDone(dev: Device): RpmOp {
  const p = dev.power;
  updateRuntimeStatus(dev, 'suspended');
  pmRuntimeDeactivateTimer(dev);
  const parent = dev.parent;
  if (parent && parent.power.childCount > 0) parent.power.childCount--;
  p.waitQueue.wakeUp();

  if (p.deferredResume) {
    // A resume arrived while the callback ran: do it now, report the suspend as not done.
    p.deferredResume = false;
    yield* rpmResume(dev, 0);
    return -EAGAIN;
  }
  if (p.irqSafe) return 0;

  // Maybe the parent is now able to suspend.
  if (parent && !parent.power.ignoreChildren) {
    p.lock.unlock();
    parent.power.lock.lock();
    yield* rpmIdle(parent, RPM_ASYNC);
    parent.power.lock.unlock();
    p.lock.lock();
  }
  return 0;
}
