// Shared by the scenario validators: the problem list with paths, object and time checks.

/** A parsed JSON/YAML object. */
export type Obj = Record<string, unknown>;

/** @returns whether `x` is a plain object (not an array) */
export const isObj = (x: unknown): x is Obj =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };

/** A duration: a number of ms, or a string such as `250ms`, `1.5s`, `20us`. @returns ns, or undefined */
export function parseDuration(x: unknown): number | undefined {
  if (typeof x === 'number') return Number.isFinite(x) && x >= 0 ? Math.round(x * 1e6) : undefined;
  if (typeof x !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s)\s*$/.exec(x);
  return m ? Math.round(Number(m[1]) * UNITS[m[2]!]!) : undefined;
}

/** Problems found so far, each `path: what`. */
export class Problems {
  readonly list: string[] = [];
  add(path: string, what: string): void {
    this.list.push(`${path}: ${what}`);
  }
  /** Flags fields not in `known`. */
  fields(path: string, o: Obj, known: readonly string[]): void {
    for (const k of Object.keys(o))
      if (!known.includes(k))
        this.add(`${path}${path ? '.' : ''}${k}`, `unknown field (expected ${known.join(', ')})`);
  }
}
