// The terminal form of the timeline: a character per time slice per device, a marker row
// under each lane, and an energy table.
import { percentOf } from './energy.js';
import type { EnergyReport } from './energy.js';
import { fmtJoules, fmtMs, fmtPercent } from './format.js';
import type { DState } from './records.js';
import type { DeviceTimeline, PowerTimeline, TimelineMarker } from './timeline.js';

/** Character drawn for each D-state. */
export const STATE_CHARS: Readonly<Record<DState, string>> = {
  D0: '#',
  D1: '=',
  D2: '=',
  D3hot: '-',
  D3cold: '_',
  unknown: '?',
};

const MARKER_CHARS: Readonly<Record<TimelineMarker['kind'], string>> = {
  ioctl: 'i',
  wake: 'w',
  fault: '!',
};
// A fault outranks a wake, a wake an ioctl, when they share a column.
const RANK = { ioctl: 1, wake: 2, fault: 3 } as const;

/** Options of {@link renderTimelineText}. */
export interface TimelineTextOptions {
  /** Columns of the time axis; @default 60 */
  columns?: number;
}

/** The state covering most of [a, b) in a lane (the first such state on a tie). */
function dominant(lane: DeviceTimeline, a: number, b: number): DState | undefined {
  let best: DState | undefined;
  let bestLen = 0;
  for (const iv of lane.intervals) {
    const len = Math.min(b, iv.end) - Math.max(a, iv.start);
    if (len > bestLen) [best, bestLen] = [iv.state, len];
  }
  return best;
}

const pad = (s: string, w: number): string => s.padEnd(w);
const padL = (s: string, w: number): string => s.padStart(w);

/**
 * Renders the timeline and energy table as plain text (deterministic, no colour codes).
 *
 * @param timeline - from {@link powerTimeline}
 * @param energy - from {@link energyReport}, or undefined to leave the table out
 * @param opts - columns
 * @returns lines joined by `\n`, ending with a newline
 */
export function renderTimelineText(
  timeline: PowerTimeline,
  energy?: EnergyReport,
  opts: TimelineTextOptions = {},
): string {
  const cols = Math.max(1, Math.floor(opts.columns ?? 60));
  const span = timeline.end - timeline.start;
  const slice = span / cols;
  const nameW = Math.max(6, ...timeline.devices.map((l) => l.device.length)) + 2;
  const lines: string[] = [
    `time ${fmtMs(timeline.start)}–${fmtMs(timeline.end)} ms, ${fmtMs(slice)} ms per column` +
      `   # D0  - D3hot  _ D3cold  = D1/D2  ? unknown   i ioctl  w wake  ! fault`,
  ];
  for (const lane of timeline.devices) {
    let bar = '';
    for (let c = 0; c < cols; c++) {
      const a = timeline.start + c * slice;
      const s = span > 0 ? dominant(lane, a, a + slice) : lane.intervals[0]?.state;
      bar += s ? STATE_CHARS[s] : ' ';
    }
    lines.push(`${pad(lane.device, nameW)}|${bar}|`);
    if (!lane.markers.length) continue;
    const row: (keyof typeof RANK | undefined)[] = new Array<undefined>(cols).fill(undefined);
    for (const m of lane.markers) {
      const c = span > 0 ? Math.min(cols - 1, Math.floor((m.ts - timeline.start) / slice)) : 0;
      const cur = row[c];
      if (!cur || RANK[m.kind] > RANK[cur]) row[c] = m.kind;
    }
    lines.push(
      `${pad('', nameW)} ${row
        .map((k) => (k ? MARKER_CHARS[k] : ' '))
        .join('')
        .trimEnd()}`,
    );
  }
  if (energy) {
    lines.push('');
    const head = [
      'device',
      'model',
      'D0 ms',
      'D3hot ms',
      'D3cold ms',
      'energy',
      'saved vs D0',
      'saved vs D3hot',
    ];
    const rows = energy.devices.map((e) => [
      e.device,
      e.model,
      fmtMs(e.timeNs.D0),
      fmtMs(e.timeNs.D3hot),
      fmtMs(e.timeNs.D3cold),
      fmtJoules(e.joules),
      fmtPercent(percentOf(e.savingVsAlwaysD0, e.alwaysD0Joules)),
      fmtPercent(percentOf(e.savingVsD3hotOnly, e.d3hotOnlyJoules)),
    ]);
    const t = energy.total;
    rows.push([
      'total',
      '',
      '',
      '',
      '',
      fmtJoules(t.joules),
      fmtPercent(percentOf(t.savingVsAlwaysD0, t.alwaysD0Joules)),
      fmtPercent(percentOf(t.savingVsD3hotOnly, t.d3hotOnlyJoules)),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]): string =>
      r
        .map((c, i) => (i < 2 ? pad(c, widths[i]!) : padL(c, widths[i]!)))
        .join('  ')
        .trimEnd();
    lines.push(fmt(head), ...rows.map(fmt));
    lines.push('energy figures are estimates from per-state power draws');
  }
  return `${lines.join('\n')}\n`;
}
