// The scenario file format (scenarios/scenario.schema.json describes the same in JSON Schema):
// a machine, an optional VM, timed steps, and what must hold at the end.
import type { DState } from '../export/records.js';
import type { PowerModelSpec } from '../export/power-models.js';
import type { GuestOptions } from '../guest/options.js';
import type { MachineOptions } from '../machine/options.js';

/** Step kinds, each with its own fields (see {@link Step}). */
export const STEP_KINDS = [
  'wait',
  'settle',
  'guest-idle',
  'guest-busy',
  'guest-access',
  'guest-vram',
  'guest-hot-reset',
  'vm-stop',
  'lspci',
  'sysfs-write',
  'fault',
] as const;

/** A step kind. */
export type StepKind = (typeof STEP_KINDS)[number];

/** One timed step. Times are virtual ns once loaded (files give ms or "250ms", "1.5s", "20us"). */
export interface Step {
  /** What to do. */
  do: StepKind;
  /** Start no earlier than this, from the scenario's start (after boot). */
  at?: number;
  /** `wait`: how long. */
  for?: number;
  /** The device (bdf): required by `guest-access`, `guest-vram`, `guest-hot-reset`, `lspci`; all guest devices when left out of `guest-idle`/`guest-busy`. */
  device?: string;
  /** `guest-access`: BAR and offset of the register read. @default 0, 0 */
  bar?: number;
  offset?: number;
  /** `guest-vram`: MiB of video memory the guest workload uses. */
  mib?: number;
  /** `lspci`: 64, 256 or 4096 bytes. @default 64 */
  bytes?: 64 | 256 | 4096;
  /** `sysfs-write`: the path and text. */
  path?: string;
  value?: string;
  /** `fault`: what m.inject() takes. */
  fault?: Record<string, unknown>;
  /** Do the step this many times. @default 1 */
  repeat?: number;
  /** Between repetitions (ns). @default 0 */
  every?: number;
  /** The result each repetition must give: `ok` (>= 0) or an errno name such as `ENODEV`. */
  ret?: string;
}

/** A lower and/or upper bound. */
export interface Bounds {
  min?: number;
  max?: number;
}

/** What must hold at the end. */
export interface Expectations {
  /** sysfs `power_state` per device (`absent`: the device is gone). */
  power_state?: Record<string, DState | 'absent'>;
  /** sysfs `power/runtime_status` per device. */
  runtime_status?: Record<string, string>;
  /** The guest's view of each device's power state. */
  guest_power?: Record<string, 'D0' | 'D3hot' | 'D3cold'>;
  /** Virtual PMEs the guest received per device (one per host wake of an armed device). */
  wake_notifications?: Record<string, number>;
  /** `none` (the default), or texts each of which some violation must contain. */
  invariants?: 'none' | string[];
  /** Estimated joules over the run: `total` and/or per device. */
  energy_joules?: Record<string, Bounds>;
  /** Time (ns once loaded) spent per device per D-state. */
  residency?: Record<string, Partial<Record<DState, Bounds>>>;
}

/** A loaded, validated scenario. */
export interface Scenario {
  name: string;
  description?: string;
  /** createMachine() options; device configs are model names or dump paths. */
  machine: MachineOptions;
  /** A VM started before the first step. */
  guest?: GuestOptions;
  /** Power model per device for energy figures. @default the device's model name, else generic */
  power?: Record<string, PowerModelSpec>;
  steps: Step[];
  expect: Expectations;
}
