// Autosuspend settings (__pm_runtime_use_autosuspend, pm_runtime_set_autosuspend_delay,
// update_autosuspend; A.12).
import type { Device } from './device.js';
import { RPM_AUTO } from './flags.js';
import { runSleeping, withPowerLock, type RpmOp } from './op.js';
import { rpmIdle } from './rpm-idle.js';
import { rpmResume } from './rpm-resume.js';
import { traceRpm } from './trace-events.js';

// Mirrors update_autosuspend(): a negative delay holds a usage reference while in force.
function* updateAutosuspend(dev: Device, oldDelay: number, oldUse: boolean): RpmOp<void> {
  const p = dev.power;
  if (p.useAutosuspend && p.autosuspendDelay < 0) {
    // Runtime suspend is prevented now; if it used to be allowed, hold the device active.
    if (!oldUse || oldDelay >= 0) {
      p.usageCount++;
      yield* rpmResume(dev, 0);
    } else traceRpm('rpm_usage', dev, 0);
  } else {
    // Allowed now; if it used to be prevented, drop that reference, then maybe suspend.
    if (oldUse && oldDelay < 0) p.usageCount--;
    yield* rpmIdle(dev, RPM_AUTO);
  }
}

function* setAutosuspend(dev: Device, change: () => void): RpmOp<void> {
  const p = dev.power;
  const oldDelay = p.autosuspendDelay;
  const oldUse = p.useAutosuspend;
  change();
  yield* updateAutosuspend(dev, oldDelay, oldUse);
}

/** Mirrors pm_runtime_set_autosuspend_delay(): may resume or suspend synchronously. */
export async function pmRuntimeSetAutosuspendDelay(dev: Device, delayMs: number): Promise<void> {
  const p = dev.power;
  const op = setAutosuspend(dev, () => (p.autosuspendDelay = delayMs));
  await runSleeping(withPowerLock(p.lock, op));
}

/** Mirrors __pm_runtime_use_autosuspend(). */
export async function __pmRuntimeUseAutosuspend(dev: Device, use: boolean): Promise<void> {
  const p = dev.power;
  await runSleeping(
    withPowerLock(
      p.lock,
      setAutosuspend(dev, () => (p.useAutosuspend = use)),
    ),
  );
}

/** Mirrors pm_runtime_use_autosuspend(). */
export function pmRuntimeUseAutosuspend(dev: Device): Promise<void> {
  return __pmRuntimeUseAutosuspend(dev, true);
}

/** Mirrors pm_runtime_dont_use_autosuspend(). */
export function pmRuntimeDontUseAutosuspend(dev: Device): Promise<void> {
  return __pmRuntimeUseAutosuspend(dev, false);
}
