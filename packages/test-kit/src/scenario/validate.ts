// Validation of a parsed scenario file: every problem named with its path (`steps[2].device`),
// times turned into virtual ns. The same rules as scenarios/scenario.schema.json, plus those a
// schema cannot say (a device must be one of the machine's, guest steps need a guest).
import { Errno } from '@vfio-ts/kernel';
import { BUILTIN_POWER_MODELS } from '../export/power-models.js';
import { checkGuestOptions } from '../guest/options.js';
import { checkMachineOptions, type MachineOptions } from '../machine/options.js';
import { STEP_KINDS, type Scenario, type Step, type StepKind } from './types.js';
import { isObj, parseDuration, Problems, type Obj } from './validate-common.js';
import { expectations } from './validate-expect.js';

export { parseDuration } from './validate-common.js';

/** The longest time a step may name (an hour, as `autosuspendMs` allows). */
const MAX_STEP_TIME_NS = 3_600_000 * 1e6;

const COMMON = ['do', 'at', 'repeat', 'every', 'ret'];
const FIELDS: Record<StepKind, { required: string[]; optional: string[] }> = {
  wait: { required: ['for'], optional: [] },
  settle: { required: [], optional: [] },
  'guest-idle': { required: [], optional: ['device'] },
  'guest-busy': { required: [], optional: ['device'] },
  'guest-access': { required: ['device'], optional: ['bar', 'offset'] },
  'guest-vram': { required: ['device', 'mib'], optional: [] },
  'guest-hot-reset': { required: ['device'], optional: [] },
  'vm-stop': { required: [], optional: [] },
  lspci: { required: ['device'], optional: ['bytes'] },
  'sysfs-write': { required: ['path', 'value'], optional: [] },
  fault: { required: ['fault'], optional: [] },
};

const DRAWS = ['D0', 'D1', 'D2', 'D3hot', 'D3cold'];
const powerSpecOk = (v: unknown): boolean =>
  typeof v === 'string'
    ? v in BUILTIN_POWER_MODELS
    : isObj(v) &&
      Object.keys(v).every((k) => k === 'base' || k === 'draws') &&
      (v.base === undefined || (typeof v.base === 'string' && v.base in BUILTIN_POWER_MODELS)) &&
      isObj(v.draws) &&
      Object.entries(v.draws).every(
        ([k, w]) => DRAWS.includes(k) && typeof w === 'number' && w >= 0,
      );

const TOP = ['name', 'description', 'machine', 'guest', 'power', 'steps', 'expect'];
const MACHINE = ['seed', 'rootPorts', 'devices', 'vfioPci', 'disable_idle_d3', 'nointxmask'];

/** @returns the scenario with times in ns, or every problem found */
export function validateScenario(
  input: unknown,
): { ok: true; scenario: Scenario } | { ok: false; errors: string[] } {
  const p = new Problems();
  if (!isObj(input)) return { ok: false, errors: ['(top): a scenario is an object'] };
  p.fields('', input, TOP);
  if (typeof input.name !== 'string' || !input.name) p.add('name', 'missing (a string)');
  if (input.description !== undefined && typeof input.description !== 'string')
    p.add('description', 'a string');
  const machine = isObj(input.machine) ? (input.machine as MachineOptions) : undefined;
  if (!machine) p.add('machine', 'missing (an object: rootPorts, devices, …)');
  else {
    p.fields('machine', input.machine as Obj, MACHINE);
    for (const x of checkMachineOptions(machine)) p.list.push(`machine.${x}`);
    (machine.devices ?? []).forEach((d, i) => {
      if (d?.config instanceof Uint8Array)
        p.add(`machine.devices[${i}].config`, 'a model name or a dump path');
    });
  }
  const bdfs = new Set((machine?.devices ?? []).map((d) => d?.bdf));
  const device = (path: string, x: unknown) => {
    if (typeof x !== 'string' || !bdfs.has(x))
      p.add(path, `${JSON.stringify(x)} is not a device of the machine`);
  };
  if (input.guest !== undefined) {
    for (const x of checkGuestOptions(input.guest)) p.list.push(`guest.${x}`);
    const gd = isObj(input.guest) && Array.isArray(input.guest.devices) ? input.guest.devices : [];
    gd.forEach((d, i) => device(`guest.devices[${i}]`, isObj(d) ? d.bdf : d));
  }
  if (input.power !== undefined) {
    if (!isObj(input.power)) p.add('power', 'an object: device → power model');
    else
      for (const [k, v] of Object.entries(input.power)) {
        device(`power.${k}`, k);
        if (!powerSpecOk(v))
          p.add(
            `power.${k}`,
            `a built-in model (${Object.keys(BUILTIN_POWER_MODELS).join(', ')}) or { base, draws: { D0: watts, … } }`,
          );
      }
  }
  const steps = Array.isArray(input.steps) ? input.steps : undefined;
  if (!steps) p.add('steps', 'missing (a list)');
  const out = (steps ?? []).map((s, i) => step(p, `steps[${i}]`, s, device, !!input.guest));
  let last = 0;
  out.forEach((s, i) => {
    if (s?.at === undefined) return;
    if (s.at < last) p.add(`steps[${i}].at`, 'earlier than a previous step');
    last = s.at;
  });
  const expect = expectations(p, input.expect, device, !!input.guest);
  if (p.list.length) return { ok: false, errors: p.list };
  const scenario: Scenario = {
    name: input.name as string,
    machine: machine!,
    steps: out as Step[],
    expect,
  };
  if (input.description !== undefined) scenario.description = input.description as string;
  if (input.guest !== undefined) scenario.guest = input.guest as Scenario['guest'] & object;
  if (input.power !== undefined) scenario.power = input.power as Scenario['power'] & object;
  return { ok: true, scenario };
}

