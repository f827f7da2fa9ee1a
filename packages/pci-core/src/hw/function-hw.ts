// The simulated hardware of one PCI function: registers, BARs, INTx, PMCSR, PME, FLR, power.
import { EINVAL } from '@vfio-ts/kernel';
import { allOnes, checkAccess, type AccessWidth, type ConfigReader } from '../config/access.js';
import { ConfigSpace, getLe, setLe, type ConfigSpaceSize } from '../config/config-space.js';
import { pmeCapable } from '../config/pm-cap.js';
import * as X from '../regs/exp.js';
import * as H from '../regs/header.js';
import {
  PCI_PM_CTRL,
  PCI_PM_CTRL_PME_ENABLE,
  PCI_PM_CTRL_PME_STATUS,
  PCI_PM_PMC,
} from '../regs/pm.js';
import { PCI_D0, PCI_D3cold, PCI_D3hot, type PciPowerState } from '../regs/power-state.js';
import type { BarInfo } from './bar-layout.js';
import type { RegisterMasks } from './masks.js';
import { pmStateWrite } from './pm-state.js';
import { BarStore, type ResolvedBar } from './bar-store.js';
import { HwEventHub, type HwSubscription } from './event-hub.js';
import type { HwAccess, HwAccessKind, HwEvent, HwListener, HwResetCause } from './types.js';

/** A validated description of a function; build it with `createFunctionHw`. */
export interface ResolvedFunctionHw {
  readonly name: string;
  /** Register values at start (as firmware left them). */
  readonly image: Uint8Array;
  /** Register values after any reset. */
  readonly resetImage: Uint8Array;
  readonly masks: RegisterMasks;
  readonly bars: readonly ResolvedBar[];
  /** Offsets of the PM and PCI Express capabilities (0 = none). */
  readonly pmCap: number;
  readonly expCap: number;
}

const STICKY_PME = PCI_PM_CTRL_PME_ENABLE | PCI_PM_CTRL_PME_STATUS;

// The byte a write of `v` at `offset` puts at `at` (the write covers it).
function writtenByte(offset: number, v: number, at: number): number {
  return (v >>> (8 * (at - offset))) & 0xff;
}

/**
 * The simulated hardware of one PCI function. Synchronous and pure: it never schedules work;
 * observers see every access and state change through {@link subscribe}. Config and BAR
 * accessors follow the kernel's convention: a value or 0 on success, `-EINVAL` for an access
 * the bus would refuse (misaligned, out of range, unknown BAR).
 */
export class PciFunctionHw implements ConfigReader {
  /** Name used in events and messages. */
  readonly name: string;
  /** Config space size: 256 or 4096. */
  readonly cfgSize: ConfigSpaceSize;
  /** Offset of the PM capability, 0 without one. */
  readonly pmCap: number;
  /** Offset of the PCI Express capability, 0 without one. */
  readonly expCap: number;
  /** The implemented BARs. */
  readonly bars: readonly BarInfo[];
  private readonly regs: ConfigSpace;
  // regs.bytes, for the accessors (bounds are checked once, by checkAccess).
  private readonly bytes: Uint8Array;
  // Offsets of PMCSR and of the DevCtl byte with Initiate FLR; -1 without the capability.
  private readonly pmcsrAt: number;
  private readonly flrAt: number;
  private readonly resetImage: Uint8Array;
  private readonly masks: RegisterMasks;
  private readonly barStore: BarStore;
  private readonly hub = new HwEventHub();
  private on = true;
  private pending = false;
  private line = false;
  // Status.INTERRUPT and the line agree with `pending`, Command and PowerState (once updateLine
  // ran while powered: the image may show an interrupt nobody raised).
  private lineSynced = false;
  // Config writes since the last reset lie in [dirtyLo, dirtyHi) (all of it at first: the image
  // is not the reset image); besides them only Status and PMCSR change (INTx and PME logic).
  private dirtyLo = 0;
  private dirtyHi: number;

  /** @param spec a validated description (see `createFunctionHw`) */
  constructor(spec: ResolvedFunctionHw) {
    this.name = spec.name;
    this.regs = new ConfigSpace(spec.image);
    this.cfgSize = this.regs.cfgSize;
    // Never written: functions of one model share it.
    this.resetImage = spec.resetImage;
    this.masks = spec.masks;
    this.pmCap = spec.pmCap;
    this.expCap = spec.expCap;
    this.bytes = this.regs.bytes;
    this.dirtyHi = this.cfgSize;
    this.pmcsrAt = spec.pmCap ? spec.pmCap + PCI_PM_CTRL : -1;
    this.flrAt = spec.expCap ? spec.expCap + X.PCI_EXP_DEVCTL + 1 : -1;
    this.barStore = new BarStore(spec.bars);
    this.bars = this.barStore.infos();
  }

