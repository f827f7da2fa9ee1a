// Capability list layout and IDs (include/uapi/linux/pci_regs.h; TTL from drivers/pci/pci.c).

/** Capability ID byte, relative to the capability. */
export const PCI_CAP_LIST_ID = 0;
/** Next-capability pointer byte, relative to the capability. */
export const PCI_CAP_LIST_NEXT = 1;
/** Capability-defined flags (16 bit), relative to the capability. */
export const PCI_CAP_FLAGS = 2;
/** Size of the generic capability header. */
export const PCI_CAP_SIZEOF = 4;
/** Maximum hops the kernel follows in the standard list (`PCI_FIND_CAP_TTL`). */
export const PCI_FIND_CAP_TTL = 48;

/** Power Management. */
export const PCI_CAP_ID_PM = 0x01;
/** Accelerated Graphics Port. */
export const PCI_CAP_ID_AGP = 0x02;
/** Vital Product Data. */
export const PCI_CAP_ID_VPD = 0x03;
/** Slot Identification. */
export const PCI_CAP_ID_SLOTID = 0x04;
/** Message Signalled Interrupts. */
export const PCI_CAP_ID_MSI = 0x05;
/** CompactPCI HotSwap. */
export const PCI_CAP_ID_CHSWP = 0x06;
/** PCI-X. */
export const PCI_CAP_ID_PCIX = 0x07;
/** HyperTransport. */
export const PCI_CAP_ID_HT = 0x08;
/** Vendor-specific. */
export const PCI_CAP_ID_VNDR = 0x09;
/** Debug port. */
export const PCI_CAP_ID_DBG = 0x0a;
/** CompactPCI Central Resource Control. */
export const PCI_CAP_ID_CCRC = 0x0b;
/** PCI Standard Hot-Plug Controller. */
export const PCI_CAP_ID_SHPC = 0x0c;
/** Bridge subsystem vendor/device ID. */
export const PCI_CAP_ID_SSVID = 0x0d;
/** AGP Target PCI-PCI bridge. */
export const PCI_CAP_ID_AGP3 = 0x0e;
/** Secure Device. */
export const PCI_CAP_ID_SECDEV = 0x0f;
/** PCI Express. */
export const PCI_CAP_ID_EXP = 0x10;
/** MSI-X. */
export const PCI_CAP_ID_MSIX = 0x11;
/** SATA Data/Index Configuration. */
export const PCI_CAP_ID_SATA = 0x12;
/** PCI Advanced Features. */
export const PCI_CAP_ID_AF = 0x13;
/** PCI Enhanced Allocation. */
export const PCI_CAP_ID_EA = 0x14;
/** Highest standard capability ID the kernel names. */
export const PCI_CAP_ID_MAX = PCI_CAP_ID_EA;

/** SSVID capability: subsystem vendor ID (16 bit). */
export const PCI_SSVID_VENDOR_ID = 4;
/** SSVID capability: subsystem ID (16 bit). */
export const PCI_SSVID_DEVICE_ID = 6;

/** ID field of an extended capability header (`PCI_EXT_CAP_ID`). */
export function PCI_EXT_CAP_ID(header: number): number {
  return header & 0x0000ffff;
}
/** Version field of an extended capability header (`PCI_EXT_CAP_VER`). */
export function PCI_EXT_CAP_VER(header: number): number {
  return (header >>> 16) & 0xf;
}
/** Next pointer of an extended capability header (`PCI_EXT_CAP_NEXT`). */
export function PCI_EXT_CAP_NEXT(header: number): number {
  return (header >>> 20) & 0xffc;
}

