// Per-device power-state intervals over a run, with the events worth marking on a picture:
// ioctls, wakes (a resume from low power, a wake-up eventfd signal) and faults.
import type { TraceRecord } from '@vfio-ts/kernel';
import { CallStacks } from './call-stack.js';
import type { Frame } from './call-stack.js';
import {
  byTime,
  featureName,
  ioctlName,
  num,
  recordDevice,
  shortName,
  str,
  toDState,
} from './records.js';
import type { DState } from './records.js';

/** A stretch of virtual time `[start, end)` (ns) spent in one D-state. */
export interface PowerInterval {
  readonly start: number;
  readonly end: number;
  readonly state: DState;
}

/** Something that happened to a device at an instant. */
export interface TimelineMarker {
  /** Virtual ns. */
  readonly ts: number;
  readonly kind: 'ioctl' | 'wake' | 'fault';
  /** Short label: ioctl or feature name, `rpm_resume`, `eventfd`, fault kind. */
  label: string;
}

/** One device's lane. */
export interface DeviceTimeline {
  readonly device: string;
  /** Contiguous, in time order, covering `[start, end]` of the timeline. */
  readonly intervals: readonly PowerInterval[];
  /** In time order. */
  readonly markers: readonly TimelineMarker[];
}

/** Power states of every device over one run. */
export interface PowerTimeline {
  /** Virtual ns. */
  readonly start: number;
  readonly end: number;
  /** One per device, in the order of `opts.devices`, else sorted by name. */
  readonly devices: readonly DeviceTimeline[];
}

/** Options of {@link powerTimeline}. */
export interface PowerTimelineOptions {
  /** Start of the window in virtual ns; @default the first record's ts (0 without records) */
  start?: number;
  /** End of the window; @default the last record's ts (at least `start`) */
  end?: number;
  /** D-state of devices at `start`; @default the `from` of a device's first `pci_power_state` */
  initial?: Readonly<Record<string, DState>>;
  /**
   * Lanes to draw, in order. @default every device with a power state, an ioctl, a feature
   * call or a fault in the records, or an initial state
   */
  devices?: readonly string[];
}

const LANE_EVENTS = new Set(['pci_power_state', 'vfio_ioctl', 'vfio_feature', 'fault']);

interface IoctlFrame extends Frame {
  readonly marker: TimelineMarker | undefined;
}

/**
 * Builds the power timeline of a run from its trace records.
 *
 * @param records - recorded events, in any order (sorted stably by ts here)
 * @param opts - window, initial states, lanes
 * @returns one lane per device
 */
export function powerTimeline(
  records: readonly TraceRecord[],
  opts: PowerTimelineOptions = {},
): PowerTimeline {
  const sorted = byTime(records);
  const start = opts.start ?? sorted[0]?.ts ?? 0;
  const end = Math.max(start, opts.end ?? sorted[sorted.length - 1]?.ts ?? start);
  const names = new Set<string>(Object.keys(opts.initial ?? {}));
  for (const r of sorted) {
    const d = recordDevice(r);
    if (d !== undefined && LANE_EVENTS.has(r.name)) names.add(d);
  }
  const lanes = opts.devices ?? [...names].sort();
  const state = new Map<string, DState>();
  const since = new Map<string, number>();
  const intervals = new Map<string, PowerInterval[]>(lanes.map((d) => [d, []]));
  const markers = new Map<string, TimelineMarker[]>(lanes.map((d) => [d, []]));
  for (const d of lanes) {
    const first = sorted.find((r) => r.name === 'pci_power_state' && str(r, 'device') === d);
    state.set(d, opts.initial?.[d] ?? toDState(first?.payload.from));
    since.set(d, start);
  }
  // Appends [from, to) in state s to d's lane, extending the last interval when it continues it.
  const close = (d: string, from: number, to: number, s: DState): void => {
    const iv = intervals.get(d)!;
    const last = iv[iv.length - 1];
    if (last?.state === s && last.end === from) iv[iv.length - 1] = { ...last, end: to };
    else iv.push({ start: from, end: to, state: s });
  };
  const enter = (d: string, s: DState, ts: number): void => {
    const t = Math.min(Math.max(ts, start), end);
    const cur = state.get(d)!;
    if (s === cur) return;
    if (t > since.get(d)!) close(d, since.get(d)!, t, cur);
    state.set(d, s);
    since.set(d, t);
  };
  const mark = (d: string | undefined, m: TimelineMarker): TimelineMarker | undefined => {
    if (d === undefined || m.ts < start || m.ts > end) return undefined;
    markers.get(d)?.push(m);
    return m;
  };

  const stacks = new CallStacks<IoctlFrame>();
  for (const r of sorted) {
    if (r.ts > end) break;
    const d = recordDevice(r);
    const known = d !== undefined && state.has(d);
    switch (r.name) {
      case 'pci_power_state':
        if (known) enter(d, toDState(r.payload.to), r.ts);
        break;
      case 'vfio_ioctl': {
        const cmd = num(r, 'cmd');
        if (r.payload.phase === 'begin') {
          const m = known
            ? { ts: r.ts, kind: 'ioctl' as const, label: shortName(ioctlName(cmd)) }
            : undefined;
          stacks.push(r.task, { device: d, key: `vfio:${cmd}`, marker: m && mark(d, m) });
        } else stacks.pop(r.task, d, `vfio:${cmd}`);
        break;
      }
      case 'vfio_feature': {
        // A feature call labels the VFIO_DEVICE_FEATURE ioctl that carries it.
        const m = stacks.top(r.task);
        if (m?.marker && m.device === d) m.marker.label = shortName(featureName(num(r, 'feature')));
        break;
      }
      case 'rpm_resume':
        stacks.push(r.task, { device: d, key: 'rpm:rpm_resume', marker: undefined });
        if (known && state.get(d) !== 'D0')
          mark(d, { ts: r.ts, kind: 'wake', label: 'rpm_resume' });
        break;
      case 'rpm_suspend':
        stacks.push(r.task, { device: d, key: 'rpm:rpm_suspend', marker: undefined });
        break;
      case 'rpm_return_int':
        stacks.pop(r.task, d, `rpm:${str(r, 'ip')}`);
        break;
      case 'eventfd_signal':
        mark(stacks.top(r.task)?.device, { ts: r.ts, kind: 'wake', label: 'eventfd' });
        break;
      case 'fault':
        mark(d, { ts: r.ts, kind: 'fault', label: str(r, 'kind') ?? 'fault' });
        break;
      default:
        if (r.name === 'hw_access' && r.payload.violation === true)
          mark(d, { ts: r.ts, kind: 'fault', label: 'hw_access violation' });
    }
  }
  return {
    start,
    end,
    devices: lanes.map((d) => {
      if (end > since.get(d)!) close(d, since.get(d)!, end, state.get(d)!);
      return { device: d, intervals: intervals.get(d)!, markers: markers.get(d)! };
    }),
  };
}

/** @returns the time a lane spends in each D-state within its timeline, in ns */
export function timeInStates(lane: DeviceTimeline): Record<DState, number> {
  const out: Record<DState, number> = { D0: 0, D1: 0, D2: 0, D3hot: 0, D3cold: 0, unknown: 0 };
  for (const iv of lane.intervals) out[iv.state] += iv.end - iv.start;
  return out;
}
