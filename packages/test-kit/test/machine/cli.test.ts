import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '@vfio-ts/test-kit';

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
