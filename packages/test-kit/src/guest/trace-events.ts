// Trace events of the guest model, declared once (name → fields).
import type { TraceEventFields, TraceEventTable } from '@vfio-ts/kernel';

/** Events of the hypervisor and guest model. */
export interface GuestTraceEvents extends TraceEventTable {
  /** A guest runtime PM step, ACPI method or virtual PME, about one device or root port. */
  guest_pm: { device: string; event: string };
}

/** The guest model's events and their fields. */
export const GUEST_TRACE_EVENTS: TraceEventFields<GuestTraceEvents> = {
  guest_pm: ['device', 'event'],
};
