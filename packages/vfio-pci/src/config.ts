// Virtualised config space (vfio_pci_config.c): config-region reads and writes split into
// aligned pieces dispatched by capability through vconfig and the byte map (D.8); both are
// built at open in config-init.ts.
import { EFAULT, copyFromUser, copyToUser } from '@vfio-ts/kernel';
import {
  PCI_CAP_ID_MSI,
  PCI_CAP_LIST_ID,
  PCI_CAP_LIST_NEXT,
  PCI_CAP_FLAGS,
  PCI_CFG_SPACE_SIZE,
  PCI_MSI_FLAGS,
  PCI_MSI_FLAGS_64BIT,
  PCI_MSI_FLAGS_MASKBIT,
  PCI_STD_HEADER_SIZEOF,
  pciUserReadConfigByte,
  pciUserReadConfigDword,
  pciUserReadConfigWord,
  pciUserWriteConfigByte,
  pciUserWriteConfigDword,
  pciUserWriteConfigWord,
} from '@vfio-ts/pci-core';
import { vfioApplyConfigQuirks } from './config-quirks.js';
import {
  UNASSIGNED_PERM,
  VIRT_PERM,
  capPerm,
  ecapPermOf,
  msiPerm,
  type PermBits,
} from './config-perms.js';
import { vfioConfigWriteHook, vfioBasicConfigRead } from './config-caps.js';
import {
  PCI_CAP_ID_BASIC,
  PCI_CAP_ID_INVALID,
  PCI_CAP_ID_INVALID_VIRT,
  type VfioPciCoreDevice,
} from './internal.js';

/** A config access piece's width. */
export type Width = 1 | 2 | 4;

/** Reads `count` little-endian bytes of vconfig. */
export function vget(vdev: VfioPciCoreDevice, pos: number, count: Width): number {
  const v = vdev.vconfig!;
  let val = 0;
  for (let i = count - 1; i >= 0; i--) val = val * 256 + v[pos + i]!;
  return val;
}

/** Writes `count` little-endian bytes of vconfig. */
export function vset(vdev: VfioPciCoreDevice, pos: number, count: Width, val: number): void {
  const v = vdev.vconfig!;
  for (let i = 0; i < count; i++) v[pos + i] = (val >>> (8 * i)) & 0xff;
}

function maskOf(bytes: Uint8Array, offset: number, count: Width): number {
  let m = 0;
  for (let i = count - 1; i >= 0; i--) m = m * 256 + bytes[offset + i]!;
  return m >>> 0;
}

const ALL_ONES = [0, 0xff, 0xffff, 0, 0xffffffff] as const;

/** Mirrors vfio_user_config_read(): a hardware read. @returns the value (unsigned) or -errno */
export async function vfioUserConfigRead(
  vdev: VfioPciCoreDevice,
  pos: number,
  count: Width,
): Promise<number> {
  const val = { value: 0 };
  const fn =
    count === 4
      ? pciUserReadConfigDword
      : count === 2
        ? pciUserReadConfigWord
        : pciUserReadConfigByte;
  const ret = await fn(vdev.pdev, pos, val);
  return ret < 0 ? ret : val.value >>> 0;
}

/** Mirrors vfio_user_config_write(): a hardware write. @returns 0 or -errno */
export function vfioUserConfigWrite(
  vdev: VfioPciCoreDevice,
  pos: number,
  count: Width,
  val: number,
): Promise<number> {
  const fn =
    count === 4
      ? pciUserWriteConfigDword
      : count === 2
        ? pciUserWriteConfigWord
        : pciUserWriteConfigByte;
  return fn(vdev.pdev, pos, val >>> 0);
}

/** Mirrors vfio_default_config_read(): virtual bits from vconfig, the rest from hardware. */
export async function vfioDefaultConfigRead(
  vdev: VfioPciCoreDevice,
  pos: number,
  count: Width,
  perm: PermBits,
  offset: number,
): Promise<number> {
  let val = vget(vdev, pos, count);
  const virt = maskOf(perm.virt, offset, count);
  if (virt !== ALL_ONES[count]) {
    const phys = await vfioUserConfigRead(vdev, pos, count);
    if (phys < 0) return phys;
    val = ((phys & ~virt) | (val & virt)) >>> 0;
  }
  return val;
}

/** Mirrors vfio_default_config_write(): virtual writable bits to vconfig, the others to hardware. */
export async function vfioDefaultConfigWrite(
  vdev: VfioPciCoreDevice,
  pos: number,
  count: Width,
  perm: PermBits,
  offset: number,
  val: number,
): Promise<number> {
  const write = maskOf(perm.write, offset, count);
  if (!write) return count;
  const virt = maskOf(perm.virt, offset, count);
  if (write & virt) {
    const m = write & virt;
    vset(vdev, pos, count, (vget(vdev, pos, count) & ~m) | (val & m));
  }
  if (write & ~virt) {
    const m = (write & ~virt) >>> 0;
    const phys = await vfioUserConfigRead(vdev, pos, count);
    if (phys < 0) return phys;
    const ret = await vfioUserConfigWrite(vdev, pos, count, (phys & ~m) | (val & m));
    if (ret < 0) return ret;
  }
  return count;
}

