// Trace events of the vfio core, declared once (name → fields).
import type { TraceEventFields, TraceEventTable } from '@vfio-ts/kernel';

/** Events of @vfio-ts/vfio-core. */
export interface VfioCoreTraceEvents extends TraceEventTable {
  /** An ioctl on a device file: `begin` before the PM get, `end` after the put with the result. */
  vfio_ioctl: { device: string; cmd: number; phase: 'begin' | 'end'; ret: number | null };
  /** A VFIO_DEVICE_FEATURE request and its result. */
  vfio_feature: { device: string; flags: number; feature: number; argsz: number; ret: number };
}

/** The vfio core's events and their fields. */
export const VFIO_CORE_TRACE_EVENTS: TraceEventFields<VfioCoreTraceEvents> = {
  vfio_ioctl: ['device', 'cmd', 'phase', 'ret'],
  vfio_feature: ['device', 'flags', 'feature', 'argsz', 'ret'],
};
