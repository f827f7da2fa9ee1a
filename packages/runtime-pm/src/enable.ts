// Enabling, disabling and flushing runtime PM (pm_runtime_enable, __pm_runtime_disable,
// pm_runtime_barrier; A.11.7–A.11.9).
import { cancelWorkSync } from '@vfio-ts/kernel';
import { devWarn, type Device } from './device.js';
import { runSleeping, sleepOn, withPowerLock, type RpmOp } from './op.js';
import { rpmResume } from './rpm-resume.js';
import { pmRuntimeDeactivateTimer, rpmWaitWhile, updatePmRuntimeAccounting } from './status.js';
import { pmRuntimeGetNoresume, pmRuntimePutNoidle } from './usage.js';

/** Mirrors pm_runtime_enable(): depth -1; at 0 accounting restarts and last_status is forgotten. */
export function pmRuntimeEnable(dev: Device): void {
  const p = dev.power;
  p.lock.lock();
  if (!p.disableDepth) devWarn(dev, 'Unbalanced pm_runtime_enable!');
  else if (--p.disableDepth === 0) {
    p.lastStatus = 'invalid';
    p.accountingTimestamp = dev.kernel.clock.now();
    if (p.runtimeStatus === 'suspended' && !p.ignoreChildren && p.childCount > 0)
      devWarn(dev, 'Enabling runtime PM for inactive device with active children');
  }
  p.lock.unlock();
}

const busy = (dev: Device): boolean =>
  dev.power.runtimeStatus === 'suspending' ||
  dev.power.runtimeStatus === 'resuming' ||
  dev.power.idleNotification;

// Mirrors __pm_runtime_barrier(): cancel the timer and the queued work (waiting for a running
// one), then wait for any transition or idle callback in progress. Lock held.
export function* __pmRuntimeBarrier(dev: Device): RpmOp<void> {
  const p = dev.power;
  pmRuntimeDeactivateTimer(dev);
  if (p.requestPending) {
    p.request = 'none';
    p.lock.unlock();
    yield* sleepOn(() => cancelWorkSync(dev.kernel.sched, p.work));
    p.lock.lock();
    p.requestPending = false;
  }
  if (busy(dev)) yield* rpmWaitWhile(dev, () => busy(dev));
}

// Wakes the device for a queued resume request under a temporary reference (A.11.8/A.11.9).
function* rpmResumeForPendingRequest(dev: Device): RpmOp<boolean> {
  const p = dev.power;
  if (!(p.requestPending && p.request === 'resume')) return false;
  pmRuntimeGetNoresume(dev);
  yield* rpmResume(dev, 0);
  pmRuntimePutNoidle(dev);
  return true;
}

// Mirrors __pm_runtime_disable() with the lock held.
function* pmRuntimeDisableOp(dev: Device, checkResume: boolean): RpmOp<void> {
  const p = dev.power;
  if (p.disableDepth > 0) {
    p.disableDepth++;
    return;
  }
  // A queued resume means I/O to do: wake the device before disabling.
  if (checkResume) yield* rpmResumeForPendingRequest(dev);
  updatePmRuntimeAccounting(dev);
  if (!p.disableDepth++) {
    yield* __pmRuntimeBarrier(dev);
    p.lastStatus = p.runtimeStatus;
  }
}

/** Mirrors __pm_runtime_disable(): depth +1; going 0→1 cancels and waits for everything pending. */
export async function __pmRuntimeDisable(dev: Device, checkResume: boolean): Promise<void> {
  await runSleeping(withPowerLock(dev.power.lock, pmRuntimeDisableOp(dev, checkResume)));
}

/** Mirrors pm_runtime_disable(): __pm_runtime_disable(dev, true). */
export function pmRuntimeDisable(dev: Device): Promise<void> {
  return __pmRuntimeDisable(dev, true);
}

// Mirrors pm_runtime_barrier() between its get_noresume/put_noidle.
function* pmRuntimeBarrierOp(dev: Device): RpmOp {
  const resumed = yield* rpmBarrierResume(dev);
  yield* __pmRuntimeBarrier(dev);
  return resumed ? 1 : 0;
}

function* rpmBarrierResume(dev: Device): RpmOp<boolean> {
  const p = dev.power;
  if (!(p.requestPending && p.request === 'resume')) return false;
  yield* rpmResume(dev, 0);
  return true;
}

/**
 * Mirrors pm_runtime_barrier(): serve a queued resume, cancel the rest, wait for transitions.
 * @returns 1 if it resumed the device for a queued request, else 0
 */
export async function pmRuntimeBarrier(dev: Device): Promise<number> {
  pmRuntimeGetNoresume(dev);
  const ret = await runSleeping(withPowerLock(dev.power.lock, pmRuntimeBarrierOp(dev)));
  pmRuntimePutNoidle(dev);
  return ret;
}
