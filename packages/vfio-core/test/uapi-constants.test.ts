// Constants of VFIO against KERNEL.md section E (the C test checks them against vfio.h itself).
import { describe, expect, it } from 'vitest';
import { VFIO } from '@vfio-ts/vfio-core';

describe('VFIO ioctl numbers (E.1)', () => {
  it.each([
    ['GET_API_VERSION', 0x3b64],
    ['CHECK_EXTENSION', 0x3b65],
    ['SET_IOMMU', 0x3b66],
    ['GROUP_GET_STATUS', 0x3b67],
    ['GROUP_SET_CONTAINER', 0x3b68],
    ['GROUP_UNSET_CONTAINER', 0x3b69],
    ['GROUP_GET_DEVICE_FD', 0x3b6a],
    ['DEVICE_GET_INFO', 0x3b6b],
    ['DEVICE_GET_REGION_INFO', 0x3b6c],
    ['DEVICE_GET_IRQ_INFO', 0x3b6d],
    ['DEVICE_SET_IRQS', 0x3b6e],
    ['DEVICE_RESET', 0x3b6f],
    ['DEVICE_GET_PCI_HOT_RESET_INFO', 0x3b70],
    ['DEVICE_PCI_HOT_RESET', 0x3b71],
    ['DEVICE_QUERY_GFX_PLANE', 0x3b72],
    ['DEVICE_GET_GFX_DMABUF', 0x3b73],
    ['DEVICE_IOEVENTFD', 0x3b74],
    ['DEVICE_FEATURE', 0x3b75],
  ] as const)('numbers VFIO_%s as %i', (name, value) => {
    expect(VFIO[name]).toBe(value);
  });

  it('builds every number as _IO(";", 100 + n): no direction or size bits', () => {
    expect(VFIO.TYPE).toBe(';'.charCodeAt(0));
    expect(VFIO.BASE).toBe(100);
    expect(VFIO.API_VERSION).toBe(0);
    expect(VFIO.DEVICE_FEATURE).toBe((VFIO.TYPE << 8) | (VFIO.BASE + 17));
  });

  it('reuses device ioctl numbers for IOMMU-backend ioctls on the container', () => {
    expect(VFIO.IOMMU_GET_INFO).toBe(VFIO.DEVICE_GET_PCI_HOT_RESET_INFO);
    expect(VFIO.IOMMU_MAP_DMA).toBe(VFIO.DEVICE_PCI_HOT_RESET);
    expect(VFIO.IOMMU_DIRTY_PAGES).toBe(VFIO.DEVICE_FEATURE);
    expect(VFIO.EEH_PE_OP).toBe(0x3b64 + 21);
  });

  it('names device ioctls by their C name and nothing else', () => {
    expect(VFIO.deviceIoctlName(0x3b75)).toBe('VFIO_DEVICE_FEATURE');
    expect(VFIO.deviceIoctlName(VFIO.DEVICE_GET_REGION_INFO)).toBe('VFIO_DEVICE_GET_REGION_INFO');
    expect(VFIO.deviceIoctlName(VFIO.GROUP_GET_DEVICE_FD)).toBeUndefined();
    expect(VFIO.deviceIoctlName(0x3b76)).toBeUndefined();
    expect(VFIO.deviceIoctlName(Number.NaN)).toBeUndefined();
  });
});

