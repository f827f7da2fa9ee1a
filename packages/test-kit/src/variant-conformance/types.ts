// The variant conformance harness's options and results: what a variant author passes to
// runVariantConformance() and what comes back, one result per standard low-power case.
import type { VfioPciCoreDevice } from '@vfio-ts/vfio-pci';
import type { Machine } from '../machine/machine.js';
import type { MachineOptions } from '../machine/options.js';
import type { UserProcess } from '../process/user-process.js';

/** The standard low-power cases, in the order they run by default. */
export const VARIANT_CONFORMANCE_CASES = Object.freeze([
  'entry',
  'entry-with-wakeup',
  'exit',
  'host-wake',
  'close-while-engaged',
  'hot-reset',
] as const);

/** The name of one standard case. */
export type VariantConformanceCaseName = (typeof VARIANT_CONFORMANCE_CASES)[number];

/** What a hook of the harness sees: the case's fresh machine, with the device opened. */
export interface VariantConformanceContext {
  /** The case running. */
  readonly caseName: VariantConformanceCaseName;
  readonly machine: Machine;
  /** The user process (the VMM) holding the device open. */
  readonly process: UserProcess;
  /** The device fd. */
  readonly fd: number;
  readonly bdf: string;
  /** The function's vfio-pci device, bound to the variant's driver. */
  readonly vdev: VfioPciCoreDevice;
}

/**
 * A hook's answer: nothing (or an empty string) to go on, a message to fail the case with.
 */
// A hook written as plain statements returns void, so void belongs in the union.
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type
export type VariantConformanceHookResult = string | void | Promise<string | void>;

/** Expectations that differ from the core's defaults. */
export interface VariantConformanceExpectations {
  /**
   * The D-state of an engaged (or unused), runtime-suspended device: `D3hot` for a variant
   * that forbids D3cold. @default `D3cold` when the root port can cut power, else `D3hot`
   */
  readonly lowPowerState?: 'D3cold' | 'D3hot';
  /**
   * Whether the host lets a device engaged with plain `LOW_POWER_ENTRY` suspend again by
   * itself after a host-initiated wake (the `hostReentry` hook). @default the variant's
   * `hostReentry(vdev)` answer after the wake, `true` without the hook
   */
  readonly hostReentry?: boolean;
  /** An extra check at the end of every case, before the device is closed. */
  check?(ctx: VariantConformanceContext): VariantConformanceHookResult;
}

/**
 * How runVariantConformance() builds each case's machine (one function, `0000:01:00.0`, below
 * one root port) and what it expects.
 */
export interface VariantConformanceOptions {
  /** The function's model: a built-in name, a dump path or the bytes. @default `e1000e` */
  readonly config?: string | Uint8Array;
  /** The platform can cut power below the root port (`_PR3`). @default true */
  readonly d3cold?: boolean;
  /**
   * Bind the function to this driver at boot (driver_override) rather than by id table.
   * @default the first variant whose id table matches
   */
  readonly driver?: string;
  /** More createMachine() options (seed, vfio-pci module parameters). */
  readonly machine?: Pick<MachineOptions, 'seed' | 'vfioPci' | 'disable_idle_d3' | 'nointxmask'>;
  /** The cases to run, in this order. @default {@link VARIANT_CONFORMANCE_CASES} */
  readonly cases?: readonly VariantConformanceCaseName[];
  /**
   * The guest's preparation, run after the device is opened and before every low-power entry
   * (for example a register write that tells the device firmware to save its state).
   */
  prepare?(ctx: VariantConformanceContext): VariantConformanceHookResult;
  readonly expect?: VariantConformanceExpectations;
}

/** The outcome of one case. */
export interface VariantConformanceResult {
  readonly name: VariantConformanceCaseName;
  readonly passed: boolean;
  /** What failed (the step and the expected and actual values), or `ok`. */
  readonly message: string;
}

/** The outcome of a run: every case's result. */
export interface VariantConformanceReport {
  /** The variant's driver name. */
  readonly variant: string;
  /** Every case passed. */
  readonly passed: boolean;
  readonly results: readonly VariantConformanceResult[];
}
