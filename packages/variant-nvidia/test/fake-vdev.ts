// Real function hardware around a stand-in vfio-pci device: what the GPU model reads.
import { vi } from 'vitest';
import { createBuiltinHw, type PciFunctionHw } from '@vfio-ts/pci-core';
import type { VfioPciCoreDevice } from '@vfio-ts/vfio-pci';

/** A built-in model's hardware. */
export function hwOf(model: string): PciFunctionHw {
  const r = createBuiltinHw(model);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** The parts of a vfio-pci device the model reads, around real hardware. */
export function fakeVdev(hw: PciFunctionHw, openCount = 1) {
  const defect = vi.fn();
  const vdev = {
    pdev: { hw, bdf: '0000:01:00.0' },
    vdev: { openCount },
    kernel: { defect, locals: new Map() },
  } as unknown as VfioPciCoreDevice;
  return { vdev, defect };
}
