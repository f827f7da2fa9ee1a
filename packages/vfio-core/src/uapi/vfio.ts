// The VFIO object: every constant of include/uapi/linux/vfio.h under its C name without the
// VFIO_ prefix, plus the structure codecs and vfio-pci's offset encoding.

import {
  API,
  DEVICE_INFO,
  GFX_AND_IOEVENTFD,
  GROUP_FLAGS,
  INDICES,
  IRQ,
  REGION_INFO,
} from './constants.js';
import { deviceInfo, deviceIoeventfd, irqInfo, irqSet, regionInfo } from './device.js';
import { deviceFeature, deviceLowPowerEntryWithWakeup, FEATURE } from './feature.js';
import { pciDependentDevice, pciHotReset, pciHotResetInfo } from './hot-reset.js';
import {
  CONTAINER_IOCTLS,
  DEVICE_IOCTLS,
  deviceIoctlName,
  GROUP_IOCTLS,
  IOMMU_IOCTLS,
} from './ioctl.js';
import { IOMMU_SPAPR, IOMMU_TYPE1 } from './iommu.js';
import {
  offsetToIndex,
  offsetToOffset,
  PCI_OFFSET_MASK,
  PCI_OFFSET_SHIFT,
  pciConfigOffset,
  regionOffset,
} from './region.js';

/**
 * The vfio user-space API, as `linux/vfio.h` (Linux 6.1) defines it.
 *
 * - UPPER_CASE keys: every constant of vfio.h named without its `VFIO_` prefix, with the same
 *   value (`VFIO.DEVICE_FEATURE` = 0x3B75, `VFIO.DEVICE_FEATURE_SET` = 0x20000,
 *   `VFIO.PCI_CONFIG_REGION_INDEX` = 7, …). `PCI_OFFSET_SHIFT` and `PCI_OFFSET_MASK` mirror
 *   vfio-pci's private header instead.
 * - camelCase keys holding a {@link StructCodec}: one per structure (`deviceInfo`, `regionInfo`,
 *   `irqInfo`, `irqSet`, `deviceIoeventfd`, `pciDependentDevice`, `pciHotResetInfo`,
 *   `pciHotReset`, `deviceFeature`, `deviceLowPowerEntryWithWakeup`), each with `SIZE`, `MINSZ`,
 *   `OFFSETS`, `encode` and `decode`. Buffers are little endian; decoders return `null` for a
 *   buffer shorter than `MINSZ` and never throw.
 * - Shorthands: `feature` / `decodeFeature` and `lowPowerEntryWithWakeup` /
 *   `decodeLowPowerEntryWithWakeup`; `regionOffset`, `offsetToIndex`, `offsetToOffset`,
 *   `pciConfigOffset`; `deviceIoctlName`.
 *
 * @example
 * ```ts
 * const buf = VFIO.feature({
 *   flags: VFIO.DEVICE_FEATURE_SET,
 *   feature: VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
 *   data: VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: efd }),
 * }); // 16 bytes: argsz 16, flags 0x20004, then the s32 fd and a zero u32
 * ```
 */
export const VFIO = Object.freeze({
  ...API,
  ...CONTAINER_IOCTLS,
  ...GROUP_IOCTLS,
  ...GROUP_FLAGS,
  ...DEVICE_IOCTLS,
  ...DEVICE_INFO,
  ...REGION_INFO,
  ...IRQ,
  ...INDICES,
  ...GFX_AND_IOEVENTFD,
  ...FEATURE,
  ...IOMMU_IOCTLS,
  ...IOMMU_TYPE1,
  ...IOMMU_SPAPR,
  PCI_OFFSET_SHIFT,
  PCI_OFFSET_MASK,
  regionOffset,
  offsetToIndex,
  offsetToOffset,
  pciConfigOffset,
  deviceIoctlName,
  deviceInfo,
  regionInfo,
  irqInfo,
  irqSet,
  deviceIoeventfd,
  pciDependentDevice,
  pciHotResetInfo,
  pciHotReset,
  deviceFeature,
  deviceLowPowerEntryWithWakeup,
  /** Builds a VFIO_DEVICE_FEATURE buffer: `deviceFeature.encode`. */
  feature: deviceFeature.encode,
  /** Reads a VFIO_DEVICE_FEATURE buffer (`null` if shorter than 8 bytes): `deviceFeature.decode`. */
  decodeFeature: deviceFeature.decode,
  /** Builds the 8-byte LOW_POWER_ENTRY_WITH_WAKEUP payload. */
  lowPowerEntryWithWakeup: deviceLowPowerEntryWithWakeup.encode,
  /** Reads the LOW_POWER_ENTRY_WITH_WAKEUP payload (`null` if shorter than 8 bytes). */
  decodeLowPowerEntryWithWakeup: deviceLowPowerEntryWithWakeup.decode,
});

/** The type of {@link VFIO}. */
export type Vfio = typeof VFIO;
