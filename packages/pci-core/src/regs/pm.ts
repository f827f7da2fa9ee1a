// PCI Power Management capability (include/uapi/linux/pci_regs.h; KERNEL.md E.7), offsets
// relative to the capability.

/** PMC register (16 bit). */
export const PCI_PM_PMC = 2;
/** PMC: version of the PCI PM spec. */
export const PCI_PM_CAP_VER_MASK = 0x0007;
/** PMC: PME clock required. */
export const PCI_PM_CAP_PME_CLOCK = 0x0008;
/** PMC: reserved bit. */
export const PCI_PM_CAP_RESERVED = 0x0010;
/** PMC: device-specific initialization. */
export const PCI_PM_CAP_DSI = 0x0020;
/** PMC: auxiliary power current. */
export const PCI_PM_CAP_AUX_POWER = 0x01c0;
/** PMC: D1 supported. */
export const PCI_PM_CAP_D1 = 0x0200;
/** PMC: D2 supported. */
export const PCI_PM_CAP_D2 = 0x0400;
/** PMC: PME from D0 (`PCI_PM_CAP_PME` is the same bit). */
export const PCI_PM_CAP_PME = 0x0800;
/** PMC: PME from D0. */
export const PCI_PM_CAP_PME_D0 = 0x0800;
/** PMC: PME from D1. */
export const PCI_PM_CAP_PME_D1 = 0x1000;
/** PMC: PME from D2. */
export const PCI_PM_CAP_PME_D2 = 0x2000;
/** PMC: PME from D3hot. */
export const PCI_PM_CAP_PME_D3hot = 0x4000;
/** PMC: PME from D3cold. */
export const PCI_PM_CAP_PME_D3cold = 0x8000;
/** PMC: the PME_Support field. */
export const PCI_PM_CAP_PME_MASK = 0xf800;
/** PMC: shift of the PME_Support field. */
export const PCI_PM_CAP_PME_SHIFT = 11;

/** PMCSR register (16 bit). */
export const PCI_PM_CTRL = 4;
/** PMCSR: PowerState field (0 = D0 … 3 = D3hot). */
export const PCI_PM_CTRL_STATE_MASK = 0x0003;
/** PMCSR: No_Soft_Reset — configuration kept across D3hot→D0. */
export const PCI_PM_CTRL_NO_SOFT_RESET = 0x0008;
/** PMCSR: PME_En. */
export const PCI_PM_CTRL_PME_ENABLE = 0x0100;
/** PMCSR: Data_Select. */
export const PCI_PM_CTRL_DATA_SEL_MASK = 0x1e00;
/** PMCSR: Data_Scale. */
export const PCI_PM_CTRL_DATA_SCALE_MASK = 0x6000;
/** PMCSR: PME_Status (write 1 to clear). */
export const PCI_PM_CTRL_PME_STATUS = 0x8000;
/** PMCSR_BSE bridge extensions (8 bit). */
export const PCI_PM_PPB_EXTENSIONS = 6;
/** PMCSR_BSE: B2/B3 support. */
export const PCI_PM_PPB_B2_B3 = 0x40;
/** PMCSR_BSE: bus power/clock control enable. */
export const PCI_PM_BPCC_ENABLE = 0x80;
/** Data register (8 bit). */
export const PCI_PM_DATA_REGISTER = 7;
/** Length of the PM capability. */
export const PCI_PM_SIZEOF = 8;
