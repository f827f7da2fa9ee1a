// A PCIe root port with a PM capability, for platforms that can cut power below it (D3cold).
import { PCI_CAP_ID_PM } from '../regs/caps.js';
import { PCI_PM_CAP_PME_D0, PCI_PM_CAP_PME_D3cold, PCI_PM_CAP_PME_D3hot } from '../regs/pm.js';
import { loaded } from '../loaders/result.js';
import { type PciFunctionModel } from './model.js';
import {
  QEMU_ROOT_PORT_BARS,
  QEMU_ROOT_PORT_MASKS,
  qemuRootPortImage,
} from './qemu-pcie-root-port.js';

/** Offset of the added PM capability: the first free dword after the PCIe capability. */
export const ROOT_PORT_PM_CAP = 0x90;
/** The SSVID capability, last in QEMU's chain; its next pointer now leads to PM. */
const SSVID_CAP = 0x40;
/** PM 1.2 (version 3), no D1/D2, PME from D0, D3hot and D3cold, as typical root ports have. */
export const ROOT_PORT_PM_PMC =
  0x0003 | PCI_PM_CAP_PME_D0 | PCI_PM_CAP_PME_D3hot | PCI_PM_CAP_PME_D3cold;

function image(): Uint8Array {
  const img = qemuRootPortImage();
  const view = new DataView(img.buffer);
  img[SSVID_CAP + 1] = ROOT_PORT_PM_CAP;
  img[ROOT_PORT_PM_CAP] = PCI_CAP_ID_PM;
  img[ROOT_PORT_PM_CAP + 1] = 0;
  view.setUint16(ROOT_PORT_PM_CAP + 2, ROOT_PORT_PM_PMC, true);
  view.setUint16(ROOT_PORT_PM_CAP + 4, 0x0000, true); // D0, NoSoftRst-
  return img;
}

/**
 * The QEMU root port with a PM capability appended (PCIe 0x54 → MSI-X 0x48 → SSVID 0x40 →
 * PM 0x90; PMC 0xc803, PMCSR 0x0000): it can go to D3hot, and a platform with power resources
 * can take it (and everything below it) to D3cold.
 */
export const pcieRootPortPmModel: PciFunctionModel = {
  name: 'pcie-root-port-pm',
  vendorDevice: '1b36:000c',
  description: 'QEMU pcie-root-port with a PM capability added (PME from D0/D3hot/D3cold)',
  image: () => loaded(image()),
  options: { bars: QEMU_ROOT_PORT_BARS, masks: QEMU_ROOT_PORT_MASKS },
};
