// The GPU model's INTx enable masking on its own: saved and cleared once, restored once,
// BAR0 touched only when the function is powered and in D0.
import { describe, expect, it, vi } from 'vitest';
import { PCI_D0, type PciFunctionHw } from '@vfio-ts/pci-core';
import { NV_PMC_INTR_EN_0, NvidiaGpuModel } from '@vfio-ts/variant-nvidia';
import { fakeVdev, hwOf } from './fake-vdev.js';

describe('GPU model: interrupt enable', () => {
  it('INTx enable: saved and cleared once, restored once, only in D0', () => {
    const { vdev } = fakeVdev(hwOf('nvidia-h100'));
    const m = new NvidiaGpuModel(vdev);
    const hw = vdev.pdev.hw;
    hw.barWrite(0, NV_PMC_INTR_EN_0, 4, 0xabc);
    m.maskIntr();
    m.maskIntr();
    expect(m.intrMasked).toBe(true);
    expect(hw.barRead(0, NV_PMC_INTR_EN_0, 4)).toBe(0);
    hw.configWrite(hw.pmCap + 4, 2, 3); // D3hot: BAR0 is not there
    m.unmaskIntr();
    expect(m.intrMasked).toBe(true);
    hw.configWrite(hw.pmCap + 4, 2, 0);
    expect(hw.powerState).toBe(PCI_D0);
    m.unmaskIntr();
    expect(m.intrMasked).toBe(false);
    expect(hw.barRead(0, NV_PMC_INTR_EN_0, 4)).toBe(0xabc);
    m.unmaskIntr();
    expect(hw.barRead(0, NV_PMC_INTR_EN_0, 4)).toBe(0xabc);
    hw.powerOff();
    m.maskIntr();
    expect(m.intrMasked).toBe(false);
    expect(hw.violations).toEqual([]);
    m.detach();
  });

  it('a function whose BAR2 is I/O has no video memory; one without BAR0 space is not masked', () => {
    const { vdev, defect } = fakeVdev(hwOf('e1000e'));
    const m = new NvidiaGpuModel(vdev);
    const hw = vdev.pdev.hw;
    hw.barWrite(2, 0, 4, 1);
    hw.barWrite(0, 0, 4, 1); // e1000e BAR0 is 128 KiB: no NVSIM registers
    expect(m.usageBytes).toBe(0);
    hw.powerOff();
    expect(defect).not.toHaveBeenCalled();
    hw.powerOn();
    const small = fakeVdev({
      bar: () => undefined,
      subscribe: () => () => undefined,
      powerState: PCI_D0,
      barRead: () => -22,
      barWrite: vi.fn(),
    } as unknown as PciFunctionHw);
    const s = new NvidiaGpuModel(small.vdev);
    s.maskIntr();
    expect(s.intrMasked).toBe(false);
    s.detach();
    m.detach();
  });
});
