// NVIDIA H100 80GB HBM3 (10de:2330) from a real config dump (fixtures/README.md).
import { readFileSync } from 'node:fs';
import { failed, loaded, type LoadResult } from '../loaders/result.js';
import type { PciFunctionModel } from './model.js';

/** The fixture, relative to this module: src/models/ and dist/models/ both sit two below it. */
export const H100_FIXTURE_URL = new URL(
  '../../fixtures/nvidia-h100-10de-2330.config',
  import.meta.url,
);

let cached: Uint8Array | undefined;

function image(): LoadResult<Uint8Array> {
  if (!cached) {
    try {
      cached = new Uint8Array(readFileSync(H100_FIXTURE_URL));
    } catch (e) {
      return failed(
        `nvidia-h100: cannot read ${H100_FIXTURE_URL.pathname}: ${(e as Error).message}`,
      );
    }
  }
  return loaded(Uint8Array.from(cached));
}

/** Video memory BAR size used by the model (sparse, so free until written); the real BAR2 is 128 GiB. */
export const H100_VRAM_BAR_SIZE = 1024 * 1024 * 1024;

/**
 * H100 as a guest sees it through vfio-pci: PM 0x40 (PMC 0x0013, PMCSR 0x0008: NoSoftRst+,
 * PME_Support virtualised to 0) → MSI 0x48 → PCIe 0x60 → MSI-X 0xb0; extended chain from
 * 0x100 with ID-0 placeholders. BARs as the dump's flag bits say: BAR0 16 MiB, BAR2 video
 * memory (1 GiB here), BAR4 32 MiB, all 64-bit prefetchable.
 */
export const nvidiaH100Model: PciFunctionModel = {
  name: 'nvidia-h100',
  vendorDevice: '10de:2330',
  description: 'NVIDIA H100 80GB HBM3, guest view of a real config space (fixtures/)',
  image,
  options: {
    bars: [
      { index: 0, size: 16 * 1024 * 1024 },
      { index: 2, size: H100_VRAM_BAR_SIZE, contents: 'memory' },
      { index: 4, size: 32 * 1024 * 1024, contents: 'memory' },
    ],
  },
};
