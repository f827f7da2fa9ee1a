// Numeric and string constants of include/uapi/linux/vfio.h (Linux 6.1), without the VFIO_
// prefix. Structures and their codecs are in device.ts, feature.ts and hot-reset.ts; ioctl
// numbers in ioctl.ts; IOMMU-backend flags in iommu.ts.

/** API version, ioctl type and base, and the CHECK_EXTENSION / SET_IOMMU identifiers. */
export const API = {
  API_VERSION: 0,
  // VFIO_CHECK_EXTENSION arguments; the IOMMU models are also VFIO_SET_IOMMU arguments.
  TYPE1_IOMMU: 1,
  SPAPR_TCE_IOMMU: 2,
  TYPE1v2_IOMMU: 3,
  DMA_CC_IOMMU: 4,
  EEH: 5,
  TYPE1_NESTING_IOMMU: 6,
  SPAPR_TCE_v2_IOMMU: 7,
  NOIOMMU_IOMMU: 8,
  UNMAP_ALL: 9,
  UPDATE_VADDR: 10,
  // The ioctl "type" byte, ';', and the first ioctl number.
  TYPE: 0x3b,
  BASE: 100,
} as const;

/** `struct vfio_group_status` flags. */
export const GROUP_FLAGS = {
  GROUP_FLAGS_VIABLE: 1 << 0,
  GROUP_FLAGS_CONTAINER_SET: 1 << 1,
} as const;

/** `struct vfio_device_info` flags, device API strings and info capability ids. */
export const DEVICE_INFO = {
  DEVICE_FLAGS_RESET: 1 << 0,
  DEVICE_FLAGS_PCI: 1 << 1,
  DEVICE_FLAGS_PLATFORM: 1 << 2,
  DEVICE_FLAGS_AMBA: 1 << 3,
  DEVICE_FLAGS_CCW: 1 << 4,
  DEVICE_FLAGS_AP: 1 << 5,
  DEVICE_FLAGS_FSL_MC: 1 << 6,
  DEVICE_FLAGS_CAPS: 1 << 7,
  DEVICE_API_PCI_STRING: 'vfio-pci',
  DEVICE_API_PLATFORM_STRING: 'vfio-platform',
  DEVICE_API_AMBA_STRING: 'vfio-amba',
  DEVICE_API_CCW_STRING: 'vfio-ccw',
  DEVICE_API_AP_STRING: 'vfio-ap',
  DEVICE_INFO_CAP_ZPCI_BASE: 1,
  DEVICE_INFO_CAP_ZPCI_GROUP: 2,
  DEVICE_INFO_CAP_ZPCI_UTIL: 3,
  DEVICE_INFO_CAP_ZPCI_PFIP: 4,
} as const;

/** `struct vfio_region_info` flags, capability ids, region types and subtypes. */
export const REGION_INFO = {
  REGION_INFO_FLAG_READ: 1 << 0,
  REGION_INFO_FLAG_WRITE: 1 << 1,
  REGION_INFO_FLAG_MMAP: 1 << 2,
  REGION_INFO_FLAG_CAPS: 1 << 3,
  REGION_INFO_CAP_SPARSE_MMAP: 1,
  REGION_INFO_CAP_TYPE: 2,
  REGION_INFO_CAP_MSIX_MAPPABLE: 3,
  REGION_INFO_CAP_NVLINK2_SSATGT: 4,
  REGION_INFO_CAP_NVLINK2_LNKSPD: 5,
  // vfio.h writes (1 << 31), an int that C makes negative; as the __u32 it is stored in: 2^31.
  REGION_TYPE_PCI_VENDOR_TYPE: 0x8000_0000,
  REGION_TYPE_PCI_VENDOR_MASK: 0xffff,
  REGION_TYPE_GFX: 1,
  REGION_TYPE_CCW: 2,
  REGION_TYPE_MIGRATION_DEPRECATED: 3,
  REGION_SUBTYPE_INTEL_IGD_OPREGION: 1,
  REGION_SUBTYPE_INTEL_IGD_HOST_CFG: 2,
  REGION_SUBTYPE_INTEL_IGD_LPC_CFG: 3,
  REGION_SUBTYPE_NVIDIA_NVLINK2_RAM: 1,
  REGION_SUBTYPE_IBM_NVLINK2_ATSD: 1,
  REGION_SUBTYPE_GFX_EDID: 1,
  DEVICE_GFX_LINK_STATE_UP: 1,
  DEVICE_GFX_LINK_STATE_DOWN: 2,
  REGION_SUBTYPE_CCW_ASYNC_CMD: 1,
  REGION_SUBTYPE_CCW_SCHIB: 2,
  REGION_SUBTYPE_CCW_CRW: 3,
  REGION_SUBTYPE_MIGRATION_DEPRECATED: 1,
  // The deprecated v1 migration region's device_state bits.
  DEVICE_STATE_V1_STOP: 0,
  DEVICE_STATE_V1_RUNNING: 1 << 0,
  DEVICE_STATE_V1_SAVING: 1 << 1,
  DEVICE_STATE_V1_RESUMING: 1 << 2,
  DEVICE_STATE_MASK: 0x7,
} as const;