describe('VFIO flag and index values (E.2–E.6)', () => {
  it('splits the feature flags word: index in bits 15:0, GET/SET/PROBE in 16–18', () => {
    expect(VFIO.DEVICE_FEATURE_MASK).toBe(0xffff);
    expect([VFIO.DEVICE_FEATURE_GET, VFIO.DEVICE_FEATURE_SET, VFIO.DEVICE_FEATURE_PROBE]).toEqual([
      0x10000, 0x20000, 0x40000,
    ]);
  });

  it('numbers the features of 6.1 (E.3): low power entry 3, with wakeup 4, exit 5', () => {
    expect([
      VFIO.DEVICE_FEATURE_PCI_VF_TOKEN,
      VFIO.DEVICE_FEATURE_MIGRATION,
      VFIO.DEVICE_FEATURE_MIG_DEVICE_STATE,
      VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY,
      VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
      VFIO.DEVICE_FEATURE_LOW_POWER_EXIT,
      VFIO.DEVICE_FEATURE_DMA_LOGGING_START,
      VFIO.DEVICE_FEATURE_DMA_LOGGING_STOP,
      VFIO.DEVICE_FEATURE_DMA_LOGGING_REPORT,
    ]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('gives the device, region and IRQ flags of E.5', () => {
    expect([VFIO.DEVICE_FLAGS_RESET, VFIO.DEVICE_FLAGS_PCI, VFIO.DEVICE_FLAGS_CAPS]).toEqual([
      1, 2, 0x80,
    ]);
    expect([
      VFIO.REGION_INFO_FLAG_READ,
      VFIO.REGION_INFO_FLAG_WRITE,
      VFIO.REGION_INFO_FLAG_MMAP,
      VFIO.REGION_INFO_FLAG_CAPS,
    ]).toEqual([1, 2, 4, 8]);
    expect([
      VFIO.IRQ_INFO_EVENTFD,
      VFIO.IRQ_INFO_MASKABLE,
      VFIO.IRQ_INFO_AUTOMASKED,
      VFIO.IRQ_INFO_NORESIZE,
    ]).toEqual([1, 2, 4, 8]);
    expect(VFIO.IRQ_SET_DATA_EVENTFD | VFIO.IRQ_SET_ACTION_TRIGGER).toBe(0x24);
    expect(VFIO.IRQ_SET_DATA_NONE | VFIO.IRQ_SET_ACTION_MASK).toBe(0x09);
    expect(VFIO.IRQ_SET_DATA_NONE | VFIO.IRQ_SET_ACTION_UNMASK).toBe(0x11);
    expect(VFIO.IRQ_SET_DATA_TYPE_MASK).toBe(0x07);
    expect(VFIO.IRQ_SET_ACTION_TYPE_MASK).toBe(0x38);
    expect([
      VFIO.DEVICE_IOEVENTFD_8,
      VFIO.DEVICE_IOEVENTFD_16,
      VFIO.DEVICE_IOEVENTFD_32,
      VFIO.DEVICE_IOEVENTFD_64,
      VFIO.DEVICE_IOEVENTFD_SIZE_MASK,
    ]).toEqual([1, 2, 4, 8, 0xf]);
    expect([VFIO.GROUP_FLAGS_VIABLE, VFIO.GROUP_FLAGS_CONTAINER_SET]).toEqual([1, 2]);
  });

  it('holds (1 << 31) as the unsigned 32-bit value it is stored as', () => {
    expect(VFIO.REGION_TYPE_PCI_VENDOR_TYPE).toBe(0x8000_0000);
  });

  it('numbers vfio-pci regions and IRQs (E.6)', () => {
    expect([
      VFIO.PCI_BAR0_REGION_INDEX,
      VFIO.PCI_BAR5_REGION_INDEX,
      VFIO.PCI_ROM_REGION_INDEX,
      VFIO.PCI_CONFIG_REGION_INDEX,
      VFIO.PCI_VGA_REGION_INDEX,
      VFIO.PCI_NUM_REGIONS,
    ]).toEqual([0, 5, 6, 7, 8, 9]);
    expect([
      VFIO.PCI_INTX_IRQ_INDEX,
      VFIO.PCI_MSI_IRQ_INDEX,
      VFIO.PCI_MSIX_IRQ_INDEX,
      VFIO.PCI_ERR_IRQ_INDEX,
      VFIO.PCI_REQ_IRQ_INDEX,
      VFIO.PCI_NUM_IRQS,
    ]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('names the type1 IOMMU models for SET_IOMMU', () => {
    expect([VFIO.TYPE1_IOMMU, VFIO.TYPE1v2_IOMMU, VFIO.NOIOMMU_IOMMU]).toEqual([1, 3, 8]);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(VFIO)).toBe(true);
    expect(Object.isFrozen(VFIO.deviceInfo)).toBe(true);
    expect(Object.isFrozen(VFIO.deviceInfo.LAYOUT)).toBe(true);
    expect(Object.isFrozen(VFIO.irqSet.LAYOUT.fields['flags'])).toBe(true);
    expect(Object.isFrozen(VFIO.irqSet.LAYOUT.flex)).toBe(true);
  });
});
