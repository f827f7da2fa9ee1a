// Running a scenario: a machine from its options, a VM when it has one, the steps at their
// virtual times, then the power timeline, the energy estimate and the expectations.
import type { TraceRecord } from '@vfio-ts/kernel';
import { isBuiltinModelName } from '@vfio-ts/pci-core';
import { energyReport, type EnergyReport } from '../export/energy.js';
import { BUILTIN_POWER_MODELS, type PowerModelSpec } from '../export/power-models.js';
import { toDState, type DState } from '../export/records.js';
import { powerTimeline, type PowerTimeline } from '../export/timeline.js';
import type { Guest } from '../guest/guest.js';
import { createMachine, type Machine } from '../machine/machine.js';
import type { MachineOptions } from '../machine/options.js';
import { checkExpectations, type Check } from './expect.js';
import { describeStep, retMatches, retText, runStep } from './steps.js';
import { SCENARIO_TRACE_EVENTS } from './trace-events.js';
import type { Scenario } from './types.js';

/** A line of a run's log. */
export interface RunLogEntry {
  /** Virtual ns. */
  readonly ts: number;
  /** `step`, a device bdf, `port …` or `vm`. */
  readonly source: string;
  readonly text: string;
}

/** Everything a run produced. */
export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly machine: Machine;
  readonly guest: Guest | undefined;
  /** Virtual ns: after boot (the timeline's start), and after the last step settled. */
  readonly start: number;
  readonly end: number;
  /** Virtual ns: the steps' time zero (once the VM, if any, has started). */
  readonly zero: number;
  /** Steps and guest events, in time order. */
  readonly log: RunLogEntry[];
  /** Trace records from `start` on. */
  readonly records: TraceRecord[];
  readonly timeline: PowerTimeline;
  readonly energy: EnergyReport;
  readonly checks: Check[];
  /** Every check passed. */
  readonly ok: boolean;
  /** The run stopped early on an error (a deadlock, a broken invariant while exploring). */
  readonly error?: string;
}

/** Options of {@link playScenario}. */
export interface PlayOptions {
  /** Let errors from the machine escape (exploration classifies them). @default false */
  rethrow?: boolean;
}

const powerModel = (s: Scenario, bdf: string, config: unknown): PowerModelSpec =>
  s.power?.[bdf] ??
  (typeof config === 'string' && isBuiltinModelName(config) && config in BUILTIN_POWER_MODELS
    ? config
    : 'generic');

// Steps (at their start), guest events and host power transitions of the devices, in time order.
function runLog(records: readonly TraceRecord[], bdfs: readonly string[]): RunLogEntry[] {
  const out: RunLogEntry[] = [];
  for (const r of records) {
    const p = r.payload;
    if (r.name === 'scenario_step')
      out.push({
        ts: Number(p.start),
        source: 'step',
        text: `${String(p.step)} → ${String(p.ret)}`,
      });
    else if (r.name === 'guest_pm')
      out.push({ ts: r.ts, source: String(p.device), text: String(p.event) });
    else if (r.name === 'pci_power_state' && bdfs.includes(String(p.device)))
      out.push({
        ts: r.ts,
        source: String(p.device),
        text: `host ${String(p.from)} → ${String(p.to)}`,
      });
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** Plays a scenario on a booted machine built from `scenario.machine`. */
export async function playScenario(
  m: Machine,
  scenario: Scenario,
  opts: PlayOptions = {},
): Promise<ScenarioRun> {
  const bdfs = (scenario.machine.devices ?? []).map((d) => d.bdf);
  const state = (bdf: string): DState =>
    toDState(String(m.sysfs.read(`/sys/bus/pci/devices/${bdf}/power_state`)).trim());
  const initial = Object.fromEntries(bdfs.map((b) => [b, state(b)]));
  const start = m.clock.now();
  if (!m.kernel.trace.events().has('scenario_step')) m.kernel.trace.declare(SCENARIO_TRACE_EVENTS);
  const checks: Check[] = [];
  let guest: Guest | undefined;
  let error: string | undefined;
  let zero = start;
  try {
    if (scenario.guest) guest = await m.guest(scenario.guest);
    zero = m.clock.now();
    for (const [i, s] of scenario.steps.entries()) {
      if (s.at !== undefined && zero + s.at > m.clock.now())
        await m.kernel.sched.runFor(zero + s.at - m.clock.now());
      for (let r = 0; r < (s.repeat ?? 1); r++) {
        if (r > 0 && s.every) await m.kernel.sched.runFor(s.every);
        const t = m.clock.now();
        const ret = await runStep({ m, guest }, s);
        if (r === 0 || !retMatches(s, ret))
          m.kernel.trace.emit('scenario_step', {
            step: describeStep(s),
            ret: retText(ret),
            start: t,
          });
        if (!retMatches(s, ret))
          checks.push({
            name: `steps[${i}] ${describeStep(s)}`,
            ok: false,
            detail: `expected ${s.ret ?? 'ok'}, got ${retText(ret)}`,
          });
      }
    }
    await m.settle();
  } catch (e) {
    if (opts.rethrow) throw e;
    error = e instanceof Error ? e.message : String(e);
    checks.push({ name: 'run', ok: false, detail: `stopped: ${error}` });
  }
  const end = m.clock.now();
  const records = m.trace.filter((r) => r.ts >= start);
  const log = runLog(records, bdfs);
  const timeline = powerTimeline(records, { start, end, devices: bdfs, initial });
  const energy = energyReport(timeline, {
    devices: Object.fromEntries(
      (scenario.machine.devices ?? []).map((d) => [d.bdf, powerModel(scenario, d.bdf, d.config)]),
    ),
  });
  const run = { scenario, machine: m, guest, start, end, zero, log, records, timeline, energy };
  checks.push(...checkExpectations(run));
  return { ...run, checks, ok: checks.every((c) => c.ok), ...(error ? { error } : {}) };
}

/** The machine options a scenario runs with (its own, with room in the trace ring). */
export function scenarioMachineOptions(scenario: Scenario): MachineOptions {
  return { ...scenario.machine };
}

/**
 * Builds the scenario's machine and plays it. Never throws: a machine that cannot be built
 * (an unreadable dump file) is reported as a failed check with no run behind it.
 * @returns the run, or the reason it could not start
 */
export async function runScenario(scenario: Scenario): Promise<ScenarioRun | string> {
  let m: Machine;
  try {
    m = await createMachine(scenarioMachineOptions(scenario));
  } catch (e) {
    return `${scenario.name}: ${(e as Error).message}`;
  }
  // Room for long runs: the default ring keeps 65536 events.
  m.kernel.trace.record(1 << 20);
  return playScenario(m, scenario);
}
