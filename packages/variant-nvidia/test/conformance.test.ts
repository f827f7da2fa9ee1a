// The NVIDIA variant through test-kit's variant conformance harness (issue 10): the standard
// low-power cases on an H100, with the guest's preparation before every entry — eviction in
// full-off mode, the self-refresh sequence above the threshold — on both kinds of root port.
import { describe, expect, it } from 'vitest';
import {
  formatVariantConformanceReport,
  runVariantConformance,
  type VariantConformanceContext,
} from '@vfio-ts/test-kit';
import {
  NVIDIA_DEFAULT_THRESHOLD,
  NVIDIA_VRAM_BAR,
  NVIDIA_VRAM_CHUNK,
  NVSIM_FB_EVICT,
  NVSIM_RTD3_CTRL,
  NvidiaVfioPciVariant,
} from '@vfio-ts/variant-nvidia';
import { barWrite } from './helpers.js';

const CHUNKS_ABOVE = NVIDIA_DEFAULT_THRESHOLD / NVIDIA_VRAM_CHUNK + 1;

/** Fills `chunks` MiB of video memory once per case, then writes `register` = 1 before every entry. */
function guest(chunks: number, register: number) {
  const filled = new WeakSet<object>();
  return async ({ machine, process: p, fd }: VariantConformanceContext) => {
    if (!filled.has(machine))
      for (let i = 0; i < chunks; i++)
        await barWrite(p, fd, NVIDIA_VRAM_BAR, i * NVIDIA_VRAM_CHUNK, 0x5a5a0000 + i);
    filled.add(machine);
    const r = await barWrite(p, fd, 0, register, 1);
    return r === 4 ? undefined : `register write: ${r}`;
  };
}

describe('runVariantConformance(NvidiaVfioPciVariant)', () => {
  for (const d3cold of [true, false]) {
    it(`passes every case in full-off mode (the guest evicts first), d3cold ${d3cold}`, async () => {
      const r = await runVariantConformance(NvidiaVfioPciVariant, {
        config: 'nvidia-h100',
        d3cold,
        prepare: guest(8, NVSIM_FB_EVICT),
      });
      expect(formatVariantConformanceReport(r)).toMatch(/6\/6 conformance cases passed/);
    });

    it(`passes every case in self-refresh mode (the guest engages it first), d3cold ${d3cold}`, async () => {
      const r = await runVariantConformance(NvidiaVfioPciVariant, {
        config: 'nvidia-h100',
        d3cold,
        prepare: guest(CHUNKS_ABOVE, NVSIM_RTD3_CTRL),
        expect: { hostReentry: false },
      });
      expect(formatVariantConformanceReport(r)).toMatch(/6\/6 conformance cases passed/);
    });
  }

  it('fails the cases that reach D3cold when the guest neither evicts nor engages self-refresh', async () => {
    const r = await runVariantConformance(NvidiaVfioPciVariant, {
      config: 'nvidia-h100',
      prepare: guest(8, 0x1000),
    });
    expect(r.passed).toBe(false);
    expect(
      r.results
        .filter((x) => !x.passed)
        .map((x) => x.message)
        .join('\n'),
    ).toMatch(/video memory lost/);
  });
});
