// Access Control Services (pci_acs_init, pci_enable_acs, pci_std_enable_acs in
// drivers/pci/pci.c): enabled at enumeration and again at every config restore when an IOMMU
// driver asked for it.
import {
  PCI_ACS_CAP,
  PCI_ACS_CR,
  PCI_ACS_CTRL,
  PCI_ACS_RR,
  PCI_ACS_SV,
  PCI_ACS_UF,
  PCI_EXT_CAP_ID_ACS,
} from '../regs/caps.js';
import { readCfg, writeCfg } from './access.js';
import { pciFindExtCapability } from './find-cap.js';
import type { PciDev } from './pci-dev.js';

/**
 * Mirrors pci_std_enable_acs(): every control the capability offers among SV, RR, CR and UF
 * (Translation Blocking only for external-facing or untrusted ports, or with ATS disabled:
 * none of the modelled functions).
 */
function pciStdEnableAcs(dev: PciDev): void {
  const pos = dev.acsCap;
  if (!pos) return;
  const cap = readCfg(dev, pos + PCI_ACS_CAP, 2);
  const ctrl = readCfg(dev, pos + PCI_ACS_CTRL, 2);
  const want = cap & (PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF);
  writeCfg(dev, pos + PCI_ACS_CTRL, 2, ctrl | want);
}

/**
 * Mirrors pci_enable_acs(): only when requested (pci_acs_enable); no device-specific ACS quirk
 * matches a modelled function, and pci_disable_acs_redir() does nothing without its parameter.
 */
export function pciEnableAcs(dev: PciDev): void {
  if (!dev.ctx.params.pciAcsEnable) return;
  pciStdEnableAcs(dev);
}

/** Mirrors pci_acs_init(): find the capability (a walk), then enable ACS. */
export function pciAcsInit(dev: PciDev): void {
  dev.acsCap = pciFindExtCapability(dev, PCI_EXT_CAP_ID_ACS);
  pciEnableAcs(dev);
}
