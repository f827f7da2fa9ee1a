// @vfio-ts/vfio-pci: the vfio-pci core (config virtualisation, regions, mmaps, interrupts,
// resets, runtime PM glue), the default vfio-pci driver and the variant plug-in API.
export {
  VfioPciCoreDevice,
  VFIO_PCI_DEFAULT_OPTIONS,
  VFIO_PCI_IOEVENTFD_MAX,
  PCI_CAP_ID_INVALID,
  PCI_CAP_ID_INVALID_VIRT,
  toVfioPciCoreDevice,
  __vfioPciMemoryEnabled,
} from './internal.js';
export type {
  VfioPciOptions,
  VfioPciIrqCtx,
  VfioPciIoeventfd,
  VfioIrqSetArgs,
} from './internal.js';
export { vfioPciConfigRw } from './config.js';
export { vfioConfigInit, vfioConfigFree } from './config-init.js';
export { vfioInitConfigQuirks, vfioApplyConfigQuirks } from './config-quirks.js';
export { vfioBarFixup, vfioLockAndSetPowerState } from './config-caps.js';
export type { PermBits } from './config-perms.js';
export { vfioPciRw, vfioPciBarRw } from './rdwr.js';
export {
  vfioPciCoreMmap,
  vfioPciMmapFault,
  vfioPciMmapClose,
  vfioPciMmapOps,
  vfioPciZapAndVmaLock,
  vfioPciZapAndDownWriteMemoryLock,
  vfioPciMemoryLockAndEnable,
  vfioPciMemoryUnlockAndRestore,
} from './mmap.js';
export type { VfioPciMmap } from './mmap.js';
export {
  vfioPciIntxMask,
  vfioPciIntxUnmask,
  vfioPciIntxUnmaskHandler,
  vfioPciVariantIntxMask,
  vfioPciVariantIntxUnmask,
  vfioSendIntxEventfd,
  vfioPciSetIrqsIoctl,
} from './intrs.js';
export { vfioPciGetIrqCount, vfioPciSetMsiTrigger } from './intrs-msi.js';
export {
  vfioPciSetPowerState,
  vfioPciRuntimePmExit,
  __vfioPciRuntimePmExit,
  vfioPciCoreRuntimeSuspend,
  vfioPciCoreRuntimeResume,
  vfioPciCorePmOps,
  vfioPciVariantRuntimeSuspend,
  vfioPciVariantRuntimeResume,
  vfioPciVariantPmOps,
} from './pm.js';
export { vfioPciCoreIoctlFeature, vfioPciDeviceFeature, vfioPciRuntimePmEntry } from './feature.js';
export {
  vfioPciCoreIoctl,
  vfioPciIoctlGetInfo,
  vfioPciIoctlGetRegionInfo,
  vfioPciIoctlGetIrqInfo,
  vfioPciIoctlSetIrqs,
} from './core-ioctl.js';
export { vfioPciIoeventfd, vfioPciIoctlIoeventfd } from './ioeventfd.js';
export {
  vfioPciIoctlReset,
  vfioPciIoctlGetPciHotResetInfo,
  vfioPciIoctlPciHotReset,
  vfioPciDevSetPmRuntimeGet,
  vfioPciDevSetResettable,
  vfioPciForEachSlotOrBus,
  vfioPciIommuGroup,
  vfioPciSetIommuGroup,
} from './reset.js';
export {
  vfioPciCoreEnable,
  vfioPciNointx,
  vfioPciCoreDisable,
  vfioPciProbeMmaps,
  vfioPciDevSetTryReset,
  vfioPciOpenDevice,
  vfioPciCoreCloseDevice,
  vfioPciCoreRequest,
  vfioPciCoreMatch,
  vfioPciOps,
  vfioPciCoreRegisterDevice,
  vfioPciCoreUnregisterDevice,
} from './core.js';
export { vfioPciCoreSriovConfigure, vfioPciSriovConfigure } from './sriov.js';
export { createVfioPciDriver, vfioPciIsDenylisted, VFIO_PCI_DENYLIST } from './driver.js';
export type { VfioPciDriver, VfioPciDriverInit } from './driver.js';
export { VFIO_PCI_VARIANTS, vfioPciMatchVariant, checkVfioPciVariant } from './variant.js';
export type { VfioPciVariant, VfioPciFeatureHandler, VfioPciConfigQuirk } from './variant.js';
