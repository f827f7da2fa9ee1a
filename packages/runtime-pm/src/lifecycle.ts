// Runtime PM set-up and tear-down of a device (pm_runtime_init, pm_runtime_reinit,
// pm_runtime_remove; A.11.10).
import { flushWork } from '@vfio-ts/kernel';
import { pmRuntimePut } from './api.js';
import type { Device } from './device.js';
import { __pmRuntimeDisable } from './enable.js';
import { pmRuntimeSetSuspended } from './set-status.js';
import { pmRuntimeDeactivateTimer } from './status.js';

/** Mirrors pm_runtime_init(): the A.2 initial values (a new Device already has them). */
export function pmRuntimeInit(dev: Device): void {
  const p = dev.power;
  p.runtimeStatus = 'suspended';
  p.lastStatus = 'invalid';
  p.idleNotification = false;
  p.disableDepth = 1;
  p.usageCount = 0;
  p.runtimeError = 0;
  p.childCount = 0;
  p.ignoreChildren = false;
  p.runtimeAuto = true;
  p.requestPending = false;
  p.request = 'none';
  p.deferredResume = false;
  p.needsForceResume = false;
  pmRuntimeDeactivateTimer(dev);
  p.timerExpires = 0;
}

/** Mirrors pm_runtime_reinit(): after unbind, a disabled device goes back to suspended. */
export function pmRuntimeReinit(dev: Device): void {
  const p = dev.power;
  if (p.disableDepth) {
    if (p.runtimeStatus === 'active') pmRuntimeSetSuspended(dev);
    if (p.irqSafe) {
      p.lock.lock();
      p.irqSafe = false;
      p.lock.unlock();
      // Drop the parent reference pm_runtime_irq_safe() took.
      if (dev.parent) pmRuntimePut(dev.parent);
    }
  }
  p.needsForceResume = false;
}

/** Mirrors pm_runtime_remove(): disable without resuming, flush the work, reinit. */
export async function pmRuntimeRemove(dev: Device): Promise<void> {
  await __pmRuntimeDisable(dev, false);
  await flushWork(dev.kernel.sched, dev.power.work);
  pmRuntimeReinit(dev);
}
