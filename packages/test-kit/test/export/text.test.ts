import { describe, expect, it } from 'vitest';
import { energyReport, powerTimeline, renderTimelineText } from '@vfio-ts/test-kit';
import { GPU, MS, NIC, fault, ioctl, lowPowerRun, power } from './records.js';

const timeline = powerTimeline(lowPowerRun(), { start: 0, end: 600 * MS });
const energy = energyReport(timeline, { devices: { [NIC]: 'e1000e', [GPU]: 'nvidia-h100' } });

describe('renderTimelineText', () => {
  const text = renderTimelineText(timeline, energy, { columns: 60 });
  const lines = text.split('\n');

  it('draws one bar per device with a character per state', () => {
    expect(lines[0]).toContain('time 0–600 ms, 10 ms per column');
    const nic = lines.find((l) => l.startsWith(NIC))!;
    // 0-2 ms D0 (1 column, dominant D0 in 0-10 is D3hot: 2 D0 vs 8 D3hot), D3cold to 300, D0 after.
    expect(nic).toBe(`${NIC}  |-` + '_'.repeat(29) + '#'.repeat(30) + '|');
    const gpu = lines.find((l) => l.startsWith(GPU))!;
    expect(gpu).toBe(`${GPU}  |` + '#'.repeat(5) + '-'.repeat(40) + '#'.repeat(15) + '|');
  });

  it('puts markers under the lane, a fault winning its column', () => {
    const i = lines.findIndex((l) => l.startsWith(NIC));
    expect(lines[i + 1]).toBe(
      ' '.repeat(NIC.length + 3) + 'i' + ' '.repeat(29) + 'w' + ' '.repeat(9) + 'w',
    );
    const g = lines.findIndex((l) => l.startsWith(GPU));
    expect(lines[g + 1]!.trim()).toBe('!');
  });

  it('ends with the energy table and totals', () => {
    const head = lines.findIndex((l) => l.startsWith('device'));
    expect(lines[head]).toMatch(
      /^device\s+model\s+D0 ms\s+D3hot ms\s+D3cold ms\s+energy\s+saved vs D0\s+saved vs D3hot$/,
    );
    expect(lines[head + 1]).toMatch(
      new RegExp(
        `^${NIC}\\s+e1000e\\s+302\\s+10\\s+288\\s+\\d+\\.\\d mJ\\s+\\d+\\.\\d%\\s+\\d+\\.\\d%$`,
      ),
    );
    expect(lines[head + 2]).toMatch(/nvidia-h100\s+200\s+400\s+0\s+22\.000 J\s+38\.9%\s+0\.0%$/);
    expect(lines[head + 3]).toMatch(/^total\s+\d+\.\d{3} J/);
    expect(text.endsWith('estimates from per-state power draws\n')).toBe(true);
  });

  it('draws a ranked marker row and a zero-length window', () => {
    const z = powerTimeline([power(5, 'k', NIC, 'D0', 'D3hot')], { start: 5, end: 5 });
    expect(renderTimelineText(z)).toBe(
      `time 0–0 ms, 0 ms per column   # D0  - D3hot  _ D3cold  = D1/D2  ? unknown   i ioctl  w wake  ! fault\n${NIC.padEnd(14)}|${' '.repeat(60)}|\n`,
    );
  });

  it('ranks markers sharing a column and clamps the last instant into the last column', () => {
    const t = powerTimeline(
      [
        power(0, 'k', NIC, 'D0', 'D3hot'),
        fault(1, NIC, 'x'),
        { ts: 2, name: 'hw_access', task: 'k', payload: { device: NIC, violation: true } },
        ioctl(3, 'q', NIC, 'begin'),
        ioctl(100, 'q', NIC, 'begin'),
      ],
      { end: 100 },
    );
    const lines = renderTimelineText(t, undefined, { columns: 4 }).split('\n');
    expect(lines[2]).toBe(`${' '.repeat(NIC.length + 3)}!  i`);
    const z = powerTimeline([power(5, 'k', NIC, 'D0', 'D3hot'), fault(5, NIC, 'y')], {
      start: 5,
      end: 5,
    });
    expect(renderTimelineText(z, undefined, { columns: 3 }).split('\n')[2]).toBe(
      `${' '.repeat(NIC.length + 3)}!`,
    );
  });

  it('scales small energies to µJ', () => {
    const t = powerTimeline([power(0, 'k', NIC, 'D0', 'D3cold')], { end: 1000 });
    const text = renderTimelineText(t, energyReport(t, { default: 'e1000e' }));
    expect(text).toMatch(/0\.0 µJ/);
  });
});