  /**
   * Adds an observer (of the event types given, or of all); returns a function that removes it.
   * Access events are built only while an access observer wants them or the power is off.
   */
  subscribe(listener: HwListener, opts?: HwSubscription): () => void {
    return this.hub.subscribe(listener, opts);
  }

  /** Called with every access made while powered off, as it happens (for invariant monitors). */
  set onViolation(fn: ((access: HwAccess) => void) | null) {
    this.hub.onViolation = fn;
  }

  /** Every access made while the function was powered off, in order. */
  get violations(): readonly HwAccess[] {
    return this.hub.violations;
  }

  /** Whether the power rail is on. */
  get powered(): boolean {
    return this.on;
  }

  /** D0…D3hot from PMCSR (D0 without a PM capability), D3cold while powered off. */
  get powerState(): PciPowerState {
    if (!this.on) return PCI_D3cold;
    return this.pmCap ? ((this.bytes[this.pmcsrAt]! & 3) as PciPowerState) : PCI_D0;
  }

  /** An INTx is pending in the function (Status.INTERRUPT). */
  get intxPending(): boolean {
    return this.pending;
  }

  /** The INTx line to the host: pending, Command.INTX_DISABLE clear, powered and in D0. */
  get intxAsserted(): boolean {
    return this.line;
  }

  /** Copy of the registers as held, without an access (for tests and invariant checks). */
  snapshot(): ConfigSpace {
    return this.regs.clone();
  }

  /**
   * Reads a config register. Powered off: all ones, recorded as a violation.
   * @returns the value, or `-EINVAL` for a misaligned or out-of-range access
   */
  configRead(offset: number, width: AccessWidth): number {
    const bad = checkAccess(this.cfgSize, offset, width);
    if (bad) return bad;
    const value = this.on ? getLe(this.bytes, offset, width) : allOnes(width);
    if (this.recording('config-read', offset, width))
      this.record('config-read', offset, width, value);
    return value;
  }

  /**
   * Writes a config register through the masks (RO bits kept, RW bits taken, W1C bits cleared
   * by ones), then applies side effects: PowerState transitions, Initiate FLR, INTx Disable.
   * Powered off: dropped, recorded as a violation.
   * @returns `0`, or `-EINVAL` for a misaligned or out-of-range access or a non-integer value
   */
  configWrite(offset: number, width: AccessWidth, value: number): number {
    const bad = checkAccess(this.cfgSize, offset, width);
    if (bad || !Number.isInteger(value)) return bad || -EINVAL;
    const v = (value & allOnes(width)) >>> 0;
    if (this.recording('config-write', offset, width))
      this.record('config-write', offset, width, v);
    if (!this.on) return 0;
    const bytes = this.bytes;
    const end = offset + width;
    if (offset < this.dirtyLo) this.dirtyLo = offset;
    if (end > this.dirtyHi) this.dirtyHi = end;
    const pmcsrAt = this.pmcsrAt;
    const pmcsrHit = pmcsrAt >= offset && pmcsrAt < end;
    const pmcsrBefore = pmcsrHit ? getLe(bytes, pmcsrAt, 2) : 0;
    // Bitwise, so the whole register at once gives what byte by byte would.
    const rw = getLe(this.masks.rw, offset, width);
    const w1c = getLe(this.masks.w1c, offset, width);
    setLe(bytes, offset, width, ((getLe(bytes, offset, width) & ~rw) | (v & rw)) & ~(v & w1c));
    if (pmcsrHit) this.writePowerState(pmcsrBefore, writtenByte(offset, v, pmcsrAt));
    const flrAt = this.flrAt;
    if (flrAt >= offset && flrAt < end && writtenByte(offset, v, flrAt) & 0x80 && this.flrCapable())
      this.flr();
    // Only Command, Status and PowerState feed the line; other writes leave it as it was.
    if (!this.lineSynced || pmcsrHit || (offset < H.PCI_STATUS + 2 && end > H.PCI_COMMAND))
      this.updateLine();
    return 0;
  }

  /** The BAR at `index`, or `undefined`. */
  bar(index: number): BarInfo | undefined {
    return this.barStore.get(index)?.info;
  }

