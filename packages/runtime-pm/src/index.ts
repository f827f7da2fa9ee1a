// @vfio-ts/runtime-pm: the Linux runtime PM core (drivers/base/power/runtime.c, sysfs.c) and
// the struct device parts it needs (drivers/base/core.c, dd.c).
export {
  RPM_ASYNC,
  RPM_NOWAIT,
  RPM_GET_PUT,
  RPM_AUTO,
  RPM_STATUS_VALUE,
  RPM_REQUEST_VALUE,
  PM_QOS_RESUME_LATENCY_NO_CONSTRAINT,
} from './flags.js';
export type { RpmStatus, RpmLastStatus, RpmRequest } from './flags.js';
export {
  Device,
  devName,
  devDriverString,
  devGetDrvdata,
  devSetDrvdata,
  deviceLock,
  deviceUnlock,
  devWarn,
  devErr,
} from './device.js';
export type {
  PmCallback,
  DevPmOps,
  DevPmDomain,
  DeviceType,
  DeviceClass,
  BusType,
  DeviceDriver,
  DeviceOptions,
} from './device.js';
export { DevPmInfo, PowerLock } from './power.js';
export { watchRuntimeStatus } from './status-watch.js';
export { runMaybeSleeping, runSleeping } from './op.js';
export type { RpmOp, Sleep } from './op.js';
export type { RuntimeStatusWatcher } from './status-watch.js';
export {
  RUNTIME_PM_TRACE_EVENTS,
  declareRuntimePmTraceEvents,
  formatRpmEvent,
} from './trace-events.js';
export type {
  RuntimePmTraceEvents,
  RpmInternalFields,
  RpmReturnIntFields,
} from './trace-events.js';
export {
  pmRuntimeActiveTime,
  pmRuntimeSuspendedTime,
  pmRuntimeAutosuspendExpiration,
  pmRuntimeMarkLastBusy,
} from './status.js';
export { pmRuntimeGetNoresume, pmRuntimePutNoidle, RPM_USAGE_UNDERFLOW } from './usage.js';
export { __pmRuntimeIdle, __pmRuntimeSuspend, __pmRuntimeResume } from './api-generic.js';
export {
  pmRuntimeIdle,
  pmRequestIdle,
  pmRuntimeSuspend,
  pmRuntimeAutosuspend,
  pmRequestAutosuspend,
  pmRuntimeResume,
  pmRequestResume,
  pmRuntimeGet,
  pmRuntimeGetSync,
  pmRuntimeResumeAndGet,
  pmRuntimePut,
  pmRuntimePutSync,
  pmRuntimePutAutosuspend,
  pmRuntimePutSyncSuspend,
  pmRuntimePutSyncAutosuspend,
} from './api.js';
export {
  pmRuntimeEnable,
  pmRuntimeDisable,
  __pmRuntimeDisable,
  pmRuntimeBarrier,
} from './enable.js';
export { __pmRuntimeSetStatus, pmRuntimeSetActive, pmRuntimeSetSuspended } from './set-status.js';
export {
  pmRuntimeAllow,
  pmRuntimeForbid,
  pmRuntimeGetIfActive,
  pmRuntimeGetIfInUse,
  pmRuntimeIrqSafe,
  pmRuntimeNoCallbacks,
  pmSuspendIgnoreChildren,
  pmScheduleSuspend,
} from './control.js';
export {
  pmRuntimeSetAutosuspendDelay,
  pmRuntimeUseAutosuspend,
  pmRuntimeDontUseAutosuspend,
  __pmRuntimeUseAutosuspend,
} from './autosuspend.js';
export { pmRuntimeInit, pmRuntimeReinit, pmRuntimeRemove } from './lifecycle.js';
export {
  pmRuntimeSuspended,
  pmRuntimeActive,
  pmRuntimeStatusSuspended,
  pmRuntimeEnabled,
  pmRuntimeHasNoCallbacks,
  pmRuntimeIsIrqSafe,
  pmRuntimeCallbacksPresent,
} from './predicates.js';
export { POWER_ATTRS, powerAttrs, powerAttrRead, powerAttrWrite, powerSysfs } from './sysfs.js';
export type { PowerAttr } from './sysfs.js';
export {
  driverProbeDevice,
  deviceDriverAttach,
  __deviceReleaseDriver,
  deviceReleaseDriver,
  deviceDel,
} from './dd.js';
