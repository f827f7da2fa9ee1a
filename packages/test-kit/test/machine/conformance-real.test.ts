// Issue 9: the recorded Linux 6.1.192 trace, replayed through the façade only.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatConformanceReport, replayConformance } from '@vfio-ts/test-kit';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/conformance/linux-6.1.192-e1000e.json', import.meta.url),
);

describe('conformance with the real kernel', () => {
  it('replays every step of linux-6.1.192-e1000e.json, and every step passes', async () => {
    const r = await replayConformance(FIXTURE);
    expect(r.fileErrors).toBeUndefined();
    expect(r.steps).toHaveLength(223);
    expect(formatConformanceReport(r, 3)).toMatch(/total +223\/223\n$/);
    expect(r.failed).toBe(0);
  });

  const tamper: [string, string, (e: Record<string, unknown>) => void][] = [
    ['a return code', 'S05_double_entry.01', (e) => ((e['ret'] = 0), (e['errno'] = null))],
    ['an eventfd counter', 'S03_bad_input.20', (e) => (e['counter'] = 2)],
    [
      'a final power state',
      'SZ_final.05',
      (e) => ((e['after'] as { dev: Record<string, unknown> }).dev['power_state'] = 'D0'),
    ],
  ];
  for (const [what, id, change] of tamper) {
    it(`has teeth: a copy with ${what} changed fails at exactly ${id}`, async () => {
      const data = JSON.parse(readFileSync(FIXTURE, 'utf8'));
      const step = data.scenarios
        .flatMap((s: { steps: { id: string }[] }) => s.steps)
        .find((s: { id: string }) => s.id === id);
      expect(step?.id).toBe(id);
      change(step.expect);
      const r = await replayConformance(data);
      expect(r.steps.filter((s) => !s.pass).map((s) => s.id)).toEqual([id]);
    });
  }
});
