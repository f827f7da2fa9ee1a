// Saving and restoring a device's config state (pci_save_state, pci_restore_state and their
// capability helpers in drivers/pci/pci.c, pcie/aer.c, iov.c; KERNEL.md B.5.1, B.5.2).
import { ENOMEM } from '@vfio-ts/kernel';
import { findCapability, findExtCapability } from '../config/capabilities.js';
import * as A from '../regs/aer-sriov.js';
import {
  PCI_CAP_ID_EXP,
  PCI_CAP_ID_PCIX,
  PCI_EXT_CAP_ID_ERR,
  PCI_EXT_CAP_ID_LTR,
  PCI_EXT_CAP_ID_MFVC,
  PCI_EXT_CAP_ID_REBAR,
  PCI_EXT_CAP_ID_VC,
  PCI_EXT_CAP_ID_VC9,
} from '../regs/caps.js';
import * as X from '../regs/exp.js';
import { PCI_HEADER_TYPE_BRIDGE, PCI_HEADER_TYPE_NORMAL } from '../regs/header.js';
import * as M from '../regs/msi.js';
import { readCfg, writeCfg } from './access.js';
import { pciEnableAcs } from './acs.js';
import { pciFindCapability, pciFindExtCapability } from './find-cap.js';
import {
  PCI_EXP_SLTCTL2,
  pcieCapabilityReadWord,
  pcieCapabilityWriteWord,
  pcieCapHasRtctl,
} from './pcie-cap.js';
import type { PciCapSavedState, PciDev } from './pci-dev.js';

/** The PCIe registers saved, in order (PCI_EXP_SAVE_REGS = 7 words). */
const PCIE_SAVE_REGS = [
  X.PCI_EXP_DEVCTL,
  X.PCI_EXP_LNKCTL,
  X.PCI_EXP_SLTCTL,
  X.PCI_EXP_RTCTL,
  X.PCI_EXP_DEVCTL2,
  X.PCI_EXP_LNKCTL2,
  PCI_EXP_SLTCTL2,
] as const;

const AER_SAVE_REGS = [
  A.PCI_ERR_UNCOR_MASK,
  A.PCI_ERR_UNCOR_SEVER,
  A.PCI_ERR_COR_MASK,
  A.PCI_ERR_CAP,
] as const;
/** PCI-X Command register (PCI_X_CMD) and the LTR Max Snoop Latency (PCI_LTR_MAX_SNOOP_LAT). */
const PCI_X_CMD = 2;
const PCI_LTR_MAX_SNOOP_LAT = 4;
/** The VC capabilities pci_save_vc_state() and pci_restore_vc_state() look up, in order. */
const VC_CAPS = [PCI_EXT_CAP_ID_MFVC, PCI_EXT_CAP_ID_VC, PCI_EXT_CAP_ID_VC9] as const;

/** With a Root Error Command register (root ports, event collectors). */
const AER_SAVE_REGS_RT = [...AER_SAVE_REGS, A.PCI_ERR_ROOT_COMMAND] as const;

// Little-endian words and dwords of a save buffer.
function putU16(data: Uint8Array, at: number, v: number): void {
  data[at] = v & 0xff;
  data[at + 1] = (v >>> 8) & 0xff;
}

function getU16(data: Uint8Array, at: number): number {
  return data[at]! | (data[at + 1]! << 8);
}

function putU32(data: Uint8Array, at: number, v: number): void {
  putU16(data, at, v & 0xffff);
  putU16(data, at + 2, v >>> 16);
}

function getU32(data: Uint8Array, at: number): number {
  return (getU16(data, at) | (getU16(data, at + 2) << 16)) >>> 0;
}

/** Mirrors _pci_find_saved_cap(). */
export function pciFindSavedCap(
  dev: PciDev,
  capNr: number,
  extended: boolean,
): PciCapSavedState | undefined {
  for (const c of dev.savedCapSpace) if (c.capNr === capNr && c.extended === extended) return c;
  return undefined;
}

/** Offset of the AER capability (pdev->aer_cap), 0 for none. */
export function pciAerCap(dev: PciDev): number {
  return dev.aerCap;
}

/**
 * Mirrors pci_allocate_cap_save_buffers() and pci_aer_init()'s buffer: a PCIe buffer of 7 words
 * and an AER buffer of 4 dwords (5 with a Root Error Command register).
 */
