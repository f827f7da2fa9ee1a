// The pm_runtime.h wrappers (A.11.2): sync ones return Promise<number>, RPM_ASYNC ones a number.
import {
  __pmRuntimeIdle,
  __pmRuntimeIdleAtomic,
  __pmRuntimeIdleOp,
  __pmRuntimeResume,
  __pmRuntimeResumeAtOnce,
  __pmRuntimeResumeOp,
  __pmRuntimeSuspend,
  __pmRuntimeSuspendOp,
} from './api-generic.js';
import type { Device } from './device.js';
import { RPM_ASYNC, RPM_AUTO, RPM_GET_PUT } from './flags.js';
import { runAtomic, runMaybeSleeping } from './op.js';
import { pmRuntimePutNoidle } from './usage.js';

/** Mirrors pm_runtime_idle(): sync idle, which may suspend synchronously. */
export function pmRuntimeIdle(dev: Device): Promise<number> {
  return __pmRuntimeIdle(dev, 0);
}

/** Mirrors pm_request_idle(): async idle. @returns 0 if queued, or an A.5 error */
export function pmRequestIdle(dev: Device): number {
  return runAtomic(__pmRuntimeIdleOp(dev, RPM_ASYNC), 'pm_request_idle');
}

/** Mirrors pm_runtime_suspend(): sync suspend. @returns 0, 1 (already suspended) or -errno */
export function pmRuntimeSuspend(dev: Device): Promise<number> {
  return __pmRuntimeSuspend(dev, 0);
}

/** Mirrors pm_runtime_autosuspend(): sync suspend once the autosuspend delay has run out. */
export function pmRuntimeAutosuspend(dev: Device): Promise<number> {
  return __pmRuntimeSuspend(dev, RPM_AUTO);
}

/** Mirrors pm_request_autosuspend(): async autosuspend. */
export function pmRequestAutosuspend(dev: Device): number {
  return runAtomic(__pmRuntimeSuspendOp(dev, RPM_ASYNC | RPM_AUTO), 'pm_request_autosuspend');
}

/** Mirrors pm_runtime_resume(): sync resume. @returns 0 resumed, 1 already active, or -errno */
export function pmRuntimeResume(dev: Device): Promise<number> {
  return __pmRuntimeResume(dev, 0);
}

/** Mirrors pm_request_resume(): async resume. @returns 0 queued, 1 active, or -errno */
export function pmRequestResume(dev: Device): number {
  return runAtomic(__pmRuntimeResumeOp(dev, RPM_ASYNC), 'pm_request_resume');
}

/** Mirrors pm_runtime_get(): +1 and async resume. */
export function pmRuntimeGet(dev: Device): number {
  return runAtomic(__pmRuntimeResumeOp(dev, RPM_GET_PUT | RPM_ASYNC), 'pm_runtime_get');
}

/** Mirrors pm_runtime_get_sync(): +1 (kept even on error) and sync resume. */
export function pmRuntimeGetSync(dev: Device): Promise<number> {
  return __pmRuntimeResume(dev, RPM_GET_PUT);
}

/**
 * Mirrors pm_runtime_resume_and_get(): +1 and sync resume; on failure the count is restored.
 * Answers synchronously when nothing had to sleep (the device was active): await the result.
 * @returns 0 on success (also when already active), or a negative error
 */
export function pmRuntimeResumeAndGet(dev: Device): Promise<number> | number {
  const ret =
    __pmRuntimeResumeAtOnce(dev, RPM_GET_PUT) ??
    runMaybeSleeping(__pmRuntimeResumeOp(dev, RPM_GET_PUT));
  return typeof ret === 'number'
    ? resumeAndGetDone(dev, ret)
    : ret.then((r) => resumeAndGetDone(dev, r));
}

function resumeAndGetDone(dev: Device, ret: number): number {
  if (ret < 0) {
    pmRuntimePutNoidle(dev);
    return ret;
  }
  return 0;
}

/** Mirrors pm_runtime_put(): -1 and async idle at zero. @returns 0, -EINVAL on underflow, or an A.5 error */
export function pmRuntimePut(dev: Device): number {
  return __pmRuntimeIdleAtomic(dev, RPM_GET_PUT | RPM_ASYNC, 'pm_runtime_put');
}

/** Mirrors pm_runtime_put_sync(): -1 and sync idle at zero (which may suspend). */
export function pmRuntimePutSync(dev: Device): Promise<number> {
  return __pmRuntimeIdle(dev, RPM_GET_PUT);
}

/** Mirrors pm_runtime_put_autosuspend(): -1 and async autosuspend at zero. */
export function pmRuntimePutAutosuspend(dev: Device): number {
  return runAtomic(
    __pmRuntimeSuspendOp(dev, RPM_GET_PUT | RPM_ASYNC | RPM_AUTO),
    'pm_runtime_put_autosuspend',
  );
}

/** Mirrors pm_runtime_put_sync_suspend(): -1 and sync suspend at zero. */
export function pmRuntimePutSyncSuspend(dev: Device): Promise<number> {
  return __pmRuntimeSuspend(dev, RPM_GET_PUT);
}

/** Mirrors pm_runtime_put_sync_autosuspend(): -1 and sync autosuspend at zero. */
export function pmRuntimePutSyncAutosuspend(dev: Device): Promise<number> {
  return __pmRuntimeSuspend(dev, RPM_GET_PUT | RPM_AUTO);
}
