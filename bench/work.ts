// What a piece of a run makes the simulator do (scheduler steps, config accesses reaching the
// simulated hardware) and what that work alone costs at this run's unit prices: the floor no
// amount of overhead removal can go below while every access the kernel makes is simulated.
import { Kernel } from '@vfio-ts/kernel';
import { PCI_D0, pciReadConfigDword, pciWriteConfigDword, type PciDev } from '@vfio-ts/pci-core';
import type { Machine } from '@vfio-ts/test-kit';

/** Work counted while something ran. */
export interface Work {
  /** Scheduler steps (task switches). */
  steps: number;
  /** Config-space reads and writes reaching simulated hardware (every function). */
  configReads: number;
  configWrites: number;
}

/** Nanoseconds of one unit of simulated work, measured now. */
export interface UnitCosts {
  step: number;
  read: number;
  write: number;
}

/** Runs `fn` while counting the machine's scheduler steps and hardware config accesses. */
export async function countWork(m: Machine, fn: () => Promise<void>): Promise<Work> {
  const work: Work = { steps: 0, configReads: 0, configWrites: 0 };
  const stops = m.topology.devices().map((d) =>
    d.hw.subscribe(
      (e) => {
        if (e.type !== 'access') return;
        if (e.kind === 'config-read') work.configReads++;
        else if (e.kind === 'config-write') work.configWrites++;
      },
      { types: ['access'] },
    ),
  );
  const steps = m.kernel.sched.steps;
  await fn();
  work.steps = m.kernel.sched.steps - steps;
  for (const stop of stops) stop();
  return work;
}

// Nanoseconds per call of `fn`, over `n` calls.
function nsPer(n: number, fn: (i: number) => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / n;
}

/**
 * Unit prices: a config dword read and write (the value read written back) on `dev`, which must
 * be in D0, and a switch between two tasks yielding to each other.
 */
export async function unitCosts(dev: PciDev): Promise<UnitCosts> {
  // Accesses to a function without power are recorded as violations: not the price of one.
  if (dev.hw.powerState !== PCI_D0) throw new Error(`unit costs: ${dev.bdf} is not in D0`);
  const val = { value: 0 };
  pciReadConfigDword(dev, 0x0c, val);
  const keep = val.value;
  const read = nsPer(200_000, (i) => pciReadConfigDword(dev, (i & 15) * 4, val));
  const write = nsPer(200_000, () => pciWriteConfigDword(dev, 0x0c, keep));
  const k = new Kernel();
  k.sched.policy = { choose: (c) => (c.current === 0 ? 1 : 0) };
  const switches = 100_000;
  const ping = async () => {
    for (let i = 0; i < switches / 2; i++) await k.sched.yield();
  };
  const t0 = process.hrtime.bigint();
  await Promise.all([k.run('ping', ping), k.run('pong', ping)]);
  const step = Number(process.hrtime.bigint() - t0) / switches;
  return { step, read, write };
}

/** Nanoseconds the counted work costs at those prices. */
export function floorNs(w: Work, u: UnitCosts): number {
  return w.configReads * u.read + w.configWrites * u.write + w.steps * u.step;
}

/** `w` and `u` in words, e.g. for a bench's summary line. */
export function describeWork(w: Work, u: UnitCosts): string {
  return (
    `${w.steps} scheduler steps, ${w.configReads} config reads and ${w.configWrites} writes of ` +
    `simulated hardware; at ${u.step.toFixed(0)} ns a switch, ${u.read.toFixed(0)} ns a read ` +
    `and ${u.write.toFixed(0)} ns a write, that work alone caps it at ` +
    `${(1e9 / floorNs(w, u)).toFixed(0)}/s`
  );
}