  /**
   * Reads BAR memory. Answered whatever Command says (gating is vfio-pci's job); the access
   * records whether decoding was enabled. D1/D2/D3hot: all ones; off: all ones + violation.
   * @returns the value, or `-EINVAL` for an unknown BAR or a bad offset/width
   */
  barRead(index: number, offset: number, width: AccessWidth): number {
    const bar = this.barStore.get(index);
    const bad = bar ? checkAccess(bar.info.size, offset, width) : -EINVAL;
    if (bad || !bar) return bad;
    const live = this.on && this.powerState === PCI_D0;
    const value = live ? bar.mem.read(offset, width) : allOnes(width);
    if (this.recording('bar-read', offset, width))
      this.record('bar-read', offset, width, value, index);
    return value;
  }

  /**
   * Writes BAR memory; dropped outside D0 (recorded as for {@link barRead}).
   * @returns `0`, or `-EINVAL` for an unknown BAR, a bad offset/width or a non-integer value
   */
  barWrite(index: number, offset: number, width: AccessWidth, value: number): number {
    const bar = this.barStore.get(index);
    const bad = bar ? checkAccess(bar.info.size, offset, width) : -EINVAL;
    if (bad || !bar || !Number.isInteger(value)) return bad || -EINVAL;
    const v = (value & allOnes(width)) >>> 0;
    if (this.recording('bar-write', offset, width))
      this.record('bar-write', offset, width, v, index);
    if (this.on && this.powerState === PCI_D0) bar.mem.write(offset, width, v);
    return 0;
  }

  /** Declares whether a BAR's contents survive power-off (e.g. video memory in self-refresh). */
  setBarRetained(index: number, retained: boolean): void {
    if (!this.barStore.setRetained(index, retained))
      throw new RangeError(`${this.name}: setBarRetained(${index}): no such BAR`);
  }

  /** Cuts the power rail (D3cold): INTx drops, non-retained BAR contents are lost. */
  powerOff(): void {
    if (!this.on) return;
    const from = this.powerState;
    this.on = false;
    this.pending = false;
    this.barStore.powerOff();
    this.updateLine();
    if (this.hub.wants('power-state'))
      this.emit({ type: 'power-state', fn: this.name, from, to: PCI_D3cold });
  }

  /** Restores power: a cold reset into D0 with reset defaults (sticky PME bits kept). */
  powerOn(): void {
    if (this.on) return;
    this.on = true;
    if (this.hub.wants('power-state'))
      this.emit({ type: 'power-state', fn: this.name, from: PCI_D3cold, to: PCI_D0 });
    this.reset('power-on');
  }

  /**
   * Function-level reset: registers to reset defaults, `registers` BARs to their initial
   * contents, D0. `memory` BARs keep their contents.
   * @returns false (nothing done) while powered off
   */
  flr(): boolean {
    if (!this.on) return false;
    const from = this.powerState;
    this.reset('flr');
    if (from !== PCI_D0 && this.hub.wants('power-state'))
      this.emit({ type: 'power-state', fn: this.name, from, to: PCI_D0 });
    return true;
  }

  /**
   * A wake event: sets PME_Status if PME_Support covers the current state (D3cold needs
   * aux power, modelled as "supported"); with PME_En set, a PME message goes out (event).
   * @returns whether PME_Status was set
   */
  signalPme(): boolean {
    const state = this.powerState;
    if (!this.pmCap || !pmeCapable(this.pmcRaw(), state)) return false;
    const at = this.pmCap + PCI_PM_CTRL;
    const pmcsr = this.regs.read(at, 2) | PCI_PM_CTRL_PME_STATUS;
    this.regs.write(at, 2, pmcsr);
    if (pmcsr & PCI_PM_CTRL_PME_ENABLE) this.emit({ type: 'pme', fn: this.name, state });
    return true;
  }

  /**
   * The device raises its INTx: Status.INTERRUPT set, line asserted unless disabled.
   * @returns false (ignored) when powered off or not in D0
   */
  assertIntx(): boolean {
    if (this.regs.bytes[H.PCI_INTERRUPT_PIN] === 0)
      throw new Error(`${this.name}: assertIntx() on a function without an interrupt pin`);
    if (!this.on || this.powerState !== PCI_D0) return false;
    this.pending = true;
    this.updateLine();
    return true;
  }

  /** The device drops its INTx. */
  deassertIntx(): void {
    this.pending = false;
    this.updateLine();
  }

