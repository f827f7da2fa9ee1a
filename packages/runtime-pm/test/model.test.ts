// Model-based test: random sequences of the APIs over a small tree (p with children a and b,
// a with child g), each followed by settle(), compared with the reference model: every return
// value, every status and count, the callbacks made, the underflow warnings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EACCES, EAGAIN, EBUSY, EIO, Kernel } from '@vfio-ts/kernel';
import {
  Device,
  RPM_USAGE_UNDERFLOW,
  pmRequestIdle,
  pmRequestResume,
  pmRuntimeAllow,
  pmRuntimeDisable,
  pmRuntimeEnable,
  pmRuntimeForbid,
  pmRuntimeGet,
  pmRuntimeGetIfInUse,
  pmRuntimeGetNoresume,
  pmRuntimeGetSync,
  pmRuntimeIdle,
  pmRuntimePut,
  pmRuntimePutNoidle,
  pmRuntimePutSync,
  pmRuntimePutSyncSuspend,
  pmRuntimeResume,
  pmRuntimeResumeAndGet,
  pmRuntimeSetActive,
  pmRuntimeSetSuspended,
  pmRuntimeSuspend,
  pmScheduleSuspend,
  pmSuspendIgnoreChildren,
  type DeviceDriver,
} from '@vfio-ts/runtime-pm';
import { Model, type MDev } from './reference-model.js';

const NAMES = ['p', 'a', 'b', 'g'] as const;
const PARENT: Record<string, string | null> = { p: null, a: 'p', b: 'p', g: 'a' };

interface Real {
  k: Kernel;
  devs: Map<string, Device>;
  calls: string[];
  failSuspend: Map<string, number>;
  failResume: Map<string, number>;
}

type Api = {
  real: (d: Device) => unknown;
  model: (m: Model, d: MDev) => unknown;
};

const API: Record<string, Api> = {
  getSync: { real: pmRuntimeGetSync, model: (m, d) => m.getSync(d) },
  get: { real: pmRuntimeGet, model: (m, d) => m.getAsync(d) },
  resumeAndGet: { real: pmRuntimeResumeAndGet, model: (m, d) => m.resumeAndGet(d) },
  put: { real: pmRuntimePut, model: (m, d) => m.putAsync(d) },
  putSync: { real: pmRuntimePutSync, model: (m, d) => m.putSync(d) },
  putSyncSuspend: { real: pmRuntimePutSyncSuspend, model: (m, d) => m.putSyncSuspend(d) },
  getNoresume: { real: pmRuntimeGetNoresume, model: (_m, d) => void d.usage++ },
  putNoidle: { real: pmRuntimePutNoidle, model: (m, d) => m.putNoidle(d) },
  allow: { real: pmRuntimeAllow, model: (m, d) => m.allow(d) },
  forbid: { real: pmRuntimeForbid, model: (m, d) => m.forbid(d) },
  enable: { real: pmRuntimeEnable, model: (m, d) => m.enable(d) },
  disable: { real: pmRuntimeDisable, model: (m, d) => m.disable(d) },
  setActive: { real: pmRuntimeSetActive, model: (m, d) => m.setStatus(d, 'active') },
  setSuspended: { real: pmRuntimeSetSuspended, model: (m, d) => m.setStatus(d, 'suspended') },
  requestIdle: { real: pmRequestIdle, model: (m, d) => m.idleAsync(d) },
  requestResume: { real: pmRequestResume, model: (m, d) => m.resume(d, true) },
  suspend: { real: pmRuntimeSuspend, model: (m, d) => m.suspendSync(d) },
  resume: { real: pmRuntimeResume, model: (m, d) => m.resume(d, false) },
  idle: { real: pmRuntimeIdle, model: (m, d) => m.idleSync(d) },
  scheduleSuspend0: {
    real: (d) => pmScheduleSuspend(d, 0),
    model: (m, d) => m.suspendAsync(d, 'suspend'),
  },
  getIfInUse: { real: pmRuntimeGetIfInUse, model: (m, d) => m.getIfInUse(d) },
};

