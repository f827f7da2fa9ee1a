// How each expectation is compared (FORMAT.md §5).
import { errnoName } from '@vfio-ts/kernel';
import type { StepExpect } from './format.js';

/** What a step actually produced. */
export interface StepActual {
  ret?: number;
  value?: string;
  counter?: number;
  sigbus?: boolean;
  out?: Record<string, unknown>;
  after?: { dev?: Record<string, unknown>; rp?: Record<string, unknown> };
}

/** A difference between expected and actual. */
export interface Mismatch {
  key: string;
  expected: unknown;
  actual: unknown;
}

/** Lower-case hex of bytes in the order given. */
export function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function maskedEqual(expected: string, actual: string, mask: string | undefined): boolean {
  if (expected.length !== actual.length) return false;
  if (!mask) return expected.toLowerCase() === actual.toLowerCase();
  for (let i = 0; i < expected.length; i += 2) {
    const m = parseInt(mask.slice(i, i + 2) || '00', 16);
    if ((parseInt(expected.slice(i, i + 2), 16) & m) !== (parseInt(actual.slice(i, i + 2), 16) & m))
      return false;
  }
  return true;
}

const norm = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);

/** Compares every key present in `expect`. @returns the mismatches (empty: pass) */
export function compareStep(expect: StepExpect, actual: StepActual): Mismatch[] {
  const out: Mismatch[] = [];
  const check = (key: string, e: unknown, a: unknown) => {
    if (JSON.stringify(norm(e)) !== JSON.stringify(norm(a)))
      out.push({ key, expected: e, actual: a });
  };
  if ('ret' in expect) check('ret', expect.ret, actual.ret);
  if ('errno' in expect) {
    const name =
      actual.ret !== undefined && actual.ret < 0
        ? (errnoName(actual.ret) ?? String(actual.ret))
        : null;
    check('errno', expect.errno, name);
  }
  if (
    expect.value !== undefined &&
    !(actual.value !== undefined && maskedEqual(expect.value, actual.value, expect.mask))
  )
    out.push({
      key: expect.mask ? `value (mask ${expect.mask})` : 'value',
      expected: expect.value,
      actual: actual.value,
    });
  if (expect.counter !== undefined) check('counter', expect.counter, actual.counter);
  if (expect.sigbus !== undefined) check('sigbus', expect.sigbus, actual.sigbus);
  for (const [k, v] of Object.entries(expect.out ?? {})) check(`out.${k}`, v, actual.out?.[k]);
  for (const side of ['dev', 'rp'] as const) {
    for (const [k, v] of Object.entries(expect.after?.[side] ?? {}))
      check(`after.${side}.${k}`, v, actual.after?.[side]?.[k]);
  }
  return out;
}
