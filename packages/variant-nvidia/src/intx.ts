// The variant's INTx masking: the core's DisINTx masking plus masking at the GPU itself
// (NV_PMC_INTR_EN_0), so the GPU raises nothing while its line is masked.
import type { VfioPciCoreDevice } from '@vfio-ts/vfio-pci';
import { nvidiaGpuModel } from './gpu-model.js';

/**
 * Masks INTx: the core's mask (`core`, DisINTx or the controller), then, when that changed the
 * masked state, NV_PMC_INTR_EN_0 is saved and cleared (if the GPU is powered and in D0).
 * @returns whether INTx became masked, as the core's does
 */
export function nvidiaIntxMask(vdev: VfioPciCoreDevice, core: () => boolean): boolean {
  const changed = core();
  if (changed) nvidiaGpuModel(vdev)?.maskIntr();
  return changed;
}

/**
 * Unmasks INTx: the core's unmask (`core`; an interrupt still pending leaves it masked), then,
 * when INTx became unmasked, NV_PMC_INTR_EN_0 gets back the value the mask saved.
 * @returns whether INTx became unmasked, as the core's does
 */
export function nvidiaIntxUnmask(vdev: VfioPciCoreDevice, core: () => boolean): boolean {
  const changed = core();
  if (changed) nvidiaGpuModel(vdev)?.unmaskIntr();
  return changed;
}
