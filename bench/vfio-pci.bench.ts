// vfio-pci: one full low-power cycle through the façade (issue 7; issue 12 target 2:
// ≥ 100 000 cycles/s) — LOW_POWER_ENTRY, the runtime suspend to D3cold below a D3cold-capable
// root port (vfio callback, config save, platform power-off), a config read that wakes the
// device, LOW_POWER_EXIT. The summary also counts what one cycle simulates and what that work
// alone costs at this run's unit prices (a config access, a task switch): the floor.
import { bench, describe } from 'vitest';
import { Kernel } from '@vfio-ts/kernel';
import { pciReadConfigDword, pciWriteConfigDword, type PciDev } from '@vfio-ts/pci-core';
import { createMachine } from '@vfio-ts/test-kit';
import { cycleWork, lowPowerCycler } from './cycle.js';

const BDF = '0000:01:00.0';
const m = await createMachine({
  rootPorts: [{ name: 'rp0', d3cold: true }],
  devices: [{ bdf: BDF, rootPort: 'rp0', config: 'e1000e' }],
  trace: false,
  invariants: false,
});
const cycle = await lowPowerCycler(m, BDF, 'D3cold');

// Nanoseconds per call of `fn`, over `n` calls.
function nsPer(n: number, fn: (i: number) => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / n;
}

// Unit prices of the simulated work: a config dword read and write (same value written back)
// on the endpoint in D0, and a switch between two tasks yielding to each other.
async function unitCosts(dev: PciDev): Promise<{ read: number; write: number; step: number }> {
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
  return { read, write, step };
}

let teardowns = 0;
async function printRate(): Promise<void> {
  if (++teardowns < 2) return;
  const n = 2000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await cycle();
  const rate = (n * 1e9) / Number(process.hrtime.bigint() - t0);
  const w = await cycleWork(m, cycle);
  const u = await unitCosts(m.topology.lookup(BDF)!);
  const floorNs = w.configReads * u.read + w.configWrites * u.write + w.steps * u.step;
  console.log(
    `target 2: ${rate.toFixed(0)} low-power cycles/s (target ≥ 100 000); one cycle is ` +
      `${w.steps} scheduler steps, ${w.configReads} config reads and ${w.configWrites} writes ` +
      `of simulated hardware; at ${u.step.toFixed(0)} ns a switch, ${u.read.toFixed(0)} ns a ` +
      `read and ${u.write.toFixed(0)} ns a write, that work alone caps it at ` +
      `${(1e9 / floorNs).toFixed(0)}/s`,
  );
}

describe('vfio-pci', () => {
  bench('low-power cycle: ENTRY → suspend to D3cold → config read wakes → EXIT', cycle, {
    teardown: printRate,
  });
});