  private pmcRaw(): number {
    return getLe(this.bytes, this.pmCap + PCI_PM_PMC, 2);
  }

  /** Initiate FLR exists on type-0 functions whose DevCap says FLR (bridges: BCR instead). */
  private flrCapable(): boolean {
    const type = this.regs.bytes[H.PCI_HEADER_TYPE]! & H.PCI_HEADER_TYPE_MASK;
    const devcap = this.regs.read(this.expCap + X.PCI_EXP_DEVCAP, 4);
    return type === H.PCI_HEADER_TYPE_NORMAL && (devcap & X.PCI_EXP_DEVCAP_FLR) !== 0;
  }

  private writePowerState(pmcsrBefore: number, requested: number): void {
    const at = this.pmCap + PCI_PM_CTRL;
    const t = pmStateWrite(this.pmcRaw(), pmcsrBefore, requested);
    this.regs.bytes[at] = (this.regs.bytes[at]! & ~3) | t.to;
    if (t.to === t.from) return;
    if (this.hub.wants('power-state'))
      this.emit({ type: 'power-state', fn: this.name, from: t.from, to: t.to });
    if (t.softReset) this.reset('soft-reset');
  }

  private reset(cause: HwResetCause): void {
    const at = this.pmCap + PCI_PM_CTRL;
    const sticky =
      this.pmCap && pmeCapable(this.pmcRaw(), PCI_D3cold) ? this.regs.read(at, 2) & STICKY_PME : 0;
    this.restoreResetImage();
    if (sticky) this.regs.write(at, 2, this.regs.read(at, 2) | sticky);
    this.pending = false;
    const lostBars = this.barStore.reset(cause);
    this.updateLine();
    if (this.hub.wants('reset')) this.emit({ type: 'reset', fn: this.name, cause, lostBars });
  }

  // Registers back to the reset image: only bytes that can differ from it are copied.
  private restoreResetImage(): void {
    let lo = Math.min(this.dirtyLo, H.PCI_STATUS);
    let hi = Math.max(this.dirtyHi, H.PCI_STATUS + 1);
    if (this.pmCap) {
      lo = Math.min(lo, this.pmcsrAt);
      hi = Math.max(hi, this.pmcsrAt + 2);
    }
    this.bytes.set(this.resetImage.subarray(lo, hi), lo);
    this.dirtyLo = this.cfgSize;
    this.dirtyHi = 0;
  }

  private updateLine(): void {
    const status = this.regs.bytes[H.PCI_STATUS]! & ~H.PCI_STATUS_INTERRUPT;
    if (this.on) {
      this.regs.bytes[H.PCI_STATUS] = status | (this.pending ? H.PCI_STATUS_INTERRUPT : 0);
      this.lineSynced = true;
    }
    const disabled = (getLe(this.bytes, H.PCI_COMMAND, 2) & H.PCI_COMMAND_INTX_DISABLE) !== 0;
    const next = this.on && this.pending && !disabled && this.powerState === PCI_D0;
    if (next === this.line) return;
    this.line = next;
    this.emit({ type: 'intx', fn: this.name, asserted: next });
  }

  // Accesses are observed only while someone wants them, or as violations when off.
  private recording(kind: HwAccessKind, offset: number, width: number): boolean {
    return !this.on || this.hub.wantsAccess(kind, offset, width);
  }

  private record(
    kind: HwAccessKind,
    offset: number,
    width: AccessWidth,
    value: number,
    bar?: number,
  ): void {
    const state = this.powerState;
    const fn = this.name;
    // One literal per shape, keys in the order listeners have always seen them.
    const access: { -readonly [K in keyof HwAccess]: HwAccess[K] } =
      bar === undefined
        ? { type: 'access', fn, kind, offset, width, value, state }
        : { type: 'access', fn, kind, offset, width, value, bar, state };
    if (bar !== undefined) {
      const bit =
        this.barStore.get(bar)!.info.kind === 'io' ? H.PCI_COMMAND_IO : H.PCI_COMMAND_MEMORY;
      access.decodeEnabled = (this.regs.read(H.PCI_COMMAND, 2) & bit) !== 0;
      if (state === PCI_D3hot) access.note = 'bar-in-d3hot';
      else if (state !== PCI_D0 && state !== PCI_D3cold) access.note = 'bar-in-d1d2';
    }
    if (!this.on) access.note = 'powered-off';
    this.emit(access);
  }

  private emit(event: HwEvent): void {
    this.hub.emit(event);
  }
}
