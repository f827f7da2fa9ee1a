import { describe, expect, it } from 'vitest';
import { VFIO } from '@vfio-ts/vfio-core';
import { powerTimeline, timeInStates } from '@vfio-ts/test-kit';
import type { PowerTimeline } from '@vfio-ts/test-kit';
import {
  GPU,
  MS,
  NIC,
  fault,
  feature,
  hw,
  ioctl,
  lowPowerRun,
  power,
  rpm,
  rpmRet,
  signal,
} from './records.js';

const lane = (t: PowerTimeline, d: string) => t.devices.find((l) => l.device === d)!;
const bands = (t: PowerTimeline, d: string) =>
  lane(t, d).intervals.map((i) => [i.state, i.start / MS, i.end / MS]);

describe('powerTimeline', () => {
  it('splits each device into contiguous D-state intervals over the window', () => {
    const t = powerTimeline(lowPowerRun(), { start: 0, end: 600 * MS });
    expect(t.devices.map((l) => l.device)).toEqual([NIC, GPU]);
    expect(bands(t, NIC)).toEqual([
      ['D0', 0, 2],
      ['D3hot', 2, 12],
      ['D3cold', 12, 300],
      ['D0', 300, 600],
    ]);
    expect(bands(t, GPU)).toEqual([
      ['D0', 0, 50],
      ['D3hot', 50, 450],
      ['D0', 450, 600],
    ]);
    expect(timeInStates(lane(t, NIC))).toMatchObject({
      D0: 302 * MS,
      D3hot: 10 * MS,
      D3cold: 288 * MS,
    });
  });

  it('defaults the window to the first and last records', () => {
    const t = powerTimeline(lowPowerRun());
    expect([t.start, t.end]).toEqual([1 * MS, 500 * MS]);
    expect(bands(t, NIC)[0]).toEqual(['D0', 1, 2]);
  });

  it('marks ioctls by feature name, wakes and faults in time order', () => {
    const t = powerTimeline(lowPowerRun(), { start: 0, end: 600 * MS });
    expect(lane(t, NIC).markers.map((m) => [m.kind, m.label, m.ts / MS])).toEqual([
      ['ioctl', 'LOW_POWER_ENTRY_WITH_WAKEUP', 1],
      ['wake', 'rpm_resume', 300],
      ['wake', 'eventfd', 400],
    ]);
    expect(lane(t, GPU).markers.map((m) => [m.kind, m.label])).toEqual([['fault', 'link_down']]);
  });

  it('labels other ioctls by name and does not mark a resume of an active device', () => {
    const t = powerTimeline([
      power(0, 'k#1', NIC, 'D3hot', 'D0'),
      ioctl(1, 'q#1', NIC, 'begin', VFIO.DEVICE_RESET),
      rpm(2, 'q#1', NIC, 'rpm_resume'),
      rpmRet(3, 'q#1', NIC, 'rpm_resume'),
      feature(4, 'q#1', GPU, VFIO.DEVICE_FEATURE_LOW_POWER_EXIT),
      ioctl(5, 'q#1', NIC, 'end', VFIO.DEVICE_RESET),
      hw(6, NIC, true),
      hw(7, NIC, false),
      { ts: 8, name: 'fault', task: '-', payload: { device: NIC } },
    ]);
    expect(lane(t, NIC).markers.map((m) => [m.kind, m.label])).toEqual([
      ['ioctl', 'RESET'],
      ['fault', 'hw_access violation'],
      ['fault', 'fault'],
    ]);
  });

  it('takes initial states and lanes from the options', () => {
    const t = powerTimeline([power(5 * MS, 'k#1', NIC, 'D0', 'D3hot')], {
      start: 0,
      end: 10 * MS,
      initial: { [NIC]: 'D1', [GPU]: 'D3cold' },
      devices: [GPU, NIC, 'rp0'],
    });
    expect(t.devices.map((l) => l.device)).toEqual([GPU, NIC, 'rp0']);
    expect(bands(t, NIC)).toEqual([
      ['D1', 0, 5],
      ['D3hot', 5, 10],
    ]);
    expect(bands(t, GPU)).toEqual([['D3cold', 0, 10]]);
    expect(bands(t, 'rp0')).toEqual([['unknown', 0, 10]]);
  });

  it('applies changes before the window to the initial state and ignores those after', () => {
    const t = powerTimeline(
      [
        power(1, 'k', NIC, 'D0', 'D3hot'),
        power(20, 'k', NIC, 'D3hot', 'D3cold'),
        power(50, 'k', NIC, 'D3cold', 'D0'),
        signal(60, 'k'),
      ],
      { start: 10, end: 40 },
    );
    expect(lane(t, NIC).intervals).toEqual([
      { start: 10, end: 20, state: 'D3hot' },
      { start: 20, end: 40, state: 'D3cold' },
    ]);
  });

  it('merges repeated and zero-length states into one interval', () => {
    const t = powerTimeline(
      [
        power(0, 'k', NIC, 'D0', 'D0'),
        power(5, 'k', NIC, 'D0', 'D3hot'),
        power(5, 'k', NIC, 'D3hot', 'D0'),
        power(10, 'k', NIC, 'D0', 'D0'),
      ],
      { end: 20 },
    );
    expect(lane(t, NIC).intervals).toEqual([{ start: 0, end: 20, state: 'D0' }]);
  });

  it('leaves out wakes and markers outside the window or without a lane', () => {
    const t = powerTimeline(
      [
        signal(1, 'k'),
        fault(2, 'nowhere', 'x'),
        power(3, 'k', NIC, 'D0', 'D3hot'),
        fault(9, NIC, 'late'),
      ],
      {
        end: 5,
        devices: [NIC],
      },
    );
    expect(lane(t, NIC).markers).toEqual([]);
  });

  it('ignores power changes and ioctls of devices without a lane', () => {
    const t = powerTimeline(
      [
        power(0, 'k', GPU, 'D0', 'D3hot'),
        ioctl(1, 'q', GPU, 'begin'),
        feature(2, 'q', GPU, 3),
        ioctl(3, 'q', GPU, 'end'),
      ],
      {
        end: 4,
        devices: [NIC],
      },
    );
    expect(t.devices).toEqual([
      { device: NIC, intervals: [{ start: 0, end: 4, state: 'unknown' }], markers: [] },
    ]);
  });

  it('gives an empty timeline for no records', () => {
    const t = powerTimeline([]);
    expect(t).toEqual({ start: 0, end: 0, devices: [] });
    expect(powerTimeline([], { start: 10, end: 5, devices: [NIC] }).devices[0]!.intervals).toEqual(
      [],
    );
  });
});
