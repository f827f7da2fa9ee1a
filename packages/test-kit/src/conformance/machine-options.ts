// The createMachine() options a conformance file's `machine` block stands for (FORMAT.md §7):
// the keys createMachine() knows are passed on, the platform facts are left to the models.
import type { ConformanceMachine } from './format.js';
import type { MachineOptions } from '../machine/options.js';

/** Translates a `machine` block into createMachine() options; unknown keys are ignored. */
export function conformanceMachineOptions(m: ConformanceMachine): MachineOptions {
  const runtimePm = (v: unknown) => (v === 'forbidden' || v === 'allowed' ? v : undefined);
  const flags = m.vfioPci ?? {};
  return {
    seed: typeof m.seed === 'number' ? m.seed : 1,
    rootPorts: m.rootPorts.map((p) => ({
      name: p.name,
      ...(typeof p.bdf === 'string' ? { bdf: p.bdf } : {}),
      d3cold: p.d3cold === true,
      pr3: p.pr3 === true,
      pmCap: p['pmCap'] === true,
      ...(runtimePm(p['runtimePm']) ? { runtimePm: runtimePm(p['runtimePm'])! } : {}),
      ...(typeof p['hotplug'] === 'boolean' ? { hotplug: p['hotplug'] } : {}),
    })),
    devices: m.devices.map((d) => ({
      bdf: d.bdf,
      rootPort: d.rootPort,
      config: d.config,
      driver: d['driver'] === null ? null : ('vfio-pci' as const),
    })),
    vfioPci: {
      disable_idle_d3: flags['disable_idle_d3'] === true,
      nointxmask: flags['nointxmask'] === true,
      disable_denylist: flags['disable_denylist'] === true,
    },
  };
}
