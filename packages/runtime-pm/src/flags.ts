// Runtime PM constants and enums (include/linux/pm_runtime.h, include/linux/pm.h).

/** Queue the operation on pm_wq instead of doing it now (RPM_ASYNC). */
export const RPM_ASYNC = 0x01;
/** Do not wait for a concurrent transition; return -EINPROGRESS instead (RPM_NOWAIT). */
export const RPM_NOWAIT = 0x02;
/** Change the usage count: +1 on resume entry points, -1 on idle/suspend ones (RPM_GET_PUT). */
export const RPM_GET_PUT = 0x04;
/** Honour the autosuspend delay (RPM_AUTO). */
export const RPM_AUTO = 0x08;

/** A device's runtime PM status (enum rpm_status without RPM_INVALID). */
export type RpmStatus = 'active' | 'resuming' | 'suspended' | 'suspending';

/** `last_status`: a status, or `'invalid'` (RPM_INVALID) while runtime PM is enabled. */
export type RpmLastStatus = RpmStatus | 'invalid';

/** What the device's queued work item will do (enum rpm_request). */
export type RpmRequest = 'none' | 'idle' | 'suspend' | 'autosuspend' | 'resume';

/** Numeric values of enum rpm_status, as the kernel numbers them. */
export const RPM_STATUS_VALUE: Readonly<Record<RpmLastStatus, number>> = {
  invalid: -1,
  active: 0,
  resuming: 1,
  suspended: 2,
  suspending: 3,
};

/** Numeric values of enum rpm_request; their order matters to rpm_idle (A.5.3). */
export const RPM_REQUEST_VALUE: Readonly<Record<RpmRequest, number>> = {
  none: 0,
  idle: 1,
  suspend: 2,
  autosuspend: 3,
  resume: 4,
};

/** PM QoS resume latency meaning "no constraint" (PM_QOS_RESUME_LATENCY_NO_CONSTRAINT). */
export const PM_QOS_RESUME_LATENCY_NO_CONSTRAINT = 0x7fffffff;
