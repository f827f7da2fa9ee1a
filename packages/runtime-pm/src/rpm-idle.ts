// Mirrors rpm_idle() (A.5): the idle notification, which may chain into a suspend.
import { EAGAIN, EINPROGRESS } from '@vfio-ts/kernel';
import type { Device } from './device.js';
import { RPM_ASYNC, RPM_AUTO } from './flags.js';
import type { RpmOp } from './op.js';
import { rpmCallUnlocked, rpmGetCallback } from './rpm-callback.js';
import { rpmSuspend } from './rpm-suspend.js';
import { rpmCheckSuspendAllowed, rpmQueueRequest } from './status.js';
import { traceRpm, traceRpmReturnInt } from './trace-events.js';

/**
 * Mirrors rpm_idle(): called with dev.power.lock held.
 * @returns the idle callback's nonzero result, an A.5 error, or what rpm_suspend() returns
 */
export function* rpmIdle(dev: Device, rpmflags: number): RpmOp {
  const p = dev.power;
  traceRpm('rpm_idle', dev, rpmflags);
  let retval = rpmCheckSuspendAllowed(dev);
  if (retval < 0) {
    // Conditions are wrong.
  } else if (p.runtimeStatus !== 'active') retval = -EAGAIN;
  else if (p.requestPending && p.request !== 'none' && p.request !== 'idle') retval = -EAGAIN;
  else if (p.idleNotification) retval = -EINPROGRESS;

  if (!retval) {
    // Pending requests need to be cancelled.
    p.request = 'none';
    const callback = rpmGetCallback(dev, 'runtimeIdle');
    if (callback && !p.noCallbacks) {
      if (rpmflags & RPM_ASYNC) {
        rpmQueueRequest(dev, 'idle');
        traceRpmReturnInt(dev, 'rpm_idle', 0);
        return 0;
      }
      p.idleNotification = true;
      try {
        retval = yield* rpmCallUnlocked(dev, callback, 'runtime_idle');
      } finally {
        p.idleNotification = false;
        p.waitQueue.wakeUp();
      }
    }
  }
  traceRpmReturnInt(dev, 'rpm_idle', retval);
  return retval ? retval : yield* rpmSuspend(dev, rpmflags | RPM_AUTO);
}
