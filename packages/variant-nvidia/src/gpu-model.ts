// The GPU model of one function: video-memory usage, the self-refresh state, the RTD3 mode and
// the loss of video memory, observed through the function's hardware events (BAR0 and BAR2
// are plain BAR memory, so every side effect comes from the listener).
import { KernelLocal } from '@vfio-ts/kernel';
import { PCI_D0, PCI_D3cold, type HwEvent, type PciFunctionHw } from '@vfio-ts/pci-core';
import type { VfioPciCoreDevice } from '@vfio-ts/vfio-pci';
import {
  NVIDIA_DEFAULT_THRESHOLD,
  NVIDIA_MAX_THRESHOLD,
  NVIDIA_REGS_BAR,
  NVIDIA_VRAM_BAR,
  NVIDIA_VRAM_CHUNK,
  NV_PMC_INTR_EN_0,
  NVSIM_FB_EVICT,
  NVSIM_RTD3_CTRL,
} from './regs.js';

/**
 * The RTD3 mode NVIDIA's driver would pick: `full-off` (usage at or below the threshold: the
 * guest saves video memory to system memory and the whole GPU loses power) or `self-refresh`
 * (above it: video memory stays in self-refresh, which the guest engages before every entry).
 */
export type NvidiaRtd3Mode = 'full-off' | 'self-refresh';

/** The model's state as the vendor feature reports it. */
export interface NvidiaRtd3Info {
  /** `usageBytes > thresholdBytes` ? `self-refresh` : `full-off`. */
  readonly mode: NvidiaRtd3Mode;
  /** Self-refresh is engaged (NVSIM_RTD3_CTRL bit0): video memory survives power loss. */
  readonly selfRefresh: boolean;
  /** Video memory in use: distinct 1 MiB chunks of BAR2 written since the last eviction or loss. */
  readonly usageBytes: number;
  /** The threshold between the modes, in bytes. */
  readonly thresholdBytes: number;
}

/** The NVIDIA GPU behind one vfio-pci device: video memory, self-refresh, INTx enable. */
export class NvidiaGpuModel {
  private readonly hw: PciFunctionHw;
  private readonly vram: boolean;
  private readonly chunks = new Set<number>();
  private engaged = false;
  private threshold = NVIDIA_DEFAULT_THRESHOLD;
  private savedIntrEn: number | null = null;
  private readonly unsubscribe: () => void;

  /** Starts observing the function's hardware. */
  constructor(
    /** The vfio-pci device it models (its function's hardware, open count and kernel). */
    readonly vdev: VfioPciCoreDevice,
  ) {
    this.hw = vdev.pdev.hw;
    const bar = this.hw.bar(NVIDIA_VRAM_BAR);
    this.vram = bar !== undefined && bar.kind !== 'io';
    this.unsubscribe = this.hw.subscribe((e) => this.onHwEvent(e), {
      types: ['access', 'power-state', 'reset'],
      accessFilter: (kind) => kind === 'bar-write',
    });
  }

  /** Video memory in use, in bytes. */
  get usageBytes(): number {
    return this.chunks.size * NVIDIA_VRAM_CHUNK;
  }

  /** The usage threshold between full-off and self-refresh, in bytes. */
  get thresholdBytes(): number {
    return this.threshold;
  }

  /** Sets the threshold; values above {@link NVIDIA_MAX_THRESHOLD} are clamped to it. */
  set thresholdBytes(bytes: number) {
    this.threshold = Math.min(Math.max(0, bytes), NVIDIA_MAX_THRESHOLD);
  }

  /** The RTD3 mode the usage calls for. */
  get mode(): NvidiaRtd3Mode {
    return this.usageBytes > this.threshold ? 'self-refresh' : 'full-off';
  }

  /** Whether video-memory self-refresh is engaged. */
  get selfRefresh(): boolean {
    return this.engaged;
  }

  /** The state as the vendor feature's GET reports it. */
  info(): NvidiaRtd3Info {
    return {
      mode: this.mode,
      selfRefresh: this.engaged,
      usageBytes: this.usageBytes,
      thresholdBytes: this.threshold,
    };
  }

