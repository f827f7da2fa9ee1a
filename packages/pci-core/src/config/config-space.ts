// A raw little-endian config space buffer (the bytes behind pci_{read,write}_config_*).
import {
  allOnes,
  checkAccess,
  describeBadAccess,
  type AccessWidth,
  type ConfigReader,
} from './access.js';
import { PCI_CFG_SPACE_EXP_SIZE, PCI_CFG_SPACE_SIZE } from '../regs/header.js';

/** Config space sizes a function can have. */
export type ConfigSpaceSize = typeof PCI_CFG_SPACE_SIZE | typeof PCI_CFG_SPACE_EXP_SIZE;

/** True for 256 and 4096. */
export function isConfigSpaceSize(size: number): size is ConfigSpaceSize {
  return size === PCI_CFG_SPACE_SIZE || size === PCI_CFG_SPACE_EXP_SIZE;
}

/**
 * Reads `width` bytes at `offset` of `bytes`, little endian, unsigned; the caller checks bounds
 * and alignment.
 */
export function getLe(bytes: Uint8Array, offset: number, width: AccessWidth): number {
  if (width === 1) return bytes[offset]!;
  if (width === 2) return bytes[offset]! | (bytes[offset + 1]! << 8);
  return (
    (bytes[offset]! |
      (bytes[offset + 1]! << 8) |
      (bytes[offset + 2]! << 16) |
      (bytes[offset + 3]! << 24)) >>>
    0
  );
}

/** Writes the low `width` bytes of `value` at `offset` of `bytes`, little endian. */
export function setLe(bytes: Uint8Array, offset: number, width: AccessWidth, value: number): void {
  bytes[offset] = value & 0xff;
  if (width === 1) return;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  if (width === 2) return;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

/**
 * 256 or 4096 bytes of config space with typed little-endian accessors. Misuse (a misaligned or
 * out-of-range access) is a simulator bug here and throws RangeError; the hardware's
 * `configRead`/`configWrite` return `-EINVAL` instead.
 */
export class ConfigSpace implements ConfigReader {
  /** The bytes, little endian. Shared, not copied. */
  readonly bytes: Uint8Array;

  /**
   * @param init a size (zero-filled) or bytes to copy; 256 or 4096 long
   */
  constructor(init: ConfigSpaceSize | Uint8Array) {
    const size = typeof init === 'number' ? init : init.length;
    if (!isConfigSpaceSize(size))
      throw new RangeError(`ConfigSpace: size ${size} is neither 256 nor 4096 bytes`);
    // A copy, also of a Node Buffer (whose slice() is a view).
    this.bytes = typeof init === 'number' ? new Uint8Array(size) : new Uint8Array(init);
  }

  /** Size in bytes. */
  get cfgSize(): ConfigSpaceSize {
    return this.bytes.length as ConfigSpaceSize;
  }

  /** Reads `width` bytes at `offset`, little endian, unsigned. Throws RangeError on misuse. */
  read(offset: number, width: AccessWidth): number {
    this.check(offset, width);
    return getLe(this.bytes, offset, width);
  }

  /** Writes the low `width` bytes of `value` at `offset`. Throws RangeError on misuse. */
  write(offset: number, width: AccessWidth, value: number): void {
    this.check(offset, width);
    const v = value & allOnes(width);
    for (let i = 0; i < width; i++) this.bytes[offset + i] = (v >>> (8 * i)) & 0xff;
  }

  /** {@link ConfigReader} view: same as {@link read}. */
  configRead(offset: number, width: AccessWidth): number {
    return this.read(offset, width);
  }

  /** Reads a byte. */
  readU8(offset: number): number {
    return this.read(offset, 1);
  }
  /** Reads a 16-bit word (offset must be even). */
  readU16(offset: number): number {
    return this.read(offset, 2);
  }
  /** Reads a 32-bit dword (offset must be a multiple of 4). */
  readU32(offset: number): number {
    return this.read(offset, 4);
  }
  /** Writes a byte. */
  writeU8(offset: number, value: number): void {
    this.write(offset, 1, value);
  }
  /** Writes a 16-bit word (offset must be even). */
  writeU16(offset: number, value: number): void {
    this.write(offset, 2, value);
  }
  /** Writes a 32-bit dword (offset must be a multiple of 4). */
  writeU32(offset: number, value: number): void {
    this.write(offset, 4, value);
  }

  /** An independent copy. */
  clone(): ConfigSpace {
    return new ConfigSpace(this.bytes);
  }

  private check(offset: number, width: number): void {
    if (checkAccess(this.bytes.length, offset, width) !== 0)
      throw new RangeError(`ConfigSpace: ${describeBadAccess(this.bytes.length, offset, width)}`);
  }
}
