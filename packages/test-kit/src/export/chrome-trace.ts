// Chrome trace-event JSON (the "JSON Object Format" that Perfetto and chrome://tracing open):
// a process per device plus one for the kernel, a D-state counter per device, B/E slices for
// ioctls and runtime suspend/resume (strictly nested per thread), instants for the rest.
import type { TraceRecord } from '@vfio-ts/kernel';
import { CallStacks } from './call-stack.js';
import type { Frame } from './call-stack.js';
import {
  D_STATE_LEVEL,
  byTime,
  featureName,
  ioctlName,
  num,
  recordDevice,
  str,
  toDState,
} from './records.js';
import type { DState } from './records.js';

/** One trace event (only the fields this exporter writes). */
export interface ChromeTraceEvent {
  name: string;
  /** Phase: `B`/`E` slice, `C` counter, `i` instant, `M` metadata. */
  ph: string;
  /** Microseconds. */
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  /** Scope of an instant: thread or process. */
  s?: 't' | 'p';
  args?: Record<string, unknown>;
}

/** The JSON object written to a `.json` file. */
export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ns';
  metadata: Record<string, unknown>;
}

/** Options of {@link toChromeTrace}. */
export interface ChromeTraceOptions {
  /** D-state of devices before their first `pci_power_state`; @default the first event's `from` */
  initial?: Readonly<Record<string, DState>>;
  /** Other event names to show as instants (e.g. `lock_acquire`, `hw_access`); @default none */
  extraEvents?: readonly string[];
  /** Merged into the trace's `metadata`. */
  metadata?: Readonly<Record<string, unknown>>;
}

/** pid of the process holding events that name no device. */
export const KERNEL_PID = 1;

interface SliceFrame extends Frame {
  readonly pid: number;
  readonly tid: number;
  readonly name: string;
  readonly cat: string;
}

const us = (ns: number): number => Math.max(0, ns) / 1000;

/** Copies a payload into JSON-safe args. */
function plainArgs(payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    const t = typeof v;
    out[k] =
      v === null || t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(v))
        ? v
        : String(v);
  }
  return out;
}

/**
 * Converts trace records to a Chrome trace. Records are taken in time order (stable); a begin
 * without an end is closed at the last timestamp, an end without a begin is dropped, so the
 * output always passes {@link validateChromeTrace}.
 *
 * @param records - recorded events (`m.trace` or `TraceBus.records()`)
 * @param opts - initial states, extra events, metadata
 * @returns the trace object; `JSON.stringify` it to write the file
 */
