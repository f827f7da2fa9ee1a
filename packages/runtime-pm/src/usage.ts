// The usage counter (rpm_drop_usage_count and the noresume/noidle helpers, A.10).
import { EINVAL } from '@vfio-ts/kernel';
import { devPrefix, type Device } from './device.js';

/** The defect kind recorded for a usage-count underflow. */
export const RPM_USAGE_UNDERFLOW = 'rpm-usage-underflow';

/**
 * Mirrors rpm_drop_usage_count(): subtract 1; an underflow is undone and warned about.
 * @returns the new count, or -EINVAL on underflow
 */
export function rpmDropUsageCount(dev: Device): number {
  const p = dev.power;
  const ret = --p.usageCount;
  if (ret >= 0) return ret;
  p.usageCount++;
  // dev_warn(); recorded as a defect so invariants and schedule exploration see it.
  dev.kernel.defect(RPM_USAGE_UNDERFLOW, `${devPrefix(dev)}Runtime PM usage count underflow!`);
  return -EINVAL;
}

/** Mirrors pm_runtime_get_noresume(): +1, nothing else. */
export function pmRuntimeGetNoresume(dev: Device): void {
  dev.power.usageCount++;
}

/** Mirrors pm_runtime_put_noidle(): -1 unless already 0, nothing else. */
export function pmRuntimePutNoidle(dev: Device): void {
  if (dev.power.usageCount > 0) dev.power.usageCount--;
}
