// Energy of a run from its power timeline and per-state draws, with the two baselines a
// reader asks about: the device never suspended ("always D0"), and suspended without the
// platform cutting power ("D3hot only": time in D3cold drawn at the D3hot rate).
import { resolvePowerModel } from './power-models.js';
import type { PowerModelSpec } from './power-models.js';
import type { DState } from './records.js';
import { timeInStates } from './timeline.js';
import type { PowerTimeline } from './timeline.js';

/** Energy figures of one device (joules) over the timeline's window. */
export interface DeviceEnergy {
  readonly device: string;
  /** The model's name (`*` when overridden). */
  readonly model: string;
  /** ns spent in each state. */
  readonly timeNs: Readonly<Record<DState, number>>;
  /** Estimated energy actually used. */
  readonly joules: number;
  /** The same window spent in D0. */
  readonly alwaysD0Joules: number;
  /** The same timeline with D3cold drawn as D3hot. */
  readonly d3hotOnlyJoules: number;
  /** alwaysD0Joules - joules. */
  readonly savingVsAlwaysD0: number;
  /** d3hotOnlyJoules - joules. */
  readonly savingVsD3hotOnly: number;
}

/** Energy of every lane and the totals. */
export interface EnergyReport {
  /** Window length, ns. */
  readonly durationNs: number;
  readonly devices: readonly DeviceEnergy[];
  readonly total: Omit<DeviceEnergy, 'device' | 'model' | 'timeNs'>;
}

/** Which draws each device uses. */
export interface PowerModelOptions {
  /** By device name; devices not listed use `default`. */
  readonly devices?: Readonly<Record<string, PowerModelSpec>>;
  /** @default 'generic' */
  readonly default?: PowerModelSpec;
}

const NS_PER_S = 1e9;

/**
 * Computes the energy per device. `unknown` time is drawn at the D0 rate (the conservative
 * guess). Figures are estimates from the models' draws (see BUILTIN_POWER_MODELS).
 *
 * @param timeline - from {@link powerTimeline}
 * @param powerModel - model per device and a default
 * @returns joules per device, baselines and savings
 */
export function energyReport(
  timeline: PowerTimeline,
  powerModel: PowerModelOptions = {},
): EnergyReport {
  const durationNs = timeline.end - timeline.start;
  const devices = timeline.devices.map((lane): DeviceEnergy => {
    const m = resolvePowerModel(powerModel.devices?.[lane.device] ?? powerModel.default);
    const t = timeInStates(lane);
    const w = m.draws;
    const j = (ns: number, watts: number): number => (ns / NS_PER_S) * watts;
    const common = j(t.D0 + t.unknown, w.D0) + j(t.D1, w.D1) + j(t.D2, w.D2) + j(t.D3hot, w.D3hot);
    const joules = common + j(t.D3cold, w.D3cold);
    const alwaysD0Joules = j(durationNs, w.D0);
    const d3hotOnlyJoules = common + j(t.D3cold, w.D3hot);
    return {
      device: lane.device,
      model: m.name,
      timeNs: t,
      joules,
      alwaysD0Joules,
      d3hotOnlyJoules,
      savingVsAlwaysD0: alwaysD0Joules - joules,
      savingVsD3hotOnly: d3hotOnlyJoules - joules,
    };
  });
  const sum = (k: keyof EnergyReport['total']): number => devices.reduce((a, d) => a + d[k], 0);
  return {
    durationNs,
    devices,
    total: {
      joules: sum('joules'),
      alwaysD0Joules: sum('alwaysD0Joules'),
      d3hotOnlyJoules: sum('d3hotOnlyJoules'),
      savingVsAlwaysD0: sum('savingVsAlwaysD0'),
      savingVsD3hotOnly: sum('savingVsD3hotOnly'),
    },
  };
}

/** @returns `part` as a percentage of `whole` (0 when whole is 0) */
export function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : (100 * part) / whole;
}