function build(init: Record<string, boolean>, ignore: boolean): { real: Real; model: Model } {
  const k = new Kernel();
  const real: Real = {
    k,
    devs: new Map(),
    calls: [],
    failSuspend: new Map(),
    failResume: new Map(),
  };
  const model = new Model();
  const take = (map: Map<string, number>, name: string): number => {
    const v = map.get(name) ?? 0;
    map.delete(name);
    return v;
  };
  const drv: DeviceDriver = {
    name: 'scripted',
    pm: {
      runtimeSuspend: (d) => (real.calls.push(`suspend:${d.name}`), take(real.failSuspend, d.name)),
      runtimeResume: (d) => (real.calls.push(`resume:${d.name}`), take(real.failResume, d.name)),
    },
  };
  for (const name of NAMES) {
    const parentName = PARENT[name];
    const parent = parentName ? real.devs.get(parentName)! : null;
    const dev = new Device(k, { name, parent });
    dev.driver = drv;
    real.devs.set(name, dev);
    model.add(name, parentName ? model.devs.find((d) => d.name === parentName)! : null);
  }
  const md = (n: string): MDev => model.devs.find((d) => d.name === n)!;
  if (ignore) {
    pmSuspendIgnoreChildren(real.devs.get('p')!, true);
    md('p').ignore = true;
  }
  for (const name of NAMES) {
    if (init[name]) {
      expect(pmRuntimeSetActive(real.devs.get(name)!)).toBe(model.setStatus(md(name), 'active'));
    }
  }
  for (const name of NAMES) {
    pmRuntimeEnable(real.devs.get(name)!);
    model.enable(md(name));
  }
  return { real, model };
}

function compare(real: Real, model: Model): void {
  for (const m of model.devs) {
    const p = real.devs.get(m.name)!.power;
    expect(
      {
        name: m.name,
        status: p.runtimeStatus,
        usage: p.usageCount,
        kids: p.childCount,
        depth: p.disableDepth,
        error: p.runtimeError,
        auto: p.runtimeAuto,
        last: p.lastStatus,
      },
      `device ${m.name}`,
    ).toEqual({
      name: m.name,
      status: m.status,
      usage: m.usage,
      kids: m.kids,
      depth: m.depth,
      error: m.error,
      auto: m.auto,
      last: m.last,
    });
  }
  expect(real.calls).toEqual(model.calls);
  expect(real.k.defects.filter((d) => d.kind === RPM_USAGE_UNDERFLOW)).toHaveLength(
    model.underflows,
  );
  expect(real.k.defects.filter((d) => d.kind !== RPM_USAGE_UNDERFLOW)).toEqual([]);
}

type Env = { real: Real; model: Model };

class CallCommand implements fc.AsyncCommand<Env, Env> {
  constructor(
    readonly api: string,
    readonly dev: string,
  ) {}
  check(): boolean {
    return true;
  }
  async run(_m: Env, env: Env): Promise<void> {
    const { real, model } = env;
    const call = API[this.api]!;
    const dev = real.devs.get(this.dev)!;
    const got = await real.k.run(this.toString(), () => call.real(dev));
    const want = call.model(
      model,
      model.devs.find((d) => d.name === this.dev)!,
    );
    expect(got ?? null, this.toString()).toBe(want ?? null);
    await real.k.settle();
    model.settle();
    compare(real, model);
  }
  toString(): string {
    return `${this.api}(${this.dev})`;
  }
}

class FailCommand implements fc.AsyncCommand<Env, Env> {
  constructor(
    readonly which: 'suspend' | 'resume',
    readonly dev: string,
    readonly err: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(_m: Env, { real, model }: Env): Promise<void> {
    const md = model.devs.find((d) => d.name === this.dev)!;
    if (this.which === 'suspend') {
      real.failSuspend.set(this.dev, this.err);
      md.failSuspend = this.err;
    } else {
      real.failResume.set(this.dev, this.err);
      md.failResume = this.err;
    }
    return Promise.resolve();
  }
  toString(): string {
    return `fail-next-${this.which}(${this.dev}, ${this.err})`;
  }
}

const devArb = fc.constantFrom(...NAMES);
const callArb = fc
  .tuple(fc.constantFrom(...Object.keys(API)), devArb)
  .map(([api, d]) => new CallCommand(api, d));
const failSuspendArb = fc
  .tuple(devArb, fc.constantFrom(-EBUSY, -EAGAIN, -EIO, -EACCES))
  .map(([d, e]) => new FailCommand('suspend', d, e));
const failResumeArb = fc
  .tuple(devArb, fc.constantFrom(-EIO, -EACCES))
  .map(([d, e]) => new FailCommand('resume', d, e));
// Mostly API calls; now and then a callback is told to fail once.
const commands = [
  fc.oneof(
    { arbitrary: callArb, weight: 12 },
    { arbitrary: failSuspendArb, weight: 1 },
    { arbitrary: failResumeArb, weight: 1 },
  ),
];

describe('model-based: random API sequences over p/{a/{g}, b} match the reference model', () => {
  it('agrees on every return value, status, count and callback', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ p: fc.boolean(), a: fc.boolean(), b: fc.boolean(), g: fc.boolean() }),
        fc.boolean(),
        fc.commands(commands, { maxCommands: 60, size: 'max' }),
        async (init, ignore, cmds) => {
          const setup = (): { model: Env; real: Env } => {
            const env = build(init, ignore);
            return { model: env, real: env };
          };
          await fc.asyncModelRun(setup, cmds);
        },
      ),
      { numRuns: 300, seed: 20240601 },
    );
  });
});
