// The BARs' contents across resets and power loss (PCI PM 1.2 5.4.1 "D0 uninitialized";
// PCIe r6.0 6.6.2 FLR; video memory kept only by self-refresh).
import type { BarInfo } from './bar-layout.js';
import { SparseMemory } from './sparse-memory.js';
import type { BarInit, HwResetCause } from './types.js';

/** One BAR as the hardware holds it. */
export interface ResolvedBar extends BarInfo {
  /** Contents after a reset. */
  readonly init: readonly BarInit[];
  /** Contents survive power-off. */
  readonly retained: boolean;
}

const NO_CONTENTS: readonly BarInit[] = [];

interface Bar {
  readonly info: BarInfo;
  readonly init: readonly BarInit[];
  readonly mem: SparseMemory;
  retained: boolean;
}

/** The BARs of one function and what happens to their contents. */
export class BarStore {
  private readonly bars = new Map<number, Bar>();
  /** BARs emptied at power-off, and those of them that held written data. */
  private offCleared = new Set<number>();
  private offLost: number[] = [];

  constructor(bars: readonly ResolvedBar[]) {
    for (const b of bars) {
      const { index, kind, prefetchable, size, contents } = b;
      const mem = new SparseMemory(size);
      mem.load(b.init);
      const info = { index, kind, prefetchable, size, contents };
      this.bars.set(index, { info, init: b.init, mem, retained: b.retained });
    }
  }

  /** The BARs' descriptions, by index. */
  infos(): BarInfo[] {
    return [...this.bars.values()].map((b) => b.info);
  }

  /** The BAR at `index`, with its memory. */
  get(index: number): { readonly info: BarInfo; readonly mem: SparseMemory } | undefined {
    return this.bars.get(index);
  }

  /** Sets whether a BAR's contents survive power-off; false for an unknown BAR. */
  setRetained(index: number, retained: boolean): boolean {
    const bar = this.bars.get(index);
    if (bar) bar.retained = retained;
    return bar !== undefined;
  }

  /** Power is cut: contents not retained are gone. */
  powerOff(): void {
    for (const bar of this.bars.values()) {
      if (bar.retained) continue;
      if (bar.mem.dirty) this.offLost.push(bar.info.index);
      this.offCleared.add(bar.info.index);
      bar.mem.load(NO_CONTENTS);
    }
  }

  /**
   * Applies a reset: power-on reloads what power-off emptied; soft reset and FLR reload
   * `registers` BARs and keep `memory` BARs.
   * @returns the BARs whose written contents were lost, ascending
   */
  reset(cause: HwResetCause): number[] {
    const lost = cause === 'power-on' ? this.offLost : [];
    for (const bar of this.bars.values()) {
      const { index, contents } = bar.info;
      if (cause === 'power-on' ? !this.offCleared.has(index) : contents === 'memory') continue;
      if (bar.mem.dirty) lost.push(index);
      bar.mem.load(bar.init);
    }
    this.offCleared = new Set();
    this.offLost = [];
    return lost.sort((a, b) => a - b);
  }
}
