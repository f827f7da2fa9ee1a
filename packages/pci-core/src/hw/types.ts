// Shapes shared by the simulated function hardware, its builder and its observers.
import type { AccessWidth } from '../config/access.js';
import type { PciPowerState } from '../regs/power-state.js';

/** What a BAR's contents are, which decides what resets do to them. */
export type BarContents = 'registers' | 'memory';

/** Bytes a BAR holds after a reset, at an offset. */
export interface BarInit {
  /** Offset in the BAR. */
  readonly offset: number;
  /** The bytes (values 0..255). */
  readonly bytes: Uint8Array | readonly number[];
}

/** Options for one BAR of a function. A dump has no sizes, so the model supplies them. */
export interface BarOptions {
  /** BAR index (the first slot of a 64-bit BAR). */
  readonly index: number;
  /** Size in bytes, a power of two (memory ≥ 16, I/O 4…256). */
  readonly size: number;
  /**
   * `registers` (default): restored to `init` by every reset. `memory`: kept across soft
   * reset and FLR, lost at power-off unless retained.
   */
  readonly contents?: BarContents;
  /** Contents survive power-off (self-refresh); changeable later with `setBarRetained`. */
  readonly retained?: boolean;
  /** Contents after a reset; the rest reads 0. */
  readonly init?: readonly BarInit[];
}

/** Replaces the write masks of the bytes `offset … offset + width - 1`. */
export interface MaskOverride {
  /** Config offset. */
  readonly offset: number;
  /** Bytes covered. */
  readonly width: AccessWidth;
  /** Read-write bits (omitted: 0). */
  readonly rw?: number;
  /** Write-1-to-clear bits (omitted: 0). */
  readonly w1c?: number;
}

/** A register value, little endian, at a config offset. */
export interface ConfigPatch {
  /** Config offset. */
  readonly offset: number;
  /** Bytes covered. */
  readonly width: AccessWidth;
  /** Value. */
  readonly value: number;
}

/** Everything a function's hardware is built from, besides its config image. */
export interface FunctionHwOptions {
  /** Name for messages and traces (default `'function'`). */
  readonly name?: string;
  /** Sizes and contents of the BARs; a BAR missing here is inferred from the image. */
  readonly bars?: readonly BarOptions[];
  /** Write-mask overrides applied after the defaults. */
  readonly masks?: readonly MaskOverride[];
  /** Reset values that differ from the derived ones (writable bits otherwise reset to 0). */
  readonly resetPatches?: readonly ConfigPatch[];
}

/** Kinds of hardware access. */
export type HwAccessKind = 'config-read' | 'config-write' | 'bar-read' | 'bar-write';

/**
 * Remark on an access: `powered-off` (a violation: the function had no power), `bar-in-d3hot`
 * or `bar-in-d1d2` (BAR access in a low-power state: reads all ones, writes dropped).
 */
export type HwAccessNote = 'powered-off' | 'bar-in-d3hot' | 'bar-in-d1d2';

/** One access that reached the hardware. */
export interface HwAccess {
  readonly type: 'access';
  /** Function name. */
  readonly fn: string;
  readonly kind: HwAccessKind;
  /** Config offset, or offset within the BAR. */
  readonly offset: number;
  readonly width: AccessWidth;
  /** Value read (as returned) or written (as given). */
  readonly value: number;
  /** BAR index for BAR accesses. */
  readonly bar?: number;
  /** Power state at the time of the access (D3cold when off). */
  readonly state: PciPowerState;
  /** BAR accesses: Command.MEMORY (memory BAR) or Command.IO (I/O BAR) was set. */
  readonly decodeEnabled?: boolean;
  readonly note?: HwAccessNote;
}

/** What caused a reset. */
export type HwResetCause = 'soft-reset' | 'flr' | 'power-on';

/** Events a function's hardware reports to its observers. */
export type HwEvent =
  | HwAccess
  | { readonly type: 'intx'; readonly fn: string; readonly asserted: boolean }
  | { readonly type: 'pme'; readonly fn: string; readonly state: PciPowerState }
  | {
      readonly type: 'power-state';
      readonly fn: string;
      readonly from: PciPowerState;
      readonly to: PciPowerState;
    }
  | {
      readonly type: 'reset';
      readonly fn: string;
      readonly cause: HwResetCause;
      /** BARs whose written contents were lost. */
      readonly lostBars: readonly number[];
    };

/** An observer of {@link HwEvent}s. */
export type HwListener = (event: HwEvent) => void;
