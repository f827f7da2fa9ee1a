// @vfio-ts/vfio-core: the vfio uAPI (constants and byte-exact codecs), vfio devices and the
// device file.
export { VFIO } from './uapi/vfio.js';
export type { Vfio } from './uapi/vfio.js';
export { NO_REGION_INDEX } from './uapi/region.js';
export type {
  FieldLayout,
  FieldsLayout,
  FlexLayout,
  ScalarType,
  StructCodec,
  StructLayout,
} from './uapi/codec.js';
export type {
  DeviceInfo,
  DeviceIoeventfd,
  DeviceIoeventfdInit,
  IrqInfo,
  IrqSet,
  IrqSetInit,
  IrqSetOffsets,
  RegionInfo,
  RegionInfoInit,
} from './uapi/device.js';
export type {
  DeviceFeature,
  DeviceFeatureInit,
  DeviceFeatureOffsets,
  LowPowerEntryWithWakeup,
  LowPowerEntryWithWakeupInit,
} from './uapi/feature.js';
export type {
  PciDependentDevice,
  PciHotReset,
  PciHotResetInfo,
  PciHotResetInfoInit,
  PciHotResetInfoOffsets,
  PciHotResetInit,
  PciHotResetOffsets,
} from './uapi/hot-reset.js';
export { VfioDevice } from './core/device.js';
export type { VfioDeviceOps } from './core/device.js';
export { VfioCore, VfioDeviceSet } from './core/device-set.js';
export { vfioCheckFeature, vfioIoctlDeviceFeature } from './core/feature.js';
export {
  vfioDeviceFopsUnlIoctl,
  vfioDeviceFopsMmap,
  vfioDeviceOpen,
  vfioGroupGetDeviceFd,
  isVfioDeviceFile,
} from './core/device-file.js';
export { VFIO_CORE_TRACE_EVENTS } from './core/trace-events.js';
export type { VfioCoreTraceEvents } from './core/trace-events.js';
