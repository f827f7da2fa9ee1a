// Mirrors rpm_resume() (A.7): parent first, the callback, then an async idle check.
import { EACCES, EBUSY, EINPROGRESS, EINVAL } from '@vfio-ts/kernel';
import { __pmRuntimeIdleOp } from './api-generic.js';
import type { Device } from './device.js';
import { RPM_ASYNC, RPM_GET_PUT, RPM_NOWAIT } from './flags.js';
import type { RpmOp } from './op.js';
import { rpmCallback, rpmGetCallback } from './rpm-callback.js';
import { rpmIdle } from './rpm-idle.js';
import {
  pmRuntimeCancelPending,
  pmRuntimeDeactivateTimer,
  pmRuntimeMarkLastBusy,
  rpmQueueRequest,
  rpmWaitWhile,
  updateRuntimeStatus,
} from './status.js';
import { traceRpm, traceRpmReturnInt } from './trace-events.js';

const inTransition = (dev: Device): boolean =>
  dev.power.runtimeStatus === 'resuming' || dev.power.runtimeStatus === 'suspending';

// The checks at the top of rpm_resume()'s loop: a runtime error, runtime PM disabled, or an
// active device answer at once; otherwise pending requests are cancelled (a running autosuspend
// timer is left alone). @returns the answer, or 0 to go on resuming
function rpmResumeCheck(dev: Device): number {
  const p = dev.power;
  if (p.runtimeError) return -EINVAL;
  if (p.disableDepth > 0)
    return p.runtimeStatus === 'active' && p.lastStatus === 'active' ? 1 : -EACCES;
  p.request = 'none';
  if (!p.timerAutosuspends) pmRuntimeDeactivateTimer(dev);
  return p.runtimeStatus === 'active' ? 1 : 0;
}

/**
 * Whether rpm_resume() answers from its first checks, without sleeping or a callback: exactly
 * when {@link rpmResumeCheck} returns nonzero (it changes none of the fields read here).
 */
export function rpmResumeAnswersAtOnce(dev: Device): boolean {
  const p = dev.power;
  return p.runtimeError !== 0 || p.disableDepth > 0 || p.runtimeStatus === 'active';
}

/**
 * rpm_resume() when {@link rpmResumeAnswersAtOnce}: the same steps as {@link rpmResume} takes
 * then, with no operation built (the hot path of every ioctl). Called with dev.power.lock held.
 * @throws Error when the device needs resuming: a simulator bug (the caller checks first)
 */
export function rpmResumeAtOnce(dev: Device, rpmflags: number): number {
  traceRpm('rpm_resume', dev, rpmflags);
  const retval = rpmResumeCheck(dev);
  if (retval === 0)
    throw new Error(`rpm_resume(${dev.name}) cannot answer at once: it must resume`);
  traceRpmReturnInt(dev, 'rpm_resume', retval);
  return retval;
}

/**
 * Mirrors rpm_resume(): called with dev.power.lock held.
 * @returns 0 (resumed now, or queued), 1 (already active), or a negative error
 */
export function* rpmResume(dev: Device, rpmflags: number): RpmOp {
  const p = dev.power;
  traceRpm('rpm_resume', dev, rpmflags);
  // The parent whose usage count this call raised (A.7.7), once it has.
  let parent: Device | null = null;
  let retval: number;
  // Whether the end of the transition was reached (waiters to wake, idle to check).
  let ended = false;
  for (;;) {
    retval = rpmResumeCheck(dev);
    if (retval) break;

    if (inTransition(dev)) {
      if (rpmflags & (RPM_ASYNC | RPM_NOWAIT)) {
        if (p.runtimeStatus === 'suspending') {
          p.deferredResume = true;
          if (rpmflags & RPM_NOWAIT) retval = -EINPROGRESS;
        } else retval = -EINPROGRESS;
        break;
      }
      // Wait for the operation carried out in parallel with us, then start over.
      yield* rpmWaitWhile(dev, () => inTransition(dev));
      continue;
    }

    // A no_callbacks device need not wake its parent if the parent cannot be suspended.
    if (p.noCallbacks && !parent && dev.parent && rpmTryParentShortcut(dev.parent)) {
      retval = 1;
      rpmResumeActive(dev, null);
      ended = true;
      break;
    }

    if (rpmflags & RPM_ASYNC) {
      rpmQueueRequest(dev, 'resume');
      break;
    }

    if (!parent && dev.parent) {
      parent = dev.parent;
      // An irq-safe device's parent is kept active for good (pm_runtime_irq_safe()).
      if (!p.irqSafe) {
        retval = yield* rpmResumeParent(dev, parent);
        if (retval) break;
        continue;
      }
    }

    if (!p.noCallbacks) {
      updateRuntimeStatus(dev, 'resuming');
      retval = yield* rpmCallback(dev, rpmGetCallback(dev, 'runtimeResume'), 'runtime_resume');
    }
    if (retval) {
      updateRuntimeStatus(dev, 'suspended');
      pmRuntimeCancelPending(dev);
    } else rpmResumeActive(dev, parent);
    ended = true;
    break;
  }

  if (ended) {
    p.waitQueue.wakeUp();
    // An async idle check after every resume; refused while the usage count is held.
    if (retval >= 0) yield* rpmIdle(dev, RPM_ASYNC);
  }
  if (parent && !p.irqSafe) {
    p.lock.unlock();
    // pm_runtime_put(parent): drop the reference taken above, async idle at zero.
    yield* __pmRuntimeIdleOp(parent, RPM_GET_PUT | RPM_ASYNC);
    p.lock.lock();
  }
  traceRpmReturnInt(dev, 'rpm_resume', retval);
  return retval;
}

// The parent step of rpm_resume() (A.7.7). @returns -EBUSY if the parent did not come up
function* rpmResumeParent(dev: Device, parent: Device): RpmOp {
  const pp = parent.power;
  let retval = 0;
  dev.power.lock.unlock();
  pp.usageCount++;
  pp.lock.lock();
  if (!pp.disableDepth && !pp.ignoreChildren) {
    yield* rpmResume(parent, 0);
    if (pp.runtimeStatus !== 'active') retval = -EBUSY;
  }
  pp.lock.unlock();
  dev.power.lock.lock();
  return retval;
}

// The no_callbacks shortcut's test, under the parent's lock taken nested in the child's:
// a parent that is disabled, ignores children or is active just counts one more child.
function rpmTryParentShortcut(parent: Device): boolean {
  const pp = parent.power;
  pp.lock.lock();
  const ok = pp.disableDepth > 0 || pp.ignoreChildren || pp.runtimeStatus === 'active';
  if (ok) pp.childCount++;
  pp.lock.unlock();
  return ok;
}

// The no_callback: label of rpm_resume(): active now, and counted in the parent.
function rpmResumeActive(dev: Device, parent: Device | null): void {
  updateRuntimeStatus(dev, 'active');
  pmRuntimeMarkLastBusy(dev);
  if (parent) parent.power.childCount++;
}
