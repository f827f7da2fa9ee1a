import { describe, expect, it, vi } from 'vitest';

vi.mock('node:fs', () => ({
  readFileSync: () => {
    throw new Error('ENOENT: no such file or directory');
  },
}));

describe('nvidia-h100 without its fixture', () => {
  it('reports the missing file instead of throwing', async () => {
    const { createBuiltinHw } = await import('@vfio-ts/pci-core');
    const r = createBuiltinHw('nvidia-h100');
    expect(!r.ok && r.error).toMatch(
      /nvidia-h100: cannot read .*nvidia-h100-10de-2330\.config: ENOENT/,
    );
  });
});