function step(
  p: Problems,
  path: string,
  s: unknown,
  device: (path: string, x: unknown) => void,
  hasGuest: boolean,
): Step | undefined {
  if (!isObj(s)) return (p.add(path, 'a step is an object with "do"'), undefined);
  const kind = s.do as StepKind;
  if (!STEP_KINDS.includes(kind)) {
    p.add(`${path}.do`, `unknown step ${JSON.stringify(s.do)} (expected ${STEP_KINDS.join(', ')})`);
    return undefined;
  }
  const f = FIELDS[kind];
  p.fields(path, s, [...COMMON, ...f.required, ...f.optional]);
  for (const r of f.required)
    if (s[r] === undefined) p.add(`${path}.${r}`, `missing (${kind} needs it)`);
  if ((kind.startsWith('guest-') || kind === 'vm-stop') && !hasGuest)
    p.add(`${path}.do`, `${kind} needs a "guest" section`);
  const out: Step = { do: kind };
  const time = (k: 'at' | 'for' | 'every') => {
    if (s[k] === undefined) return;
    const ns = parseDuration(s[k]);
    if (ns === undefined)
      p.add(
        `${path}.${k}`,
        `bad time ${JSON.stringify(s[k])} (a number of ms, or "250ms", "1.5s", "20us")`,
      );
    else if (ns > MAX_STEP_TIME_NS) p.add(`${path}.${k}`, 'more than an hour of virtual time');
    else out[k] = ns;
  };
  time('at');
  time('for');
  time('every');
  if (s.device !== undefined) {
    device(`${path}.device`, s.device);
    out.device = s.device as string;
  }
  const int = (k: 'bar' | 'offset' | 'mib' | 'repeat', min: number, max: number) => {
    if (s[k] === undefined) return;
    const v = s[k];
    if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max)
      p.add(`${path}.${k}`, `a whole number from ${min} to ${max}`);
    else out[k] = v as number;
  };
  int('bar', 0, 5);
  int('offset', 0, 2 ** 32);
  int('mib', 0, 1024);
  int('repeat', 1, 100_000);
  if (s.bytes !== undefined) {
    if (s.bytes !== 64 && s.bytes !== 256 && s.bytes !== 4096)
      p.add(`${path}.bytes`, '64, 256 or 4096');
    else out.bytes = s.bytes;
  }
  for (const k of ['path', 'value'] as const)
    if (s[k] !== undefined) {
      if (typeof s[k] !== 'string') p.add(`${path}.${k}`, 'a string');
      else out[k] = s[k];
    }
  if (s.fault !== undefined) {
    if (!isObj(s.fault) || typeof s.fault.kind !== 'string')
      p.add(`${path}.fault`, 'an object with a "kind" (see m.inject)');
    else out.fault = s.fault;
  }
  if (s.ret !== undefined) {
    if (s.ret !== 'ok' && !(typeof s.ret === 'string' && Object.hasOwn(Errno, s.ret)))
      p.add(`${path}.ret`, `"ok" or an errno name such as "ENODEV", not ${JSON.stringify(s.ret)}`);
    else out.ret = s.ret;
  }
  return out;
}