  /**
   * Masks interrupts at the GPU: remembers NV_PMC_INTR_EN_0 and clears it. Only when the
   * function is powered and in D0 (BAR0 is not there otherwise), and not masked already.
   */
  maskIntr(): void {
    if (this.savedIntrEn !== null || this.hw.powerState !== PCI_D0) return;
    const v = this.hw.barRead(NVIDIA_REGS_BAR, NV_PMC_INTR_EN_0, 4);
    if (v < 0) return;
    this.savedIntrEn = v;
    this.hw.barWrite(NVIDIA_REGS_BAR, NV_PMC_INTR_EN_0, 4, 0);
  }

  /** Restores NV_PMC_INTR_EN_0 as {@link maskIntr} found it (when powered and in D0). */
  unmaskIntr(): void {
    if (this.savedIntrEn === null || this.hw.powerState !== PCI_D0) return;
    this.hw.barWrite(NVIDIA_REGS_BAR, NV_PMC_INTR_EN_0, 4, this.savedIntrEn);
    this.savedIntrEn = null;
  }

  /** Whether {@link maskIntr} cleared NV_PMC_INTR_EN_0 and it has not been restored yet. */
  get intrMasked(): boolean {
    return this.savedIntrEn !== null;
  }

  /** Stops observing the hardware; self-refresh is dropped. */
  detach(): void {
    this.unsubscribe();
    this.setSelfRefresh(false);
  }

  private onHwEvent(e: HwEvent): void {
    if (e.type === 'access') {
      // A write reaches BAR memory only in D0 with power (PciFunctionHw.barWrite).
      if (e.kind === 'bar-write' && e.state === PCI_D0) this.onBarWrite(e.bar!, e.offset, e.value);
    } else if (e.type === 'power-state') {
      if (e.to === PCI_D3cold) this.powerLost();
      else if (e.from === PCI_D3cold) this.setSelfRefresh(false);
    } else if (e.type === 'reset') this.setSelfRefresh(false);
  }

  // Accesses are naturally aligned (checkAccess): one never spans two chunks, and one covers
  // bit0 of a 4-byte-aligned register only when it starts there.
  private onBarWrite(bar: number, offset: number, value: number): void {
    if (bar === NVIDIA_VRAM_BAR) {
      if (this.vram) this.chunks.add(Math.floor(offset / NVIDIA_VRAM_CHUNK));
    } else if (bar === NVIDIA_REGS_BAR) {
      if (offset === NVSIM_RTD3_CTRL) this.setSelfRefresh((value & 1) !== 0);
      else if (offset === NVSIM_FB_EVICT && value & 1) this.chunks.clear();
    }
  }

  private setSelfRefresh(on: boolean): void {
    this.engaged = on;
    if (this.vram) this.hw.setBarRetained(NVIDIA_VRAM_BAR, on);
  }

  // Power is gone: video memory survives only in self-refresh. Losing it while a user has the
  // device open is the defect; after close, the contents belong to nobody.
  private powerLost(): void {
    if (this.engaged) return;
    const usage = this.usageBytes;
    const mode = this.mode;
    this.chunks.clear();
    if (!usage || this.vdev.vdev.openCount === 0) return;
    this.vdev.kernel.defect(
      'video-memory-lost',
      `${this.vdev.pdev.bdf}: ${usage / NVIDIA_VRAM_CHUNK} MiB of video memory lost at power-off ` +
        `(mode ${mode}, self-refresh not engaged)`,
    );
  }
}

// Per kernel: a module-level WeakMap whose values point back at their keys was seen (heap
// profiles of exploration) to keep machines alive through young-generation collections.
const models = new KernelLocal(() => new WeakMap<VfioPciCoreDevice, NvidiaGpuModel>());

/** The GPU model of a device the NVIDIA variant drives, or undefined. */
export function nvidiaGpuModel(vdev: VfioPciCoreDevice): NvidiaGpuModel | undefined {
  return models.get(vdev.kernel).get(vdev);
}

/**
 * Creates the GPU model of a device (at probe), replacing any older one.
 * @returns the model
 */
export function attachNvidiaGpuModel(vdev: VfioPciCoreDevice): NvidiaGpuModel {
  const mine = models.get(vdev.kernel);
  mine.get(vdev)?.detach();
  const model = new NvidiaGpuModel(vdev);
  mine.set(vdev, model);
  return model;
}

/** Drops the GPU model of a device (at release): stops observing its hardware. */
export function detachNvidiaGpuModel(vdev: VfioPciCoreDevice): void {
  const mine = models.get(vdev.kernel);
  mine.get(vdev)?.detach();
  mine.delete(vdev);
}
