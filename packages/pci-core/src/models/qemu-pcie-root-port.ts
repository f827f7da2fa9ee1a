// QEMU 7.2's generic PCIe root port (1b36:000c), from the conformance recording's boot dump and
// hw/pci-bridge/{pcie_root_port,gen_pcie_root_port}.c.
import { PCI_ACS_CTRL, PCI_EXT_CAP_ID_ACS, PCI_EXT_CAP_ID_ERR } from '../regs/caps.js';
import { loaded } from '../loaders/result.js';
import type { BarOptions, MaskOverride } from '../hw/types.js';
import { bytesFromHex, extendedImage, putExtCapHeader, type PciFunctionModel } from './model.js';

/**
 * `source.configAtBoot.rootPort` of conformance/linux-6.1.192-e1000e.json: 256 bytes read through
 * sysfs at boot, pcieport driver bound (it stays bound).
 */
export const QEMU_ROOT_PORT_CONFIG_AT_BOOT = bytesFromHex(
  '361b0c00070510000000040600000100000080fe0000000000010100c0c00000' +
    '60fe70fea1feb1fe00000000000000000000000054000000000000000a010200' +
    '0d000000361b000011400080000000000008000010484201008000000f000000' +
    '04063000000011007b000a00c001000000000000000000002000300000000000' +
    '1e00000004000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000000000000000000000000000000000000',
);

/** Offset of the AER capability (GEN_PCIE_ROOT_PORT_AER_OFFSET). */
const AER_CAP = 0x100;
/** Offset of the ACS capability (AER offset + PCI_ERR_SIZEOF). */
const ACS_CAP = 0x148;
/** ACS capability bits of a root port in pcie_acs_init(): SV, TB, RR, CR, UF. */
const ACS_CAP_BITS = 0x001f;

/** The root port's 4 KiB image: the boot dump plus its extended capabilities. */
export function qemuRootPortImage(): Uint8Array {
  const img = extendedImage(QEMU_ROOT_PORT_CONFIG_AT_BOOT);
  // Extended space is not in the 256-byte dump; reconstructed from rp_realize().
  putExtCapHeader(img, AER_CAP, PCI_EXT_CAP_ID_ERR, 2, ACS_CAP);
  putExtCapHeader(img, ACS_CAP, PCI_EXT_CAP_ID_ACS, 1, 0);
  new DataView(img.buffer).setUint16(ACS_CAP + 4, ACS_CAP_BITS, true);
  return img;
}

/** ACS Control is writable in the bits ACS Capability offers (pcie_acs_init()'s wmask). */
export const QEMU_ROOT_PORT_MASKS: readonly MaskOverride[] = [
  { offset: ACS_CAP + PCI_ACS_CTRL, width: 2, rw: ACS_CAP_BITS },
];

/** BAR0: the 4 KiB MSI-X BAR of msix_init_exclusive_bar(), one vector, masked after reset. */
export const QEMU_ROOT_PORT_BARS: readonly BarOptions[] = [
  { index: 0, size: 0x1000, init: [{ offset: 12, bytes: [1, 0, 0, 0] }] },
];

/**
 * QEMU's `pcie-root-port`: type-1 header, capabilities PCIe 0x54 → MSI-X 0x48 → SSVID 0x40,
 * no PM capability (so it never leaves D0 and its d3cold_allowed stays 0, KERNEL.md B.2.5).
 */
export const qemuPcieRootPortModel: PciFunctionModel = {
  name: 'qemu-pcie-root-port',
  vendorDevice: '1b36:000c',
  description: 'QEMU 7.2 pcie-root-port without PM capability, from the conformance boot dump',
  image: () => loaded(qemuRootPortImage()),
  options: { bars: QEMU_ROOT_PORT_BARS, masks: QEMU_ROOT_PORT_MASKS },
};
