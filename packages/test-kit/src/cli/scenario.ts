// `vfio-ts run`, `vfio-ts explore` and `vfio-ts replay`: a scenario file played once, under
// many schedules, or under the one schedule a replay token names.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toChromeTrace } from '../export/chrome-trace.js';
import { renderTimelineSvg } from '../export/svg.js';
import { replayScenario, exploreScenario } from '../scenario/explore.js';
import { loadScenario } from '../scenario/load.js';
import { formatRun } from '../scenario/report.js';
import { createMachine } from '../machine/machine.js';
import { runScenario, scenarioMachineOptions, type ScenarioRun } from '../scenario/run.js';
import type { Scenario } from '../scenario/types.js';

/** Where the commands write. */
export interface CliStreams {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Output files a run can write. */
export interface RunFiles {
  /** Perfetto / Chrome trace JSON. */
  trace?: string;
  /** SVG timeline. */
  svg?: string;
}

function load(file: string, io: CliStreams): Scenario | undefined {
  const r = loadScenario(file);
  if (r.ok) return r.scenario;
  for (const e of r.errors) io.err(`vfio-ts: ${e}\n`);
  return undefined;
}

/** Writes the trace and the picture of a run. @returns the lines saying what was written */
export function writeRunFiles(run: ScenarioRun, files: RunFiles): string {
  const said: string[] = [];
  const put = (file: string, text: string) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  if (files.trace) {
    const initial = Object.fromEntries(
      run.timeline.devices.map((d) => [d.device, d.intervals[0]?.state ?? 'unknown']),
    );
    const trace = toChromeTrace(run.records, {
      initial,
      extraEvents: ['guest_pm', 'scenario_step'],
      metadata: { scenario: run.scenario.name },
    });
    put(files.trace, JSON.stringify(trace));
    said.push(`wrote ${files.trace} (open in ui.perfetto.dev or chrome://tracing)`);
  }
  if (files.svg) {
    put(files.svg, renderTimelineSvg(run.timeline, run.energy, { title: run.scenario.name }));
    said.push(`wrote ${files.svg}`);
  }
  return said.map((s) => `${s}\n`).join('');
}

/** Prints a run and writes its files. @returns false when a file could not be written */
function reportRun(run: ScenarioRun, files: RunFiles, io: CliStreams): boolean {
  io.out(formatRun(run));
  try {
    io.out(writeRunFiles(run, files));
    return true;
  } catch (e) {
    io.err(`vfio-ts: cannot write: ${(e as Error).message}\n`);
    return false;
  }
}

/** `vfio-ts run`. @returns 0 when every expectation held, else 1 */
export async function runCommand(file: string, files: RunFiles, io: CliStreams): Promise<number> {
  const s = load(file, io);
  if (!s) return 1;
  const run = await runScenario(s);
  if (typeof run === 'string') {
    io.err(`vfio-ts: ${run}\n`);
    return 1;
  }
  if (!reportRun(run, files, io)) return 1;
  return run.ok ? 0 : 1;
}

/** Options of `vfio-ts explore`. */
export interface ExploreCliOptions {
  schedules: number;
  seed: number;
  /** Exhaustive search within this preemption bound instead of random schedules. */
  preemptionBound?: number;
}

const BAR = 30;

/** `vfio-ts explore`. @returns 0 when no schedule failed, else 1 */
export async function exploreCommand(
  file: string,
  o: ExploreCliOptions,
  io: CliStreams,
): Promise<number> {
  const s = load(file, io);
  if (!s) return 1;
  // A machine that cannot be built is a problem of the file, not a failing schedule.
  try {
    await createMachine(scenarioMachineOptions(s));
  } catch (e) {
    io.err(`vfio-ts: ${s.name}: ${(e as Error).message}\n`);
    return 1;
  }
  const bar = (n: number) => {
    const full = Math.round((BAR * n) / o.schedules);
    io.err(`\rexploring [${'#'.repeat(full)}${'-'.repeat(BAR - full)}] ${n}/${o.schedules}`);
  };
  bar(0);
  const exhaustive = o.preemptionBound !== undefined;
  const r = await exploreScenario(s, {
    schedules: o.schedules,
    seed: o.seed,
    onProgress: bar,
    ...(exhaustive ? { mode: 'exhaustive', preemptionBound: o.preemptionBound } : {}),
  });
  io.err('\n');
  const how = exhaustive
    ? `exhaustive, preemption bound ${o.preemptionBound}`
    : `random, seeds ${o.seed}…`;
  if (r.ok) {
    const all = r.exhausted ? ' (every schedule within the bound)' : '';
    io.out(`${s.name}: ${r.schedules} schedules (${how})${all}: no failure\n`);
    return 0;
  }
  const f = r.failure!;
  io.out(`${s.name}: schedule ${r.schedules} (${how}) failed (${f.kind}): ${f.message}\n`);
  io.out(`replay token: ${f.token}\n  vfio-ts replay ${file} ${f.token}\n`);
  return 1;
}

/** `vfio-ts replay`. @returns 0 when the schedule passes, else 1 */
export async function replayCommand(
  file: string,
  token: string,
  files: RunFiles,
  io: CliStreams,
): Promise<number> {
  const s = load(file, io);
  if (!s) return 1;
  if (!/^vt1:/.test(token)) {
    io.err(`vfio-ts: "${token}" is not a replay token (expected vt1:…)\n`);
    return 1;
  }
  let replay;
  try {
    replay = await replayScenario(s, token);
  } catch (e) {
    io.err(`vfio-ts: ${(e as Error).message}\n`);
    return 1;
  }
  const { result, run } = replay;
  if (run && !reportRun(run, files, io)) return 1;
  io.out(
    result.ok
      ? `${s.name}: the schedule passes\n`
      : `${s.name}: the schedule fails (${result.failure!.kind}): ${result.failure!.message}\n`,
  );
  return result.ok ? 0 : 1;
}
