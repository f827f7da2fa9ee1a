// vfio-pci: one full low-power cycle through the façade (issue 7; issue 12 target 2:
// ≥ 100 000 cycles/s) — LOW_POWER_ENTRY, the runtime suspend to D3cold below a D3cold-capable
// root port (vfio callback, config save, platform power-off), a config read that wakes the
// device, LOW_POWER_EXIT. The summary also counts what one cycle simulates and the floor that
// work sets at this run's unit costs.
import { bench, describe } from 'vitest';
import { BDF, lowPowerCycler, quietMachine } from './cycle.js';
import { countWork, describeWork, unitCosts } from './work.js';

const m = await quietMachine();
const cycle = await lowPowerCycler(m, BDF, 'D3cold');

let teardowns = 0;
async function printRate(): Promise<void> {
  if (++teardowns < 2) return;
  const n = 2000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await cycle();
  const rate = (n * 1e9) / Number(process.hrtime.bigint() - t0);
  const w = await countWork(m, cycle);
  const u = await unitCosts(m.topology.lookup(BDF)!);
  console.log(
    `target 2: ${rate.toFixed(0)} low-power cycles/s (target ≥ 100 000); one cycle is ` +
      describeWork(w, u),
  );
}

describe('vfio-pci', () => {
  bench('low-power cycle: ENTRY → suspend to D3cold → config read wakes → EXIT', cycle, {
    teardown: printRate,
  });
});
