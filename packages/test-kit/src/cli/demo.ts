// `vfio-ts demo` (npm start): a VM with an H100 and an e1000e, each below a root port whose
// platform can cut power. The guest goes idle; its runtime PM writes D3hot to PMCSR and its
// ACPI turns the virtual power resources off, which the VMM maps to LOW_POWER_ENTRY_WITH_WAKEUP:
// both devices reach D3cold. A host `lspci` wakes the GPU; its wake-up eventfd becomes a virtual
// PME, the guest resumes the GPU (restoring its video memory) and, idle again, re-arms. Prints
// the run and the energy estimate; writes a Perfetto trace and an SVG timeline.
import { join } from 'node:path';
import { formatRun } from '../scenario/report.js';
import { runScenario } from '../scenario/run.js';
import { validateScenario } from '../scenario/validate.js';
import { writeRunFiles } from './scenario.js';

const GPU = '0000:01:00.0';
const NIC = '0000:02:00.0';

/** The demo as a scenario file would say it (times in ms). */
export const DEMO_SCENARIO = {
  name: 'vfio-ts demo: a VM with an H100 and an e1000e, D3cold through virtual ACPI',
  description:
    'The guest idles both devices: PMCSR D3hot, then _OFF → LOW_POWER_ENTRY_WITH_WAKEUP.\n' +
    'A host lspci wakes the GPU; the VMM turns its wake-up eventfd into a virtual PME,\n' +
    'the guest resumes the GPU, restores its video memory and, idle again, re-arms.',
  machine: {
    rootPorts: [
      { name: 'rp0', d3cold: true },
      { name: 'rp1', d3cold: true },
    ],
    devices: [
      { bdf: GPU, rootPort: 'rp0', config: 'nvidia-h100' },
      { bdf: NIC, rootPort: 'rp1', config: 'e1000e' },
    ],
  },
  guest: { acpi: { pr3: true, wakeup: true }, autosuspendMs: 100 },
  steps: [
    { do: 'guest-vram', device: GPU, mib: 64 },
    { at: 100, do: 'guest-idle' },
    { at: 600, do: 'lspci', device: GPU },
    { at: 1100, do: 'vm-stop' },
    { do: 'wait', for: 200 },
  ],
  expect: {
    wake_notifications: { [GPU]: 1, [NIC]: 0 },
    power_state: { [GPU]: 'D3cold', [NIC]: 'D3cold' },
    invariants: 'none',
  },
};

/** Runs the demo; @returns 0, or 1 when an expectation or invariant broke */
export async function demo(outDir: string, out: (s: string) => void): Promise<number> {
  const v = validateScenario(DEMO_SCENARIO);
  if (!v.ok) throw new Error(`demo scenario: ${v.errors.join('; ')}`);
  const run = await runScenario(v.scenario);
  if (typeof run === 'string') throw new Error(run);
  out(formatRun(run));
  out(
    writeRunFiles(run, {
      trace: join(outDir, 'trace.json'),
      svg: join(outDir, 'timeline.svg'),
    }),
  );
  return run.ok ? 0 : 1;
}
