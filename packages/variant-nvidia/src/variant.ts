// The NVIDIA vfio-pci variant: id table, the GPU model's life cycle, the RTD3 vendor feature,
// the host re-entry policy and the INTx hooks, as one VfioPciVariant.
import type { PciDeviceId } from '@vfio-ts/pci-core';
import type { VfioPciCoreDevice, VfioPciFeatureHandler, VfioPciVariant } from '@vfio-ts/vfio-pci';
import { attachNvidiaGpuModel, detachNvidiaGpuModel, nvidiaGpuModel } from './gpu-model.js';
import { nvidiaIntxMask, nvidiaIntxUnmask } from './intx.js';
import { NVIDIA_VFIO_PCI_DRIVER_NAME, NVIDIA_VFIO_PCI_ID_TABLE } from './regs.js';
import { VFIO_DEVICE_FEATURE_NVIDIA_RTD3, nvidiaRtd3Feature } from './rtd3-feature.js';

/**
 * The `nvidia-vfio-pci` variant driver. Register the class (or an instance) under
 * `VFIO_PCI_VARIANTS`, e.g. `createMachine({ variants: [NvidiaVfioPciVariant] })`; NVIDIA
 * display and 3D controllers then bind to it at boot. Per-device state lives in the GPU model
 * ({@link nvidiaGpuModel}), so one instance drives any number of GPUs.
 */
export class NvidiaVfioPciVariant implements VfioPciVariant {
  /** `nvidia-vfio-pci`. */
  readonly name: string = NVIDIA_VFIO_PCI_DRIVER_NAME;
  /** NVIDIA class 0x03xxxx functions, override-only. */
  readonly idTable: readonly PciDeviceId[] = NVIDIA_VFIO_PCI_ID_TABLE;
  /** `VFIO_DEVICE_FEATURE_NVIDIA_RTD3` (0x8001) → GET/SET of the RTD3 state. */
  readonly features: ReadonlyMap<number, VfioPciFeatureHandler> = new Map([
    [VFIO_DEVICE_FEATURE_NVIDIA_RTD3, nvidiaRtd3Feature],
  ]);

  /**
   * Creates the device's GPU model, which starts observing its hardware.
   * @returns 0
   */
  init(vdev: VfioPciCoreDevice): number {
    attachNvidiaGpuModel(vdev);
    return 0;
  }

  /** Drops the device's GPU model (unsubscribes from its hardware). */
  release(vdev: VfioPciCoreDevice): void {
    detachNvidiaGpuModel(vdev);
  }

  /**
   * After a wake under a plain low-power engagement: when video memory holds nothing (full-off:
   * the guest evicted it before entry) the host may let the GPU power off again by itself;
   * otherwise (self-refresh mode, or a guest that engaged self-refresh instead of evicting) it
   * may not, since power-up ended self-refresh and only the guest driver can engage it again:
   * the engagement ends and the GPU stays in D0 until the guest enters low power again. Any
   * wake counts, the user's own ioctl or region access included.
   * @returns whether the device may re-enter low power without its user
   */
  hostReentry(vdev: VfioPciCoreDevice): boolean {
    return (nvidiaGpuModel(vdev)?.usageBytes ?? 0) === 0;
  }

  /** {@link nvidiaIntxMask}: DisINTx plus NV_PMC_INTR_EN_0 cleared. */
  intxMask(vdev: VfioPciCoreDevice, core: () => boolean): boolean {
    return nvidiaIntxMask(vdev, core);
  }

  /** {@link nvidiaIntxUnmask}: DisINTx cleared, NV_PMC_INTR_EN_0 restored. */
  intxUnmask(vdev: VfioPciCoreDevice, core: () => boolean): boolean {
    return nvidiaIntxUnmask(vdev, core);
  }
}
