// vfio-pci: one full low-power cycle through the façade (issue 7; issue 12 target 2:
// ≥ 100 000 cycles/s) — LOW_POWER_ENTRY, the runtime suspend to D3cold below a D3cold-capable
// root port (vfio callback, config save, platform power-off), a config read that wakes the
// device, LOW_POWER_EXIT.
import { bench, describe } from 'vitest';
import { createMachine } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';

const BDF = '0000:01:00.0';
const m = await createMachine({
  rootPorts: [{ name: 'rp0', d3cold: true }],
  devices: [{ bdf: BDF, rootPort: 'rp0', config: 'e1000e' }],
  trace: false,
  invariants: false,
});
const p = m.process();
const fd = await p.openDevice(BDF);
const entry = VFIO.feature({
  flags: VFIO.DEVICE_FEATURE_SET,
  feature: VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY,
});
const exit = VFIO.feature({
  flags: VFIO.DEVICE_FEATURE_SET,
  feature: VFIO.DEVICE_FEATURE_LOW_POWER_EXIT,
});
const buf = new Uint8Array(4);
const state = `/sys/bus/pci/devices/${BDF}/power_state`;

async function cycle(): Promise<void> {
  if ((await p.ioctl(fd, VFIO.DEVICE_FEATURE, entry)) !== 0) throw new Error('entry');
  await m.settle();
  if (m.sysfs.read(state) !== 'D3cold\n') throw new Error('not in D3cold');
  if ((await p.pread(fd, buf, 4, VFIO.pciConfigOffset(0))) !== 4) throw new Error('read');
  if ((await p.ioctl(fd, VFIO.DEVICE_FEATURE, exit)) !== 0) throw new Error('exit');
  if (m.sysfs.read(state) !== 'D0\n') throw new Error('not in D0');
}

let teardowns = 0;
async function printRate(): Promise<void> {
  if (++teardowns < 2) return;
  const n = 2000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await cycle();
  const rate = (n * 1e9) / Number(process.hrtime.bigint() - t0);
  console.log(`target 2: ${rate.toFixed(0)} low-power cycles/s (target ≥ 100 000)`);
}

describe('vfio-pci', () => {
  bench('low-power cycle: ENTRY → suspend to D3cold → config read wakes → EXIT', cycle, {
    teardown: printRate,
  });
});
