// Trace events of the scenario runner, declared once (name → fields).
import type { TraceEventFields, TraceEventTable } from '@vfio-ts/kernel';

/** Events of the scenario runner. */
export interface ScenarioTraceEvents extends TraceEventTable {
  /** A step ran from `start` (virtual ns) until now, with its result (`ok` or an errno name). */
  scenario_step: { step: string; ret: string; start: number };
}

/** The scenario runner's events and their fields. */
export const SCENARIO_TRACE_EVENTS: TraceEventFields<ScenarioTraceEvents> = {
  scenario_step: ['step', 'ret', 'start'],
};
