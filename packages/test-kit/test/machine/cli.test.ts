import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main, validateChromeTrace } from '@vfio-ts/test-kit';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/conformance/linux-6.1.192-e1000e.json', import.meta.url),
);

async function run(...args: string[]): Promise<[number, string]> {
  let out = '';
  const code = await main(['node', 'vfio-ts', ...args], (s) => void (out += s));
  return [code, out];
}

describe('vfio-ts conform', () => {
  it('names the exact step of a tampered copy and exits non-zero', async () => {
    const data = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    const step = data.scenarios.find((s: { name: string }) => s.name === 'S04_entry').steps[2];
    step.expect.ret = -16;
    step.expect.errno = 'EBUSY';
    const dir = mkdtempSync(join(tmpdir(), 'conform-'));
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(data));
    const [code, out] = await run('conform', tampered);
    expect(code).toBe(1);
    expect(out).toMatch(/S04_entry +4\/5 +FAIL/);
    expect(out).toContain(`${step.id} (ioctl): mismatch\n  ret: expected -16, got 0`);
  });

  it('reports an unreadable or malformed file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conform-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format": "other"}');
    const [code, out] = await run('conform', bad, join(dir, 'missing.json'));
    expect(code).toBe(1);
    expect(out).toContain('bad conformance file');
    expect(out).toContain('cannot read');
  });

  it('exits 1 with usage on a missing argument', async () => {
    const [code, out] = await run('conform');
    expect(code).toBe(1);
    expect(out).toContain("missing required argument 'file'");
  });
});

const SCENARIOS = fileURLToPath(new URL('../../../../scenarios/', import.meta.url));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(
    ['node', 'vfio-ts', ...args],
    (s) => void (out += s),
    (s) => void (err += s),
  );
  return { code, out, err };
}

function tempScenario(text: string, name = 's.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

const FAILING = `
name: expects the wrong state
machine:
  rootPorts: [{ name: rp0, d3cold: true }]
  devices: [{ bdf: "0000:01:00.0", rootPort: rp0, config: e1000e }]
guest: { acpi: { pr3: true } }
steps:
  - { do: guest-idle }
  - { at: 300ms, do: settle }
expect:
  power_state: { "0000:01:00.0": D0 }
`;

describe('vfio-ts run', () => {
  it('prints the run and writes a valid trace and an SVG on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    const trace = join(dir, 'sub/t.json');
    const svg = join(dir, 't.svg');
    const r = await cli('run', join(SCENARIOS, 'idle-d3cold.yaml'), '--trace', trace, '--svg', svg);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^== idle D3cold\n/);
    expect(r.out).toContain('  ✓ power_state 0000:01:00.0: expected D3cold, got D3cold');
    expect(r.out).toContain(`PASS (5 checks)\nwrote ${trace} (open in ui.perfetto.dev`);
    expect(validateChromeTrace(JSON.parse(readFileSync(trace, 'utf8')))).toEqual([]);
    expect(readFileSync(svg, 'utf8')).toContain('<g class="lane" data-device="0000:01:00.0">');
  });

  it('exits 1 when an expectation fails', async () => {
    const r = await cli('run', tempScenario(FAILING));
    expect(r.code).toBe(1);
    expect(r.out).toContain('  ✗ power_state 0000:01:00.0: expected D0, got D3cold');
    expect(r.out).toMatch(/FAIL \(1 of 2 checks failed\)\n$/);
  });

  it('names every problem of a bad file on stderr, one line each, and exits 1', async () => {
    const file = tempScenario('name: x\nmachine: {}\nsteps: [{ do: jump }]\n');
    const r = await cli('run', file);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `vfio-ts: ${file}: steps[0].do: unknown step "jump" (expected wait, settle, guest-idle, guest-busy, guest-access, guest-vram, guest-hot-reset, vm-stop, lspci, sysfs-write, fault)\n`,
    );
    const missing = await cli('run', '/nonexistent.yaml');
    expect(missing).toMatchObject({
      code: 1,
      err: 'vfio-ts: /nonexistent.yaml: cannot read (ENOENT)\n',
    });
  });

  it('says when the machine cannot be built or the files cannot be written', async () => {
    const bad = tempScenario(FAILING.replace('config: e1000e', 'config: missing.config'));
    const r = await cli('run', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^vfio-ts: expects the wrong state: createMachine: devices\[0\]\.config: /,
    );
    // Below a plain file: no directory can be made there.
    const w = await cli('run', join(SCENARIOS, 'idle-d3cold.yaml'), '--svg', `${bad}/t.svg`);
    expect(w.code).toBe(1);
    expect(w.err).toMatch(/^vfio-ts: cannot write: /);
  });
});

