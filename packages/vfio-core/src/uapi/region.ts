// vfio-pci's device-fd offset encoding: region index in bits 63:40, offset in bits 39:0.
// Mirrors VFIO_PCI_OFFSET_SHIFT, VFIO_PCI_OFFSET_TO_INDEX, VFIO_PCI_INDEX_TO_OFFSET and
// VFIO_PCI_OFFSET_MASK of drivers/vfio/pci/vfio_pci_priv.h: kernel-private, not in vfio.h
// (user space learns each region's offset from VFIO_DEVICE_GET_REGION_INFO).

import { INDICES } from './constants.js';

/** The region index's place in a device-fd offset (not uAPI: vfio_pci_priv.h). */
export const PCI_OFFSET_SHIFT = 40;

/** The offset-within-region bits of a device-fd offset, 2^40 − 1 (not uAPI: vfio_pci_priv.h). */
export const PCI_OFFSET_MASK = 2 ** PCI_OFFSET_SHIFT - 1;

/** The index returned for offsets no file position can have (NaN, ±Infinity, fractions). */
export const NO_REGION_INDEX = 0xffff_ffff;

const SHIFT = BigInt(PCI_OFFSET_SHIFT);
const MASK = BigInt(PCI_OFFSET_MASK);

/** The offset's 64 bits, as the kernel's `u64`/`loff_t` holds them; `null` if not an integer. */
function offsetBits(off: number | bigint): bigint | null {
  if (typeof off === 'bigint') return BigInt.asUintN(64, off);
  if (typeof off === 'number' && Number.isInteger(off)) return BigInt.asUintN(64, BigInt(off));
  return null;
}

/**
 * The device-fd offset where region `index` starts: `index << 40` (VFIO_PCI_INDEX_TO_OFFSET).
 *
 * @param index - a region index; exact as a number for indices below 8192 (2^53 / 2^40)
 * @returns the offset, a number
 */
export function regionOffset(index: number): number {
  return index * 2 ** PCI_OFFSET_SHIFT;
}

/**
 * The region index of a device-fd offset: bits 63:40 (VFIO_PCI_OFFSET_TO_INDEX). The offset is
 * taken modulo 2^64, as the kernel's 64-bit offset holds it.
 *
 * @param off - a file offset, as a number or (exactly, beyond 2^53) a bigint
 * @returns the index; {@link NO_REGION_INDEX} for a non-integer number
 */
export function offsetToIndex(off: number | bigint): number {
  const bits = offsetBits(off);
  return bits === null ? NO_REGION_INDEX : Number(bits >> SHIFT);
}

/**
 * The offset within its region of a device-fd offset: bits 39:0 (`off & VFIO_PCI_OFFSET_MASK`).
 *
 * @param off - a file offset, as a number or a bigint
 * @returns the low 40 bits; 0 for a non-integer number
 */
export function offsetToOffset(off: number | bigint): number {
  const bits = offsetBits(off);
  return bits === null ? 0 : Number(bits & MASK);
}

/**
 * The device-fd offset of byte `off` of PCI config space (region VFIO_PCI_CONFIG_REGION_INDEX).
 *
 * @param off - offset within config space
 * @defaultValue off 0
 */
export function pciConfigOffset(off = 0): number {
  return regionOffset(INDICES.PCI_CONFIG_REGION_INDEX) + off;
}
