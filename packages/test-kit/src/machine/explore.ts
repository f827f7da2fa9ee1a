// Schedule exploration at machine level: a fresh machine per schedule, built from the same
// options on the schedule's kernel, the scenario run through the façade, and the first
// schedule that throws, breaks an invariant, leaves a defect or deadlocks reported with a
// replay token.
import {
  explore,
  replaySchedule,
  type ExploreOptions,
  type ExploreResult,
  type Kernel,
} from '@vfio-ts/kernel';
import { createMachine, type Machine } from './machine.js';
import type { MachineOptions } from './options.js';

/** A scenario run on a fresh, booted machine. */
export type MachineScenario = (m: Machine) => Promise<void>;

function perSchedule(options: MachineOptions, scenario: MachineScenario) {
  return async (k: Kernel) => {
    const m = await createMachine({
      ...options,
      kernel: k,
      invariants: true,
      stopOnViolation: true,
      trace: options.trace ?? false,
    });
    await scenario(m);
    await m.settle();
    const v = m.invariants();
    if (v.length) throw new Error(`invariant violated: ${v.join('; ')}`);
  };
}

/**
 * Runs `scenario` under many schedules (exhaustive within a preemption bound, or seeded random).
 * @returns the number of schedules and the first failure with its replay token
 */
export function exploreMachine(
  options: MachineOptions,
  scenario: MachineScenario,
  opts: ExploreOptions = {},
): Promise<ExploreResult> {
  return explore(perSchedule(options, scenario), { ...opts, invariants: false });
}

/** Replays one schedule named by a token from {@link exploreMachine}. */
export function replayMachine(
  options: MachineOptions,
  scenario: MachineScenario,
  token: string,
  opts: ExploreOptions = {},
): Promise<ExploreResult> {
  return replaySchedule(perSchedule(options, scenario), token, { ...opts, invariants: false });
}