/** Advanced Error Reporting. */
export const PCI_EXT_CAP_ID_ERR = 0x01;
/** Virtual Channel. */
export const PCI_EXT_CAP_ID_VC = 0x02;
/** Device Serial Number. */
export const PCI_EXT_CAP_ID_DSN = 0x03;
/** Power Budgeting. */
export const PCI_EXT_CAP_ID_PWR = 0x04;
/** Root Complex Link Declaration. */
export const PCI_EXT_CAP_ID_RCLD = 0x05;
/** Root Complex Internal Link Control. */
export const PCI_EXT_CAP_ID_RCILC = 0x06;
/** Root Complex Event Collector. */
export const PCI_EXT_CAP_ID_RCEC = 0x07;
/** Multi-Function VC Capability. */
export const PCI_EXT_CAP_ID_MFVC = 0x08;
/** Virtual Channel (second form). */
export const PCI_EXT_CAP_ID_VC9 = 0x09;
/** Root Complex Register Block. */
export const PCI_EXT_CAP_ID_RCRB = 0x0a;
/** Vendor-Specific. */
export const PCI_EXT_CAP_ID_VNDR = 0x0b;
/** Config Access (obsolete). */
export const PCI_EXT_CAP_ID_CAC = 0x0c;
/** Access Control Services. */
export const PCI_EXT_CAP_ID_ACS = 0x0d;
/** ACS Capability and Control registers (PCI_ACS_CAP, PCI_ACS_CTRL), from the capability. */
export const PCI_ACS_CAP = 0x04;
export const PCI_ACS_CTRL = 0x06;
/** Source Validation, Translation Blocking, P2P Request/Completion Redirect, Upstream Forwarding. */
export const PCI_ACS_SV = 0x0001;
export const PCI_ACS_TB = 0x0002;
export const PCI_ACS_RR = 0x0004;
export const PCI_ACS_CR = 0x0008;
export const PCI_ACS_UF = 0x0010;
/** Alternate Routing-ID Interpretation. */
export const PCI_EXT_CAP_ID_ARI = 0x0e;
/** Address Translation Services. */
export const PCI_EXT_CAP_ID_ATS = 0x0f;
/** Single Root I/O Virtualization. */
export const PCI_EXT_CAP_ID_SRIOV = 0x10;
/** Multi Root I/O Virtualization. */
export const PCI_EXT_CAP_ID_MRIOV = 0x11;
/** Multicast. */
export const PCI_EXT_CAP_ID_MCAST = 0x12;
/** Page Request Interface. */
export const PCI_EXT_CAP_ID_PRI = 0x13;
/** Reserved for AMD. */
export const PCI_EXT_CAP_ID_AMD_XXX = 0x14;
/** Resizable BAR. */
export const PCI_EXT_CAP_ID_REBAR = 0x15;
/** Dynamic Power Allocation. */
export const PCI_EXT_CAP_ID_DPA = 0x16;
/** TPH Requester. */
export const PCI_EXT_CAP_ID_TPH = 0x17;
/** Latency Tolerance Reporting. */
export const PCI_EXT_CAP_ID_LTR = 0x18;
/** Secondary PCIe Capability. */
export const PCI_EXT_CAP_ID_SECPCI = 0x19;
/** Protocol Multiplexing. */
export const PCI_EXT_CAP_ID_PMUX = 0x1a;
/** Process Address Space ID. */
export const PCI_EXT_CAP_ID_PASID = 0x1b;
/** Downstream Port Containment. */
export const PCI_EXT_CAP_ID_DPC = 0x1d;
/** L1 PM Substates. */
export const PCI_EXT_CAP_ID_L1SS = 0x1e;
/** Precision Time Measurement. */
export const PCI_EXT_CAP_ID_PTM = 0x1f;
/** Designated Vendor-Specific. */
export const PCI_EXT_CAP_ID_DVSEC = 0x23;
/** Data Link Feature. */
export const PCI_EXT_CAP_ID_DLF = 0x25;
/** Physical Layer 16.0 GT/s. */
export const PCI_EXT_CAP_ID_PL_16GT = 0x26;
/** Physical Layer 32.0 GT/s. */
export const PCI_EXT_CAP_ID_PL_32GT = 0x2a;
/** Data Object Exchange. */
export const PCI_EXT_CAP_ID_DOE = 0x2e;
/** Highest extended capability ID the kernel names. */
export const PCI_EXT_CAP_ID_MAX = PCI_EXT_CAP_ID_DOE;
/** Device Serial Number capability size. */
export const PCI_EXT_CAP_DSN_SIZEOF = 12;
