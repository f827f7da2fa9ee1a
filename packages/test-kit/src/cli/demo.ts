// `vfio-ts demo`: two e1000e functions, one below a root port whose platform can cut power
// (D3cold) and one below a port that cannot (D3hot). A VMM opens both, the guest goes idle and
// asks for low power (with a wake-up eventfd on the first), a host `lspci` wakes only the
// D3cold one, the VMM is notified and re-arms, and everything is closed. Prints a timeline and
// an energy estimate; writes a Perfetto trace and an SVG timeline.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { msecs } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import { toChromeTrace } from '../export/chrome-trace.js';
import { energyReport } from '../export/energy.js';
import { renderTimelineSvg } from '../export/svg.js';
import { renderTimelineText } from '../export/text.js';
import { powerTimeline } from '../export/timeline.js';
import { createMachine } from '../machine/machine.js';

const GPU = '0000:01:00.0';
const NIC = '0000:02:00.0';

/** Runs the demo; @returns 0, or 1 when an invariant broke */
export async function demo(outDir: string, out: (s: string) => void): Promise<number> {
  const m = await createMachine({
    rootPorts: [
      { name: 'rp0', d3cold: true },
      { name: 'rp1', d3cold: false },
    ],
    devices: [
      { bdf: GPU, rootPort: 'rp0', config: 'e1000e' },
      { bdf: NIC, rootPort: 'rp1', config: 'e1000e' },
    ],
  });
  const start = m.clock.now();
  const say = (text: string) =>
    out(`${((m.clock.now() - start) / 1e6).toFixed(1).padStart(7)} ms  ${text}\n`);
  const state = (bdf: string) =>
    m.sysfs.read(`/sys/bus/pci/devices/${bdf}/power_state`).toString().trim();
  const feature = (f: number, data?: Uint8Array) =>
    VFIO.feature({ flags: VFIO.DEVICE_FEATURE_SET, feature: f, ...(data ? { data } : {}) });
  const vmm = m.process();
  const u64 = new Uint8Array(8);

  say(`boot: unused devices suspended: ${GPU} ${state(GPU)}, ${NIC} ${state(NIC)}`);
  const gpu = await vmm.openDevice(GPU);
  const nic = await vmm.openDevice(NIC);
  say(`VMM opens both devices: ${state(GPU)}, ${state(NIC)}`);
  await m.kernel.sched.runFor(msecs(50));
  const efd = await vmm.eventfd(0, { nonblock: true });
  const armed = () =>
    feature(
      VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
      VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: efd }),
    );
  await vmm.ioctl(gpu, VFIO.DEVICE_FEATURE, armed());
  await vmm.ioctl(nic, VFIO.DEVICE_FEATURE, feature(VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY));
  await m.settle();
  say(`guest idle → LOW_POWER_ENTRY(_WITH_WAKEUP): ${GPU} ${state(GPU)}, ${NIC} ${state(NIC)}`);
  await m.kernel.sched.runFor(msecs(300));
  await m.host.lspci(GPU);
  await m.host.lspci(NIC);
  say(
    `host runs lspci on both: ${GPU} ${state(GPU)} (D3cold: woken), ${NIC} ${state(NIC)} (D3hot: not woken)`,
  );
  const n =
    (await vmm.read(efd, u64, 8)) === 8 ? new DataView(u64.buffer).getBigUint64(0, true) : 0n;
  say(`VMM's wake-up eventfd reads ${n}: it raises a virtual PME; the guest resumes the device`);
  await m.kernel.sched.runFor(msecs(100));
  await vmm.ioctl(gpu, VFIO.DEVICE_FEATURE, armed());
  await m.settle();
  say(`guest idle again → re-armed: ${GPU} ${state(GPU)}`);
  await m.kernel.sched.runFor(msecs(300));
  await vmm.ioctl(gpu, VFIO.DEVICE_FEATURE, feature(VFIO.DEVICE_FEATURE_LOW_POWER_EXIT));
  await vmm.ioctl(nic, VFIO.DEVICE_FEATURE, feature(VFIO.DEVICE_FEATURE_LOW_POWER_EXIT));
  say(`VM resumes → LOW_POWER_EXIT: ${state(GPU)}, ${state(NIC)}`);
  await m.kernel.sched.runFor(msecs(100));
  await vmm.exit();
  await m.settle();
  say(`VM stops, devices closed: ${GPU} ${state(GPU)}, ${NIC} ${state(NIC)}`);

  const records = m.trace.filter((r) => r.ts >= start);
  const timeline = powerTimeline(records, {
    start,
    end: m.clock.now(),
    devices: [GPU, NIC],
    initial: { [GPU]: 'D3cold', [NIC]: 'D3hot' },
  });
  const energy = energyReport(timeline, { default: 'e1000e' });
  out(`\n${renderTimelineText(timeline, energy)}`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'trace.json'), JSON.stringify(toChromeTrace(records)));
  writeFileSync(
    join(outDir, 'timeline.svg'),
    renderTimelineSvg(timeline, energy, { title: 'vfio-ts demo: two e1000e, D3cold below rp0' }),
  );
  out(
    `\nwrote ${join(outDir, 'trace.json')} (open in ui.perfetto.dev or chrome://tracing) and ${join(outDir, 'timeline.svg')}\n`,
  );
  const v = m.invariants();
  out(
    v.length
      ? `INVARIANTS BROKEN:\n${v.map((x) => `  ${x}`).join('\n')}\n`
      : 'invariants: none broken\n',
  );
  return v.length ? 1 : 0;
}
