// ioctl numbers of include/uapi/linux/vfio.h. Every one is _IO(VFIO_TYPE, VFIO_BASE + n)
// (include/uapi/asm-generic/ioctl.h): no direction and no size bits, even where vfio.h's
// comments document the argument as read or written.

import { API } from './constants.js';

// Bit positions of include/uapi/asm-generic/ioctl.h.
const IOC_NRSHIFT = 0;
const IOC_TYPESHIFT = 8;
const IOC_SIZESHIFT = 16;
const IOC_DIRSHIFT = 30;

/** `_IOC_NONE`, the direction of an `_IO()` number. */
export const IOC_NONE = 0;

/**
 * Composes an ioctl number as `_IOC(dir, type, nr, size)` does.
 *
 * @param dir - direction bits (2 bits)
 * @param type - the driver's type byte
 * @param nr - the command number (8 bits)
 * @param size - the argument size (14 bits)
 * @returns the 32-bit request number, unsigned
 */
export function ioctlNumber(dir: number, type: number, nr: number, size: number): number {
  return (
    ((dir << IOC_DIRSHIFT) |
      (type << IOC_TYPESHIFT) |
      (nr << IOC_NRSHIFT) |
      (size << IOC_SIZESHIFT)) >>>
    0
  );
}

/**
 * The vfio ioctl number `n`, as vfio.h builds it: `_IO(VFIO_TYPE, VFIO_BASE + n)`.
 *
 * @param n - offset from VFIO_BASE
 */
export function vfioIoctl(n: number): number {
  return ioctlNumber(IOC_NONE, API.TYPE, API.BASE + n, 0);
}

/** ioctls on the container fd (/dev/vfio/vfio). */
export const CONTAINER_IOCTLS = {
  GET_API_VERSION: vfioIoctl(0),
  CHECK_EXTENSION: vfioIoctl(1),
  SET_IOMMU: vfioIoctl(2),
} as const;

/** ioctls on a group fd (/dev/vfio/N). */
export const GROUP_IOCTLS = {
  GROUP_GET_STATUS: vfioIoctl(3),
  GROUP_SET_CONTAINER: vfioIoctl(4),
  GROUP_UNSET_CONTAINER: vfioIoctl(5),
  GROUP_GET_DEVICE_FD: vfioIoctl(6),
} as const;

/** ioctls on a device fd. */
export const DEVICE_IOCTLS = {
  DEVICE_GET_INFO: vfioIoctl(7),
  DEVICE_GET_REGION_INFO: vfioIoctl(8),
  DEVICE_GET_IRQ_INFO: vfioIoctl(9),
  DEVICE_SET_IRQS: vfioIoctl(10),
  DEVICE_RESET: vfioIoctl(11),
  DEVICE_GET_PCI_HOT_RESET_INFO: vfioIoctl(12),
  DEVICE_PCI_HOT_RESET: vfioIoctl(13),
  DEVICE_QUERY_GFX_PLANE: vfioIoctl(14),
  DEVICE_GET_GFX_DMABUF: vfioIoctl(15),
  DEVICE_IOEVENTFD: vfioIoctl(16),
  DEVICE_FEATURE: vfioIoctl(17),
} as const;

/** ioctls on a container with an IOMMU backend set; they reuse the device ioctls' numbers. */
export const IOMMU_IOCTLS = {
  IOMMU_GET_INFO: vfioIoctl(12),
  IOMMU_MAP_DMA: vfioIoctl(13),
  IOMMU_UNMAP_DMA: vfioIoctl(14),
  IOMMU_ENABLE: vfioIoctl(15),
  IOMMU_DISABLE: vfioIoctl(16),
  IOMMU_DIRTY_PAGES: vfioIoctl(17),
  IOMMU_SPAPR_TCE_GET_INFO: vfioIoctl(12),
  IOMMU_SPAPR_REGISTER_MEMORY: vfioIoctl(17),
  IOMMU_SPAPR_UNREGISTER_MEMORY: vfioIoctl(18),
  IOMMU_SPAPR_TCE_CREATE: vfioIoctl(19),
  IOMMU_SPAPR_TCE_REMOVE: vfioIoctl(20),
  EEH_PE_OP: vfioIoctl(21),
} as const;

const DEVICE_IOCTL_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(DEVICE_IOCTLS).map(([name, cmd]) => [cmd, `VFIO_${name}`]),
);

/**
 * Names a device-fd ioctl request for traces and messages. Numbers are only unique per kind of
 * fd (0x3B75 is also VFIO_IOMMU_DIRTY_PAGES on a container), so this knows device ioctls only.
 *
 * @param cmd - the request number
 * @returns the C name (`'VFIO_DEVICE_FEATURE'`), or `undefined` for any other number
 */
export function deviceIoctlName(cmd: number): string | undefined {
  return DEVICE_IOCTL_NAMES.get(cmd);
}
