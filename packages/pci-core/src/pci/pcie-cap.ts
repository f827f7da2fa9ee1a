// PCI Express capability accessors (drivers/pci/access.c pcie_capability_*; pci.h helpers).
import * as X from '../regs/exp.js';
import { readCfg, writeCfg } from './access.js';
import type { PciDev } from './pci-dev.js';

/** Link Capabilities 2, Link Status 2, Slot Control 2 (pci_regs.h), relative to the capability. */
export const PCI_EXP_LNKCAP2 = 44;
export const PCI_EXP_LNKSTA2 = 50;
export const PCI_EXP_SLTCTL2 = 56;
/** Slot Capabilities: Hot-Plug Capable. */
export const PCI_EXP_SLTCAP_HPC = 0x00000040;

/** Mirrors pcie_downstream_port(): root ports, switch downstream ports, PCI-to-PCIe bridges. */
export function pcieDownstreamPort(dev: PciDev): boolean {
  const t = dev.pcieType;
  return (
    t === X.PCI_EXP_TYPE_ROOT_PORT ||
    t === X.PCI_EXP_TYPE_DOWNSTREAM ||
    t === X.PCI_EXP_TYPE_PCIE_BRIDGE
  );
}

/** Mirrors pcie_cap_has_lnkctl(). */
export function pcieCapHasLnkctl(dev: PciDev): boolean {
  const t = dev.pcieType;
  return t >= X.PCI_EXP_TYPE_ENDPOINT && t <= X.PCI_EXP_TYPE_PCIE_BRIDGE && t !== 2 && t !== 3;
}

/** Mirrors pcie_cap_has_sltctl(). */
export function pcieCapHasSltctl(dev: PciDev): boolean {
  return pcieDownstreamPort(dev) && (dev.pcieFlagsReg & X.PCI_EXP_FLAGS_SLOT) !== 0;
}

/** Mirrors pcie_cap_has_rtctl(). */
export function pcieCapHasRtctl(dev: PciDev): boolean {
  return dev.pcieType === X.PCI_EXP_TYPE_ROOT_PORT || dev.pcieType === X.PCI_EXP_TYPE_RC_EC;
}

// Mirrors pcie_capability_reg_implemented().
function regImplemented(dev: PciDev, pos: number): boolean {
  if (!dev.pcieCap) return false;
  switch (pos) {
    case X.PCI_EXP_FLAGS:
    case X.PCI_EXP_DEVCAP:
    case X.PCI_EXP_DEVCTL:
    case X.PCI_EXP_DEVSTA:
      return true;
    case X.PCI_EXP_LNKCAP:
    case X.PCI_EXP_LNKCTL:
    case X.PCI_EXP_LNKSTA:
      return pcieCapHasLnkctl(dev);
    case X.PCI_EXP_SLTCAP:
    case X.PCI_EXP_SLTCTL:
    case X.PCI_EXP_SLTSTA:
      return pcieCapHasSltctl(dev);
    case X.PCI_EXP_RTCTL:
    case X.PCI_EXP_RTCAP:
    case X.PCI_EXP_RTSTA:
      return pcieCapHasRtctl(dev);
    case X.PCI_EXP_DEVCAP2:
    case X.PCI_EXP_DEVCTL2:
    case PCI_EXP_LNKCAP2:
    case X.PCI_EXP_LNKCTL2:
    case PCI_EXP_LNKSTA2:
    case PCI_EXP_SLTCTL2:
      return (dev.pcieFlagsReg & X.PCI_EXP_FLAGS_VERS) > 1;
    default:
      return false;
  }
}

/** Mirrors pcie_capability_read_word(): 0 for a register the port type does not have. */
export function pcieCapabilityReadWord(dev: PciDev, pos: number): number {
  return regImplemented(dev, pos) ? readCfg(dev, dev.pcieCap + pos, 2) : 0;
}

/** Mirrors pcie_capability_read_dword(). */
export function pcieCapabilityReadDword(dev: PciDev, pos: number): number {
  return regImplemented(dev, pos) ? readCfg(dev, dev.pcieCap + pos, 4) : 0;
}

/** Mirrors pcie_capability_write_word(): writes to missing registers are dropped. */
export function pcieCapabilityWriteWord(dev: PciDev, pos: number, value: number): void {
  if (regImplemented(dev, pos)) writeCfg(dev, dev.pcieCap + pos, 2, value);
}

/** Mirrors pcie_capability_set_word(). */
export function pcieCapabilitySetWord(dev: PciDev, pos: number, set: number): void {
  pcieCapabilityWriteWord(dev, pos, pcieCapabilityReadWord(dev, pos) | set);
}
