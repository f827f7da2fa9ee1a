// The machine's vfio-pci variants: registered in its container under VFIO_PCI_VARIANTS (classes
// or instances), resolved once, and the driver each function binds to at boot — a variant whose
// id table matches it (as a `vfio_pci:` modalias lookup finds one), unless its spec names one.
import type { DependencyContainer } from '@vfio-ts/kernel';
import type { PciMatchable } from '@vfio-ts/pci-core';
import {
  VFIO_PCI_VARIANTS,
  checkVfioPciVariant,
  vfioPciMatchVariant,
  type VfioPciVariant,
} from '@vfio-ts/vfio-pci';
import { NvidiaVfioPciVariant } from '@vfio-ts/variant-nvidia';

/** A variant as createMachine() takes it: a class the container builds, or an instance. */
export type VariantSpec = (new (...args: never[]) => VfioPciVariant) | VfioPciVariant;

/** The variants a machine has unless its options say otherwise: NVIDIA's. */
export const DEFAULT_VARIANTS: readonly VariantSpec[] = Object.freeze([NvidiaVfioPciVariant]);

/** Names taken by the machine's other PCI drivers. */
const TAKEN = new Set(['vfio-pci', 'pcieport']);

/**
 * Registers the variants under VFIO_PCI_VARIANTS and resolves them, in order.
 * @returns the variants, and the problems of any (bad or duplicate name, empty id table)
 */
export function resolveVariants(
  c: DependencyContainer,
  specs: readonly VariantSpec[],
): { variants: VfioPciVariant[]; problems: string[] } {
  if (!specs.length) return { variants: [], problems: [] };
  for (const s of specs) {
    if (typeof s === 'function') c.register(VFIO_PCI_VARIANTS, { useClass: s as never });
    else c.register(VFIO_PCI_VARIANTS, { useValue: s });
  }
  let variants: VfioPciVariant[];
  try {
    variants = c.resolveAll(VFIO_PCI_VARIANTS);
  } catch (e) {
    return { variants: [], problems: [`variants: cannot be built: ${(e as Error).message}`] };
  }
  const taken = new Set(TAKEN);
  const problems: string[] = [];
  variants.forEach((v, i) => {
    for (const p of checkVfioPciVariant(v, taken)) problems.push(`variants[${i}]: ${p}`);
    taken.add(v.name);
  });
  return { variants, problems };
}

/**
 * The driver a function binds to at boot: the one its spec names, else the first variant
 * whose ids match, else vfio-pci.
 */
export function bootDriverFor(
  pdev: PciMatchable,
  named: string | undefined,
  variants: readonly VfioPciVariant[],
): string {
  return named ?? vfioPciMatchVariant(pdev, variants)?.name ?? 'vfio-pci';
}