export function toChromeTrace(
  records: readonly TraceRecord[],
  opts: ChromeTraceOptions = {},
): ChromeTrace {
  const sorted = byTime(records);
  const extra = new Set(opts.extraEvents ?? []);
  const devices = [...new Set(sorted.map(recordDevice).filter((d) => d !== undefined))].sort();
  const pids = new Map(devices.map((d, i) => [d, KERNEL_PID + 1 + i]));
  const pidOf = (d: string | undefined): number => (d === undefined ? KERNEL_PID : pids.get(d)!);
  // A tid per (process, task), unique across processes: Perfetto keys threads by tid alone.
  const tids = new Map<string, number>();
  const tidOf = (pid: number, task: string): number => {
    let t = tids.get(`${pid}/${task}`);
    if (t === undefined) tids.set(`${pid}/${task}`, (t = tids.size + 1));
    return t;
  };
  const threads = new Map<string, { pid: number; tid: number; task: string }>();
  const events: ChromeTraceEvent[] = [];
  // `task` null: a counter sample, which belongs to the process, not to a thread.
  const emit = (e: ChromeTraceEvent, task: string | null): void => {
    if (task !== null) threads.set(`${e.pid}/${e.tid}`, { pid: e.pid, tid: e.tid, task });
    events.push(e);
  };
  const stacks = new CallStacks<SliceFrame>();
  const t0 = sorted[0]?.ts ?? 0;
  const tEnd = sorted[sorted.length - 1]?.ts ?? 0;

  // Initial D-state samples, so each counter track starts at the beginning of the trace.
  const initial = new Map<string, DState>(
    Object.entries(opts.initial ?? {}).map(([d, s]) => [d, toDState(s)]),
  );
  for (const r of sorted)
    if (r.name === 'pci_power_state') {
      const d = str(r, 'device');
      if (d !== undefined && !initial.has(d)) initial.set(d, toDState(r.payload.from));
    }
  for (const [d, state] of [...initial].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (state === 'unknown' || !pids.has(d)) continue;
    const pid = pidOf(d);
    emit(
      { name: 'D-state', ph: 'C', ts: us(t0), pid, tid: 0, args: { state: D_STATE_LEVEL[state] } },
      null,
    );
  }

  const open = (
    r: TraceRecord,
    device: string | undefined,
    key: string,
    name: string,
    args: Record<string, unknown>,
  ): void => {
    const pid = pidOf(device);
    const tid = tidOf(pid, r.task);
    const cat = key.split(':')[0]!;
    stacks.push(r.task, { device, key, pid, tid, name, cat });
    emit({ name, ph: 'B', ts: us(r.ts), pid, tid, cat, args }, r.task);
  };
  const close = (
    r: TraceRecord,
    device: string | undefined,
    key: string,
    args: Record<string, unknown>,
  ): void => {
    const closed = stacks.pop(r.task, device, key);
    closed.forEach((f, i) =>
      emit(
        {
          name: f.name,
          ph: 'E',
          ts: us(r.ts),
          cat: f.cat,
          pid: f.pid,
          tid: f.tid,
          args: i === closed.length - 1 ? args : { unfinished: true },
        },
        r.task,
      ),
    );
  };
  const instant = (
    r: TraceRecord,
    device: string | undefined,
    name: string,
    cat: string,
    s: 't' | 'p',
  ): void => {
    const e = {
      name,
      ph: 'i',
      ts: us(r.ts),
      pid: pidOf(device),
      tid: tidOf(pidOf(device), r.task),
      cat,
      s,
    };
    emit({ ...e, args: plainArgs(r.payload) }, r.task);
  };

  for (const r of sorted) {
    const device = recordDevice(r);
    switch (r.name) {
      case 'vfio_ioctl': {
        const cmd = num(r, 'cmd');
        const key = `vfio:${cmd}`;
        if (r.payload.phase === 'begin') open(r, device, key, ioctlName(cmd), { cmd: cmd ?? null });
        else if (r.payload.phase === 'end') close(r, device, key, { ret: num(r, 'ret') ?? null });
        break;
      }
      case 'rpm_suspend':
      case 'rpm_resume':
        open(r, device, `rpm:${r.name}`, r.name, plainArgs(r.payload));
        break;
      case 'rpm_return_int':
        close(r, device, `rpm:${str(r, 'ip')}`, { ret: num(r, 'ret') ?? null });
        break;
      case 'pci_power_state': {
        const to = toDState(r.payload.to);
        if (to !== 'unknown' && device !== undefined)
          emit(
            {
              name: 'D-state',
              ph: 'C',
              ts: us(r.ts),
              pid: pidOf(device),
              tid: 0,
              args: { state: D_STATE_LEVEL[to] },
            },
            null,
          );
        instant(r, device, to, 'pci', 't');
        break;
      }
      case 'eventfd_signal':
        // Attributed to the device whose call signals it (the wake-up eventfd in runtime resume).
        instant(r, stacks.top(r.task)?.device, 'eventfd_signal', 'eventfd', 't');
        break;
      case 'vfio_feature':
        instant(r, device, featureName(num(r, 'feature')), 'vfio', 't');
        break;
      case 'fault':
        instant(r, device, `fault ${str(r, 'kind') ?? ''}`.trim(), 'fault', 'p');
        break;
      default:
        if (r.name === 'hw_access' && r.payload.violation === true)
          instant(r, device, 'hw_access violation', 'fault', 't');
        else if (extra.has(r.name)) instant(r, device, r.name, 'other', 't');
    }
  }
  for (const f of stacks.drain())
    events.push({
      name: f.name,
      ph: 'E',
      ts: us(tEnd),
      cat: f.cat,
      pid: f.pid,
      tid: f.tid,
      args: { unfinished: true },
    });

  const meta: ChromeTraceEvent[] = [];
  const processes: [number, string][] = [
    [KERNEL_PID, 'kernel'],
    ...devices.map((d): [number, string] => [pidOf(d), d]),
  ];
  for (const [pid, name] of processes) {
    meta.push({ name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name } });
    meta.push({
      name: 'process_sort_index',
      ph: 'M',
      ts: 0,
      pid,
      tid: 0,
      args: { sort_index: pid },
    });
  }
  for (const { pid, tid, task } of threads.values())
    meta.push({
      name: 'thread_name',
      ph: 'M',
      ts: 0,
      pid,
      tid,
      args: { name: task === '-' ? '(no task)' : task },
    });
  return {
    traceEvents: [...meta, ...events],
    displayTimeUnit: 'ns',
    metadata: { source: 'vfio-ts', clock: 'virtual', ...opts.metadata },
  };
}
