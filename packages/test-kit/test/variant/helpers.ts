// Shared set-up for the variant plug-in API tests (issue 10): small test variants, machines
// with variants, and which driver a function is bound to.
import type {
  DeviceSpec,
  Machine,
  MachineOptions,
  VariantConformanceCaseName,
  VariantConformanceReport,
  VariantSpec,
} from '@vfio-ts/test-kit';
import type { VfioPciVariant } from '@vfio-ts/vfio-pci';
import { BDF } from '../pm/helpers.js';

/** The e1000e model's ids (DESIGN.md): Intel 82574L, Ethernet controller. */
export const E1000E = Object.freeze({ vendor: 0x8086, device: 0x10d3, classCode: 0x020000 });

/** A variant with nothing but a name and an id table (the e1000e's unless told). */
export function plainVariant(
  name = 'test-vfio-pci',
  extra: Partial<VfioPciVariant> = {},
): VfioPciVariant {
  return { name, idTable: [{ vendor: E1000E.vendor, device: E1000E.device }], ...extra };
}

/** One e1000e below a D3cold-capable root port, driven by `variants`. */
export function withVariants(
  variants: readonly VariantSpec[],
  device: Partial<DeviceSpec> = {},
): MachineOptions {
  return {
    rootPorts: [{ name: 'rp0', d3cold: true }],
    devices: [{ bdf: BDF, rootPort: 'rp0', config: 'e1000e', ...device }],
    variants,
  };
}

/** The name of the driver bound to a function, or null. */
export function driverOf(m: Machine, bdf = BDF): string | null {
  return m.topology.lookup(bdf)?.driver?.name ?? null;
}

/** The names of a conformance report's failed cases. */
export const failed = (r: VariantConformanceReport): string[] =>
  r.results.filter((x) => !x.passed).map((x) => x.name);

/** The message of one case of a conformance report. */
export const messageOf = (r: VariantConformanceReport, name: VariantConformanceCaseName) =>
  r.results.find((x) => x.name === name)?.message;