export function pciAllocateCapSaveBuffers(dev: PciDev): void {
  if (findCapability(dev.hw, PCI_CAP_ID_EXP))
    dev.savedCapSpace.push({ capNr: PCI_CAP_ID_EXP, extended: false, data: new Uint8Array(14) });
  if (findCapability(dev.hw, PCI_CAP_ID_PCIX))
    dev.savedCapSpace.push({ capNr: PCI_CAP_ID_PCIX, extended: false, data: new Uint8Array(2) });
  if (findExtCapability(dev.hw, PCI_EXT_CAP_ID_LTR))
    dev.savedCapSpace.push({ capNr: PCI_EXT_CAP_ID_LTR, extended: true, data: new Uint8Array(4) });
  if (pciAerCap(dev)) {
    const n = pcieCapHasRtctl(dev) ? 5 : 4;
    dev.savedCapSpace.push({
      capNr: PCI_EXT_CAP_ID_ERR,
      extended: true,
      data: new Uint8Array(4 * n),
    });
  }
}

// Mirrors pci_save_pcie_state().
function pciSavePcieState(dev: PciDev): number {
  if (!dev.pcieCap) return 0;
  const st = pciFindSavedCap(dev, PCI_CAP_ID_EXP, false);
  if (!st) {
    dev.kernel.printk('err', `pci ${dev.bdf}: buffer not found in pci_save_pcie_state`);
    return -ENOMEM;
  }
  for (let i = 0; i < PCIE_SAVE_REGS.length; i++)
    putU16(st.data, 2 * i, pcieCapabilityReadWord(dev, PCIE_SAVE_REGS[i]!));
  return 0;
}

// Mirrors pci_restore_pcie_state().
function pciRestorePcieState(dev: PciDev): void {
  const st = pciFindSavedCap(dev, PCI_CAP_ID_EXP, false);
  if (!st) return;
  for (let i = 0; i < PCIE_SAVE_REGS.length; i++)
    pcieCapabilityWriteWord(dev, PCIE_SAVE_REGS[i]!, getU16(st.data, 2 * i));
}

// Mirrors pci_save_pcix_state(): looked up by walking the list.
function pciSavePcixState(dev: PciDev): number {
  const pos = pciFindCapability(dev, PCI_CAP_ID_PCIX);
  if (!pos) return 0;
  const st = pciFindSavedCap(dev, PCI_CAP_ID_PCIX, false);
  if (!st) {
    dev.kernel.printk('err', `pci ${dev.bdf}: buffer not found in pci_save_pcix_state`);
    return -ENOMEM;
  }
  putU16(st.data, 0, readCfg(dev, pos + PCI_X_CMD, 2));
  return 0;
}

// Mirrors pci_restore_pcix_state().
function pciRestorePcixState(dev: PciDev): void {
  const st = pciFindSavedCap(dev, PCI_CAP_ID_PCIX, false);
  const pos = pciFindCapability(dev, PCI_CAP_ID_PCIX);
  if (!st || !pos) return;
  writeCfg(dev, pos + PCI_X_CMD, 2, getU16(st.data, 0));
}

// Mirrors pci_save_ltr_state(): PCIe functions only; looked up by walking the extended list.
function pciSaveLtrState(dev: PciDev): void {
  if (!dev.pcieCap) return;
  const ltr = pciFindExtCapability(dev, PCI_EXT_CAP_ID_LTR);
  if (!ltr) return;
  const st = pciFindSavedCap(dev, PCI_EXT_CAP_ID_LTR, true);
  if (!st) {
    dev.kernel.printk('err', `pci ${dev.bdf}: no suspend buffer for LTR`);
    return;
  }
  putU32(st.data, 0, readCfg(dev, ltr + PCI_LTR_MAX_SNOOP_LAT, 4));
}

// Mirrors pci_restore_ltr_state().
function pciRestoreLtrState(dev: PciDev): void {
  const st = pciFindSavedCap(dev, PCI_EXT_CAP_ID_LTR, true);
  const ltr = pciFindExtCapability(dev, PCI_EXT_CAP_ID_LTR);
  if (!st || !ltr) return;
  writeCfg(dev, ltr + PCI_LTR_MAX_SNOOP_LAT, 4, getU32(st.data, 0));
}

// Mirrors the lookups of pci_save_vc_state() and pci_restore_vc_state(); VC arbitration state
// itself is not modelled.
function pciVcLookups(dev: PciDev): void {
  for (const id of VC_CAPS) pciFindExtCapability(dev, id);
}

