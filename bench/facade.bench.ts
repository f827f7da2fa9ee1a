// Issue 12, target 1: the cost of the whole façade for a VFIO_DEVICE_FEATURE PROBE
// (UserProcess.ioctl → fd table → task → vfio-core device file → runtime PM get/put → header
// parsing → vfio-pci dispatch) against a direct call of vfio-pci's feature handler with the
// same arguments, on the same machine in one run. Target: façade ≤ 2× direct and
// ≥ 1 000 000 round trips/s. The summary line prints both rates and the ratio.
import { bench, describe } from 'vitest';
import { VFIO } from '@vfio-ts/vfio-core';
import { vfioPciCoreIoctlFeature } from '@vfio-ts/vfio-pci';
import { BDF, quietMachine } from './cycle.js';

const OPS = 1000;
const m = await quietMachine();
const p = m.process();
const fd = await p.openDevice(BDF);
const flags =
  VFIO.DEVICE_FEATURE_PROBE | VFIO.DEVICE_FEATURE_SET | VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY;
const probe = VFIO.feature({ flags, feature: VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY });
const data = probe.subarray(8);
const vdev = m.vfioPciDevice(BDF)!;

async function direct(): Promise<void> {
  for (let i = 0; i < OPS; i++)
    if ((await vfioPciCoreIoctlFeature(vdev, flags, data, 0)) !== 0) throw new Error('direct');
}

async function facade(): Promise<void> {
  for (let i = 0; i < OPS; i++)
    if ((await p.ioctl(fd, VFIO.DEVICE_FEATURE, probe)) !== 0) throw new Error('façade');
}

// Both measured alternately in one process, so the ratio is not skewed by load changes.
async function ratio(rounds: number): Promise<{ direct: number; facade: number }> {
  let d = 0n;
  let f = 0n;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    await direct();
    const t1 = process.hrtime.bigint();
    await facade();
    f += process.hrtime.bigint() - t1;
    d += t1 - t0;
  }
  const perSec = (ns: bigint) => (rounds * OPS * 1e9) / Number(ns);
  return { direct: perSec(d), facade: perSec(f) };
}

// vitest bench runs no afterAll: the façade bench's teardown (after its warm-up, then after
// its run) prints the side-by-side figure once, at the end.
let teardowns = 0;
async function printRatio(): Promise<void> {
  if (++teardowns < 2) return;
  await ratio(20);
  const r = await ratio(200);
  console.log(
    `target 1: direct ${(r.direct / 1e6).toFixed(2)} M/s, façade ${(r.facade / 1e6).toFixed(2)} M/s, ` +
      `façade/direct cost ratio ${(r.direct / r.facade).toFixed(2)} (target ≤ 2; façade target ≥ 1.00 M/s)`,
  );
}

describe('target 1: VFIO_DEVICE_FEATURE PROBE, façade vs direct', () => {
  bench(`direct vfioPciCoreIoctlFeature: ${OPS} PROBEs`, direct);
  bench(`façade UserProcess.ioctl(VFIO_DEVICE_FEATURE): ${OPS} PROBEs`, facade, {
    teardown: printRatio,
  });
});
