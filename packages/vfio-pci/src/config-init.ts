// Building the virtual config space at open (vfio_config_init in vfio_pci_config.c): vconfig
// from hardware, the byte map of capabilities, the virtual capability chains with unsupported
// capabilities unlinked, PME bits virtualised (D.8.1); and its release at close.
import {
  PCI_CAPABILITY_LIST,
  PCI_CAP_ID_MAX,
  PCI_CAP_ID_MSI,
  PCI_CAP_ID_PM,
  PCI_CAP_ID_VNDR,
  PCI_CAP_LIST_NEXT,
  PCI_CAP_FLAGS,
  PCI_CFG_SPACE_SIZE,
  PCI_EXP_FLAGS_VERS,
  PCI_EXP_TYPE_RC_END,
  PCI_EXT_CAP_ID_MAX,
  PCI_EXT_CAP_ID_VNDR,
  PCI_INTERRUPT_PIN,
  PCI_MSI_FLAGS,
  PCI_MSI_FLAGS_64BIT,
  PCI_MSI_FLAGS_MASKBIT,
  PCI_PM_CAP_PME_MASK,
  PCI_PM_CTRL,
  PCI_PM_CTRL_PME_ENABLE,
  PCI_PM_CTRL_PME_STATUS,
  PCI_PM_PMC,
  PCI_ROM_ADDRESS,
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
  PCI_STD_HEADER_SIZEOF,
  PCI_BASE_ADDRESS_0,
  pciReadConfigByte,
  pciReadConfigDword,
  pciReadConfigWord,
} from '@vfio-ts/pci-core';
import { vfioInitConfigQuirks } from './config-quirks.js';
import { PCI_CAP_LENGTH, PCI_EXT_CAP_LENGTH } from './config-perms.js';
import {
  PCI_CAP_ID_BASIC,
  PCI_CAP_ID_INVALID,
  PCI_CAP_ID_INVALID_VIRT,
  type VfioPciCoreDevice,
} from './internal.js';
import { vget, vset } from './config.js';

// Mirrors vfio_fill_vconfig_bytes(): copy hardware into vconfig in the largest aligned chunks
// (dword, else word, else byte), as the kernel reads them.
function vfioFillVconfigBytes(vdev: VfioPciCoreDevice, pos: number, len: number): void {
  const val = { value: 0 };
  const v = vdev.vconfig!;
  const pdev = vdev.pdev;
  let p = pos;
  let size = len;
  while (size) {
    let filled: number;
    if (size >= 4 && !(p % 4)) {
      pciReadConfigDword(pdev, p, val);
      filled = 4;
    } else if (size >= 2 && !(p % 2)) {
      pciReadConfigWord(pdev, p, val);
      filled = 2;
    } else {
      pciReadConfigByte(pdev, p, val);
      filled = 1;
    }
    for (let i = 0; i < filled; i++) v[p + i] = (val.value >>> (8 * i)) & 0xff;
    p += filled;
    size -= filled;
  }
}

// Mirrors vfio_msi_cap_len().
function vfioMsiCapLen(flags: number): number {
  let len = 10;
  if (flags & PCI_MSI_FLAGS_64BIT) len += 4;
  if (flags & PCI_MSI_FLAGS_MASKBIT) len += 10;
  return len;
}

// Mirrors vfio_cap_len() for the variable-length standard capabilities.
function vfioCapLen(vdev: VfioPciCoreDevice, cap: number, pos: number): number {
  const pdev = vdev.pdev;
  const hw = pdev.hw;
  if (cap === PCI_CAP_ID_MSI)
    return (vdev.msiCapLen = vfioMsiCapLen(hw.configRead(pos + PCI_MSI_FLAGS, 2)));
  if (cap === PCI_CAP_ID_VNDR) return hw.configRead(pos + PCI_CAP_FLAGS, 1);
  // PCI_CAP_ID_EXP: extended capabilities exist if the dword at 0x100 is not 0; the length
  // goes by version (the cached PCIe flags, not re-read) and type; RC integrated endpoints have
  // no link registers.
  if (pdev.cfgSize > PCI_CFG_SPACE_SIZE) {
    const dword = { value: 0 };
    pciReadConfigDword(pdev, PCI_CFG_SPACE_SIZE, dword);
    vdev.extendedCaps = dword.value !== 0;
  }
  const v1 = (pdev.pcieFlagsReg & PCI_EXP_FLAGS_VERS) === 1;
  const rcEnd = pdev.pcieType === PCI_EXP_TYPE_RC_END;
  return v1 ? (rcEnd ? 12 : 20) : rcEnd ? 44 : 52;
}

// Mirrors vfio_update_pm_vconfig_bytes() (D.8.1): PME_Support, PME_En, PME_Status read 0.
function vfioUpdatePmVconfigBytes(vdev: VfioPciCoreDevice, pos: number): void {
  vset(vdev, pos + PCI_PM_PMC, 2, vget(vdev, pos + PCI_PM_PMC, 2) & ~PCI_PM_CAP_PME_MASK);
  const ctrl = vget(vdev, pos + PCI_PM_CTRL, 2);
  vset(vdev, pos + PCI_PM_CTRL, 2, ctrl & ~(PCI_PM_CTRL_PME_ENABLE | PCI_PM_CTRL_PME_STATUS));
}

