// Trace events of runtime PM (include/trace/events/rpm.h), declared in one table.
import type { TraceBus, TraceEventFields, TraceEventTable } from '@vfio-ts/kernel';
import type { Device } from './device.js';

/** Fields of rpm_idle, rpm_suspend, rpm_resume and rpm_usage (the rpm_internal class). */
export interface RpmInternalFields {
  [field: string]: unknown;
  name: string;
  flags: number;
  usage_count: number;
  disable_depth: number;
  runtime_auto: number;
  request_pending: number;
  irq_safe: number;
  child_count: number;
}

/** Fields of rpm_return_int; `ip` names the returning function (the kernel's `%pS`). */
export interface RpmReturnIntFields {
  [field: string]: unknown;
  name: string;
  ip: string;
  ret: number;
}

/** Events of the runtime-pm package. */
export interface RuntimePmTraceEvents extends TraceEventTable {
  rpm_idle: RpmInternalFields;
  rpm_suspend: RpmInternalFields;
  rpm_resume: RpmInternalFields;
  rpm_usage: RpmInternalFields;
  rpm_return_int: RpmReturnIntFields;
}

const INTERNAL = [
  'name',
  'flags',
  'usage_count',
  'disable_depth',
  'runtime_auto',
  'request_pending',
  'irq_safe',
  'child_count',
] as const;

/** The runtime-pm package's events and their fields. */
export const RUNTIME_PM_TRACE_EVENTS: TraceEventFields<RuntimePmTraceEvents> = {
  rpm_idle: INTERNAL,
  rpm_suspend: INTERNAL,
  rpm_resume: INTERNAL,
  rpm_usage: INTERNAL,
  rpm_return_int: ['name', 'ip', 'ret'],
};

/** Declares the runtime PM events on a bus (idempotent). */
export function declareRuntimePmTraceEvents(bus: TraceBus): void {
  if (!bus.events().has('rpm_return_int')) bus.declare(RUNTIME_PM_TRACE_EVENTS);
}

/** Emits rpm_idle / rpm_suspend / rpm_resume / rpm_usage with the device's current state. */
export function traceRpm(
  event: 'rpm_idle' | 'rpm_suspend' | 'rpm_resume' | 'rpm_usage',
  dev: Device,
  flags: number,
): void {
  const trace = dev.kernel.trace;
  if (!trace.on) return;
  const p = dev.power;
  const payload: RpmInternalFields = {
    name: dev.name,
    flags,
    usage_count: p.usageCount,
    disable_depth: p.disableDepth,
    runtime_auto: p.runtimeAuto ? 1 : 0,
    request_pending: p.requestPending ? 1 : 0,
    irq_safe: p.irqSafe ? 1 : 0,
    child_count: p.childCount,
  };
  trace.emit(event, payload);
}

/** Emits rpm_return_int for a return of `ip` (rpm_idle, rpm_suspend or rpm_resume). */
export function traceRpmReturnInt(dev: Device, ip: string, ret: number): void {
  const trace = dev.kernel.trace;
  if (!trace.on) return;
  const payload: RpmReturnIntFields = { name: dev.name, ip, ret };
  trace.emit('rpm_return_int', payload);
}

const pad = (v: number, w: number): string => String(v).padEnd(w);

/**
 * Formats an event as the kernel's TP_printk does, e.g.
 * `0000:01:00.0 flags-4 cnt-0  dep-0  auto-1 p-0 irq-0 child-0` or `rpm_suspend:0000:01:00.0 ret=0`.
 */
export function formatRpmEvent(name: string, payload: Readonly<Record<string, unknown>>): string {
  if (name === 'rpm_return_int')
    return `${String(payload.ip)}:${String(payload.name)} ret=${Number(payload.ret)}`;
  const n = (f: string): number => Number(payload[f]);
  return (
    `${String(payload.name)} flags-${n('flags').toString(16)} cnt-${pad(n('usage_count'), 2)} ` +
    `dep-${pad(n('disable_depth'), 2)} auto-${n('runtime_auto')} p-${n('request_pending')} ` +
    `irq-${n('irq_safe')} child-${n('child_count')}`
  );
}
