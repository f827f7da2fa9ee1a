// Config space accessors (drivers/pci/access.c; KERNEL.md B.11.1, B.11.2).
import {
  EFAULT,
  EINVAL,
  EIO,
  ENODEV,
  ENOENT,
  ENOSPC,
  ENOTTY,
  Errno,
  KernelLocal,
} from '@vfio-ts/kernel';
import type { Kernel, WaitQueue } from '@vfio-ts/kernel';
import { allOnes, type AccessWidth } from '../config/access.js';
import { PCI_CFG_SPACE_EXP_SIZE } from '../regs/header.js';
import {
  PCIBIOS_BAD_REGISTER_NUMBER,
  PCIBIOS_BAD_VENDOR_ID,
  PCIBIOS_BUFFER_TOO_SMALL,
  PCIBIOS_DEVICE_NOT_FOUND,
  PCIBIOS_FUNC_NOT_SUPPORTED,
  PCIBIOS_SET_FAILED,
  PCIBIOS_SUCCESSFUL,
} from './constants.js';
import { pciDevIsDisconnected, type PciDev } from './pci-dev.js';

/** Where a config read puts its value (the kernel's `u32 *val`). */
export interface PciConfigValue {
  value: number;
}

// PCI_byte_BAD / PCI_word_BAD / PCI_dword_BAD.
function misaligned(where: number, width: AccessWidth): boolean {
  return (where & (width - 1)) !== 0;
}

// An offset the host bridge refuses: not an integer, or (partly) beyond 4 KiB.
function outside(where: number, width: AccessWidth): boolean {
  return !Number.isInteger(where) || where < 0 || where + width > PCI_CFG_SPACE_EXP_SIZE;
}

// The host bridge's config read (x86 mmconfig): beyond 4 KiB is -EINVAL; beyond the function's
// space reads all ones; otherwise the function answers (all ones when it has no power).
function rawRead(dev: PciDev, where: number, width: AccessWidth, val: PciConfigValue): number {
  if (outside(where, width)) {
    val.value = allOnes(width);
    return -EINVAL;
  }
  val.value = where + width > dev.cfgSize ? allOnes(width) : dev.hw.configRead(where, width);
  return PCIBIOS_SUCCESSFUL;
}

function rawWrite(dev: PciDev, where: number, width: AccessWidth, value: number): number {
  if (outside(where, width)) return -EINVAL;
  if (where + width <= dev.cfgSize) dev.hw.configWrite(where, width, value >>> 0);
  return PCIBIOS_SUCCESSFUL;
}

// Mirrors pci_bus_read_config_{byte,word,dword}().
function busRead(dev: PciDev, where: number, width: AccessWidth, val: PciConfigValue): number {
  if (misaligned(where, width)) return PCIBIOS_BAD_REGISTER_NUMBER;
  return rawRead(dev, where, width, val);
}

/**
 * Mirrors pci_bus_read_config_{byte,word,dword}() for a kernel-internal caller that wants the
 * value: no disconnected check (that is pci_read_config_*()'s), all ones on any error.
 */
export function pciBusReadConfig(dev: PciDev, where: number, width: AccessWidth): number {
  const val = { value: allOnes(width) };
  busRead(dev, where, width, val);
  return val.value;
}

// Mirrors pci_read_config_{byte,word,dword}(): a disconnected device is not accessed.
function readConfig(dev: PciDev, where: number, width: AccessWidth, val: PciConfigValue): number {
  if (pciDevIsDisconnected(dev)) {
    val.value = allOnes(width);
    return PCIBIOS_DEVICE_NOT_FOUND;
  }
  return busRead(dev, where, width, val);
}

// Mirrors pci_write_config_{byte,word,dword}().
function writeConfig(dev: PciDev, where: number, width: AccessWidth, value: number): number {
  if (pciDevIsDisconnected(dev)) return PCIBIOS_DEVICE_NOT_FOUND;
  if (misaligned(where, width)) return PCIBIOS_BAD_REGISTER_NUMBER;
  return rawWrite(dev, where, width, value);
}

/**
 * Mirrors pci_read_config_byte(). No power-state check: a device without power reads all ones.
 * @returns PCIBIOS_SUCCESSFUL, PCIBIOS_DEVICE_NOT_FOUND (disconnected; value all ones),
 * PCIBIOS_BAD_REGISTER_NUMBER (misaligned; value untouched), or -EINVAL past 4 KiB
 */
export function pciReadConfigByte(dev: PciDev, where: number, val: PciConfigValue): number {
  return readConfig(dev, where, 1, val);
}

/** Mirrors pci_read_config_word(); see {@link pciReadConfigByte}. */
export function pciReadConfigWord(dev: PciDev, where: number, val: PciConfigValue): number {
  return readConfig(dev, where, 2, val);
}

/** Mirrors pci_read_config_dword(); see {@link pciReadConfigByte}. */
export function pciReadConfigDword(dev: PciDev, where: number, val: PciConfigValue): number {
  return readConfig(dev, where, 4, val);
}

/** Mirrors pci_write_config_byte(): a write to an unpowered device is dropped by the hardware. */
export function pciWriteConfigByte(dev: PciDev, where: number, value: number): number {
  return writeConfig(dev, where, 1, value);
}

/** Mirrors pci_write_config_word(). */
export function pciWriteConfigWord(dev: PciDev, where: number, value: number): number {
  return writeConfig(dev, where, 2, value);
}

/** Mirrors pci_write_config_dword(). */
export function pciWriteConfigDword(dev: PciDev, where: number, value: number): number {
  return writeConfig(dev, where, 4, value);
}

