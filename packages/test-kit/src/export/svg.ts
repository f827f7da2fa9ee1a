// The SVG timeline: one lane per device with its D-state bands over virtual time, markers for
// ioctls, wakes and faults, an axis in ms, a legend, and the energy per device.
import { percentOf } from './energy.js';
import type { DeviceEnergy, EnergyReport } from './energy.js';
import { escapeXml, fmtJoules, fmtMs, fmtPercent, tickStep } from './format.js';
import type { DState } from './records.js';
import type { PowerTimeline, TimelineMarker } from './timeline.js';

/** Band colour of each D-state (warm = powered, dark blue = power cut). */
export const STATE_COLOURS: Readonly<Record<DState, string>> = {
  D0: '#f28e2b',
  D1: '#edc948',
  D2: '#b6992d',
  D3hot: '#4e79a7',
  D3cold: '#1b2f4b',
  unknown: '#bab0ac',
};

const MARKER_COLOURS: Readonly<Record<TimelineMarker['kind'], string>> = {
  ioctl: '#333333',
  wake: '#59a14f',
  fault: '#e15759',
};

/** Options of {@link renderTimelineSvg}. */
export interface TimelineSvgOptions {
  /** @default 'vfio-ts power timeline' */
  title?: string;
  /** Picture width in px; @default 960 */
  width?: number;
  /** Lane height in px; @default 34 */
  laneHeight?: number;
}

const LABEL_W = 150;
const ENERGY_W = 270;
const TOP = 44;
const LANE_GAP = 10;

/** Rounds a coordinate to 2 decimals for compact, deterministic output. */
const n = (v: number): string => String(Number(v.toFixed(2)));

