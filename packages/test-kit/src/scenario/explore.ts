// A scenario under many schedules: each schedule plays it on a fresh machine and fails when a
// step or an expectation fails, an invariant breaks, or the machine deadlocks.
import type { ExploreOptions, ExploreResult } from '@vfio-ts/kernel';
import { exploreMachine, replayMachine } from '../machine/explore.js';
import type { Machine } from '../machine/machine.js';
import { playScenario, scenarioMachineOptions, type ScenarioRun } from './run.js';
import type { Scenario } from './types.js';

/** What a schedule of a scenario runs, and the run of the last schedule played. */
export function scenarioSchedule(scenario: Scenario): {
  play: (m: Machine) => Promise<void>;
  last: () => ScenarioRun | undefined;
} {
  let last: ScenarioRun | undefined;
  return {
    play: async (m) => {
      last = undefined;
      const run = await playScenario(m, scenario, { rethrow: true });
      last = run;
      const failed = run.checks.filter((c) => !c.ok);
      if (failed.length) throw new Error(failed.map((c) => `${c.name}: ${c.detail}`).join('; '));
    },
    last: () => last,
  };
}

// Energy and residency need the trace; the rest explores faster without it.
function options(scenario: Scenario, trace = false) {
  const e = scenario.expect;
  return {
    ...scenarioMachineOptions(scenario),
    trace: trace || !!(e.energy_joules || e.residency),
  };
}

/**
 * Explores schedules of a scenario (seeded random by default).
 * @returns the number of schedules run and the first failure with its replay token
 */
export function exploreScenario(
  scenario: Scenario,
  opts: ExploreOptions = {},
): Promise<ExploreResult> {
  return exploreMachine(options(scenario), scenarioSchedule(scenario).play, {
    mode: 'random',
    ...opts,
  });
}

/** Replays one schedule of a scenario (traced); `run` is that schedule's run when it got that far. */
export async function replayScenario(
  scenario: Scenario,
  token: string,
  opts: ExploreOptions = {},
): Promise<{ result: ExploreResult; run: ScenarioRun | undefined }> {
  const s = scenarioSchedule(scenario);
  const result = await replayMachine(options(scenario, true), s.play, token, opts);
  return { result, run: s.last() };
}
