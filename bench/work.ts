// What a piece of a run makes the simulator do (scheduler steps, config accesses reaching the
// simulated hardware) and what that work alone costs at this run's unit prices: a lower bound
// no amount of overhead removal can go below while every access the kernel makes is simulated.
// Prices are the cheapest there are (the function's own register access, warm, best of rounds),
// so the bound is low: what a piece costs above it is the stack's logic around that work.
import { Kernel } from '@vfio-ts/kernel';
import { PCI_D0, type PciDev } from '@vfio-ts/pci-core';
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

// Nanoseconds per call of `fn`: the best of five rounds of `n` calls after one to warm up.
function nsPer(n: number, fn: (i: number) => void): number {
  let best = Infinity;
  for (let round = 0; round < 6; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    const ns = Number(process.hrtime.bigint() - t0) / n;
    if (round > 0) best = Math.min(best, ns);
  }
  return best;
}

// Nanoseconds per task switch (two tasks yielding to each other), best of five after a warm-up.
async function switchNs(switches: number): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < 6; round++) {
    const k = new Kernel();
    k.sched.policy = { choose: (c) => (c.current === 0 ? 1 : 0) };
    const ping = async () => {
      for (let i = 0; i < switches / 2; i++) await k.sched.yield();
    };
    const t0 = process.hrtime.bigint();
    await Promise.all([k.run('ping', ping), k.run('pong', ping)]);
    const ns = Number(process.hrtime.bigint() - t0) / switches;
    if (round > 0) best = Math.min(best, ns);
  }
  return best;
}

/**
 * Unit prices: a dword read and write (the value read written back) of `dev`'s registers, on
 * the function itself (below the kernel's accessors), which must be in D0; a task switch.
 */
export async function unitCosts(dev: PciDev): Promise<UnitCosts> {
  // Accesses to a function without power are recorded as violations: not the price of one.
  if (dev.hw.powerState !== PCI_D0) throw new Error(`unit costs: ${dev.bdf} is not in D0`);
  const hw = dev.hw;
  const keep = hw.configRead(0x0c, 4);
  const read = nsPer(100_000, (i) => hw.configRead((i & 15) * 4, 4));
  const write = nsPer(100_000, () => hw.configWrite(0x0c, 4, keep));
  const step = await switchNs(50_000);
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
    `simulated hardware; at the cheapest warm prices (${u.step.toFixed(0)} ns a switch, ` +
    `${u.read.toFixed(0)} ns a register read, ${u.write.toFixed(0)} ns a write) that work ` +
    `alone would allow ${(1e9 / floorNs(w, u)).toFixed(0)}/s`
  );
}
