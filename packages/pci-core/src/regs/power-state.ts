// pci_power_t (include/linux/pci.h) and pci_power_name() (drivers/pci/pci.c); KERNEL.md B.1.

/** A PCI device power state as the kernel encodes it (`pci_power_t`). */
export type PciPowerState = -1 | 0 | 1 | 2 | 3 | 4 | 5;
/** Full power. */
export const PCI_D0 = 0;
/** Light sleep (optional, PMC D1 bit). */
export const PCI_D1 = 1;
/** Deeper sleep (optional, PMC D2 bit). */
export const PCI_D2 = 2;
/** Software-visible off: config space answers, nothing else does. */
export const PCI_D3hot = 3;
/** Power removed: config space reads all ones. Not encodable in PMCSR. */
export const PCI_D3cold = 4;
/** State not known. */
export const PCI_UNKNOWN = 5;
/** Error from a state-choosing function. */
export const PCI_POWER_ERROR = -1;

const NAMES = ['error', 'D0', 'D1', 'D2', 'D3hot', 'D3cold', 'unknown'] as const;

/**
 * The kernel's name of a power state, as sysfs `power_state` shows it.
 * @param state a `pci_power_t` value
 * @returns `'D0'` … `'D3cold'`, `'unknown'`, or `'error'` (also for values out of range)
 */
export function pciPowerName(state: number): string {
  return NAMES[state + 1] ?? 'error';
}
