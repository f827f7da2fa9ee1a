// Setting the status by hand while runtime PM is disabled or failed (__pm_runtime_set_status,
// A.11.6).
import { EAGAIN, EBUSY, EINVAL } from '@vfio-ts/kernel';
import { pmRequestIdle } from './api.js';
import { devErr, type Device } from './device.js';
import type { RpmStatus } from './flags.js';
import { pmRuntimeEnable } from './enable.js';
import { updateRuntimeStatus } from './status.js';

/**
 * Mirrors __pm_runtime_set_status(): allowed only with runtime PM disabled or in error; keeps
 * the parent's child count right; activating a child under a suspended, enabled parent fails.
 * @returns 0, -EINVAL (bad status), -EAGAIN (enabled and working) or -EBUSY (parent not active)
 */
export function __pmRuntimeSetStatus(dev: Device, status: RpmStatus): number {
  const p = dev.power;
  const parent = dev.parent;
  let notifyParent = false;
  let error = 0;
  if (status !== 'active' && status !== 'suspended') return -EINVAL;

  p.lock.lock();
  // Keep runtime PM from being enabled meanwhile; refuse if it is enabled and working.
  if (p.runtimeError || p.disableDepth) p.disableDepth++;
  else error = -EAGAIN;
  p.lock.unlock();
  if (error) return error;

  p.lock.lock();
  let set = true;
  if (p.runtimeStatus !== status && parent) {
    const pp = parent.power;
    if (status === 'suspended') {
      if (pp.childCount > 0) pp.childCount--;
      notifyParent = !pp.ignoreChildren;
    } else {
      pp.lock.lock();
      if (!pp.disableDepth && !pp.ignoreChildren && pp.runtimeStatus !== 'active') {
        devErr(
          dev,
          `runtime PM trying to activate child device ${dev.name} but parent (${parent.name}) is not active`,
        );
        error = -EBUSY;
        set = false;
      } else if (p.runtimeStatus === 'suspended') pp.childCount++;
      pp.lock.unlock();
    }
  }
  if (set) {
    updateRuntimeStatus(dev, status);
    p.runtimeError = 0;
  }
  p.lock.unlock();

  if (notifyParent && parent) pmRequestIdle(parent);
  pmRuntimeEnable(dev);
  return error;
}

/** Mirrors pm_runtime_set_active(). */
export function pmRuntimeSetActive(dev: Device): number {
  return __pmRuntimeSetStatus(dev, 'active');
}

/** Mirrors pm_runtime_set_suspended(). */
export function pmRuntimeSetSuspended(dev: Device): number {
  return __pmRuntimeSetStatus(dev, 'suspended');
}
