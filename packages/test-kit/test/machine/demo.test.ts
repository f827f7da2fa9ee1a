import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { main, validateChromeTrace } from '@vfio-ts/test-kit';

it('vfio-ts demo (npm start) tells the story, writes a valid trace and a two-lane SVG, breaks nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-'));
  let out = '';
  const code = await main(['node', 'vfio-ts', 'demo', '--out', dir], (s) => void (out += s));
  expect(code).toBe(0);
  expect(out).toMatch(/boot: unused devices suspended: 0000:01:00\.0 D3cold, 0000:02:00\.0 D3hot/);
  expect(out).toMatch(
    /host runs lspci on both: 0000:01:00\.0 D0 \(D3cold: woken\), 0000:02:00\.0 D3hot/,
  );
  expect(out).toContain("VMM's wake-up eventfd reads 1");
  expect(out).toMatch(/guest idle again → re-armed: 0000:01:00\.0 D3cold/);
  expect(out).toContain('invariants: none broken');
  const trace = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8'));
  expect(validateChromeTrace(trace)).toEqual([]);
  const svg = readFileSync(join(dir, 'timeline.svg'), 'utf8');
  expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg /);
  expect(svg.match(/data-state="D3cold"/g)?.length).toBeGreaterThanOrEqual(2);
  expect(svg).toContain('0000:01:00.0');
  expect(svg).toContain('0000:02:00.0');
});
