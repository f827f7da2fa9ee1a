// Checking a run against its scenario's expectations: one named check per expected value.
import type { EnergyReport } from '../export/energy.js';
import { fmtJoules, fmtMs } from '../export/format.js';
import type { DState } from '../export/records.js';
import { timeInStates, type PowerTimeline } from '../export/timeline.js';
import type { Guest } from '../guest/guest.js';
import type { Machine } from '../machine/machine.js';
import type { Bounds, Scenario } from './types.js';

/** One expectation and whether the run met it. */
export interface Check {
  /** What was checked, e.g. `power_state 0000:01:00.0`. */
  readonly name: string;
  readonly ok: boolean;
  /** Expected and actual values. */
  readonly detail: string;
}

/** What the checks look at. */
export interface CheckedRun {
  readonly scenario: Scenario;
  readonly machine: Machine;
  readonly guest: Guest | undefined;
  readonly timeline: PowerTimeline;
  readonly energy: EnergyReport;
}

const within = (v: number, b: Bounds): boolean =>
  (b.min === undefined || v >= b.min) && (b.max === undefined || v <= b.max);
const bounds = (b: Bounds, fmt: (n: number) => string): string =>
  [b.min !== undefined ? `≥ ${fmt(b.min)}` : '', b.max !== undefined ? `≤ ${fmt(b.max)}` : '']
    .filter(Boolean)
    .join(' and ');

/** @returns a check per expectation of the scenario, in the file's order of kinds */
export function checkExpectations(run: CheckedRun): Check[] {
  const { machine: m, guest: g, scenario } = run;
  const e = scenario.expect;
  const out: Check[] = [];
  const eq = (name: string, want: unknown, got: unknown) =>
    out.push({ name, ok: want === got, detail: `expected ${String(want)}, got ${String(got)}` });
  const sysfs = (bdf: string, attr: string): string => {
    const v = m.sysfs.read(`/sys/bus/pci/devices/${bdf}/${attr}`);
    return typeof v === 'number' ? 'absent' : v.trim();
  };
  for (const [bdf, want] of Object.entries(e.power_state ?? {}))
    eq(`power_state ${bdf}`, want, sysfs(bdf, 'power_state'));
  for (const [bdf, want] of Object.entries(e.runtime_status ?? {}))
    eq(`runtime_status ${bdf}`, want, sysfs(bdf, 'power/runtime_status'));
  for (const [bdf, want] of Object.entries(e.guest_power ?? {}))
    eq(`guest_power ${bdf}`, want, g?.state(bdf)?.power ?? 'not in the VM');
  for (const [bdf, want] of Object.entries(e.wake_notifications ?? {}))
    eq(`wake_notifications ${bdf}`, want, g?.state(bdf)?.pmes ?? 'not in the VM');
  const v = m.invariants();
  if (e.invariants === 'none' || e.invariants === undefined)
    out.push({
      name: 'invariants',
      ok: v.length === 0,
      detail: v.length ? `broken: ${v.join('; ')}` : 'none broken',
    });
  else
    for (const want of e.invariants)
      out.push({
        name: `invariant "${want}"`,
        ok: v.some((x) => x.includes(want)),
        detail: v.length ? `violations: ${v.join('; ')}` : 'no violation',
      });
  for (const [who, b] of Object.entries(e.energy_joules ?? {})) {
    const j =
      who === 'total'
        ? run.energy.total.joules
        : run.energy.devices.find((d) => d.device === who)?.joules;
    out.push({
      name: `energy ${who}`,
      ok: j !== undefined && within(j, b),
      detail: `expected ${bounds(b, fmtJoules)}, got ${j === undefined ? 'nothing' : fmtJoules(j)}`,
    });
  }
  for (const [bdf, states] of Object.entries(e.residency ?? {})) {
    const lane = run.timeline.devices.find((d) => d.device === bdf);
    const t = lane ? timeInStates(lane) : undefined;
    for (const [state, b] of Object.entries(states) as [DState, Bounds][]) {
      const ns = t?.[state] ?? 0;
      out.push({
        name: `residency ${bdf} ${state}`,
        ok: within(ns, b),
        detail: `expected ${bounds(b, (n) => `${fmtMs(n)} ms`)}, got ${fmtMs(ns)} ms`,
      });
    }
  }
  return out;
}
