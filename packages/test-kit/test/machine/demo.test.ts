// `vfio-ts demo` (npm start): the guest model's story, a valid Perfetto trace, and an SVG with
// one lane per device whose bands follow each other in time.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main, validateChromeTrace, validateScenario, DEMO_SCENARIO } from '@vfio-ts/test-kit';
import { xmlProblems } from '../export/xml.js';

const GPU = '0000:01:00.0';
const NIC = '0000:02:00.0';
const dir = mkdtempSync(join(tmpdir(), 'demo-'));
let code = -1;
let out = '';

beforeAll(async () => {
  code = await main(['node', 'vfio-ts', 'demo', '--out', dir], (s) => void (out += s));
});

// The log lines of one source, in order, without their times.
const lines = (source: string): string[] =>
  out
    .split('\n')
    .filter((l) => /^ +-?\d+\.\d ms {2}/.test(l))
    .map((l) => l.replace(/^ +-?\d+\.\d ms {2}/, ''))
    .filter((l) => l.startsWith(`${source} `))
    .map((l) => l.slice(source.length).trim());

describe('vfio-ts demo (npm start)', () => {
  it('is a valid scenario and passes its own expectations', () => {
    expect(validateScenario(DEMO_SCENARIO).ok).toBe(true);
    expect(code).toBe(0);
    expect(out).toContain(`  ✓ wake_notifications ${GPU}: expected 1, got 1`);
    expect(out).toContain('  ✓ invariants: none broken');
    expect(out).toMatch(/\nPASS \(5 checks\)\n/);
  });

  it('tells the story: D3cold through virtual ACPI, a host wake, one virtual PME, a re-arm', () => {
    const gpu = lines(GPU);
    const i = (t: string) => gpu.indexOf(t);
    expect(gpu[0]).toBe('host D3cold → D0');
    expect(i('guest driver nvidia bound')).toBeGreaterThan(0);
    expect(i('video memory 64 MiB copied to system memory: full-off')).toBeGreaterThan(0);
    expect(i('runtime suspend: PMCSR ← D3hot')).toBeGreaterThan(
      i('video memory 64 MiB copied to system memory: full-off'),
    );
    expect(gpu.filter((l) => l === 'host D3hot → D3cold')).toHaveLength(3);
    expect(gpu.filter((l) => l === 'virtual PME: the wake-up eventfd fired')).toHaveLength(1);
    expect(i('video memory restored from system memory')).toBeGreaterThan(
      i('virtual PME: the wake-up eventfd fired'),
    );
    const port = lines('port 0000:00:01.0');
    expect(port).toEqual([
      '_OFF → LOW_POWER_ENTRY_WITH_WAKEUP',
      '_ON → LOW_POWER_EXIT',
      '_OFF → LOW_POWER_ENTRY_WITH_WAKEUP',
    ]);
    expect(lines(NIC)).toContain('host D3hot → D3cold');
    expect(lines('step')).toContain(`lspci ${GPU} → ok`);
    expect(out).toMatch(/\ntotal +[\d.]+ J +[\d.]+% +[\d.]+%\n/);
  });

  it('writes a valid Perfetto trace with the guest events on the devices', () => {
    const trace = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8'));
    expect(validateChromeTrace(trace)).toEqual([]);
    const names = new Set(trace.traceEvents.map((e: { name: string }) => e.name));
    expect(names).toContain('guest_pm');
    expect(names).toContain('D-state');
    expect(out).toContain(`wrote ${join(dir, 'trace.json')} (open in ui.perfetto.dev`);
  });

  it('writes a well-formed SVG: one lane per device, bands back to back in time order', () => {
    const svg = readFileSync(join(dir, 'timeline.svg'), 'utf8');
    expect(xmlProblems(svg)).toEqual([]);
    const lanes = [...svg.matchAll(/<g class="lane" data-device="([^"]*)">(.*?)<\/g>/g)];
    expect(lanes.map((l) => l[1])).toEqual([GPU, NIC]);
    for (const [, , body] of lanes) {
      const bands = [
        ...body!.matchAll(
          /class="band" data-state="(\w+)" data-start="([\d.]+)" data-end="([\d.]+)"/g,
        ),
      ].map((b) => ({ state: b[1]!, start: Number(b[2]), end: Number(b[3]) }));
      expect(bands.length).toBeGreaterThan(2);
      bands.forEach((b, k) => {
        expect(b.end).toBeGreaterThan(b.start);
        if (k > 0) expect(b.start).toBe(bands[k - 1]!.end);
      });
      expect(bands.at(-1)!.state).toBe('D3cold');
      expect(bands.some((b) => b.state === 'D0')).toBe(true);
    }
    expect(svg).toContain('vfio-ts demo: a VM with an H100 and an e1000e');
  });
});
