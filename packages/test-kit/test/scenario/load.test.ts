// Reading scenario files: YAML or JSON, syntax errors with their line, unreadable files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario } from '@vfio-ts/test-kit';

const YAML = `
name: one
machine:
  rootPorts: [{ name: rp0, d3cold: true }]
  devices: [{ bdf: "0000:01:00.0", rootPort: rp0, config: e1000e }]
steps:
  - { do: wait, for: 10ms }
`;

describe('scenario files', () => {
  it('reads YAML and JSON alike', () => {
    const y = parseScenario(YAML, 'one.yaml');
    expect(y.ok).toBe(true);
    const obj = y.ok ? y.scenario : undefined;
    const j = parseScenario(
      JSON.stringify({ ...obj, steps: [{ do: 'wait', for: '10ms' }] }),
      'one.json',
    );
    expect(j).toEqual(y);
  });

  it('names a YAML syntax error with its line', () => {
    const r = parseScenario('name: x\nsteps: [1,\n  b: 2', 'bad.yaml');
    expect(r).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^bad\.yaml: YAML syntax error at line 3: /)],
    });
  });

  it('names a JSON syntax error', () => {
    expect(parseScenario('{"name": ', 'bad.json')).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^bad\.json: JSON syntax error: /)],
    });
  });

  it('prefixes validation problems with the file name', () => {
    expect(parseScenario('name: x\n', 'x.yaml')).toEqual({
      ok: false,
      errors: [
        'x.yaml: machine: missing (an object: rootPorts, devices, …)',
        'x.yaml: steps: missing (a list)',
      ],
    });
    expect(parseScenario('- 1\n', 'list.yaml')).toEqual({
      ok: false,
      errors: ['list.yaml: (top): a scenario is an object'],
    });
  });

  it('resolves a dump path against the scenario file, leaving model names alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    const file = join(dir, 's.yaml');
    writeFileSync(
      file,
      YAML.replace(
        'devices: [{ bdf: "0000:01:00.0", rootPort: rp0, config: e1000e }]',
        'devices: [{ bdf: "0000:01:00.0", rootPort: rp0, config: dumps/gpu.config }, { bdf: "0000:01:00.1", rootPort: rp0, config: e1000e }]',
      ),
    );
    const r = loadScenario(file);
    expect(r.ok && r.scenario.machine.devices?.map((d) => d.config)).toEqual([
      join(dir, 'dumps/gpu.config'),
      'e1000e',
    ]);
  });

  it('says when a file cannot be read', () => {
    expect(loadScenario('/nonexistent/s.yaml')).toEqual({
      ok: false,
      errors: ['/nonexistent/s.yaml: cannot read (ENOENT)'],
    });
  });
});