// Mirrors the lookup of pci_restore_rebar_state(); resizable BAR sizes are not modelled.
function pciRestoreRebarState(dev: PciDev): void {
  pciFindExtCapability(dev, PCI_EXT_CAP_ID_REBAR);
}

function aerRegs(dev: PciDev): readonly number[] {
  return pcieCapHasRtctl(dev) ? AER_SAVE_REGS_RT : AER_SAVE_REGS;
}

// Mirrors pci_save_aer_state().
function pciSaveAerState(dev: PciDev): void {
  const aer = pciAerCap(dev);
  const st = pciFindSavedCap(dev, PCI_EXT_CAP_ID_ERR, true);
  if (!aer || !st) return;
  const regs = aerRegs(dev);
  for (let i = 0; i < regs.length; i++) putU32(st.data, 4 * i, readCfg(dev, aer + regs[i]!, 4));
}

// Mirrors pci_restore_aer_state().
function pciRestoreAerState(dev: PciDev): void {
  const aer = pciAerCap(dev);
  const st = pciFindSavedCap(dev, PCI_EXT_CAP_ID_ERR, true);
  if (!aer || !st) return;
  const regs = aerRegs(dev);
  for (let i = 0; i < regs.length; i++) writeCfg(dev, aer + regs[i]!, 4, getU32(st.data, 4 * i));
}

// Writes back the W1C status register at `at`: every bit set is cleared.
function clearW1c(dev: PciDev, at: number): void {
  writeCfg(dev, at, 4, readCfg(dev, at, 4));
}

/** Mirrors pci_aer_raw_clear_status(): write-1-to-clear every AER status register. */
export function pciAerClearStatus(dev: PciDev): void {
  const aer = pciAerCap(dev);
  if (!aer) return;
  if (pcieCapHasRtctl(dev)) clearW1c(dev, aer + A.PCI_ERR_ROOT_STATUS);
  clearW1c(dev, aer + A.PCI_ERR_COR_STATUS);
  clearW1c(dev, aer + A.PCI_ERR_UNCOR_STATUS);
}

// The MSI and MSI-X registers that pci_restore_msi_state() rewrites from the kernel's
// descriptors; here they are taken from the function at save time.
type SavedMsiReg = { offset: number; width: 2 | 4; value: number };

function saveMsiReg(dev: PciDev, out: SavedMsiReg[], offset: number, width: 2 | 4): void {
  out.push({ offset, width, value: readCfg(dev, offset, width) });
}

// pci_save_state() reads no MSI register: the kernel restores MSI from its descriptors. Here the
// registers of allocated MSI vectors stand for them, taken at save time.
function saveMsiState(dev: PciDev): void {
  const out: SavedMsiReg[] = [];
  const msi = dev.msiEnabled ? dev.msiCap : 0;
  if (msi) {
    const flags = readCfg(dev, msi + M.PCI_MSI_FLAGS, 2);
    const is64 = (flags & M.PCI_MSI_FLAGS_64BIT) !== 0;
    saveMsiReg(dev, out, msi + M.PCI_MSI_ADDRESS_LO, 4);
    if (is64) saveMsiReg(dev, out, msi + M.PCI_MSI_ADDRESS_HI, 4);
    saveMsiReg(dev, out, msi + (is64 ? M.PCI_MSI_DATA_64 : M.PCI_MSI_DATA_32), 2);
    if (flags & M.PCI_MSI_FLAGS_MASKBIT)
      saveMsiReg(dev, out, msi + (is64 ? M.PCI_MSI_MASK_64 : M.PCI_MSI_MASK_32), 4);
    saveMsiReg(dev, out, msi + M.PCI_MSI_FLAGS, 2);
  }
  dev.savedMsi = out;
}

// Mirrors pci_msix_clear_and_set_ctrl().
function pciMsixClearAndSetCtrl(dev: PciDev, clear: number, set: number): void {
  const at = dev.msixCap + M.PCI_MSIX_FLAGS;
  writeCfg(dev, at, 2, (readCfg(dev, at, 2) & ~clear) | set);
}

// Mirrors pci_restore_msi_state(): nothing unless vectors are allocated. MSI: the saved
// registers; MSI-X: enabled with every vector masked, then unmasked (the vector table, in a
// BAR, is rewritten from the kernel's descriptors in between: not modelled).
function restoreMsiState(dev: PciDev): void {
  if (dev.msiEnabled)
    for (const r of dev.savedMsi)
      if (readCfg(dev, r.offset, r.width) !== r.value) writeCfg(dev, r.offset, r.width, r.value);
  if (dev.msixEnabled && dev.msixCap) {
    pciMsixClearAndSetCtrl(dev, 0, M.PCI_MSIX_FLAGS_ENABLE | M.PCI_MSIX_FLAGS_MASKALL);
    pciMsixClearAndSetCtrl(dev, M.PCI_MSIX_FLAGS_MASKALL, 0);
  }
}