// Mirrors vfio_direct_config_read(): hardware, with capability headers from vconfig.
async function vfioDirectConfigRead(
  vdev: VfioPciCoreDevice,
  pos: number,
  count: Width,
  offset: number,
): Promise<number> {
  let val = await vfioUserConfigRead(vdev, pos, count);
  if (val < 0) return val;
  const bytes = [0, 1, 2, 3].map((i) => (val >>> (8 * i)) & 0xff);
  const v = vdev.vconfig!;
  if (pos >= PCI_CFG_SPACE_SIZE) {
    if (offset < 4) for (let i = 0; i < count; i++) bytes[i] = v[pos + i]!;
  } else if (pos >= PCI_STD_HEADER_SIZEOF) {
    if (offset === PCI_CAP_LIST_ID && count > 1)
      for (let i = 0; i < Math.min(PCI_CAP_FLAGS, count); i++) bytes[i] = v[pos + i]!;
    else if (offset === PCI_CAP_LIST_NEXT) bytes[0] = v[pos]!;
  }
  val = 0;
  for (let i = count - 1; i >= 0; i--) val = val * 256 + bytes[i]!;
  return val;
}

/** The permission bits and capability start for a config byte (vfio_config_do_rw's lookup). */
export function vfioPermAt(
  vdev: VfioPciCoreDevice,
  pos: number,
): { perm: PermBits; capStart: number; capId: number } {
  const capId = vdev.pciConfigMap![pos]!;
  if (capId === PCI_CAP_ID_INVALID) return { perm: UNASSIGNED_PERM, capStart: pos, capId };
  if (capId === PCI_CAP_ID_INVALID_VIRT) return { perm: VIRT_PERM, capStart: pos, capId };
  const capStart = vdev.capStart![pos]!;
  if (pos >= PCI_CFG_SPACE_SIZE) return { perm: ecapPermOf(capId), capStart, capId };
  const msi =
    capId === PCI_CAP_ID_MSI
      ? msiPerm(
          vdev.msiCapLen,
          (vget(vdev, capStart + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_64BIT) !== 0,
          (vget(vdev, capStart + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_MASKBIT) !== 0,
        )
      : null;
  return { perm: capPerm(capId, msi), capStart: capId === PCI_CAP_ID_BASIC ? 0 : capStart, capId };
}

/**
 * Mirrors vfio_config_do_rw() (D.8.3): one naturally aligned piece of 4, 2 or 1 bytes.
 * @returns the bytes done, or -errno (-EFAULT outside config space or for a short buffer)
 */
async function vfioConfigDoRw(
  vdev: VfioPciCoreDevice,
  buf: Uint8Array,
  done: number,
  count: number,
  pos: number,
  iswrite: boolean,
): Promise<number> {
  const cfgSize = vdev.pdev.cfgSize;
  if (pos < 0 || pos >= cfgSize || pos + count > cfgSize) return -EFAULT;
  const width: Width = count >= 4 && !(pos % 4) ? 4 : count >= 2 && !(pos % 2) ? 2 : 1;
  const { perm, capStart, capId } = vfioPermAt(vdev, pos);
  const offset = pos - capStart;
  if (iswrite) {
    if (!perm.write_) return width;
    const data = copyFromUser(buf, done, width);
    if (typeof data === 'number') return data;
    const val =
      width === 4
        ? data.getUint32(0, true)
        : width === 2
          ? data.getUint16(0, true)
          : data.getUint8(0);
    return vfioConfigWriteHook(vdev, pos, width, perm, offset, val, capId);
  }
  let val: number;
  if (perm.read === 'raw') val = await vfioUserConfigRead(vdev, pos, width);
  else if (perm.read === 'virt') val = vget(vdev, pos, width);
  else if (perm.read === 'direct') val = await vfioDirectConfigRead(vdev, pos, width, offset);
  else if (capId === PCI_CAP_ID_BASIC && pos < PCI_STD_HEADER_SIZEOF)
    val = await vfioBasicConfigRead(vdev, pos, width, perm, offset);
  else val = await vfioDefaultConfigRead(vdev, pos, width, perm, offset);
  if (val < 0) return val;
  const out = new Uint8Array(width);
  for (let i = 0; i < width; i++) out[i] = (val >>> (8 * i)) & 0xff;
  if (vdev.quirkMask) vfioApplyConfigQuirks(vdev, out, pos);
  const ret = copyToUser(buf, done, out);
  return ret < 0 ? ret : width;
}

/**
 * Mirrors vfio_pci_config_rw(): a config-region read or write of `count` bytes at `pos`.
 * @returns the bytes done, or -errno from the first failing piece
 */
export async function vfioPciConfigRw(
  vdev: VfioPciCoreDevice,
  buf: Uint8Array,
  count: number,
  pos: number,
  iswrite: boolean,
): Promise<number> {
  let done = 0;
  while (count > 0) {
    const ret = await vfioConfigDoRw(vdev, buf, done, count, pos, iswrite);
    if (ret < 0) return ret;
    count -= ret;
    done += ret;
    pos += ret;
  }
  return done;
}
