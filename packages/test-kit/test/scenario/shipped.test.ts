// Every scenario shipped in scenarios/ loads, runs and meets its expectations, and the JSON
// Schema users' editors check them with says what the validator says.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatRun, loadScenario, runScenario, STEP_KINDS } from '@vfio-ts/test-kit';

const DIR = fileURLToPath(new URL('../../../../scenarios/', import.meta.url));
const FILES = readdirSync(DIR).filter(
  (f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith('.schema.json'),
);

describe('shipped scenarios', () => {
  it('include the ones users start from', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(6);
  });

  it.each(FILES)('%s runs and meets its expectations', async (file) => {
    const r = loadScenario(join(DIR, file));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const run = await runScenario(r.scenario);
    if (typeof run === 'string') throw new Error(run);
    if (!run.ok) throw new Error(formatRun(run));
    expect(run.checks.length).toBeGreaterThan(0);
  });
});

describe('scenarios/scenario.schema.json', () => {
  const schema = JSON.parse(readFileSync(join(DIR, 'scenario.schema.json'), 'utf8'));

  it('lists the step kinds and expectations the validator knows', () => {
    expect(schema.$defs.step.properties.do.enum).toEqual([...STEP_KINDS]);
    expect(Object.keys(schema.$defs.expect.properties)).toEqual([
      'power_state',
      'runtime_status',
      'guest_power',
      'wake_notifications',
      'invariants',
      'energy_joules',
      'residency',
    ]);
    expect(Object.keys(schema.properties)).toEqual([
      'name',
      'description',
      'machine',
      'guest',
      'power',
      'steps',
      'expect',
    ]);
  });

  it('is what every shipped YAML file points its editor at', () => {
    for (const f of FILES.filter((x) => !x.endsWith('.json')))
      expect(readFileSync(join(DIR, f), 'utf8')).toMatch(
        /^# yaml-language-server: \$schema=\.\/scenario\.schema\.json\n/,
      );
  });
});
