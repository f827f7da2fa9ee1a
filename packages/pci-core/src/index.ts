// @vfio-ts/pci-core: config space, capability walking, simulated PCI function hardware, dump
// loaders and built-in device models (the "silicon" layer), and on top of it the PCI core:
// PciDev, power states, platform firmware, save/restore, PME, resets, SR-IOV, drivers, the
// topology builder and sysfs.

export {
  PCI_CFG_SPACE_SIZE,
  PCI_CFG_SPACE_EXP_SIZE,
  PCI_STD_HEADER_SIZEOF,
  PCI_STD_NUM_BARS,
  PCI_VENDOR_ID,
  PCI_DEVICE_ID,
  PCI_COMMAND,
  PCI_COMMAND_IO,
  PCI_COMMAND_MEMORY,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_SPECIAL,
  PCI_COMMAND_INVALIDATE,
  PCI_COMMAND_VGA_PALETTE,
  PCI_COMMAND_PARITY,
  PCI_COMMAND_WAIT,
  PCI_COMMAND_SERR,
  PCI_COMMAND_FAST_BACK,
  PCI_COMMAND_INTX_DISABLE,
  PCI_STATUS,
  PCI_STATUS_IMM_READY,
  PCI_STATUS_INTERRUPT,
  PCI_STATUS_CAP_LIST,
  PCI_STATUS_66MHZ,
  PCI_STATUS_UDF,
  PCI_STATUS_FAST_BACK,
  PCI_STATUS_PARITY,
  PCI_STATUS_DEVSEL_MASK,
  PCI_STATUS_SIG_TARGET_ABORT,
  PCI_STATUS_REC_TARGET_ABORT,
  PCI_STATUS_REC_MASTER_ABORT,
  PCI_STATUS_SIG_SYSTEM_ERROR,
  PCI_STATUS_DETECTED_PARITY,
  PCI_CLASS_REVISION,
  PCI_REVISION_ID,
  PCI_CLASS_PROG,
  PCI_CLASS_DEVICE,
  PCI_CACHE_LINE_SIZE,
  PCI_LATENCY_TIMER,
  PCI_HEADER_TYPE,
  PCI_HEADER_TYPE_MASK,
  PCI_HEADER_TYPE_NORMAL,
  PCI_HEADER_TYPE_BRIDGE,
  PCI_HEADER_TYPE_CARDBUS,
  PCI_BIST,
  PCI_BASE_ADDRESS_0,
  PCI_BASE_ADDRESS_1,
  PCI_BASE_ADDRESS_2,
  PCI_BASE_ADDRESS_3,
  PCI_BASE_ADDRESS_4,
  PCI_BASE_ADDRESS_5,
  PCI_BASE_ADDRESS_SPACE,
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_BASE_ADDRESS_SPACE_MEMORY,
  PCI_BASE_ADDRESS_MEM_TYPE_MASK,
  PCI_BASE_ADDRESS_MEM_TYPE_32,
  PCI_BASE_ADDRESS_MEM_TYPE_1M,
  PCI_BASE_ADDRESS_MEM_TYPE_64,
  PCI_BASE_ADDRESS_MEM_PREFETCH,
  PCI_BASE_ADDRESS_MEM_MASK,
  PCI_BASE_ADDRESS_IO_MASK,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_SUBSYSTEM_ID,
  PCI_ROM_ADDRESS,
  PCI_ROM_ADDRESS_ENABLE,
  PCI_ROM_ADDRESS_MASK,
  PCI_CAPABILITY_LIST,
  PCI_INTERRUPT_LINE,
  PCI_INTERRUPT_PIN,
  PCI_MIN_GNT,
  PCI_MAX_LAT,
  PCI_PRIMARY_BUS,
  PCI_SECONDARY_BUS,
  PCI_SUBORDINATE_BUS,
  PCI_SEC_LATENCY_TIMER,
  PCI_IO_BASE,
  PCI_IO_LIMIT,
  PCI_SEC_STATUS,
  PCI_MEMORY_BASE,
  PCI_MEMORY_LIMIT,
  PCI_PREF_MEMORY_BASE,
  PCI_PREF_MEMORY_LIMIT,
  PCI_PREF_BASE_UPPER32,
  PCI_PREF_LIMIT_UPPER32,
  PCI_IO_BASE_UPPER16,
  PCI_IO_LIMIT_UPPER16,
  PCI_ROM_ADDRESS1,
  PCI_BRIDGE_CONTROL,
  PCI_BRIDGE_CTL_BUS_RESET,
} from './regs/header.js';
export {
  PCI_CAP_LIST_ID,
  PCI_CAP_LIST_NEXT,
  PCI_CAP_FLAGS,
  PCI_CAP_SIZEOF,
  PCI_FIND_CAP_TTL,
  PCI_CAP_ID_PM,
  PCI_CAP_ID_AGP,
  PCI_CAP_ID_VPD,
  PCI_CAP_ID_SLOTID,
  PCI_CAP_ID_MSI,
  PCI_CAP_ID_CHSWP,
  PCI_CAP_ID_PCIX,
  PCI_CAP_ID_HT,
  PCI_CAP_ID_VNDR,
  PCI_CAP_ID_DBG,
  PCI_CAP_ID_CCRC,
  PCI_CAP_ID_SHPC,
  PCI_CAP_ID_SSVID,
  PCI_CAP_ID_AGP3,
  PCI_CAP_ID_SECDEV,
  PCI_CAP_ID_EXP,
  PCI_CAP_ID_MSIX,
  PCI_CAP_ID_SATA,
  PCI_CAP_ID_AF,
  PCI_CAP_ID_EA,
  PCI_CAP_ID_MAX,
  PCI_SSVID_VENDOR_ID,
  PCI_SSVID_DEVICE_ID,
  PCI_EXT_CAP_ID,
  PCI_EXT_CAP_VER,
  PCI_EXT_CAP_NEXT,
  PCI_EXT_CAP_ID_ERR,
  PCI_EXT_CAP_ID_VC,
  PCI_EXT_CAP_ID_DSN,
  PCI_EXT_CAP_ID_PWR,
  PCI_EXT_CAP_ID_RCLD,
  PCI_EXT_CAP_ID_RCILC,
  PCI_EXT_CAP_ID_RCEC,
  PCI_EXT_CAP_ID_MFVC,
  PCI_EXT_CAP_ID_VC9,
  PCI_EXT_CAP_ID_RCRB,
  PCI_EXT_CAP_ID_VNDR,
  PCI_EXT_CAP_ID_CAC,
  PCI_EXT_CAP_ID_ACS,
  PCI_EXT_CAP_ID_ARI,
  PCI_EXT_CAP_ID_ATS,
  PCI_EXT_CAP_ID_SRIOV,
  PCI_EXT_CAP_ID_MRIOV,
  PCI_EXT_CAP_ID_MCAST,
  PCI_EXT_CAP_ID_PRI,
  PCI_EXT_CAP_ID_AMD_XXX,
  PCI_EXT_CAP_ID_REBAR,
  PCI_EXT_CAP_ID_DPA,
  PCI_EXT_CAP_ID_TPH,
  PCI_EXT_CAP_ID_LTR,
  PCI_EXT_CAP_ID_SECPCI,
  PCI_EXT_CAP_ID_PMUX,
  PCI_EXT_CAP_ID_PASID,
  PCI_EXT_CAP_ID_DPC,
  PCI_EXT_CAP_ID_L1SS,
  PCI_EXT_CAP_ID_PTM,
  PCI_EXT_CAP_ID_DVSEC,
  PCI_EXT_CAP_ID_DLF,
  PCI_EXT_CAP_ID_PL_16GT,
  PCI_EXT_CAP_ID_PL_32GT,
  PCI_EXT_CAP_ID_DOE,
  PCI_EXT_CAP_ID_MAX,
  PCI_EXT_CAP_DSN_SIZEOF,
} from './regs/caps.js';
export {
  PCI_PM_PMC,
  PCI_PM_CAP_VER_MASK,
  PCI_PM_CAP_PME_CLOCK,
  PCI_PM_CAP_RESERVED,
  PCI_PM_CAP_DSI,
  PCI_PM_CAP_AUX_POWER,
  PCI_PM_CAP_D1,
  PCI_PM_CAP_D2,
  PCI_PM_CAP_PME,
  PCI_PM_CAP_PME_D0,
  PCI_PM_CAP_PME_D1,
  PCI_PM_CAP_PME_D2,
  PCI_PM_CAP_PME_D3hot,
  PCI_PM_CAP_PME_D3cold,
  PCI_PM_CAP_PME_MASK,
  PCI_PM_CAP_PME_SHIFT,
  PCI_PM_CTRL,
  PCI_PM_CTRL_STATE_MASK,
  PCI_PM_CTRL_NO_SOFT_RESET,
  PCI_PM_CTRL_PME_ENABLE,
  PCI_PM_CTRL_DATA_SEL_MASK,
  PCI_PM_CTRL_DATA_SCALE_MASK,
  PCI_PM_CTRL_PME_STATUS,
  PCI_PM_PPB_EXTENSIONS,
  PCI_PM_PPB_B2_B3,
  PCI_PM_BPCC_ENABLE,
  PCI_PM_DATA_REGISTER,
  PCI_PM_SIZEOF,
} from './regs/pm.js';
export {
  PCI_D0,
  PCI_D1,
  PCI_D2,
  PCI_D3hot,
  PCI_D3cold,
  PCI_UNKNOWN,
  PCI_POWER_ERROR,
  pciPowerName,
} from './regs/power-state.js';
export type { PciPowerState } from './regs/power-state.js';
export {
  PCI_MSI_FLAGS,
  PCI_MSI_FLAGS_ENABLE,
  PCI_MSI_FLAGS_QMASK,
  PCI_MSI_FLAGS_QSIZE,
  PCI_MSI_FLAGS_64BIT,
  PCI_MSI_FLAGS_MASKBIT,
  PCI_MSI_ADDRESS_LO,
  PCI_MSI_ADDRESS_HI,
  PCI_MSI_DATA_32,
  PCI_MSI_MASK_32,
  PCI_MSI_DATA_64,
  PCI_MSI_MASK_64,
  PCI_MSIX_FLAGS,
  PCI_MSIX_FLAGS_QSIZE,
  PCI_MSIX_FLAGS_MASKALL,
  PCI_MSIX_FLAGS_ENABLE,
  PCI_MSIX_TABLE,
  PCI_MSIX_TABLE_BIR,
  PCI_MSIX_TABLE_OFFSET,
  PCI_MSIX_PBA,
  PCI_MSIX_PBA_BIR,
  PCI_MSIX_PBA_OFFSET,
  PCI_MSIX_ENTRY_SIZE,
  PCI_MSIX_ENTRY_VECTOR_CTRL,
  PCI_MSIX_ENTRY_CTRL_MASKBIT,
} from './regs/msi.js';
export {
  PCI_EXP_FLAGS,
  PCI_EXP_FLAGS_VERS,
  PCI_EXP_FLAGS_TYPE,
  PCI_EXP_FLAGS_SLOT,
  PCI_EXP_TYPE_ENDPOINT,
  PCI_EXP_TYPE_LEG_END,
  PCI_EXP_TYPE_ROOT_PORT,
  PCI_EXP_TYPE_UPSTREAM,
  PCI_EXP_TYPE_DOWNSTREAM,
  PCI_EXP_TYPE_PCI_BRIDGE,
  PCI_EXP_TYPE_PCIE_BRIDGE,
  PCI_EXP_TYPE_RC_END,
  PCI_EXP_TYPE_RC_EC,
  PCI_EXP_DEVCAP,
  PCI_EXP_DEVCAP_FLR,
  PCI_EXP_DEVCTL,
  PCI_EXP_DEVCTL_BCR_FLR,
  PCI_EXP_DEVSTA,
  PCI_EXP_DEVSTA_TRPND,
  PCI_EXP_LNKCAP,
  PCI_EXP_LNKCTL,
  PCI_EXP_LNKSTA,
  PCI_EXP_SLTCAP,
  PCI_EXP_SLTCTL,
  PCI_EXP_SLTSTA,
  PCI_EXP_RTCTL,
  PCI_EXP_RTCAP,
  PCI_EXP_RTSTA,
  PCI_EXP_RTSTA_PME,
  PCI_EXP_DEVCAP2,
  PCI_EXP_DEVCTL2,
  PCI_EXP_LNKCTL2,
} from './regs/exp.js';
export { isAccessWidth, checkAccess, allOnes } from './config/access.js';
export type { AccessWidth, ConfigReader } from './config/access.js';
export { ConfigSpace, isConfigSpaceSize } from './config/config-space.js';
export type { ConfigSpaceSize } from './config/config-space.js';
export {
  findCapability,
  findNextCapability,
  listCapabilities,
  findNextExtCapability,
  findExtCapability,
  listExtCapabilities,
} from './config/capabilities.js';
export type {
  CapabilityEntry,
  ExtCapabilityEntry,
  WalkEnd,
  CapabilityWalk,
} from './config/capabilities.js';
export {
  decodePmc,
  decodePmcsr,
  pmcAllowsState,
  pmeCapable,
  readPmCapability,
} from './config/pm-cap.js';
export type { PmcsrState, PmcFields, PmcsrFields, PmCapabilityView } from './config/pm-cap.js';
export type {
  BarContents,
  BarInit,
  BarOptions,
  MaskOverride,
  ConfigPatch,
  FunctionHwOptions,
  HwAccessKind,
  HwAccessNote,
  HwAccess,
  HwResetCause,
  HwEvent,
  HwListener,
} from './hw/types.js';
export { barSlots, barOffset, decodeBarFlags } from './hw/bar-layout.js';
export type { BarKind, BarInfo } from './hw/bar-layout.js';
export type { RegisterMasks } from './hw/masks.js';
export { pmTransitionAllowed, pmStateWrite } from './hw/pm-state.js';
export type { PmStateWrite } from './hw/pm-state.js';
export { PciFunctionHw } from './hw/function-hw.js';
export type { ResolvedFunctionHw } from './hw/function-hw.js';
export type { ResolvedBar } from './hw/bar-store.js';
export type { LoadResult } from './loaders/result.js';
export { parseLspciText, formatLspciText } from './loaders/lspci-text.js';
export type { LspciDump } from './loaders/lspci-text.js';
export { parseConfigBinary } from './loaders/config-binary.js';
export {
  DEFAULT_MEM_BAR_SIZE,
  DEFAULT_IO_BAR_SIZE,
  createFunctionHw,
  functionHwFromLspci,
  functionHwFromBinary,
} from './loaders/build.js';
export { createModelHw } from './models/model.js';
export type { PciFunctionModel } from './models/model.js';
export { E1000E_CONFIG_AT_BOOT, E1000E_PM_CAP } from './models/e1000e.js';
export { QEMU_ROOT_PORT_CONFIG_AT_BOOT } from './models/qemu-pcie-root-port.js';
export { ROOT_PORT_PM_CAP, ROOT_PORT_PM_PMC } from './models/pcie-root-port-pm.js';
export { H100_FIXTURE_URL, H100_VRAM_BAR_SIZE } from './models/nvidia-h100.js';
export { builtinModels, isBuiltinModelName, createBuiltinHw } from './models/registry.js';
export type { BuiltinModelName } from './models/registry.js';

