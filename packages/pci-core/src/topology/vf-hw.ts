// The hardware of a VF when the test gives none: a PCIe endpoint with the PF's identity.
import { PCI_CAP_ID_EXP } from '../regs/caps.js';
import { PCI_EXP_FLAGS } from '../regs/exp.js';
import * as H from '../regs/header.js';
import { createFunctionHw } from '../loaders/build.js';
import type { PciFunctionHw } from '../hw/function-hw.js';
import type { PciDev } from '../pci/pci-dev.js';

/** Offset of the PCI Express capability in a default VF. */
const VF_EXP_CAP = 0x40;

/**
 * A VF's config space: vendor of the PF, device = the PF's VF Device ID, class of the PF, a
 * PCI Express capability (endpoint), no PM capability, no BARs.
 */
export function defaultVfHw(pf: PciDev, index: number): PciFunctionHw {
  const img = new Uint8Array(H.PCI_CFG_SPACE_EXP_SIZE);
  const v = new DataView(img.buffer);
  v.setUint16(H.PCI_VENDOR_ID, pf.vendor, true);
  v.setUint16(H.PCI_DEVICE_ID, pf.sriov?.vfDevice ?? pf.device, true);
  v.setUint32(H.PCI_CLASS_REVISION, ((pf.classCode << 8) | pf.revision) >>> 0, true);
  v.setUint16(H.PCI_STATUS, H.PCI_STATUS_CAP_LIST, true);
  img[H.PCI_CAPABILITY_LIST] = VF_EXP_CAP;
  img[VF_EXP_CAP] = PCI_CAP_ID_EXP;
  v.setUint16(VF_EXP_CAP + PCI_EXP_FLAGS, 0x0002, true);
  const hw = createFunctionHw(img, { name: `${pf.bdf}-vf${index}` });
  if (!hw.ok) throw new Error(`defaultVfHw: ${hw.error}`);
  return hw.value;
}
