// Issue 12, target 3: one device's low-power cycle on a machine of 10 endpoints and on one of
// 10 000 endpoints (10 per root port, root ports over PCI segments of 200), side by side;
// the teardown prints the build time and heap of the big machine and the cost ratio.
// `npm run scale` prints the whole 10 → 100 → 1 000 → 10 000 table.
import { bench, describe } from 'vitest';
import { createMachine, type MachineOptions } from '@vfio-ts/test-kit';
import { lowPowerCycler } from './cycle.js';

const hex = (v: number, n: number): string => v.toString(16).padStart(n, '0');

function scaleOptions(endpoints: number): MachineOptions & { devices: { bdf: string }[] } {
  const rootPorts: NonNullable<MachineOptions['rootPorts']> = [];
  const devices: { bdf: string; rootPort: string; config: string }[] = [];
  for (let i = 0; i < Math.ceil(endpoints / 10); i++) {
    const seg = Math.floor(i / 200);
    const j = i % 200;
    rootPorts.push({
      name: `rp${i}`,
      bdf: `${hex(seg, 4)}:00:${hex(1 + (j >> 3), 2)}.${j & 7}`,
      d3cold: true,
    });
    for (let k = 0; k < 10 && devices.length < endpoints; k++)
      devices.push({
        bdf: `${hex(seg, 4)}:${hex(j + 1, 2)}:${hex(k >> 3, 2)}.${k & 7}`,
        rootPort: `rp${i}`,
        config: 'e1000e',
      });
  }
  return { rootPorts, devices, trace: false };
}

const small = scaleOptions(10);
const smallCycle = await lowPowerCycler(await createMachine(small), small.devices[0]!.bdf);
const big = scaleOptions(10_000);
const heap0 = process.memoryUsage().heapUsed;
const t0 = process.hrtime.bigint();
const bigMachine = await createMachine(big);
const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;
const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
const bigCycle = await lowPowerCycler(bigMachine, big.devices[0]!.bdf);

async function perCycleUs(cycle: () => Promise<void>, n: number): Promise<number> {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await cycle();
  return Number(process.hrtime.bigint() - t) / 1e3 / n;
}

let teardowns = 0;
async function printScale(): Promise<void> {
  if (++teardowns < 2) return;
  let s = 0;
  let b = 0;
  for (let r = 0; r < 5; r++) {
    s += await perCycleUs(smallCycle, 200);
    b += await perCycleUs(bigCycle, 200);
  }
  console.log(
    `target 3: 10 000 endpoints / 1 000 root ports: build ${buildMs.toFixed(0)} ms (target < 2000), ` +
      `heap ≈ ${heapMb.toFixed(0)} MB without a GC first (target < 200; npm run scale measures after GC); one device's cycle ${(b / 5).toFixed(0)} µs vs ` +
      `${(s / 5).toFixed(0)} µs with 10 endpoints: ×${(b / s).toFixed(2)} (target ≤ 1.2)`,
  );
}

describe('target 3: one low-power cycle, 10 vs 10 000 endpoints', () => {
  bench('10 endpoints: one device’s low-power cycle', smallCycle);
  bench('10 000 endpoints: one device’s low-power cycle', bigCycle, { teardown: printScale });
});
