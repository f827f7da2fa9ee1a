import { describe, expect, it } from 'vitest';
import { STATE_COLOURS, energyReport, powerTimeline, renderTimelineSvg } from '@vfio-ts/test-kit';
import { GPU, MS, NIC, fault, lowPowerRun, power } from './records.js';
import { xmlProblems } from './xml.js';

const timeline = powerTimeline(lowPowerRun(), { start: 0, end: 600 * MS });
const energy = energyReport(timeline, { devices: { [NIC]: 'e1000e', [GPU]: 'nvidia-h100' } });
const svg = renderTimelineSvg(timeline, energy);

const lanes = (s: string): string[] =>
  [...s.matchAll(/<g class="lane" data-device="([^"]*)">(.*?)<\/g>/g)].map((m) => m[1]!);
const laneBody = (s: string, d: string): string =>
  new RegExp(`<g class="lane" data-device="${d}">(.*?)</g>`).exec(s)![1]!;
const bands = (body: string): [string, number, number][] =>
  [
    ...body.matchAll(
      /class="band" data-state="(\w+)" data-start="([\d.]+)" data-end="([\d.]+)" x="([\d.]+)"/g,
    ),
  ].map((m) => [m[1]!, Number(m[2]), Number(m[4])]);

describe('the small XML checker', () => {
  it('catches what the SVG test relies on', () => {
    expect(xmlProblems('<a><b x="1"/></a>')).toEqual([]);
    expect(xmlProblems('<a><b></a>')).not.toEqual([]);
    expect(xmlProblems('<a>x & y</a>')).not.toEqual([]);
    expect(xmlProblems('<a x=1></a>')).not.toEqual([]);
    expect(xmlProblems('<a x="1" x="2"></a>')).not.toEqual([]);
    expect(xmlProblems('<a></a><b></b>')).not.toEqual([]);
    expect(xmlProblems('<a>')).not.toEqual([]);
    expect(xmlProblems('<a')).not.toEqual([]);
    expect(xmlProblems('x<a></a>')).not.toEqual([]);
  });
});

describe('renderTimelineSvg', () => {
  it('writes a well-formed SVG document', () => {
    expect(
      svg.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"',
      ),
    ).toBe(true);
    expect(xmlProblems(svg)).toEqual([]);
  });

  it('draws one lane per device, in timeline order', () => {
    expect(lanes(svg)).toEqual([NIC, GPU]);
  });

  it('draws bands in time order, left to right, in the state colours', () => {
    const nic = bands(laneBody(svg, NIC));
    expect(nic.map(([s]) => s)).toEqual(['D0', 'D3hot', 'D3cold', 'D0']);
    for (let i = 1; i < nic.length; i++) {
      expect(nic[i]![1]).toBeGreaterThan(nic[i - 1]![1]);
      expect(nic[i]![2]).toBeGreaterThan(nic[i - 1]![2]);
    }
    expect(laneBody(svg, NIC)).toContain(`fill="${STATE_COLOURS.D3cold}"`);
    expect(new Set(Object.values(STATE_COLOURS)).size).toBe(6);
  });

  it('marks ioctls, wakes and faults on their lanes', () => {
    expect(laneBody(svg, NIC).match(/marker-ioctl/g)).toHaveLength(1);
    expect(laneBody(svg, NIC).match(/marker-wake/g)).toHaveLength(2);
    expect(laneBody(svg, GPU).match(/marker-fault/g)).toHaveLength(1);
  });

  it('has a ms axis, a legend of the three main states and the energy per device', () => {
    expect(svg).toContain('>0 ms<');
    expect(svg).toContain('>500 ms<');
    for (const s of ['D0', 'D3hot', 'D3cold'])
      expect(svg).toContain(`class="legend-state" data-state="${s}"`);
    expect(svg).not.toContain('data-state="D1"');
    expect(laneBody(svg, NIC)).toMatch(/\d+\.\d mJ \(e1000e\)/);
    expect(laneBody(svg, GPU)).toMatch(/saves \d+\.\d% vs always D0, 0\.0% vs D3hot-only/);
    expect(svg).toContain('estimates from per-state power draws');
  });

  it('is deterministic', () => {
    expect(renderTimelineSvg(timeline, energy)).toBe(svg);
  });

  it('escapes device names and titles', () => {
    const t = powerTimeline(
      [power(0, 'k', 'dev<"&\'>', 'D0', 'D1'), fault(1, 'dev<"&\'>', 'a<b')],
      { end: 2 },
    );
    const s = renderTimelineSvg(t, undefined, { title: 'A & B <run>' });
    expect(xmlProblems(s)).toEqual([]);
    expect(s).toContain('A &amp; B &lt;run&gt;');
    expect(s).toContain('data-state="D1"');
    expect(s).not.toContain('mJ');
  });

  it('draws an empty or zero-length timeline without failing', () => {
    expect(xmlProblems(renderTimelineSvg(powerTimeline([]), undefined))).toEqual([]);
    const z = powerTimeline([power(5, 'k', NIC, 'D0', 'D3hot')], { start: 5, end: 5 });
    const s = renderTimelineSvg(z, energyReport(z), { width: 100, laneHeight: 20 });
    expect(xmlProblems(s)).toEqual([]);
    expect(lanes(s)).toEqual([NIC]);
  });
});
