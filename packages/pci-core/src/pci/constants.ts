// Constants of the PCI core (include/linux/pci.h, drivers/pci/pci.h, pci.c; KERNEL.md B.1).
import { NSEC_PER_MSEC, NSEC_PER_USEC } from '@vfio-ts/kernel';

/** D2 entry/exit delay (PCI_PM_D2_DELAY), in ns: 200 µs. */
export const PCI_PM_D2_DELAY_NS = 200 * NSEC_PER_USEC;
/** Default `d3hot_delay` in ms (PCI_PM_D3HOT_WAIT). */
export const PCI_PM_D3HOT_WAIT = 10;
/** Default `d3cold_delay` in ms (PCI_PM_D3COLD_WAIT). */
export const PCI_PM_D3COLD_WAIT = 100;
/** After this many ms, "not ready" is logged while waiting for a device (PCI_RESET_WAIT). */
export const PCI_RESET_WAIT = 1000;
/** Give-up time in ms when polling for a device to answer (PCIE_RESET_READY_POLL_MS). */
export const PCIE_RESET_READY_POLL_MS = 60000;
/** PME polling period in ns (PME_TIMEOUT, 1000 ms). */
export const PME_TIMEOUT_NS = 1000 * NSEC_PER_MSEC;

/** pci_read_config_* return codes (PCIBIOS_*), positive as in the kernel. */
export const PCIBIOS_SUCCESSFUL = 0x00;
export const PCIBIOS_FUNC_NOT_SUPPORTED = 0x81;
export const PCIBIOS_BAD_VENDOR_ID = 0x83;
export const PCIBIOS_DEVICE_NOT_FOUND = 0x86;
export const PCIBIOS_BAD_REGISTER_NUMBER = 0x87;
export const PCIBIOS_SET_FAILED = 0x88;
export const PCIBIOS_BUFFER_TOO_SMALL = 0x89;

/** pci_dev->dev_flags: never put the device in D3 (PCI_DEV_FLAGS_NO_D3). */
export const PCI_DEV_FLAGS_NO_D3 = 1 << 1;
/** pci_dev->dev_flags: no bus reset (PCI_DEV_FLAGS_NO_BUS_RESET). */
export const PCI_DEV_FLAGS_NO_BUS_RESET = 1 << 6;
/** pci_dev->dev_flags: no PM reset (PCI_DEV_FLAGS_NO_PM_RESET). */
export const PCI_DEV_FLAGS_NO_PM_RESET = 1 << 7;
/** pci_dev->dev_flags: no FLR (PCI_DEV_FLAGS_NO_FLR_RESET). */
export const PCI_DEV_FLAGS_NO_FLR_RESET = 1 << 10;

/** Reset methods by index into pci_reset_fn_methods[] (0 ends the list). */
export const PCI_RESET_METHOD_NAMES = [
  '',
  'device_specific',
  'acpi',
  'flr',
  'af_flr',
  'pm',
  'bus',
] as const;
/** Number of entries of pci_reset_fn_methods[] (PCI_NUM_RESET_METHODS). */
export const PCI_NUM_RESET_METHODS = PCI_RESET_METHOD_NAMES.length;
/** A reset method's name as sysfs `reset_method` shows it. */
export type PciResetMethodName = Exclude<(typeof PCI_RESET_METHOD_NAMES)[number], ''>;

/** `pci_channel_state_t`: the error state of a device. */
export type PciChannelState = 'normal' | 'frozen' | 'perm_failure';

/** PCI_ANY_ID: matches any value in a {@link PciDeviceId}. */
export const PCI_ANY_ID = 0xffffffff;