function attrs(a: Readonly<Record<string, string | number>>): string {
  return Object.entries(a)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? n(v) : escapeXml(v)}"`)
    .join('');
}
const el = (name: string, a: Readonly<Record<string, string | number>>, body?: string): string =>
  body === undefined ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${body}</${name}>`;
const text = (a: Readonly<Record<string, string | number>>, s: string): string =>
  el('text', a, escapeXml(s));
const title = (s: string): string => `<title>${escapeXml(s)}</title>`;

function marker(m: TimelineMarker, x: number, y: number): string {
  const colour = MARKER_COLOURS[m.kind];
  const a = { class: `marker marker-${m.kind}`, 'data-ts': m.ts };
  const tip = title(`${m.kind} ${m.label} at ${fmtMs(m.ts)} ms`);
  if (m.kind === 'ioctl')
    return el('path', { ...a, d: `M${n(x - 4)} ${n(y)}h8l-4 7z`, fill: colour }, tip);
  if (m.kind === 'wake') return el('circle', { ...a, cx: x, cy: y + 4, r: 4, fill: colour }, tip);
  const d = `M${n(x - 4)} ${n(y)}l8 8m0 -8l-8 8`;
  return el('path', { ...a, d, stroke: colour, 'stroke-width': 2.5, fill: 'none' }, tip);
}

function energyLines(e: DeviceEnergy | undefined): [string, string] {
  if (!e) return ['', ''];
  const vsD0 = fmtPercent(percentOf(e.savingVsAlwaysD0, e.alwaysD0Joules));
  const vsHot = fmtPercent(percentOf(e.savingVsD3hotOnly, e.d3hotOnlyJoules));
  return [
    `${fmtJoules(e.joules)} (${e.model})`,
    `saves ${vsD0} vs always D0, ${vsHot} vs D3hot-only`,
  ];
}

/**
 * Renders the timeline as a standalone SVG document (same input, same bytes).
 *
 * @param timeline - from {@link powerTimeline}
 * @param energy - from {@link energyReport}, or undefined to leave energy out
 * @param opts - title and sizes
 * @returns the SVG text
 */
export function renderTimelineSvg(
  timeline: PowerTimeline,
  energy: EnergyReport | undefined,
  opts: TimelineSvgOptions = {},
): string {
  const width = opts.width ?? 960;
  const laneH = opts.laneHeight ?? 34;
  const x0 = LABEL_W;
  const x1 = Math.max(x0 + 10, width - ENERGY_W);
  const span = timeline.end - timeline.start;
  const x = (ts: number): number =>
    x0 + (span > 0 ? ((ts - timeline.start) / span) * (x1 - x0) : 0);
  const lanesBottom = TOP + timeline.devices.length * (laneH + LANE_GAP);
  const height = lanesBottom + 110;
  const out: string[] = [el('rect', { width, height, fill: '#ffffff' })];
  out.push(
    text(
      { x: 10, y: 20, 'font-size': 15, 'font-weight': 'bold' },
      opts.title ?? 'vfio-ts power timeline',
    ),
  );
  out.push(
    text(
      { x: 10, y: 36, fill: '#555555' },
      `virtual time ${fmtMs(timeline.start)}–${fmtMs(timeline.end)} ms`,
    ),
  );

  const present = new Set<DState>();
  timeline.devices.forEach((lane, i) => {
    const y = TOP + i * (laneH + LANE_GAP);
    const body: string[] = [text({ x: 10, y: y + laneH / 2 + 4 }, lane.device)];
    for (const iv of lane.intervals) {
      present.add(iv.state);
      const a = {
        class: 'band',
        'data-state': iv.state,
        'data-start': iv.start,
        'data-end': iv.end,
        x: x(iv.start),
        y: y + 8,
        width: x(iv.end) - x(iv.start),
        height: laneH - 8,
        fill: STATE_COLOURS[iv.state],
      };
      body.push(el('rect', a, title(`${iv.state} ${fmtMs(iv.start)}–${fmtMs(iv.end)} ms`)));
    }
    for (const m of lane.markers) body.push(marker(m, x(m.ts), y));
    const [l1, l2] = energyLines(energy?.devices.find((e) => e.device === lane.device));
    body.push(text({ x: x1 + 12, y: y + 16 }, l1));
    body.push(text({ x: x1 + 12, y: y + 30, 'font-size': 10, fill: '#555555' }, l2));
    out.push(el('g', { class: 'lane', 'data-device': lane.device }, body.join('')));
  });

  // Axis in ms with 1-2-5 ticks.
  const ax: string[] = [
    el('line', { x1: x0, y1: lanesBottom, x2: x1, y2: lanesBottom, stroke: '#333333' }),
  ];
  const stepNs = tickStep(span / 1e6, 8) * 1e6;
  const ticks = span > 0 ? Math.floor(span / stepNs + 1e-9) : 0;
  for (let k = 0; k <= ticks; k++) {
    const ts = timeline.start + k * stepNs;
    ax.push(
      el('line', { x1: x(ts), y1: lanesBottom, x2: x(ts), y2: lanesBottom + 5, stroke: '#333333' }),
    );
    ax.push(
      text(
        { x: x(ts), y: lanesBottom + 18, 'text-anchor': 'middle', 'font-size': 10 },
        `${fmtMs(ts)} ms`,
      ),
    );
  }
  out.push(el('g', { class: 'axis' }, ax.join('')));

  // Legend: the three states always, the others when drawn; then the marker kinds.
  const lg: string[] = [];
  let lx = x0;
  const ly = lanesBottom + 40;
  for (const s of ['D0', 'D1', 'D2', 'D3hot', 'D3cold', 'unknown'] as const) {
    if (!['D0', 'D3hot', 'D3cold'].includes(s) && !present.has(s)) continue;
    lg.push(
      el('rect', {
        class: 'legend-state',
        'data-state': s,
        x: lx,
        y: ly - 10,
        width: 14,
        height: 12,
        fill: STATE_COLOURS[s],
      }),
    );
    lg.push(text({ x: lx + 18, y: ly }, s));
    lx += 80;
  }
  for (const kind of ['ioctl', 'wake', 'fault'] as const) {
    lg.push(
      marker({ ts: 0, kind, label: 'legend' }, lx + 6, ly - 10).replace(/<title>.*?<\/title>/, ''),
    );
    lg.push(text({ x: lx + 16, y: ly }, kind));
    lx += 70;
  }
  out.push(el('g', { class: 'legend' }, lg.join('')));
  if (energy) {
    const t = energy.total;
    const line =
      `total ${fmtJoules(t.joules)}; always D0 ${fmtJoules(t.alwaysD0Joules)} ` +
      `(saves ${fmtPercent(percentOf(t.savingVsAlwaysD0, t.alwaysD0Joules))}); ` +
      `D3hot only ${fmtJoules(t.d3hotOnlyJoules)} ` +
      `(saves ${fmtPercent(percentOf(t.savingVsD3hotOnly, t.d3hotOnlyJoules))})`;
    out.push(text({ x: 10, y: ly + 28 }, line));
    out.push(
      text(
        { x: 10, y: ly + 44, 'font-size': 10, fill: '#555555' },
        'energy: estimates from per-state power draws, not measurements',
      ),
    );
  }
  const root = {
    xmlns: 'http://www.w3.org/2000/svg',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    'font-family': 'sans-serif',
    'font-size': 12,
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el('svg', root, `\n${out.join('\n')}\n`)}\n`;
}
