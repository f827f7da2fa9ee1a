import { describe, expect, it } from 'vitest';
import { EINVAL } from '@vfio-ts/kernel';
import {
  ConfigSpace,
  PCI_CFG_SPACE_EXP_SIZE,
  PCI_CFG_SPACE_SIZE,
  allOnes,
  checkAccess,
  isAccessWidth,
  isConfigSpaceSize,
  pciPowerName,
  PCI_D3cold,
  PCI_POWER_ERROR,
  PCI_UNKNOWN,
  PCI_EXT_CAP_ID,
  PCI_EXT_CAP_NEXT,
  PCI_EXT_CAP_VER,
} from '@vfio-ts/pci-core';

describe('ConfigSpace', () => {
  it('is little endian at every width', () => {
    const cfg = new ConfigSpace(PCI_CFG_SPACE_SIZE);
    cfg.writeU32(0, 0x10d38086);
    expect([cfg.readU8(0), cfg.readU8(1), cfg.readU16(0), cfg.readU16(2)]).toEqual([
      0x86, 0x80, 0x8086, 0x10d3,
    ]);
    cfg.writeU16(4, 0x0407);
    cfg.writeU8(6, 0x10);
    expect(cfg.readU32(4)).toBe(0x00100407);
    cfg.writeU32(8, 0xffffffff);
    expect(cfg.readU32(8)).toBe(0xffffffff);
  });

  it('copies its initial bytes and clones independently', () => {
    const bytes = new Uint8Array(4096);
    const cfg = new ConfigSpace(bytes);
    bytes[0] = 1;
    expect(cfg.readU8(0)).toBe(0);
    const copy = cfg.clone();
    copy.writeU8(0, 7);
    expect([cfg.readU8(0), copy.readU8(0), copy.cfgSize]).toEqual([0, 7, 4096]);
  });

  it('throws RangeError with the reason for simulator misuse', () => {
    const cfg = new ConfigSpace(256);
    expect(() => cfg.readU16(1)).toThrow(/2-byte access at 0x01 is not 2-byte aligned/);
    expect(() => cfg.readU32(2)).toThrow(RangeError);
    expect(() => cfg.writeU32(256, 0)).toThrow(/outside the 256-byte space/);
    expect(() => cfg.read(0, 3 as 1)).toThrow(/width 3/);
    expect(() => cfg.read(0.5, 1)).toThrow(/not an integer/);
    expect(() => new ConfigSpace(512 as 256)).toThrow(/neither 256 nor 4096/);
  });
});

describe('access checks (drivers/pci/access.c)', () => {
  it('accepts naturally aligned accesses inside the space', () => {
    expect(checkAccess(4096, 0xffc, 4)).toBe(0);
    expect(checkAccess(4096, 0xfff, 1)).toBe(0);
  });
  it('returns -EINVAL for misaligned, oversized and out-of-range accesses', () => {
    expect(checkAccess(4096, 1, 2)).toBe(-EINVAL);
    expect(checkAccess(4096, 2, 4)).toBe(-EINVAL);
    expect(checkAccess(4096, 4096, 1)).toBe(-EINVAL);
    expect(checkAccess(4096, -4, 4)).toBe(-EINVAL);
    expect(checkAccess(4096, 0, 8)).toBe(-EINVAL);
    expect(checkAccess(256, 0x100, 4)).toBe(-EINVAL);
  });
  it('knows the widths, sizes and all-ones values', () => {
    expect([1, 2, 3, 4, 8].map(isAccessWidth)).toEqual([true, true, false, true, false]);
    expect([PCI_CFG_SPACE_SIZE, PCI_CFG_SPACE_EXP_SIZE, 64].map(isConfigSpaceSize)).toEqual([
      true,
      true,
      false,
    ]);
    expect([allOnes(1), allOnes(2), allOnes(4)]).toEqual([0xff, 0xffff, 0xffffffff]);
  });
});

describe('register helpers', () => {
  it('names power states as pci_power_name() does', () => {
    expect([0, 1, 2, 3, PCI_D3cold, PCI_UNKNOWN, PCI_POWER_ERROR, 9].map(pciPowerName)).toEqual([
      'D0',
      'D1',
      'D2',
      'D3hot',
      'D3cold',
      'unknown',
      'error',
      'error',
    ]);
  });
  it('splits extended capability headers', () => {
    expect([
      PCI_EXT_CAP_ID(0x2f010004),
      PCI_EXT_CAP_VER(0x2f010004),
      PCI_EXT_CAP_NEXT(0x2f010004),
    ]).toEqual([4, 1, 0x2f0]);
  });
});
