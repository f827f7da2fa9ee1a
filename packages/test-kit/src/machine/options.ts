// createMachine() options (DESIGN.md "The user-process façade") and their validation.
import type { Kernel, SchedulePolicy } from '@vfio-ts/kernel';
import type { VariantSpec } from './variants.js';

/** A root port and what the platform can do below it. */
export interface RootPortSpec {
  /** Name devices refer to, e.g. `rp0`. */
  name: string;
  /** Its address. @default `0000:00:0N.0`, N = 1 + its index */
  bdf?: string;
  /** The platform can cut power below it (`_PR0`/`_PR3` for the functions below). @default false */
  d3cold?: boolean;
  /** The port's own firmware node has `_PR3`. @default same as `d3cold` */
  pr3?: boolean;
  /** The port has a PCI PM capability (model `pcie-root-port-pm`, else QEMU's `pcie-root-port`). @default same as `d3cold` */
  pmCap?: boolean;
  /** The port's runtime PM policy (power/control): `forbidden` = on, `allowed` = auto. @default as its driver leaves it */
  runtimePm?: 'forbidden' | 'allowed';
  /** Hotplug-capable slot. @default from the model */
  hotplug?: boolean;
}

/** An endpoint function. */
export interface DeviceSpec {
  /** Its address, e.g. `0000:01:00.0`. */
  bdf: string;
  /** The root port above it, by name. */
  rootPort: string;
  /** A built-in model name (`e1000e`, `nvidia-h100`), a dump path (lspci text or binary `config`), or the bytes. */
  config: string | Uint8Array;
  /**
   * The driver bound at boot through driver_override: `vfio-pci`, a variant's name, or no
   * driver (`null`). @default the first variant whose id table matches, else `vfio-pci`
   */
  driver?: string | null;
}

/** vfio-pci module parameters. */
export interface VfioPciModuleOptions {
  disable_idle_d3?: boolean;
  nointxmask?: boolean;
  enable_sriov?: boolean;
  disable_denylist?: boolean;
}

/** Everything createMachine() takes. */
export interface MachineOptions {
  /** Seed of the scheduler's random choices. @default 1 */
  seed?: number;
  /** An explicit schedule policy (exploration, replay); wins over `seed`. */
  policy?: SchedulePolicy;
  /** Build on an existing kernel (exploration gives one per schedule). */
  kernel?: Kernel;
  rootPorts?: RootPortSpec[];
  devices?: DeviceSpec[];
  /**
   * vfio-pci variants, registered in the machine's container under VFIO_PCI_VARIANTS: classes
   * (built by the container) or instances, matched in this order. @default DEFAULT_VARIANTS
   */
  variants?: readonly VariantSpec[];
  /** vfio-pci module parameters (also accepted as `disable_idle_d3`/`nointxmask` at top level). */
  vfioPci?: VfioPciModuleOptions;
  disable_idle_d3?: boolean;
  nointxmask?: boolean;
  /** Check the invariants after every scheduler step and record violations. @default true */
  invariants?: boolean;
  /** Stop the run (the façade call rejects) at the first violation: for exploration. @default false */
  stopOnViolation?: boolean;
  /** Record trace events in a ring buffer (`m.trace`). @default true */
  trace?: boolean;
}

const BDF = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]$/;

/** @returns the problems of a set of options, each naming the field; empty when fine */
export function checkMachineOptions(o: MachineOptions): string[] {
  const problems: string[] = [];
  const ports = o.rootPorts ?? [];
  const names = new Set<string>();
  const bdfs = new Set<string>();
  ports.forEach((p, i) => {
    if (!p || typeof p.name !== 'string' || !p.name)
      problems.push(`rootPorts[${i}].name: required`);
    else if (names.has(p.name)) problems.push(`rootPorts[${i}].name: duplicate "${p.name}"`);
    else names.add(p.name);
    if (p?.bdf !== undefined && !BDF.test(p.bdf))
      problems.push(`rootPorts[${i}].bdf: "${p.bdf}" is not dddd:bb:dd.f`);
    if (p?.bdf) bdfs.add(p.bdf);
  });
  (o.devices ?? []).forEach((d, i) => {
    if (!d || typeof d.bdf !== 'string' || !BDF.test(d.bdf))
      problems.push(`devices[${i}].bdf: "${String(d?.bdf)}" is not dddd:bb:dd.f`);
    else if (bdfs.has(d.bdf)) problems.push(`devices[${i}].bdf: duplicate ${d.bdf}`);
    else bdfs.add(d.bdf);
    if (!d || !names.has(d.rootPort))
      problems.push(`devices[${i}].rootPort: no root port named "${String(d?.rootPort)}"`);
    if (!d || !(typeof d.config === 'string' || d.config instanceof Uint8Array))
      problems.push(`devices[${i}].config: a model name, a dump path or bytes`);
    if (d && d.driver !== undefined && d.driver !== null && typeof d.driver !== 'string')
      problems.push(`devices[${i}].driver: a driver name or null`);
  });
  return problems;
}

/** createMachine() was given options it cannot build. */
export class MachineOptionsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`createMachine: ${problems.join('; ')}`);
    this.name = 'MachineOptionsError';
  }
}