// The PCI core: devices, power management, save/restore, resets, drivers, platform, topology,
// sysfs (drivers/pci as vfio-pci uses it).
export {
  PCI_ERR_UNCOR_STATUS,
  PCI_ERR_UNCOR_MASK,
  PCI_ERR_UNCOR_SEVER,
  PCI_ERR_COR_STATUS,
  PCI_ERR_COR_MASK,
  PCI_ERR_CAP,
  PCI_ERR_ROOT_COMMAND,
  PCI_ERR_ROOT_STATUS,
  PCI_SRIOV_CAP,
  PCI_SRIOV_CAP_VFM,
  PCI_SRIOV_CTRL,
  PCI_SRIOV_CTRL_VFE,
  PCI_SRIOV_CTRL_MSE,
  PCI_SRIOV_CTRL_ARI,
  PCI_SRIOV_INITIAL_VF,
  PCI_SRIOV_TOTAL_VF,
  PCI_SRIOV_NUM_VF,
  PCI_SRIOV_VF_OFFSET,
  PCI_SRIOV_VF_STRIDE,
  PCI_SRIOV_VF_DID,
} from './regs/aer-sriov.js';
export {
  PCI_PM_D2_DELAY_NS,
  PCI_PM_D3HOT_WAIT,
  PCI_PM_D3COLD_WAIT,
  PCI_RESET_WAIT,
  PCIE_RESET_READY_POLL_MS,
  PME_TIMEOUT_NS,
  PCIBIOS_SUCCESSFUL,
  PCIBIOS_FUNC_NOT_SUPPORTED,
  PCIBIOS_BAD_VENDOR_ID,
  PCIBIOS_DEVICE_NOT_FOUND,
  PCIBIOS_BAD_REGISTER_NUMBER,
  PCIBIOS_SET_FAILED,
  PCIBIOS_BUFFER_TOO_SMALL,
  PCI_DEV_FLAGS_NO_D3,
  PCI_DEV_FLAGS_NO_BUS_RESET,
  PCI_DEV_FLAGS_NO_PM_RESET,
  PCI_DEV_FLAGS_NO_FLR_RESET,
  PCI_RESET_METHOD_NAMES,
  PCI_NUM_RESET_METHODS,
  PCI_ANY_ID,
} from './pci/constants.js';
export type { PciChannelState, PciResetMethodName } from './pci/constants.js';
export { PciBus, PciSlot, pciWalkBus, pciBusDevices } from './pci/bus.js';
export type { PciParams, PciContext, PciHostBridgeLike } from './pci/context.js';
export type { PciDeviceId, PciDriver, PciErrorHandlers, PciSriov } from './pci/driver-types.js';
export {
  PciDev,
  formatBdf,
  toPciDev,
  pciDevIsDisconnected,
  pciDevSetDisconnected,
  pciIsPcie,
  pciIsBridge,
  pciHasSubordinate,
  deviceCanWakeup,
  deviceMayWakeup,
} from './pci/pci-dev.js';
export type { PciCapSavedState, PciDevInit } from './pci/pci-dev.js';
export { PCI_CORE_TRACE_EVENTS, declarePciTraceEvents } from './pci/trace-events.js';
export type { PciCoreTraceEvents } from './pci/trace-events.js';
export { KMEMLEAK_MIN_AGE_NS, KmemRegistry, KmemPtr, kmemRegistry } from './pci/kmem.js';
export type { KmemAllocation, KmemTracked } from './pci/kmem.js';
export {
  pciReadConfigByte,
  pciReadConfigWord,
  pciReadConfigDword,
  pciWriteConfigByte,
  pciWriteConfigWord,
  pciWriteConfigDword,
  pciUserReadConfigByte,
  pciUserReadConfigWord,
  pciUserReadConfigDword,
  pciUserWriteConfigByte,
  pciUserWriteConfigWord,
  pciUserWriteConfigDword,
  pciCfgAccessLock,
  pciCfgAccessTrylock,
  pciCfgAccessUnlock,
  pciPossibleError,
  pcibiosErrToErrno,
} from './pci/access.js';
export type { PciConfigValue } from './pci/access.js';
export {
  PCI_EXP_LNKCAP2,
  PCI_EXP_LNKSTA2,
  PCI_EXP_SLTCTL2,
  PCI_EXP_SLTCAP_HPC,
  pcieDownstreamPort,
  pcieCapabilityReadWord,
  pcieCapabilityReadDword,
  pcieCapabilityWriteWord,
  pcieCapabilitySetWord,
} from './pci/pcie-cap.js';
export {
  platformPciPowerManageable,
  platformPciSetPowerState,
  platformPciGetPowerState,
  pciNoD1d2,
  pciUpdateCurrentState,
  pciRefreshPowerState,
  pciPlatformPowerTransition,
  pciBusSetCurrentState,
  pciPowerUp,
  pciSetFullPowerState,
  pciSetLowPowerState,
  pciSetPowerState,
  pciSetPowerStateLocked,
} from './pci/power.js';
export {
  pciPmeCapable,
  pciPowerManageable,
  pciTargetState,
  pciDevRunWake,
  __pciEnableWake,
  pciEnableWake,
  pciFinishRuntimeSuspend,
  pciWakeFromD3,
} from './pci/wake.js';
export {
  pciBridgeD3Possible,
  pciDevBlocksD3cold,
  pciBridgeD3Update,
  pciD3coldEnable,
  pciD3coldDisable,
} from './pci/bridge-d3.js';
export {
  PciPmeList,
  pciPmeList,
  __pciPmeActive,
  pciPmeActive,
  pciCheckPmeStatus,
  pciWakeupEvent,
  pciPmeWakeup,
  pciPmeRestore,
  pciPmeListScan,
  pciePmeHandleRequest,
  pciPmeSignalled,
  pciAcpiWakeDev,
} from './pci/pme.js';
export { pciPmInit } from './pci/pm-init.js';
export {
  pciIntx,
  pciIntxMaskSupported,
  pciCheckAndMaskIntx,
  pciCheckAndUnmaskIntx,
} from './pci/intx.js';
export {
  pciDevD3Sleep,
  pciDevWait,
  pciBusMaxD3coldDelay,
  pciBridgeWaitForSecondaryBus,
} from './pci/wait.js';
export {
  pciFindSavedCap,
  pciAerCap,
  pciAllocateCapSaveBuffers,
  pciAerClearStatus,
  pciSaveState,
  pciRestoreConfigSpace,
  pciRestoreState,
  pciRestoreBars,
} from './pci/save-restore.js';
export { pciFindCapability, pciFindExtCapability } from './pci/find-cap.js';
export {
  PciSavedState,
  pciStoreSavedState,
  pciLoadSavedState,
  pciFreeSavedState,
  pciLoadAndFreeSavedState,
} from './pci/saved-state.js';
export {
  pciPmRuntimeSuspend,
  pciPmRuntimeResume,
  pciPmRuntimeIdle,
  pciResumeBus,
  pciPmBridgePowerUpActions,
} from './pci/runtime.js';
export {
  pciSetMaster,
  pciClearMaster,
  pciIsEnabled,
  pciEnableDevice,
  pciDisableDevice,
} from './pci/enable.js';
export {
  PCI_RESET_FN_METHODS,
  pciDevSpecificReset,
  pciDevAcpiReset,
  pcieFlr,
  pcieResetFlr,
  pciAfFlr,
  pciPmReset,
  pciResetSecondaryBus,
  pciBridgeSecondaryBusReset,
  pciDevResetSlotFunction,
  pciResetHotplugSlot,
  pciParentBusReset,
  pciResetBusFunction,
  pciResetMethodProbe,
  pciInitResetMethods,
  pciResetSupported,
  pciDevLock,
  pciDevTrylock,
  pciDevUnlock,
  pciDevSaveAndDisable,
  pciDevRestore,
  pciResetFunctionLocked,
  pciResetFunction,
  pciTryResetFunction,
  pciProbeResetFunction,
} from './pci/reset.js';
export type { PciResetFn } from './pci/reset.js';
export {
  pciBusResetable,
  pciSlotResetable,
  pciBusLock,
  pciBusUnlock,
  pciBusTrylock,
  pciBusSaveAndDisableLocked,
  pciBusRestoreLocked,
  pciBusReset,
  pciProbeResetBus,
  pciProbeResetSlot,
  __pciResetSlot,
  __pciResetBus,
  pciResetBus,
} from './pci/reset-bus.js';
export {
  pciIovInit,
  pciNumVf,
  pciSriovGetTotalvfs,
  pciEnableSriov,
  pciDisableSriov,
} from './pci/sriov.js';
export {
  PCI_DEVICE_ID_ANY,
  newRegisteredDriver,
  toPciDriver,
  pciMatchOneDevice,
  pciMatchDevice,
  pciBusMatch,
} from './driver/match.js';
export type { RegisteredPciDriver, PciMatchable } from './driver/match.js';
export {
  pciBusType,
  pciDeviceCanProbe,
  localPciProbe,
  pciDeviceProbe,
  pciDeviceRemove,
} from './driver/bus-type.js';
export { PciDriverRegistry } from './driver/registry.js';
export {
  PCIE_PORT_AUTOSUSPEND_MS,
  pciePortdrvProbe,
  pciePortdrvRemove,
  pciePortRuntimeIdle,
  pciePortRuntimeSuspend,
  pciePortDriver,
} from './driver/port-driver.js';
export type { PciPlatform, RootPortFirmware } from './platform/types.js';
export { NoPlatform } from './platform/none.js';
export type { NoPlatformOptions } from './platform/none.js';
export { AcpiPlatform, AcpiCompanion } from './platform/acpi.js';
export type { AcpiPlatformOptions } from './platform/acpi.js';
export { AcpiPowerResource } from './platform/power-resource.js';
export { parseBdf, pciSlotOf } from './topology/bdf.js';
export type { Bdf } from './topology/bdf.js';
export { PciHostBridge } from './topology/host-bridge.js';
export { defaultVfHw } from './topology/vf-hw.js';
export { isHotplugCapable } from './topology/wiring.js';
export { PciTopology } from './topology/topology.js';
export type {
  PciTopologyOptions,
  FunctionSource,
  RootPortOptions,
  SwitchPortOptions,
  EndpointOptions,
} from './topology/options.js';
export { SYSFS_PCI, PciSysfs } from './sysfs/sysfs.js';
export { PCI_DEV_ATTRS } from './sysfs/device-attrs.js';
export type { PciDevAttr } from './sysfs/device-attrs.js';
export {
  pciConfigPmRuntimeGet,
  pciConfigPmRuntimePut,
  pciSysfsReadConfig,
  pciSysfsWriteConfig,
} from './sysfs/config-attr.js';
export {
  busFindDeviceByName,
  bindStore,
  unbindStore,
  newIdStore,
  removeIdStore,
  driversProbeStore,
} from './sysfs/driver-attrs.js';
export { sysfsStreq, kstrtoull, kstrtoul, kstrtou16, sscanfHex } from './sysfs/parse.js';