// Mirrors sriov_restore_state() (without its 100 ms settle after re-enabling VFs).
function pciRestoreIovState(dev: PciDev): void {
  const iov = dev.sriov;
  if (!iov) return;
  if (readCfg(dev, iov.pos + A.PCI_SRIOV_CTRL, 2) & A.PCI_SRIOV_CTRL_VFE) return;
  writeCfg(dev, iov.pos + A.PCI_SRIOV_NUM_VF, 2, iov.numVFs);
  writeCfg(dev, iov.pos + A.PCI_SRIOV_CTRL, 2, iov.ctrl);
}

/**
 * Mirrors pci_save_state(): the 16 header dwords, then `state_saved`, then the capability
 * buffers (PCIe at pdev->pcie_cap, PCI-X and LTR found by walking, AER at its cached offset,
 * the VC lookups)
 * and the registers of allocated MSI vectors.
 * @returns 0, or -ENOMEM when the PCIe or PCI-X buffer is missing (state_saved is already true)
 */
export function pciSaveState(dev: PciDev): number {
  for (let i = 0; i < 16; i++) dev.savedConfigSpace[i] = readCfg(dev, 4 * i, 4);
  dev.stateSaved = true;
  let ret = pciSavePcieState(dev);
  if (ret) return ret;
  ret = pciSavePcixState(dev);
  if (ret) return ret;
  pciSaveLtrState(dev);
  pciSaveAerState(dev);
  pciVcLookups(dev);
  saveMsiState(dev);
  return 0;
}

// Mirrors pci_restore_config_dword(): write only if different, re-read up to `retry` times.
function restoreDword(
  dev: PciDev,
  offset: number,
  saved: number,
  retry: number,
  force: boolean,
): void {
  let val = readCfg(dev, offset, 4);
  if (!force && val === saved) return;
  for (;;) {
    writeCfg(dev, offset, 4, saved);
    if (retry-- <= 0) return;
    val = readCfg(dev, offset, 4);
    if (val === saved) return;
  }
}

// Mirrors pci_restore_config_space_range().
function restoreRange(
  dev: PciDev,
  start: number,
  end: number,
  retry: number,
  force: boolean,
): void {
  for (let i = end; i >= start; i--)
    restoreDword(dev, 4 * i, dev.savedConfigSpace[i]!, retry, force);
}

/** Mirrors pci_restore_config_space(): for type 0, dwords 10–15, BARs 4–9, then 0–3. */
export function pciRestoreConfigSpace(dev: PciDev): void {
  if (dev.hdrType === PCI_HEADER_TYPE_NORMAL) {
    restoreRange(dev, 10, 15, 0, false);
    restoreRange(dev, 4, 9, 10, false);
    restoreRange(dev, 0, 3, 0, false);
  } else if (dev.hdrType === PCI_HEADER_TYPE_BRIDGE) {
    restoreRange(dev, 12, 15, 0, false);
    restoreRange(dev, 9, 11, 0, true);
    restoreRange(dev, 0, 8, 0, false);
  } else {
    restoreRange(dev, 0, 15, 0, false);
  }
}

/**
 * Mirrors pci_restore_state(): nothing unless `state_saved`; LTR, PCIe, the VC and ReBAR
 * lookups, AER status cleared and AER restored, the header (BARs before Command), PCI-X, MSI,
 * ACS and IOV state; then `state_saved = false`.
 */
export function pciRestoreState(dev: PciDev): void {
  if (!dev.stateSaved) return;
  pciRestoreLtrState(dev);
  pciRestorePcieState(dev);
  pciVcLookups(dev);
  pciRestoreRebarState(dev);
  pciAerClearStatus(dev);
  pciRestoreAerState(dev);
  pciRestoreConfigSpace(dev);
  pciRestorePcixState(dev);
  restoreMsiState(dev);
  pciEnableAcs(dev);
  pciRestoreIovState(dev);
  dev.stateSaved = false;
}

/** Mirrors pci_restore_bars() → pci_update_resource(): rewrite BARs from the resource table. */
export function pciRestoreBars(dev: PciDev): void {
  for (const r of dev.resources) writeCfg(dev, r.offset, 4, r.value);
}