/**
 * A kernel-internal config read that yields the value (all ones on any error), as
 * readConfig() leaves it. The function's own checks refuse exactly what busRead() and rawRead()
 * refuse (misaligned, beyond 4 KiB or beyond its config space) before any access is made.
 */
export function readCfg(dev: PciDev, where: number, width: AccessWidth): number {
  if (pciDevIsDisconnected(dev)) return allOnes(width);
  const value = dev.hw.configRead(where, width);
  return value < 0 ? allOnes(width) : value;
}

/** A kernel-internal config write, result ignored as most kernel callers do (see readCfg). */
export function writeCfg(dev: PciDev, where: number, width: AccessWidth, value: number): void {
  if (!pciDevIsDisconnected(dev)) dev.hw.configWrite(where, width, value >>> 0);
}

/** Mirrors PCI_POSSIBLE_ERROR(): all ones for the width. */
export function pciPossibleError(value: number, width: AccessWidth): boolean {
  return value === allOnes(width);
}

/** Mirrors pcibios_err_to_errno(). */
export function pcibiosErrToErrno(err: number): number {
  if (err <= PCIBIOS_SUCCESSFUL) return err;
  switch (err) {
    case PCIBIOS_FUNC_NOT_SUPPORTED:
      return -ENOENT;
    case PCIBIOS_BAD_VENDOR_ID:
      return -ENOTTY;
    case PCIBIOS_DEVICE_NOT_FOUND:
      return -ENODEV;
    case PCIBIOS_BAD_REGISTER_NUMBER:
      return -EFAULT;
    case PCIBIOS_SET_FAILED:
      return -EIO;
    case PCIBIOS_BUFFER_TOO_SMALL:
      return -ENOSPC;
  }
  return -Errno.ERANGE;
}

// pci_cfg_wait: one wait queue for every blocked device.
const cfgWaits = new KernelLocal((k) => k.newWaitQueue('pci_cfg_wait'));

function cfgWait(k: Kernel): WaitQueue {
  return cfgWaits.get(k);
}

// Mirrors pci_wait_cfg(): sleep until config access is unblocked.
async function pciWaitCfg(dev: PciDev): Promise<void> {
  await cfgWait(dev.kernel).waitEvent(() => !dev.blockCfgAccess);
}

async function userRead(
  dev: PciDev,
  where: number,
  width: AccessWidth,
  val: PciConfigValue,
): Promise<number> {
  if (!Number.isInteger(where) || misaligned(where, width)) return -EINVAL;
  if (dev.blockCfgAccess) await pciWaitCfg(dev);
  const tmp: PciConfigValue = { value: allOnes(width) };
  const ret = rawRead(dev, where, width, tmp);
  val.value = ret ? allOnes(width) : tmp.value;
  return pcibiosErrToErrno(ret);
}

async function userWrite(
  dev: PciDev,
  where: number,
  width: AccessWidth,
  value: number,
): Promise<number> {
  if (!Number.isInteger(where) || misaligned(where, width)) return -EINVAL;
  if (dev.blockCfgAccess) await pciWaitCfg(dev);
  return pcibiosErrToErrno(rawWrite(dev, where, width, value));
}

/**
 * Mirrors pci_user_read_config_byte(): sleeps while config access is blocked (resets).
 * @returns 0 or -errno (-EINVAL misaligned); on error the value is all ones
 */
export function pciUserReadConfigByte(
  dev: PciDev,
  where: number,
  val: PciConfigValue,
): Promise<number> {
  return userRead(dev, where, 1, val);
}

/** Mirrors pci_user_read_config_word(); see {@link pciUserReadConfigByte}. */
export function pciUserReadConfigWord(
  dev: PciDev,
  where: number,
  val: PciConfigValue,
): Promise<number> {
  return userRead(dev, where, 2, val);
}

/** Mirrors pci_user_read_config_dword(); see {@link pciUserReadConfigByte}. */
export function pciUserReadConfigDword(
  dev: PciDev,
  where: number,
  val: PciConfigValue,
): Promise<number> {
  return userRead(dev, where, 4, val);
}

/** Mirrors pci_user_write_config_byte(): @returns 0 or -errno (-EINVAL misaligned) */
export function pciUserWriteConfigByte(dev: PciDev, where: number, value: number): Promise<number> {
  return userWrite(dev, where, 1, value);
}

/** Mirrors pci_user_write_config_word(). */
export function pciUserWriteConfigWord(dev: PciDev, where: number, value: number): Promise<number> {
  return userWrite(dev, where, 2, value);
}

/** Mirrors pci_user_write_config_dword(). */
export function pciUserWriteConfigDword(
  dev: PciDev,
  where: number,
  value: number,
): Promise<number> {
  return userWrite(dev, where, 4, value);
}

/** Mirrors pci_cfg_access_lock(): wait until unblocked, then block user config access. */
export async function pciCfgAccessLock(dev: PciDev): Promise<void> {
  if (dev.blockCfgAccess) await pciWaitCfg(dev);
  dev.blockCfgAccess = true;
}

/** Mirrors pci_cfg_access_trylock(). @returns whether it blocked access */
export function pciCfgAccessTrylock(dev: PciDev): boolean {
  if (dev.blockCfgAccess) return false;
  dev.blockCfgAccess = true;
  return true;
}

/** Mirrors pci_cfg_access_unlock(): unblock and wake every waiter. */
export function pciCfgAccessUnlock(dev: PciDev): void {
  if (!dev.blockCfgAccess)
    dev.kernel.defect('warn', `pci ${dev.bdf}: pci_cfg_access_unlock() while not blocked`);
  dev.blockCfgAccess = false;
  cfgWait(dev.kernel).wakeUp();
}
