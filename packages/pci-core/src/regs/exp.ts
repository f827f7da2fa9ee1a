// PCI Express capability registers (include/uapi/linux/pci_regs.h), relative to the capability.

/** Capabilities register (16 bit). */
export const PCI_EXP_FLAGS = 2;
/** Capability version. */
export const PCI_EXP_FLAGS_VERS = 0x000f;
/** Device/Port type. */
export const PCI_EXP_FLAGS_TYPE = 0x00f0;
/** Slot implemented. */
export const PCI_EXP_FLAGS_SLOT = 0x0100;
/** Device/Port type: PCI Express Endpoint. */
export const PCI_EXP_TYPE_ENDPOINT = 0x0;
/** Device/Port type: legacy Endpoint. */
export const PCI_EXP_TYPE_LEG_END = 0x1;
/** Device/Port type: Root Port. */
export const PCI_EXP_TYPE_ROOT_PORT = 0x4;
/** Device/Port type: Upstream Port of a switch. */
export const PCI_EXP_TYPE_UPSTREAM = 0x5;
/** Device/Port type: Downstream Port of a switch. */
export const PCI_EXP_TYPE_DOWNSTREAM = 0x6;
/** Device/Port type: PCIe-to-PCI bridge. */
export const PCI_EXP_TYPE_PCI_BRIDGE = 0x7;
/** Device/Port type: PCI-to-PCIe bridge. */
export const PCI_EXP_TYPE_PCIE_BRIDGE = 0x8;
/** Device/Port type: Root Complex integrated Endpoint. */
export const PCI_EXP_TYPE_RC_END = 0x9;
/** Device/Port type: Root Complex Event Collector. */
export const PCI_EXP_TYPE_RC_EC = 0xa;
/** Device Capabilities (32 bit). */
export const PCI_EXP_DEVCAP = 4;
/** Device Capabilities: Function Level Reset. */
export const PCI_EXP_DEVCAP_FLR = 0x10000000;
/** Device Control (16 bit). */
export const PCI_EXP_DEVCTL = 8;
/** Device Control: Bridge Config Retry / Initiate FLR. */
export const PCI_EXP_DEVCTL_BCR_FLR = 0x8000;
/** Device Status (16 bit). */
export const PCI_EXP_DEVSTA = 10;
/** Device Status: Transactions Pending. */
export const PCI_EXP_DEVSTA_TRPND = 0x0020;
/** Link Capabilities (32 bit). */
export const PCI_EXP_LNKCAP = 12;
/** Link Control (16 bit). */
export const PCI_EXP_LNKCTL = 16;
/** Link Status (16 bit). */
export const PCI_EXP_LNKSTA = 18;
/** Slot Capabilities (32 bit). */
export const PCI_EXP_SLTCAP = 20;
/** Slot Control (16 bit). */
export const PCI_EXP_SLTCTL = 24;
/** Slot Status (16 bit). */
export const PCI_EXP_SLTSTA = 26;
/** Root Control (16 bit). */
export const PCI_EXP_RTCTL = 28;
/** Root Capabilities (16 bit). */
export const PCI_EXP_RTCAP = 30;
/** Root Status (32 bit). */
export const PCI_EXP_RTSTA = 32;
/** Root Status: PME status. */
export const PCI_EXP_RTSTA_PME = 0x00010000;
/** Device Capabilities 2 (32 bit). */
export const PCI_EXP_DEVCAP2 = 36;
/** Device Control 2 (16 bit). */
export const PCI_EXP_DEVCTL2 = 40;
/** Link Control 2 (16 bit). */
export const PCI_EXP_LNKCTL2 = 48;
