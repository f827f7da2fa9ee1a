// IOMMU-backend constants of include/uapi/linux/vfio.h: the type1 container ioctls' flags and
// capability ids, and the sPAPR TCE / EEH ones. The simulator's façade hides the container;
// these exist so that VFIO names every uAPI constant.

/** Type1 IOMMU flags and capability ids (`struct vfio_iommu_type1_*`). */
export const IOMMU_TYPE1 = {
  IOMMU_INFO_PGSIZES: 1 << 0,
  IOMMU_INFO_CAPS: 1 << 1,
  IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: 1,
  IOMMU_TYPE1_INFO_CAP_MIGRATION: 2,
  IOMMU_TYPE1_INFO_DMA_AVAIL: 3,
  DMA_MAP_FLAG_READ: 1 << 0,
  DMA_MAP_FLAG_WRITE: 1 << 1,
  DMA_MAP_FLAG_VADDR: 1 << 2,
  DMA_UNMAP_FLAG_GET_DIRTY_BITMAP: 1 << 0,
  DMA_UNMAP_FLAG_ALL: 1 << 1,
  DMA_UNMAP_FLAG_VADDR: 1 << 2,
  IOMMU_DIRTY_PAGES_FLAG_START: 1 << 0,
  IOMMU_DIRTY_PAGES_FLAG_STOP: 1 << 1,
  IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP: 1 << 2,
} as const;

/** sPAPR TCE IOMMU flags and EEH (`struct vfio_eeh_pe_op`) operations and states. */
export const IOMMU_SPAPR = {
  IOMMU_SPAPR_INFO_DDW: 1 << 0,
  EEH_PE_DISABLE: 0,
  EEH_PE_ENABLE: 1,
  EEH_PE_UNFREEZE_IO: 2,
  EEH_PE_UNFREEZE_DMA: 3,
  EEH_PE_GET_STATE: 4,
  EEH_PE_STATE_NORMAL: 0,
  EEH_PE_STATE_RESET: 1,
  EEH_PE_STATE_STOPPED: 2,
  EEH_PE_STATE_STOPPED_DMA: 4,
  EEH_PE_STATE_UNAVAIL: 5,
  EEH_PE_RESET_DEACTIVATE: 5,
  EEH_PE_RESET_HOT: 6,
  EEH_PE_RESET_FUNDAMENTAL: 7,
  EEH_PE_CONFIGURE: 8,
  EEH_PE_INJECT_ERR: 9,
} as const;
