// How the scheduler picks the next runnable task at a choice point.

/** A decision the scheduler asks a policy to make. */
export interface Choice {
  /** Number of runnable tasks to choose from (always ≥ 2). */
  readonly options: number;
  /** Index of the task that was running and is still runnable, or -1 when it blocked or ended. */
  readonly current: number;
}

/** Chooses the next task among the runnable ones. */
export interface SchedulePolicy {
  /** @returns an index in `[0, choice.options)` */
  choose(choice: Choice): number;
}

/** A small, fast, seeded PRNG (mulberry32); same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks uniformly at random with a seeded generator. */
export class RandomPolicy implements SchedulePolicy {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  choose(choice: Choice): number {
    return Math.floor(this.next() * choice.options);
  }
}

/** Never preempts: the running task goes on while it can, else the oldest runnable task runs. */
export class FifoPolicy implements SchedulePolicy {
  choose(choice: Choice): number {
    return choice.current >= 0 ? choice.current : 0;
  }
}

/** Follows a forced sequence of choices, then falls back to another policy. */
export class ReplayPolicy implements SchedulePolicy {
  private i = 0;
  constructor(
    private readonly choices: readonly number[],
    private readonly fallback: SchedulePolicy = new FifoPolicy(),
  ) {}
  choose(choice: Choice): number {
    const forced = this.choices[this.i++];
    if (forced === undefined) return this.fallback.choose(choice);
    return Math.min(forced, choice.options - 1);
  }
}

/** Wraps a policy and records every choice, which makes a replay token. */
export class RecordingPolicy implements SchedulePolicy {
  readonly choices: number[] = [];
  readonly decisions: Choice[] = [];
  constructor(private readonly inner: SchedulePolicy) {}
  choose(choice: Choice): number {
    const c = this.inner.choose(choice);
    this.choices.push(c);
    this.decisions.push(choice);
    return c;
  }
}

const TOKEN_PREFIX = 'vt1:';

/** Encodes a sequence of choices as a replay token (`vt1:` then base-36 choices). */
export function encodeReplayToken(choices: readonly number[]): string {
  return TOKEN_PREFIX + choices.map((c) => c.toString(36)).join('.');
}

/**
 * Decodes a replay token.
 * @returns the choices, or `undefined` for a string that is not a token
 */
export function decodeReplayToken(token: string): number[] | undefined {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const body = token.slice(TOKEN_PREFIX.length);
  if (body === '') return [];
  const parts = body.split('.');
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9a-z]+$/.test(p)) return undefined;
    out.push(parseInt(p, 36));
  }
  return out;
}
