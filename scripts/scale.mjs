// Issue 12, target 3: how a machine scales with its number of endpoints. For 10, 100, 1 000
// and 10 000 e1000e endpoints (10 per root port, root ports spread over PCI segments of 200),
// prints the build time of createMachine(), the heap used by the built machine, and the cost
// of one device's low-power cycle (ENTRY → runtime suspend to D3cold → config read that
// wakes it → EXIT) with invariants checked after every step. Run on the built packages:
// `npm run scale` (tsc -b first). VFIO_TS_SCALE_MAX=1000 stops earlier.
import 'reflect-metadata';
import { createMachine } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';

const PER_PORT = 10;
const PORTS_PER_SEGMENT = 200;
const MAX = Number(process.env.VFIO_TS_SCALE_MAX ?? 10_000);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const hex = (v, n) => v.toString(16).padStart(n, '0');

/** Machine options for `endpoints` e1000e functions below endpoints / 10 D3cold root ports. */
export function scaleOptions(endpoints) {
  const rootPorts = [];
  const devices = [];
  for (let i = 0; i < Math.ceil(endpoints / PER_PORT); i++) {
    const seg = Math.floor(i / PORTS_PER_SEGMENT);
    const j = i % PORTS_PER_SEGMENT;
    const name = `rp${i}`;
    rootPorts.push({
      name,
      bdf: `${hex(seg, 4)}:00:${hex(1 + (j >> 3), 2)}.${j & 7}`,
      d3cold: true,
    });
    // Secondary buses are numbered in the order ports are added: port j of a segment gets j + 1.
    for (let k = 0; k < PER_PORT && devices.length < endpoints; k++)
      devices.push({
        bdf: `${hex(seg, 4)}:${hex(j + 1, 2)}:${hex(k >> 3, 2)}.${k & 7}`,
        rootPort: name,
        config: 'e1000e',
      });
  }
  return { rootPorts, devices, trace: false };
}

function heapMb() {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

async function cycleCost(m, bdf, cycles) {
  const p = m.process();
  const fd = await p.openDevice(bdf);
  if (fd < 0) throw new Error(`open ${bdf}: ${fd}`);
  const entry = VFIO.feature({
    flags: VFIO.DEVICE_FEATURE_SET,
    feature: VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY,
  });
  const exit = VFIO.feature({
    flags: VFIO.DEVICE_FEATURE_SET,
    feature: VFIO.DEVICE_FEATURE_LOW_POWER_EXIT,
  });
  const buf = new Uint8Array(4);
  const state = `/sys/bus/pci/devices/${bdf}/power_state`;
  const one = async () => {
    if ((await p.ioctl(fd, VFIO.DEVICE_FEATURE, entry)) !== 0) throw new Error('entry');
    await m.settle();
    if (m.sysfs.read(state) !== 'D3cold\n') throw new Error(`${bdf} not in D3cold`);
    if ((await p.pread(fd, buf, 4, VFIO.pciConfigOffset(0))) !== 4) throw new Error('read');
    if ((await p.ioctl(fd, VFIO.DEVICE_FEATURE, exit)) !== 0) throw new Error('exit');
  };
  for (let i = 0; i < Math.min(200, cycles); i++) await one();
  const t0 = now();
  for (let i = 0; i < cycles; i++) await one();
  const us = ((now() - t0) * 1000) / cycles;
  if (m.invariants().length) throw new Error(`invariants: ${m.invariants().join('; ')}`);
  return us;
}

const rows = [];
const base = heapMb();
for (const n of [10, 100, 1_000, 10_000].filter((x) => x <= MAX)) {
  const opts = scaleOptions(n);
  const t0 = now();
  const m = await createMachine(opts);
  const buildMs = now() - t0;
  const heap = heapMb() - base;
  const us = await cycleCost(m, opts.devices[0].bdf, 2000);
  rows.push({ n, ports: opts.rootPorts.length, buildMs, heap, us });
  console.log(
    `${String(n).padStart(6)} endpoints, ${String(opts.rootPorts.length).padStart(4)} root ports: ` +
      `build ${buildMs.toFixed(0).padStart(6)} ms, heap ${heap.toFixed(1).padStart(7)} MB, ` +
      `cycle ${us.toFixed(1).padStart(7)} µs (${(1e6 / us).toFixed(0)}/s) ` +
      `×${(us / rows[0].us).toFixed(2)} of 10`,
  );
}
const last = rows.at(-1);
if (last.n === 10_000)
  console.log(
    `targets at 10 000: build < 2 s: ${last.buildMs < 2000 ? 'met' : 'missed'}, ` +
      `heap < 200 MB: ${last.heap < 200 ? 'met' : 'missed'}, ` +
      `cycle ≤ 1.2× of 10: ${last.us <= 1.2 * rows[0].us ? 'met' : 'missed'}`,
  );
