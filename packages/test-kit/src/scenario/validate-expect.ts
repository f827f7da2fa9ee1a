// Validation of a scenario's `expect` section.
import { D_STATES } from '../export/records.js';
import type { Expectations } from './types.js';
import { isObj, parseDuration, type Obj, type Problems } from './validate-common.js';

const EXPECT = [
  'power_state',
  'runtime_status',
  'guest_power',
  'wake_notifications',
  'invariants',
  'energy_joules',
  'residency',
];

/** @returns the expectations with times in ns (`invariants: none` by default); problems go to `p` */
export function expectations(
  p: Problems,
  e: unknown,
  device: (path: string, x: unknown) => void,
  hasGuest: boolean,
): Expectations {
  if (e === undefined) return { invariants: 'none' };
  if (!isObj(e)) return (p.add('expect', 'an object'), {});
  p.fields('expect', e, EXPECT);
  const map = (k: string, ok: (v: unknown) => boolean, what: string, keys = device) => {
    if (e[k] === undefined) return;
    if (!isObj(e[k])) return p.add(`expect.${k}`, 'an object: device → value');
    for (const [d, v] of Object.entries(e[k] as Obj)) {
      keys(`expect.${k}.${d}`, d);
      if (!ok(v)) p.add(`expect.${k}.${d}`, `${JSON.stringify(v)}: expected ${what}`);
    }
  };
  const states = [...D_STATES.filter((s) => s !== 'unknown'), 'absent'];
  map('power_state', (v) => states.includes(v as string), states.join(', '));
  map(
    'runtime_status',
    (v) => ['active', 'suspended', 'unsupported'].includes(v as string),
    'active, suspended or unsupported',
  );
  map('guest_power', (v) => ['D0', 'D3hot', 'D3cold'].includes(v as string), 'D0, D3hot or D3cold');
  map('wake_notifications', (v) => Number.isSafeInteger(v) && (v as number) >= 0, 'a count');
  if ((e.guest_power !== undefined || e.wake_notifications !== undefined) && !hasGuest)
    p.add('expect', 'guest_power and wake_notifications need a "guest" section');
  const bounds = (v: unknown, ns: boolean) => {
    if (!isObj(v) || Object.keys(v).some((k) => k !== 'min' && k !== 'max')) return undefined;
    const out: { min?: number; max?: number } = {};
    for (const k of ['min', 'max'] as const) {
      if (v[k] === undefined) continue;
      const n = ns ? parseDuration(v[k]) : typeof v[k] === 'number' && v[k] >= 0 ? v[k] : undefined;
      if (n === undefined) return undefined;
      out[k] = n;
    }
    return out;
  };
  const eJ = e.energy_joules;
  map(
    'energy_joules',
    (v) => bounds(v, false) !== undefined,
    '{ min, max } in joules',
    (path, d) => (d === 'total' ? undefined : device(path, d)),
  );
  const res: Expectations['residency'] = {};
  map(
    'residency',
    (v) => {
      if (!isObj(v)) return false;
      return Object.entries(v).every(
        ([s, b]) => D_STATES.includes(s as never) && bounds(b, true) !== undefined,
      );
    },
    '{ <D-state>: { min, max } } with times',
  );
  if (isObj(e.residency))
    for (const [d, v] of Object.entries(e.residency))
      res[d] = Object.fromEntries(
        Object.entries(isObj(v) ? v : {}).map(([s, b]) => [s, bounds(b, true) ?? {}]),
      );
  let inv: Expectations['invariants'] = 'none';
  if (e.invariants !== undefined) {
    if (e.invariants === 'none') inv = 'none';
    else if (Array.isArray(e.invariants) && e.invariants.every((x) => typeof x === 'string'))
      inv = e.invariants as string[];
    else p.add('expect.invariants', '"none" or a list of texts the violations must contain');
  }
  const out: Expectations = { invariants: inv };
  for (const k of ['power_state', 'runtime_status', 'guest_power', 'wake_notifications'] as const)
    if (e[k] !== undefined) (out as Record<string, unknown>)[k] = e[k];
  if (isObj(eJ)) out.energy_joules = eJ as Expectations['energy_joules'] & object;
  if (e.residency !== undefined) out.residency = res;
  return out;
}
