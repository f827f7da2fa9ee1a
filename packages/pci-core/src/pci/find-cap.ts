// Capability lookups the PCI core makes at run time through its config accessors
// (pci_find_capability, pci_find_ext_capability in drivers/pci/pci.c): every hop is a config
// read, as on real hardware. Offsets found once at enumeration live on PciDev instead.
import { PCI_EXT_CAP_ID, PCI_EXT_CAP_NEXT, PCI_FIND_CAP_TTL } from '../regs/caps.js';
import {
  PCI_CAPABILITY_LIST,
  PCI_CB_CAPABILITY_LIST,
  PCI_CFG_SPACE_EXP_SIZE,
  PCI_CFG_SPACE_SIZE,
  PCI_HEADER_TYPE_BRIDGE,
  PCI_HEADER_TYPE_CARDBUS,
  PCI_HEADER_TYPE_NORMAL,
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
} from '../regs/header.js';
import { PCIBIOS_SUCCESSFUL } from './constants.js';
import { pciBusReadConfig, pciReadConfigDword } from './access.js';
import type { PciDev } from './pci-dev.js';

/**
 * Mirrors pci_find_capability(): Status (for the list bit), the pointer byte chosen by the
 * cached header type, then one word per hop (48 hops at most), all through the bus accessors
 * (no disconnected check: a gone function reads all ones and the walk stops).
 * @returns the capability's offset, or 0
 */
export function pciFindCapability(dev: PciDev, cap: number): number {
  if (!(pciBusReadConfig(dev, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST)) return 0;
  let ptr: number;
  if (dev.hdrType === PCI_HEADER_TYPE_NORMAL || dev.hdrType === PCI_HEADER_TYPE_BRIDGE)
    ptr = PCI_CAPABILITY_LIST;
  else if (dev.hdrType === PCI_HEADER_TYPE_CARDBUS) ptr = PCI_CB_CAPABILITY_LIST;
  else return 0;
  let pos = pciBusReadConfig(dev, ptr, 1);
  for (let ttl = PCI_FIND_CAP_TTL; ttl > 0; ttl--) {
    if (pos < 0x40) break;
    pos &= ~3;
    const ent = pciBusReadConfig(dev, pos, 2);
    const id = ent & 0xff;
    if (id === 0xff) break;
    if (id === cap) return pos;
    pos = ent >> 8;
  }
  return 0;
}

/**
 * Mirrors pci_find_ext_capability(): nothing below 4 KiB of config space; else one dword per
 * hop from 0x100 (an empty list reads 0), stopping at a failed read.
 * @returns the capability's offset, or 0
 */
export function pciFindExtCapability(dev: PciDev, cap: number): number {
  if (dev.cfgSize <= PCI_CFG_SPACE_SIZE) return 0;
  const header = { value: 0 };
  let pos = PCI_CFG_SPACE_SIZE;
  if (pciReadConfigDword(dev, pos, header) !== PCIBIOS_SUCCESSFUL) return 0;
  if (header.value === 0) return 0;
  for (let ttl = (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8; ttl > 0; ttl--) {
    if (PCI_EXT_CAP_ID(header.value) === cap) return pos;
    pos = PCI_EXT_CAP_NEXT(header.value);
    if (pos < PCI_CFG_SPACE_SIZE) break;
    if (pciReadConfigDword(dev, pos, header) !== PCIBIOS_SUCCESSFUL) break;
  }
  return 0;
}
