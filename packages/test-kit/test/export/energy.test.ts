import { describe, expect, it } from 'vitest';
import {
  BUILTIN_POWER_MODELS,
  energyReport,
  percentOf,
  powerTimeline,
  resolvePowerModel,
} from '@vfio-ts/test-kit';
import { GPU, MS, NIC, lowPowerRun } from './records.js';

describe('resolvePowerModel', () => {
  it('knows the built-in models, with the generic one as default', () => {
    expect(resolvePowerModel('e1000e').draws).toMatchObject({ D0: 0.8, D3hot: 0.2, D3cold: 0.005 });
    expect(resolvePowerModel('nvidia-h100').draws).toMatchObject({ D0: 60, D3hot: 25, D3cold: 2 });
    expect(resolvePowerModel()).toEqual({ name: 'generic', draws: BUILTIN_POWER_MODELS.generic });
  });

  it('overrides draws of a base model and marks the name', () => {
    expect(resolvePowerModel({ base: 'e1000e', draws: { D0: 1 } })).toEqual({
      name: 'e1000e*',
      draws: { ...BUILTIN_POWER_MODELS.e1000e, D0: 1 },
    });
    expect(resolvePowerModel({ draws: { D3cold: 0 } }).name).toBe('generic*');
  });

  it('throws naming the known models for an unknown one', () => {
    expect(() => resolvePowerModel('tpu')).toThrow(
      /"tpu" is not built in \(known: generic, e1000e/,
    );
  });
});

describe('energyReport', () => {
  const t = powerTimeline(lowPowerRun(), { start: 0, end: 1000 * MS });
  const r = energyReport(t, { devices: { [NIC]: 'e1000e', [GPU]: 'nvidia-h100' } });
  const nic = r.devices.find((d) => d.device === NIC)!;
  const gpu = r.devices.find((d) => d.device === GPU)!;

  it('sums time × draw per state (NIC: 702 ms D0, 10 ms D3hot, 288 ms D3cold)', () => {
    expect(r.durationNs).toBe(1000 * MS);
    expect(nic.model).toBe('e1000e');
    expect(nic.joules).toBeCloseTo(0.702 * 0.8 + 0.01 * 0.2 + 0.288 * 0.005, 12);
    expect(nic.alwaysD0Joules).toBeCloseTo(0.8, 12);
    expect(nic.d3hotOnlyJoules).toBeCloseTo(0.702 * 0.8 + 0.298 * 0.2, 12);
    expect(nic.savingVsAlwaysD0).toBeCloseTo(nic.alwaysD0Joules - nic.joules, 12);
    expect(nic.savingVsD3hotOnly).toBeCloseTo(0.288 * (0.2 - 0.005), 12);
  });

  it('counts a GPU that never reached D3cold the same as D3hot only', () => {
    expect(gpu.joules).toBeCloseTo(0.6 * 60 + 0.4 * 25, 12);
    expect(gpu.savingVsD3hotOnly).toBe(0);
    expect(gpu.savingVsAlwaysD0).toBeCloseTo(0.4 * 35, 12);
  });

  it('totals every device', () => {
    expect(r.total.joules).toBeCloseTo(nic.joules + gpu.joules, 12);
    expect(r.total.alwaysD0Joules).toBeCloseTo(60.8, 12);
    expect(r.total.savingVsD3hotOnly).toBeCloseTo(nic.savingVsD3hotOnly, 12);
  });

  it('draws unknown time at D0 and uses the default model for unlisted devices', () => {
    const u = powerTimeline([], { start: 0, end: 2e9, devices: ['x'] });
    const e = energyReport(u, { default: { draws: { D0: 3 } } });
    expect(e.devices[0]).toMatchObject({
      model: 'generic*',
      joules: 6,
      alwaysD0Joules: 6,
      savingVsAlwaysD0: 0,
    });
    expect(energyReport(u).devices[0]!.model).toBe('generic');
  });

  it('computes percentages, 0 of nothing', () => {
    expect(percentOf(1, 4)).toBe(25);
    expect(percentOf(1, 0)).toBe(0);
  });
});