describe('vfio-ts explore and replay', () => {
  it('explores a shipped scenario with a progress bar on stderr', async () => {
    const r = await cli('explore', join(SCENARIOS, 'idle-d3cold.yaml'), '--schedules', '3');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^\rexploring \[-{30}\] 0\/3.*\rexploring \[#{30}\] 3\/3\n$/s);
    expect(r.out).toBe('idle D3cold: 3 schedules (random, seeds 1…): no failure\n');
  });

  it('reports a machine that cannot be built as a problem of the file, before exploring', async () => {
    const bad = tempScenario(FAILING.replace('config: e1000e', 'config: missing.config'));
    const r = await cli('explore', bad, '--schedules', '3');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(
      /^vfio-ts: expects the wrong state: createMachine: devices\[0\]\.config: /,
    );
  });

  it('searches exhaustively within a preemption bound', async () => {
    const r = await cli('explore', join(SCENARIOS, 'idle-d3cold.yaml'), '-n', '2', '-p', '0');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^idle D3cold: \d schedules \(exhaustive, preemption bound 0\)/);
  });

  it('prints the first failing schedule and a token that replays it', async () => {
    const file = tempScenario(FAILING);
    const r = await cli('explore', file, '--schedules', '5', '--seed', '7');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^expects the wrong state: schedule 1 \(random, seeds 7…\) failed \(throw\): power_state 0000:01:00\.0: expected D0, got D3cold\n/,
    );
    const token = /replay token: (vt1:\S*)/.exec(r.out)![1]!;
    expect(r.out).toContain(`  vfio-ts replay ${file} ${token}\n`);
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    const again = await cli('replay', file, token, '--svg', join(dir, 'r.svg'));
    expect(again.code).toBe(1);
    expect(again.out).toContain('  ✗ power_state 0000:01:00.0: expected D0, got D3cold');
    expect(again.out).toMatch(/the schedule fails \(throw\): power_state 0000:01:00\.0/);
    expect(readFileSync(join(dir, 'r.svg'), 'utf8')).toContain('expects the wrong state');
  });

  it('replays a passing schedule, and refuses what is not a token', async () => {
    const file = join(SCENARIOS, 'idle-d3cold.yaml');
    const ok = await cli('replay', file, 'vt1:');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/PASS \(5 checks\)\nidle D3cold: the schedule passes\n$/);
    const unwritable = await cli('replay', file, 'vt1:', '--trace', `${file}/t.json`);
    expect(unwritable.code).toBe(1);
    expect(unwritable.err).toMatch(/^vfio-ts: cannot write: /);
    const bad = await cli('replay', file, 'nonsense');
    expect(bad).toMatchObject({
      code: 1,
      err: 'vfio-ts: "nonsense" is not a replay token (expected vt1:…)\n',
    });
    const broken = await cli('replay', file, 'vt1:!!');
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/^vfio-ts: replaySchedule: "vt1:!!" is not a replay token/);
    expect((await cli('explore', '/nonexistent.yaml')).code).toBe(1);
    expect((await cli('replay', '/nonexistent.yaml', 'vt1:')).code).toBe(1);
  });

  it('exits 1 with usage on a bad count', async () => {
    const r = await cli('explore', join(SCENARIOS, 'idle-d3cold.yaml'), '--schedules', '0');
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      "option '-n, --schedules <n>' argument '0' is invalid. a whole number from 1",
    );
  });
});
