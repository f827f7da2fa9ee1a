// How the race tests search: every schedule within a preemption bound, then seeded random
// schedules up to a total. VFIO_TS_LONG=1 raises the total to the 10 000 per race.
import { exploreMachine, type MachineOptions, type MachineScenario } from '@vfio-ts/test-kit';

/** Schedules per race: 10 000 with VFIO_TS_LONG set (issue 7), else a quick pass. */
export const TOTAL = process.env['VFIO_TS_LONG'] ? 10_000 : 1_000;

/** What a search found. */
export interface SearchResult {
  ok: boolean;
  /** Schedules run in all. */
  schedules: number;
  /** Exhaustive part: schedules and whether every schedule within the bound was run. */
  exhaustive: { bound: number; schedules: number; exhausted: boolean };
  failure?: { message: string; token: string };
}

/**
 * Explores `scenario`: exhaustively within `bound` preemptions (at most `total` schedules),
 * then random schedules for the rest of `total`.
 */
export async function search(
  options: MachineOptions,
  scenario: MachineScenario,
  bound: number,
  total = TOTAL,
): Promise<SearchResult> {
  const ex = await exploreMachine(options, scenario, { preemptionBound: bound, schedules: total });
  const exhaustive = { bound, schedules: ex.schedules, exhausted: ex.exhausted };
  if (!ex.ok) return { ok: false, schedules: ex.schedules, exhaustive, failure: ex.failure };
  const rest = total - ex.schedules;
  if (rest <= 0) return { ok: true, schedules: ex.schedules, exhaustive };
  const rnd = await exploreMachine(options, scenario, { mode: 'random', schedules: rest, seed: 1 });
  return {
    ok: rnd.ok,
    schedules: ex.schedules + rnd.schedules,
    exhaustive,
    ...(rnd.failure ? { failure: rnd.failure } : {}),
  };
}