function mark(vdev: VfioPciCoreDevice, pos: number, len: number, id: number): void {
  for (let i = 0; i < len && pos + i < vdev.pciConfigMap!.length; i++) {
    if (vdev.pciConfigMap![pos + i] !== PCI_CAP_ID_INVALID)
      vdev.kernel.printk('warn', `vfio-pci ${vdev.pdev.bdf}: cap ${id}@${pos} overlaps`);
    vdev.pciConfigMap![pos + i] = id;
    vdev.capStart![pos + i] = pos;
  }
}

// Mirrors vfio_cap_init(): copy known capabilities, unlink the others from the virtual chain.
function vfioCapInit(vdev: VfioPciCoreDevice): void {
  const hw = vdev.pdev.hw;
  if (!(hw.configRead(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST)) return;
  let pos = hw.configRead(PCI_CAPABILITY_LIST, 1);
  let prev = PCI_CAPABILITY_LIST;
  let caps = 0;
  let loops = (PCI_CFG_SPACE_SIZE - PCI_STD_HEADER_SIZEOF) / 4;
  while (pos && loops--) {
    const cap = hw.configRead(pos, 1);
    const next = hw.configRead(pos + PCI_CAP_LIST_NEXT, 1);
    let len = 0;
    if (cap && cap <= PCI_CAP_ID_MAX) {
      len = PCI_CAP_LENGTH.get(cap) ?? 0;
      if (len === 0xff) len = vfioCapLen(vdev, cap, pos);
    }
    if (!len) {
      vdev.vconfig![prev] = next;
      pos = next;
      continue;
    }
    mark(vdev, pos, len, cap);
    vfioFillVconfigBytes(vdev, pos, len);
    if (cap === PCI_CAP_ID_PM) vfioUpdatePmVconfigBytes(vdev, pos);
    prev = pos + PCI_CAP_LIST_NEXT;
    pos = next;
    caps++;
  }
  if (!caps) vset(vdev, PCI_STATUS, 2, vget(vdev, PCI_STATUS, 2) & ~PCI_STATUS_CAP_LIST);
}

// Mirrors vfio_ecap_init(): unsupported extended capabilities are skipped; one at 0x100 stays
// as an ID-0 placeholder that anchors the chain.
function vfioEcapInit(vdev: VfioPciCoreDevice): void {
  const hw = vdev.pdev.hw;
  let epos = PCI_CFG_SPACE_SIZE;
  let prev = -1;
  let ecaps = 0;
  let loops = (vdev.pdev.cfgSize - PCI_CFG_SPACE_SIZE) / 4;
  while (loops-- > 0 && epos >= PCI_CFG_SPACE_SIZE) {
    const header = hw.configRead(epos, 4) >>> 0;
    const ecap = header & 0xffff;
    const next = (header >>> 20) & 0xffc;
    let len = 0;
    let hidden = false;
    if (ecap <= PCI_EXT_CAP_ID_MAX) {
      len = PCI_EXT_CAP_LENGTH.get(ecap) ?? 0;
      if (len === 0xff && ecap === PCI_EXT_CAP_ID_VNDR) len = hw.configRead(epos + 4, 4) >>> 20;
    }
    if (!len) {
      if (prev >= 0) {
        vset(vdev, prev, 4, ((vget(vdev, prev, 4) & 0x000fffff) | (next << 20)) >>> 0);
        epos = next;
        continue;
      }
      len = 4;
      hidden = true;
    }
    mark(vdev, epos, len, ecap <= PCI_EXT_CAP_ID_MAX ? ecap : PCI_CAP_ID_INVALID_VIRT);
    vfioFillVconfigBytes(vdev, epos, len);
    if (hidden) vset(vdev, epos, 4, (vget(vdev, epos, 4) & 0xfff00000) >>> 0);
    else ecaps++;
    prev = epos;
    epos = next;
  }
  if (!ecaps) vset(vdev, PCI_CFG_SPACE_SIZE, 4, 0);
}

/**
 * Mirrors vfio_config_init() (D.4.1 step 6, D.8.1): vconfig from hardware, the byte map, the
 * capability chain with hidden capabilities unlinked, the BAR values kept for restore.
 * @returns 0
 */
export function vfioConfigInit(vdev: VfioPciCoreDevice): number {
  const size = vdev.pdev.cfgSize;
  vdev.vconfig = new Uint8Array(size);
  vdev.pciConfigMap = new Uint8Array(size).fill(PCI_CAP_ID_INVALID);
  vdev.capStart = new Uint16Array(size);
  vdev.pciConfigMap.fill(PCI_CAP_ID_BASIC, 0, PCI_STD_HEADER_SIZEOF);
  vfioFillVconfigBytes(vdev, 0, PCI_STD_HEADER_SIZEOF);
  for (let i = 0; i < 6; i++) vdev.rbar[i] = vget(vdev, PCI_BASE_ADDRESS_0 + 4 * i, 4);
  vdev.rbar[6] = vget(vdev, PCI_ROM_ADDRESS, 4);
  if (vdev.nointx) vdev.vconfig[PCI_INTERRUPT_PIN] = 0;
  vdev.extendedCaps = false;
  vfioCapInit(vdev);
  if (vdev.extendedCaps) vfioEcapInit(vdev);
  vfioInitConfigQuirks(vdev, size);
  vdev.bardirty = true;
  return 0;
}

/** Mirrors vfio_config_free(). */
export function vfioConfigFree(vdev: VfioPciCoreDevice): void {
  vdev.vconfig = null;
  vdev.pciConfigMap = null;
  vdev.capStart = null;
  vdev.msiCapLen = 0;
  vdev.quirkMask = null;
  vdev.quirkValue = null;
}
