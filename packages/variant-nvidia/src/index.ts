// @vfio-ts/variant-nvidia: the NVIDIA GPU variant of vfio-pci (RTD3 full-off and video-memory
// self-refresh), its GPU model's register protocol and its vendor device feature.
export { NvidiaVfioPciVariant } from './variant.js';
export {
  NvidiaGpuModel,
  nvidiaGpuModel,
  attachNvidiaGpuModel,
  detachNvidiaGpuModel,
} from './gpu-model.js';
export type { NvidiaRtd3Mode, NvidiaRtd3Info } from './gpu-model.js';
export { nvidiaIntxMask, nvidiaIntxUnmask } from './intx.js';
export {
  VFIO_DEVICE_FEATURE_NVIDIA_RTD3,
  NVIDIA_RTD3_INFO_SIZE,
  NVIDIA_RTD3_THRESHOLD_SIZE,
  encodeNvidiaRtd3Info,
  decodeNvidiaRtd3Info,
  encodeNvidiaRtd3Threshold,
  nvidiaRtd3Feature,
} from './rtd3-feature.js';
export {
  PCI_VENDOR_ID_NVIDIA,
  NVIDIA_VFIO_PCI_DRIVER_NAME,
  NVIDIA_VFIO_PCI_ID_TABLE,
  NVIDIA_REGS_BAR,
  NV_PMC_INTR_EN_0,
  NVSIM_RTD3_CTRL,
  NVSIM_FB_EVICT,
  NVIDIA_VRAM_BAR,
  NVIDIA_VRAM_CHUNK,
  NVIDIA_DEFAULT_THRESHOLD,
  NVIDIA_MAX_THRESHOLD,
} from './regs.js';
