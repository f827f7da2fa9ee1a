// The GPU model on its own, driven through the function hardware: usage by 1 MiB chunk, the
// simulator-defined registers, self-refresh across power loss and resets, the threshold.
import { describe, expect, it } from 'vitest';
import {
  NVIDIA_DEFAULT_THRESHOLD,
  NVIDIA_MAX_THRESHOLD,
  NVSIM_FB_EVICT,
  NVSIM_RTD3_CTRL,
  NvidiaGpuModel,
  attachNvidiaGpuModel,
  detachNvidiaGpuModel,
  nvidiaGpuModel,
} from '@vfio-ts/variant-nvidia';
import { fakeVdev, hwOf } from './fake-vdev.js';

const MiB = 2 ** 20;

describe('GPU model', () => {
  it('counts distinct 1 MiB chunks of BAR2 written', () => {
    const { vdev } = fakeVdev(hwOf('nvidia-h100'));
    const m = new NvidiaGpuModel(vdev);
    const hw = vdev.pdev.hw;
    hw.barWrite(2, 0, 4, 1);
    hw.barWrite(2, 8, 4, 1);
    expect(m.usageBytes).toBe(MiB);
    hw.barWrite(2, MiB - 4, 4, 0xffffffff);
    hw.barWrite(2, MiB, 2, 0xffff);
    expect(m.usageBytes).toBe(2 * MiB);
    // BAR4 is memory too, but not video memory; BAR0 registers neither.
    hw.barWrite(4, 0, 4, 1);
    hw.barWrite(0, 0x100, 4, 1);
    expect(m.info()).toEqual({
      mode: 'full-off',
      selfRefresh: false,
      usageBytes: 2 * MiB,
      thresholdBytes: NVIDIA_DEFAULT_THRESHOLD,
    });
    m.detach();
  });

  it('ignores writes the hardware drops (outside D0)', () => {
    const { vdev } = fakeVdev(hwOf('nvidia-h100'));
    const m = new NvidiaGpuModel(vdev);
    const hw = vdev.pdev.hw;
    hw.configWrite(hw.pmCap + 4, 2, 3); // D3hot
    hw.barWrite(2, 0, 4, 1);
    hw.barWrite(0, NVSIM_RTD3_CTRL, 4, 1);
    expect(m.usageBytes).toBe(0);
    expect(m.selfRefresh).toBe(false);
    m.detach();
  });

  it('reads NVSIM_RTD3_CTRL bit0 from any write covering its first byte', () => {
    const { vdev } = fakeVdev(hwOf('nvidia-h100'));
    const m = new NvidiaGpuModel(vdev);
    const hw = vdev.pdev.hw;
    hw.barWrite(0, NVSIM_RTD3_CTRL, 1, 0x01);
    expect(m.selfRefresh).toBe(true);
    expect(hw.barRead(0, NVSIM_RTD3_CTRL, 4) & 1).toBe(1);
    hw.barWrite(0, NVSIM_RTD3_CTRL + 1, 1, 0x00); // another byte: no change
    expect(m.selfRefresh).toBe(true);
    hw.barWrite(0, NVSIM_RTD3_CTRL, 4, 0xfffffffe);
    expect(m.selfRefresh).toBe(false);
    hw.barWrite(0, NVSIM_RTD3_CTRL, 2, 0x0101);
    expect(m.selfRefresh).toBe(true);
    m.detach();
    expect(m.selfRefresh).toBe(false);
  });

  it('NVSIM_FB_EVICT bit0 releases video memory; other values do not', () => {
    const { vdev } = fakeVdev(hwOf('nvidia-h100'));
    const m = new NvidiaGpuModel(vdev);
    const hw = vdev.pdev.hw;
    hw.barWrite(2, 0, 4, 1);
    hw.barWrite(0, NVSIM_FB_EVICT, 4, 2);
    expect(m.usageBytes).toBe(MiB);
    hw.barWrite(0, NVSIM_FB_EVICT, 4, 1);
    expect(m.usageBytes).toBe(0);
    m.detach();
  });

  it('self-refresh keeps video memory across power loss and is dropped when power returns', () => {
    const { vdev, defect } = fakeVdev(hwOf('nvidia-h100'));
    const m = new NvidiaGpuModel(vdev);
    const hw = vdev.pdev.hw;
    hw.barWrite(2, 3 * MiB, 4, 0x1234);
    hw.barWrite(0, NVSIM_RTD3_CTRL, 4, 1);
    hw.powerOff();
    hw.powerOn();
    expect(defect).not.toHaveBeenCalled();
    expect(m.selfRefresh).toBe(false);
    expect(hw.barRead(0, NVSIM_RTD3_CTRL, 4)).toBe(0);
    expect(hw.barRead(2, 3 * MiB, 4)).toBe(0x1234);
    expect(m.usageBytes).toBe(MiB);
    // Without it, the next power loss loses them.
    hw.powerOff();
    hw.powerOn();
    expect(defect).toHaveBeenCalledWith(
      'video-memory-lost',
      '0000:01:00.0: 1 MiB of video memory lost at power-off (mode full-off, self-refresh not engaged)',
    );
    expect(hw.barRead(2, 3 * MiB, 4)).toBe(0);
    m.detach();
  });

  it('an FLR drops self-refresh but keeps video memory', () => {
    const { vdev } = fakeVdev(hwOf('nvidia-h100'));
    const m = new NvidiaGpuModel(vdev);
    const hw = vdev.pdev.hw;
    hw.barWrite(2, 0, 4, 7);
    hw.barWrite(0, NVSIM_RTD3_CTRL, 4, 1);
    expect(hw.flr()).toBe(true);
    expect(m.selfRefresh).toBe(false);
    expect(m.usageBytes).toBe(MiB);
    m.detach();
  });

  it('ignores interrupt events', () => {
    const { vdev } = fakeVdev(hwOf('nvidia-h100'));
    const m = new NvidiaGpuModel(vdev);
    const hw = vdev.pdev.hw;
    hw.barWrite(0, NVSIM_RTD3_CTRL, 4, 1);
    hw.configWrite(4, 2, 0x0006);
    expect(hw.assertIntx()).toBe(true);
    expect(hw.intxAsserted).toBe(true);
    hw.deassertIntx();
    expect(m.selfRefresh).toBe(true);
    m.detach();
  });

  it('clamps the threshold to 0 … 1024 MiB and picks the mode by usage > threshold', () => {
    const { vdev } = fakeVdev(hwOf('nvidia-h100'));
    const m = new NvidiaGpuModel(vdev);
    m.thresholdBytes = 4 * NVIDIA_MAX_THRESHOLD;
    expect(m.thresholdBytes).toBe(NVIDIA_MAX_THRESHOLD);
    m.thresholdBytes = -1;
    expect(m.thresholdBytes).toBe(0);
    expect(m.mode).toBe('full-off');
    vdev.pdev.hw.barWrite(2, 0, 1, 1);
    expect(m.mode).toBe('self-refresh');
    m.detach();
  });

  it('reports nothing lost while the device is closed', () => {
    const { vdev, defect } = fakeVdev(hwOf('nvidia-h100'), 0);
    const m = new NvidiaGpuModel(vdev);
    vdev.pdev.hw.barWrite(2, 0, 4, 1);
    vdev.pdev.hw.powerOff();
    expect(defect).not.toHaveBeenCalled();
    expect(m.usageBytes).toBe(0);
    m.detach();
  });

  it('attach replaces an older model; detach forgets it', () => {
    const { vdev } = fakeVdev(hwOf('nvidia-h100'));
    const a = attachNvidiaGpuModel(vdev);
    const b = attachNvidiaGpuModel(vdev);
    expect(nvidiaGpuModel(vdev)).toBe(b);
    vdev.pdev.hw.barWrite(2, 0, 4, 1);
    expect(a.usageBytes).toBe(0);
    expect(b.usageBytes).toBe(MiB);
    detachNvidiaGpuModel(vdev);
    expect(nvidiaGpuModel(vdev)).toBeUndefined();
    detachNvidiaGpuModel(vdev);
  });
});
