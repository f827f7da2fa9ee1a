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
  /** Emptied at the last power-off, not yet reloaded. */
  cleared: boolean;
}

const NO_BARS_LOST: readonly number[] = Object.freeze([]);
const ascending = (a: number, b: number): number => a - b;

/** The BARs of one function and what happens to their contents. */
export class BarStore {
  private readonly byIndex = new Map<number, Bar>();
  // In order of first appearance, as the Map iterates (the order resets visit them).
  private readonly list: readonly Bar[];
  // BARs emptied at power-off that held written data; null for none.
  private offLost: number[] | null = null;

  constructor(bars: readonly ResolvedBar[]) {
    for (const b of bars) {
      const { index, kind, prefetchable, size, contents } = b;
      const mem = new SparseMemory(size);
      mem.load(b.init);
      const info = { index, kind, prefetchable, size, contents };
      this.byIndex.set(index, { info, init: b.init, mem, retained: b.retained, cleared: false });
    }
    this.list = [...this.byIndex.values()];
  }

  /** The BARs' descriptions, by index. */
  infos(): BarInfo[] {
    return this.list.map((b) => b.info);
  }

  /** The BAR at `index`, with its memory. */
  get(index: number): { readonly info: BarInfo; readonly mem: SparseMemory } | undefined {
    return this.byIndex.get(index);
  }

  /** Sets whether a BAR's contents survive power-off; false for an unknown BAR. */
  setRetained(index: number, retained: boolean): boolean {
    const bar = this.byIndex.get(index);
    if (bar) bar.retained = retained;
    return bar !== undefined;
  }

  /** Power is cut: contents not retained are gone. */
  powerOff(): void {
    for (const bar of this.list) {
      if (bar.retained) continue;
      if (bar.mem.dirty) (this.offLost ??= []).push(bar.info.index);
      bar.cleared = true;
      bar.mem.load(NO_CONTENTS);
    }
  }

  /**
   * Applies a reset: power-on reloads what power-off emptied; soft reset and FLR reload
   * `registers` BARs and keep `memory` BARs.
   * @returns the BARs whose written contents were lost, ascending
   */
  reset(cause: HwResetCause): readonly number[] {
    const powerOn = cause === 'power-on';
    let lost = powerOn ? this.offLost : null;
    this.offLost = null;
    for (const bar of this.list) {
      const skip = powerOn ? !bar.cleared : bar.info.contents === 'memory';
      bar.cleared = false;
      if (skip) continue;
      if (bar.mem.dirty) (lost ??= []).push(bar.info.index);
      bar.mem.load(bar.init);
    }
    return lost ? lost.sort(ascending) : NO_BARS_LOST;
  }
}
