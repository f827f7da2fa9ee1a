// AER and SR-IOV extended capability registers (include/uapi/linux/pci_regs.h), relative to
// the capability.

/** AER: Uncorrectable Error Status. */
export const PCI_ERR_UNCOR_STATUS = 0x04;
/** AER: Uncorrectable Error Mask. */
export const PCI_ERR_UNCOR_MASK = 0x08;
/** AER: Uncorrectable Error Severity. */
export const PCI_ERR_UNCOR_SEVER = 0x0c;
/** AER: Correctable Error Status. */
export const PCI_ERR_COR_STATUS = 0x10;
/** AER: Correctable Error Mask. */
export const PCI_ERR_COR_MASK = 0x14;
/** AER: Capabilities and Control. */
export const PCI_ERR_CAP = 0x18;
/** AER: Root Error Command. */
export const PCI_ERR_ROOT_COMMAND = 0x2c;
/** AER: Root Error Status. */
export const PCI_ERR_ROOT_STATUS = 0x30;

/** SR-IOV Capabilities (32 bit). */
export const PCI_SRIOV_CAP = 0x04;
/** SR-IOV: VF Migration Capable. */
export const PCI_SRIOV_CAP_VFM = 0x00000001;
/** SR-IOV Control (16 bit). */
export const PCI_SRIOV_CTRL = 0x08;
/** SR-IOV Control: VF Enable. */
export const PCI_SRIOV_CTRL_VFE = 0x0001;
/** SR-IOV Control: VF Memory Space Enable. */
export const PCI_SRIOV_CTRL_MSE = 0x0008;
/** SR-IOV Control: ARI Capable Hierarchy. */
export const PCI_SRIOV_CTRL_ARI = 0x0010;
/** InitialVFs (16 bit). */
export const PCI_SRIOV_INITIAL_VF = 0x0c;
/** TotalVFs (16 bit). */
export const PCI_SRIOV_TOTAL_VF = 0x0e;
/** NumVFs (16 bit). */
export const PCI_SRIOV_NUM_VF = 0x10;
/** First VF Offset (16 bit). */
export const PCI_SRIOV_VF_OFFSET = 0x14;
/** VF Stride (16 bit). */
export const PCI_SRIOV_VF_STRIDE = 0x16;
/** VF Device ID (16 bit). */
export const PCI_SRIOV_VF_DID = 0x1a;
