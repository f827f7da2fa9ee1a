// MSI and MSI-X capability registers (include/uapi/linux/pci_regs.h), relative to the capability.

/** MSI Message Control (16 bit). */
export const PCI_MSI_FLAGS = 2;
/** MSI enable. */
export const PCI_MSI_FLAGS_ENABLE = 0x0001;
/** Multiple Message Capable. */
export const PCI_MSI_FLAGS_QMASK = 0x000e;
/** Multiple Message Enable. */
export const PCI_MSI_FLAGS_QSIZE = 0x0070;
/** 64-bit message addresses. */
export const PCI_MSI_FLAGS_64BIT = 0x0080;
/** Per-vector masking. */
export const PCI_MSI_FLAGS_MASKBIT = 0x0100;
/** Message Address, low dword. */
export const PCI_MSI_ADDRESS_LO = 4;
/** Message Address, high dword (64-bit devices). */
export const PCI_MSI_ADDRESS_HI = 8;
/** Message Data (32-bit devices). */
export const PCI_MSI_DATA_32 = 8;
/** Mask bits (32-bit devices). */
export const PCI_MSI_MASK_32 = 12;
/** Message Data (64-bit devices). */
export const PCI_MSI_DATA_64 = 12;
/** Mask bits (64-bit devices). */
export const PCI_MSI_MASK_64 = 16;

/** MSI-X Message Control (16 bit). */
export const PCI_MSIX_FLAGS = 2;
/** Table size minus one. */
export const PCI_MSIX_FLAGS_QSIZE = 0x07ff;
/** Function mask. */
export const PCI_MSIX_FLAGS_MASKALL = 0x4000;
/** MSI-X enable. */
export const PCI_MSIX_FLAGS_ENABLE = 0x8000;
/** Table offset and BIR (32 bit). */
export const PCI_MSIX_TABLE = 4;
/** BAR indicator of the table. */
export const PCI_MSIX_TABLE_BIR = 0x00000007;
/** Offset of the table in its BAR. */
export const PCI_MSIX_TABLE_OFFSET = 0xfffffff8;
/** PBA offset and BIR (32 bit). */
export const PCI_MSIX_PBA = 8;
/** BAR indicator of the PBA. */
export const PCI_MSIX_PBA_BIR = 0x00000007;
/** Offset of the PBA in its BAR. */
export const PCI_MSIX_PBA_OFFSET = 0xfffffff8;
/** Size of one MSI-X table entry. */
export const PCI_MSIX_ENTRY_SIZE = 16;
/** Vector Control dword of a table entry. */
export const PCI_MSIX_ENTRY_VECTOR_CTRL = 12;
/** Vector Control: masked. */
export const PCI_MSIX_ENTRY_CTRL_MASKBIT = 0x00000001;
