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
