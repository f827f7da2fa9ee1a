// Schedule exploration: run a scenario under many schedules (bounded exhaustive search over
// the choice points, or seeded random schedules) and stop at the first one that throws,
// breaks an invariant, leaves a defect or deadlocks, with a token that replays it exactly.
import { DeadlockError } from './errors.js';
import { InvariantError, Kernel } from './kernel.js';
import {
  type Choice,
  decodeReplayToken,
  encodeReplayToken,
  RandomPolicy,
  RecordingPolicy,
  ReplayPolicy,
  type SchedulePolicy,
} from './policy.js';

/** A scenario: builds its world on the given kernel and runs it to the end. */
export type Scenario = (k: Kernel) => Promise<void>;

/** How to explore. */
export interface ExploreOptions {
  /** `exhaustive` (default): every schedule within the bounds; `random`: `schedules` seeded runs. */
  mode?: 'exhaustive' | 'random';
  /** Most schedules to run. @default 1000 */
  schedules?: number;
  /** Exhaustive mode: most preemptions (switching away from a runnable task) per schedule. @default 2 */
  preemptionBound?: number;
  /** Random mode: seed of the first schedule (then seed + 1, …). @default 1 */
  seed?: number;
  /** Check the kernel's invariants after every step. @default true */
  invariants?: boolean;
  /** Defect kinds that do not count as failures (e.g. a known warning). @default [] */
  allowDefects?: readonly string[];
  /** Called after each schedule with the number run so far. */
  onProgress?: (schedules: number) => void;
}

/** Why a schedule failed. */
export interface ExploreFailure {
  readonly kind: 'throw' | 'invariant' | 'deadlock' | 'defect';
  readonly message: string;
  /** Replays this schedule with {@link replaySchedule}. */
  readonly token: string;
  readonly error?: unknown;
}

/** The outcome of an exploration. */
export interface ExploreResult {
  /** No schedule failed. */
  readonly ok: boolean;
  /** Schedules run. */
  readonly schedules: number;
  /** Exhaustive mode: every schedule within the bounds was run. */
  readonly exhausted: boolean;
  readonly failure?: ExploreFailure;
}

/** Runs one schedule; @returns the failure, if any, with the choices the policy made. */
async function runOnce(
  scenario: Scenario,
  policy: SchedulePolicy,
  opts: ExploreOptions,
): Promise<{ failure?: Omit<ExploreFailure, 'token'> }> {
  const k = new Kernel({ policy });
  if (opts.invariants ?? true) k.checkInvariants();
  const allowed = new Set(opts.allowDefects ?? []);
  try {
    await scenario(k);
    await k.settle();
  } catch (error) {
    const kind =
      error instanceof DeadlockError
        ? 'deadlock'
        : error instanceof InvariantError
          ? 'invariant'
          : 'throw';
    return {
      failure: { kind, message: error instanceof Error ? error.message : String(error), error },
    };
  }
  const defect = k.defects.find((d) => !allowed.has(d.kind));
  if (defect) return { failure: { kind: 'defect', message: `${defect.kind}: ${defect.message}` } };
  const v = (opts.invariants ?? true) ? k.violations() : [];
  if (v.length)
    return { failure: { kind: 'invariant', message: `invariant violated: ${v.join('; ')}` } };
  return {};
}

// Follows a prefix of choices, then never preempts; records every decision.
class PrefixPolicy implements SchedulePolicy {
  readonly decisions: Choice[] = [];
  readonly choices: number[] = [];
  constructor(private readonly prefix: readonly number[]) {}
  choose(choice: Choice): number {
    const i = this.decisions.length;
    const c = this.prefix[i] ?? defaultChoice(choice);
    this.decisions.push(choice);
    this.choices.push(c);
    return c;
  }
}

function defaultChoice(c: Choice): number {
  return c.current >= 0 ? c.current : 0;
}

// Alternatives at a decision in exploration order: the non-preemptive default first.
function order(c: Choice): number[] {
  const d = defaultChoice(c);
  return [d, ...Array.from({ length: c.options }, (_, i) => i).filter((i) => i !== d)];
}

function preempts(c: Choice, choice: number): boolean {
  return c.current >= 0 && choice !== c.current;
}

// The next prefix in depth-first order within the preemption bound, or null when done.
function nextPrefix(
  decisions: readonly Choice[],
  choices: readonly number[],
  bound: number,
): number[] | null {
  for (let i = decisions.length - 1; i >= 0; i--) {
    const used = choices.slice(0, i).filter((c, j) => preempts(decisions[j]!, c)).length;
    const alts = order(decisions[i]!);
    for (let p = alts.indexOf(choices[i]!) + 1; p < alts.length; p++) {
      const alt = alts[p]!;
      if (used + (preempts(decisions[i]!, alt) ? 1 : 0) <= bound)
        return [...choices.slice(0, i), alt];
    }
  }
  return null;
}

/**
 * Runs `scenario` under many schedules and stops at the first failing one.
 * @returns the number of schedules run and the first failure with its replay token
 */
export async function explore(
  scenario: Scenario,
  opts: ExploreOptions = {},
): Promise<ExploreResult> {
  const budget = opts.schedules ?? 1000;
  if ((opts.mode ?? 'exhaustive') === 'random') {
    const seed = opts.seed ?? 1;
    for (let s = 0; s < budget; s++) {
      const policy = new RecordingPolicy(new RandomPolicy(seed + s));
      const { failure } = await runOnce(scenario, policy, opts);
      opts.onProgress?.(s + 1);
      if (failure)
        return {
          ok: false,
          schedules: s + 1,
          exhausted: false,
          failure: { ...failure, token: encodeReplayToken(policy.choices) },
        };
    }
    return { ok: true, schedules: budget, exhausted: false };
  }
  const bound = opts.preemptionBound ?? 2;
  let prefix: number[] | null = [];
  let n = 0;
  while (prefix && n < budget) {
    const policy: PrefixPolicy = new PrefixPolicy(prefix);
    const { failure } = await runOnce(scenario, policy, opts);
    n++;
    opts.onProgress?.(n);
    if (failure)
      return {
        ok: false,
        schedules: n,
        exhausted: false,
        failure: { ...failure, token: encodeReplayToken(policy.choices) },
      };
    prefix = nextPrefix(policy.decisions, policy.choices, bound);
  }
  return { ok: true, schedules: n, exhausted: prefix === null };
}

/**
 * Replays the schedule a token names.
 * @returns the failure it reproduces, or `ok: true` when the schedule passes
 */
export async function replaySchedule(
  scenario: Scenario,
  token: string,
  opts: ExploreOptions = {},
): Promise<ExploreResult> {
  const choices = decodeReplayToken(token);
  if (!choices)
    throw new Error(`replaySchedule: "${token}" is not a replay token (expected vt1:…)`);
  const { failure } = await runOnce(scenario, new ReplayPolicy(choices), opts);
  return failure
    ? { ok: false, schedules: 1, exhausted: false, failure: { ...failure, token } }
    : { ok: true, schedules: 1, exhausted: false };
}
