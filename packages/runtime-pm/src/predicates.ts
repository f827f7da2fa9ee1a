// State predicates of include/linux/pm_runtime.h (A.2).
import type { Device } from './device.js';

/** Mirrors pm_runtime_suspended(): suspended and enabled. */
export function pmRuntimeSuspended(dev: Device): boolean {
  return dev.power.runtimeStatus === 'suspended' && !dev.power.disableDepth;
}

/** Mirrors pm_runtime_active(): active, or runtime PM disabled. */
export function pmRuntimeActive(dev: Device): boolean {
  return dev.power.runtimeStatus === 'active' || dev.power.disableDepth !== 0;
}

/** Mirrors pm_runtime_status_suspended(): suspended, whether enabled or not. */
export function pmRuntimeStatusSuspended(dev: Device): boolean {
  return dev.power.runtimeStatus === 'suspended';
}

/** Mirrors pm_runtime_enabled(). */
export function pmRuntimeEnabled(dev: Device): boolean {
  return !dev.power.disableDepth;
}

/** Mirrors pm_runtime_has_no_callbacks(). */
export function pmRuntimeHasNoCallbacks(dev: Device): boolean {
  return dev.power.noCallbacks;
}

/** Mirrors pm_runtime_is_irq_safe(). */
export function pmRuntimeIsIrqSafe(dev: Device): boolean {
  return dev.power.irqSafe;
}

/** Mirrors pm_runtime_callbacks_present(): the runtime sysfs group exists. */
export function pmRuntimeCallbacksPresent(dev: Device): boolean {
  return !dev.power.noCallbacks;
}
