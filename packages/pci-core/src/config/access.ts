// Access-width and alignment rules of drivers/pci/access.c (PCI_word_BAD / PCI_dword_BAD).
import { EINVAL } from '@vfio-ts/kernel';

/** Width in bytes of one register access. */
export type AccessWidth = 1 | 2 | 4;

/** Something config space can be read from: a raw buffer or a function's hardware. */
export interface ConfigReader {
  /** Bytes of config space: 256 (conventional) or 4096 (PCI Express). */
  readonly cfgSize: number;
  /**
   * Reads a little-endian register.
   * @returns the value (unsigned), or a negative errno for an invalid access
   */
  configRead(offset: number, width: AccessWidth): number;
}

/** True when `width` is 1, 2 or 4. */
export function isAccessWidth(width: number): width is AccessWidth {
  return width === 1 || width === 2 || width === 4;
}

/**
 * Checks one access against a region of `size` bytes: integer offset, naturally aligned,
 * entirely inside.
 * @returns `0`, or `-EINVAL` with the kernel's meaning (misaligned or out of range)
 */
export function checkAccess(size: number, offset: number, width: number): number {
  if (!isAccessWidth(width) || !Number.isInteger(offset)) return -EINVAL;
  if (offset < 0 || offset + width > size) return -EINVAL;
  return offset % width === 0 ? 0 : -EINVAL;
}

/** Why {@link checkAccess} refused an access, for RangeError messages. */
export function describeBadAccess(size: number, offset: number, width: number): string {
  if (!isAccessWidth(width)) return `access width ${String(width)} is not 1, 2 or 4`;
  if (!Number.isInteger(offset)) return `offset ${String(offset)} is not an integer`;
  if (offset < 0 || offset + width > size)
    return `${width}-byte access at ${hex(offset)} is outside the ${size}-byte space`;
  return `${width}-byte access at ${hex(offset)} is not ${width}-byte aligned`;
}

/** All ones for an access width: what a read of an unreachable function returns. */
export function allOnes(width: AccessWidth): number {
  return width === 4 ? 0xffffffff : width === 2 ? 0xffff : 0xff;
}

/** `0x…` with at least `digits` hex digits. */
export function hex(value: number, digits = 2): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}
