// Issue 12, target 4: schedules per second when exploring the config-access-versus-entry race
// (F.3.1, the scenario of packages/test-kit/test/pm/races.ts), a fresh machine per schedule
// (built, booted, invariants after every step) included. Target: ≥ 10 000 schedules/s.
import { bench, describe } from 'vitest';
import { createMachine, exploreMachine, type MachineScenario } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';
import { BDF, ONE_E1000E, quietMachine } from './cycle.js';
import { countWork, describeWork, unitCosts } from './work.js';

const SCHEDULES = 100;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

// F.3.1: a config read from one thread racing LOW_POWER_ENTRY from another.
const configVersusEntry: MachineScenario = async (m) => {
  const p = m.process();
  const fd = await p.openDevice(BDF);
  const buf = new Uint8Array(4);
  const entry = VFIO.feature({
    flags: VFIO.DEVICE_FEATURE_SET,
    feature: VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY,
  });
  const [read, ret] = await Promise.all([
    p.pread(fd, buf, 4, VFIO.pciConfigOffset(0)),
    p.ioctl(fd, VFIO.DEVICE_FEATURE, entry),
  ]);
  check(read === 4 && ret === 0, `read ${read}, entry ${ret}`);
  await m.settle();
  check(m.sysfs.read(`/sys/bus/pci/devices/${BDF}/power_state`) === 'D3cold\n', 'not D3cold');
  check((await p.close(fd)) === 0, 'close');
};

const EXPLORED = { ...ONE_E1000E, trace: false, invariants: true, stopOnViolation: true };

// Microseconds to build and boot one machine as exploration does (invariants on, no trace).
async function buildMicros(n: number): Promise<number> {
  const opts = EXPLORED;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await createMachine(opts);
  return Number(process.hrtime.bigint() - t0) / n / 1e3;
}

let seed = 1;
let teardowns = 0;
async function printRate(): Promise<void> {
  if (++teardowns < 2) return;
  const t0 = process.hrtime.bigint();
  const r = await exploreMachine(ONE_E1000E, configVersusEntry, {
    mode: 'random',
    schedules: 1000,
    seed: 1,
  });
  const s = (1000 * 1e9) / Number(process.hrtime.bigint() - t0);
  const ex = await exploreMachine(ONE_E1000E, configVersusEntry, { preemptionBound: 1000 });
  const build = await buildMicros(300);
  // The scenario's own work, counted on one machine (the unit prices measured on another).
  const m = await createMachine(EXPLORED);
  const w = await countWork(m, async () => {
    await configVersusEntry(m);
    await m.settle();
  });
  const quiet = await quietMachine();
  await quiet.process().openDevice(BDF); // in D0 while open
  const u = await unitCosts(quiet.topology.lookup(BDF)!);
  console.log(
    `target 4: ${s.toFixed(0)} schedules/s (random, 1000 schedules, ok ${r.ok}; target ≥ 10 000); ` +
      `the exhaustive space has ${ex.schedules} schedules (exhausted ${ex.exhausted}); ` +
      `of the ${(1e6 / s).toFixed(0)} µs a schedule takes, building and booting its machine ` +
      `is ${build.toFixed(0)} µs, the scenario (and exploration's bookkeeping) the rest; the ` +
      `scenario is ${describeWork(w, u)}`,
  );
}

describe('target 4: exploration of config access versus LOW_POWER_ENTRY', () => {
  bench(
    `${SCHEDULES} random schedules, a fresh machine each`,
    async () => {
      const r = await exploreMachine(ONE_E1000E, configVersusEntry, {
        mode: 'random',
        schedules: SCHEDULES,
        seed: (seed += SCHEDULES),
      });
      if (!r.ok) throw new Error(r.failure?.message);
    },
    { teardown: printRate },
  );
});