/** `struct vfio_irq_info` and `struct vfio_irq_set` flags. */
export const IRQ = {
  IRQ_INFO_EVENTFD: 1 << 0,
  IRQ_INFO_MASKABLE: 1 << 1,
  IRQ_INFO_AUTOMASKED: 1 << 2,
  IRQ_INFO_NORESIZE: 1 << 3,
  IRQ_SET_DATA_NONE: 1 << 0,
  IRQ_SET_DATA_BOOL: 1 << 1,
  IRQ_SET_DATA_EVENTFD: 1 << 2,
  IRQ_SET_ACTION_MASK: 1 << 3,
  IRQ_SET_ACTION_UNMASK: 1 << 4,
  IRQ_SET_ACTION_TRIGGER: 1 << 5,
  IRQ_SET_DATA_TYPE_MASK: 0x07,
  IRQ_SET_ACTION_TYPE_MASK: 0x38,
} as const;

/** vfio-pci and vfio-ccw region and IRQ indices (the anonymous enums of vfio.h). */
export const INDICES = {
  PCI_BAR0_REGION_INDEX: 0,
  PCI_BAR1_REGION_INDEX: 1,
  PCI_BAR2_REGION_INDEX: 2,
  PCI_BAR3_REGION_INDEX: 3,
  PCI_BAR4_REGION_INDEX: 4,
  PCI_BAR5_REGION_INDEX: 5,
  PCI_ROM_REGION_INDEX: 6,
  PCI_CONFIG_REGION_INDEX: 7,
  PCI_VGA_REGION_INDEX: 8,
  PCI_NUM_REGIONS: 9,
  PCI_INTX_IRQ_INDEX: 0,
  PCI_MSI_IRQ_INDEX: 1,
  PCI_MSIX_IRQ_INDEX: 2,
  PCI_ERR_IRQ_INDEX: 3,
  PCI_REQ_IRQ_INDEX: 4,
  PCI_NUM_IRQS: 5,
  CCW_CONFIG_REGION_INDEX: 0,
  CCW_NUM_REGIONS: 1,
  CCW_IO_IRQ_INDEX: 0,
  CCW_CRW_IRQ_INDEX: 1,
  CCW_REQ_IRQ_INDEX: 2,
  CCW_NUM_IRQS: 3,
} as const;

/** `struct vfio_device_gfx_plane_info` flags and `struct vfio_device_ioeventfd` flags. */
export const GFX_AND_IOEVENTFD = {
  GFX_PLANE_TYPE_PROBE: 1 << 0,
  GFX_PLANE_TYPE_DMABUF: 1 << 1,
  GFX_PLANE_TYPE_REGION: 1 << 2,
  DEVICE_IOEVENTFD_8: 1 << 0,
  DEVICE_IOEVENTFD_16: 1 << 1,
  DEVICE_IOEVENTFD_32: 1 << 2,
  DEVICE_IOEVENTFD_64: 1 << 3,
  DEVICE_IOEVENTFD_SIZE_MASK: 0xf,
} as const;
