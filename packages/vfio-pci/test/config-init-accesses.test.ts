// The config accesses vfio_pci_core_enable() and vfio_config_init() make on the function, by
// offset and width, as 6.1 makes them (vfio_pci_core.c, vfio_pci_config.c).
import { describe, expect, it } from 'vitest';
import { vfioConfigInit } from '@vfio-ts/vfio-pci';
import { e1000eHw, open, setup, type M } from './machine.js';

const MSI = 0xd0;
const EXP = 0xe0;
const MSIX = 0xa0;

// Config reads of the endpoint while `fn` runs, as `width@offset`.
async function readsDuring(m: M, fn: () => unknown): Promise<string[]> {
  const reads: string[] = [];
  const off = m.ep.hw.subscribe(
    (e) => {
      if (e.type === 'access' && e.kind === 'config-read') reads.push(`${e.width}@${e.offset}`);
    },
    { types: ['access'] },
  );
  await fn();
  off();
  return reads;
}

// Those of `reads` in [from, to).
const within = (reads: string[], from: number, to: number): string[] =>
  reads.filter((r) => {
    const at = Number(r.split('@')[1]);
    return at >= from && at < to;
  });

describe('D.4.1 open: config accesses of vfio_pci_core_enable and vfio_config_init', () => {
  it('D.4.1 reads the MSI-X Message Control and Table registers but not the PBA register', async () => {
    const m = await setup();
    const reads = await readsDuring(m, () => open(m));
    // The only PBA read is the copy of the 12-byte MSI-X capability into vconfig.
    expect(reads.filter((r) => r === `4@${MSIX + 8}`)).toHaveLength(1);
    expect(reads.slice(-2)).toEqual([`2@${MSIX + 2}`, `4@${MSIX + 4}`]);
  });

  it('D.4.1 copies a 14-byte MSI capability in the largest aligned chunks: three dwords, then a word', async () => {
    const m = await setup();
    expect(await open(m)).toBeGreaterThanOrEqual(0);
    const reads = await readsDuring(m, () => vfioConfigInit(m.vdev));
    expect(within(reads, MSI, MSI + 16)).toEqual([
      `1@${MSI}`,
      `1@${MSI + 1}`,
      `2@${MSI + 2}`,
      `4@${MSI}`,
      `4@${MSI + 4}`,
      `4@${MSI + 8}`,
      `2@${MSI + 12}`,
    ]);
  });

  it('D.4.1 sizes the PCIe capability from the cached flags and tests the dword at 0x100 for extended capabilities', async () => {
    const m = await setup();
    expect(await open(m)).toBeGreaterThanOrEqual(0);
    const reads = await readsDuring(m, () => vfioConfigInit(m.vdev));
    const exp = reads.indexOf(`1@${EXP + 1}`);
    expect(reads.slice(exp + 1, exp + 3)).toEqual(['4@256', `4@${EXP}`]);
    expect(reads).not.toContain(`2@${EXP + 2}`);
  });

  it('D.4.1 walks no extended capability when the dword at 0x100 is 0', async () => {
    const hw = e1000eHw((img) => img.fill(0, 0x100, 0x200));
    const m = await setup({ endpoint: { hw } });
    expect(await open(m)).toBeGreaterThanOrEqual(0);
    const reads = await readsDuring(m, () => vfioConfigInit(m.vdev));
    expect(within(reads, 0x100, 0x1000)).toEqual(['4@256']);
  });
});
