// vfio-pci's device-fd offset encoding (index << 40), mirrored from vfio_pci_priv.h.
import { describe, expect, it } from 'vitest';
import { NO_REGION_INDEX, VFIO } from '@vfio-ts/vfio-core';

describe('device-fd offsets (E.6)', () => {
  it('places region index in bits 63:40', () => {
    expect(VFIO.PCI_OFFSET_SHIFT).toBe(40);
    expect(VFIO.PCI_OFFSET_MASK).toBe(0xff_ffff_ffff);
    expect(VFIO.regionOffset(VFIO.PCI_BAR0_REGION_INDEX)).toBe(0);
    expect(VFIO.regionOffset(5)).toBe(0x500_0000_0000);
    expect(VFIO.regionOffset(VFIO.PCI_ROM_REGION_INDEX)).toBe(0x600_0000_0000);
    expect(VFIO.regionOffset(VFIO.PCI_CONFIG_REGION_INDEX)).toBe(0x700_0000_0000);
  });

  it('puts config space at region 7', () => {
    expect(VFIO.pciConfigOffset()).toBe(0x700_0000_0000);
    expect(VFIO.pciConfigOffset(0x44)).toBe(0x700_0000_0044);
  });

  it.each([
    [0, 0, 0],
    [0x700_0000_0044, 7, 0x44],
    [0x500_0001_2340, 5, 0x1_2340],
    [0xff_ffff_ffff, 0, 0xff_ffff_ffff],
    [2 ** 53 - 1, 8191, 0xff_ffff_ffff],
  ])('splits %i into index %i and offset %i', (off, index, within) => {
    expect(VFIO.offsetToIndex(off)).toBe(index);
    expect(VFIO.offsetToOffset(off)).toBe(within);
  });

  it('splits bigint offsets exactly, beyond 2^53 too', () => {
    const off = (0xabcdefn << 40n) | 0x12_3456_789an;
    expect(VFIO.offsetToIndex(off)).toBe(0xabcdef);
    expect(VFIO.offsetToOffset(off)).toBe(0x12_3456_789a);
    expect(VFIO.offsetToIndex(1n << 64n)).toBe(0);
  });

  it('takes negative offsets modulo 2^64, as the kernel holds them', () => {
    expect(VFIO.offsetToIndex(-1)).toBe(0xff_ffff);
    expect(VFIO.offsetToOffset(-1)).toBe(0xff_ffff_ffff);
    expect(VFIO.offsetToIndex(-1n)).toBe(0xff_ffff);
  });

  it.each([Number.NaN, Infinity, -Infinity, 1.5])(
    'gives %s an index no device has, and offset 0',
    (off) => {
      expect(VFIO.offsetToIndex(off)).toBe(NO_REGION_INDEX);
      expect(VFIO.offsetToOffset(off)).toBe(0);
    },
  );

  it('round-trips every region index and offset below 2^53', () => {
    for (let index = 0; index < VFIO.PCI_NUM_REGIONS; index++) {
      const off = VFIO.regionOffset(index) + 0xabc;
      expect([VFIO.offsetToIndex(off), VFIO.offsetToOffset(off)]).toEqual([index, 0xabc]);
    }
  });
});
