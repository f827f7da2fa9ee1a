import { describe, expect, it } from 'vitest';
import { EFAULT, EINVAL, EIO } from '@vfio-ts/kernel';
import { pmRuntimeDisable } from '@vfio-ts/runtime-pm';
import { PCI_D3hot } from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import { cfgWrite, engage, open, pread, pwrite, setup, u32, type M } from './machine.js';

async function opened(): Promise<[M, number]> {
  const m = await setup();
  return [m, await open(m)];
}

const bar = (i: number, off = 0): number => VFIO.regionOffset(i) + off;
const rd = async (m: M, fd: number, off: number, n = 4): Promise<[number, Uint8Array]> => {
  const b = new Uint8Array(n);
  return [await pread(m, fd, b, n, off), b];
};

describe('D.10 region read/write and runtime PM', () => {
  it('D.10.1 count 0 returns 0 without waking a suspended device', async () => {
    const [m, fd] = await opened();
    await engage(m, fd);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(await pread(m, fd, new Uint8Array(4), 0, bar(0))).toBe(0);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
  });

  it('D.10.2 an index past the regions is -EINVAL without waking the device', async () => {
    const [m, fd] = await opened();
    await engage(m, fd);
    expect((await rd(m, fd, bar(9)))[0]).toBe(-EINVAL);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
  });

  it('D.10.3/D.10.5 a read resumes a suspended device for the access; it suspends again after', async () => {
    const [m, fd] = await opened();
    await engage(m, fd);
    const [n, b] = await rd(m, fd, bar(0));
    expect(n).toBe(4);
    expect(new DataView(b.buffer).getUint32(0, true)).toBe(0x18140245);
    expect(m.ep.power.runtimeStatus).toBe('active');
    await m.k.settle();
    expect(m.ep.power.runtimeStatus).toBe('suspended');
  });

  it('D.10.3 a failed runtime resume is -EIO', async () => {
    const [m, fd] = await opened();
    await engage(m, fd);
    pmRuntimeDisable(m.ep);
    expect((await rd(m, fd, VFIO.pciConfigOffset(0)))[0]).toBe(-EIO);
    expect(m.k.log.some((l) => l.text.includes('runtime resume failed'))).toBe(true);
  });

  it('BAR0 dword 0 reads 0x18140245 in D0 (FORMAT.md §7); writes reach the BAR', async () => {
    const [m, fd] = await opened();
    expect(await pwrite(m, fd, u32(0xabcd1234), 4, bar(0, 8))).toBe(4);
    const [, b] = await rd(m, fd, bar(0, 8));
    expect(new DataView(b.buffer).getUint32(0, true)).toBe(0xabcd1234);
    expect(m.ep.hw.barRead(0, 8, 4)).toBe(0xabcd1234);
  });

  it('an access past the end is -EINVAL; one crossing it is cut at the end', async () => {
    const [m, fd] = await opened();
    expect((await rd(m, fd, bar(0, 0x20000)))[0]).toBe(-EINVAL);
    expect((await rd(m, fd, bar(0, 0x1fffc), 8))[0]).toBe(4);
  });

  it('odd sizes are split into aligned chunks (1 + 2 + 4 + 1)', async () => {
    const [m, fd] = await opened();
    const [n] = await rd(m, fd, bar(0, 1), 8);
    expect(n).toBe(8);
  });

  it.each([
    ['ROM read (no ROM)', 6, false],
    ['ROM write', 6, true],
    ['VGA', 8, false],
    ['an empty BAR', 4, false],
  ])('%s → -EINVAL', async (_n, index, write) => {
    const [m, fd] = await opened();
    const r = write ? await pwrite(m, fd, u32(0), 4, bar(index)) : (await rd(m, fd, bar(index)))[0];
    expect(r).toBe(-EINVAL);
  });

  it('a short user buffer is -EFAULT', async () => {
    const [m, fd] = await opened();
    expect(await pread(m, fd, new Uint8Array(2), 4, bar(0))).toBe(-EFAULT);
    expect(await pwrite(m, fd, new Uint8Array(2), 4, bar(0))).toBe(-EFAULT);
  });
});

describe('D.9 the memory-space gate', () => {
  it('D.9.2 with Memory Space disabled a memory BAR read or write is -EIO; re-enabled it works', async () => {
    const [m, fd] = await opened();
    expect(await cfgWrite(m, fd, 0x04, 2, 0x0101)).toBe(2);
    expect((await rd(m, fd, bar(0)))[0]).toBe(-EIO);
    expect(await pwrite(m, fd, u32(1), 4, bar(0, 8))).toBe(-EIO);
    expect(await cfgWrite(m, fd, 0x04, 2, 0x0103)).toBe(2);
    expect((await rd(m, fd, bar(0)))[0]).toBe(4);
  });

  it('D.9.1 in D3hot (PMCSR) a memory BAR read is -EIO', async () => {
    const [m, fd] = await opened();
    await cfgWrite(m, fd, 0xcc, 2, 3);
    expect(m.ep.currentState).toBe(PCI_D3hot);
    expect((await rd(m, fd, bar(0)))[0]).toBe(-EIO);
  });

  it('D.9.2 I/O BARs are not gated by Memory Space', async () => {
    const [m, fd] = await opened();
    await cfgWrite(m, fd, 0x04, 2, 0x0101);
    expect((await rd(m, fd, bar(2)))[0]).toBe(4);
  });

  it('D.10.4 the MSI-X table reads 0xff and drops writes; the rest of its BAR is normal', async () => {
    const [m, fd] = await opened();
    const before = m.ep.hw.barRead(3, 0, 4);
    expect(await pwrite(m, fd, u32(0x12345678), 4, bar(3, 0))).toBe(4);
    expect(m.ep.hw.barRead(3, 0, 4)).toBe(before);
    const [n, b] = await rd(m, fd, bar(3, 0x4c), 8);
    expect(n).toBe(8);
    expect([...b]).toEqual([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
  });
});

describe('chunking corner cases', () => {
  it('odd-sized writes are split into 1, 2 and 4-byte chunks', async () => {
    const [m, fd] = await opened();
    const b = Uint8Array.from([1, 2, 3, 4, 5, 6, 7]);
    expect(await pwrite(m, fd, b, 7, bar(0, 0x41))).toBe(7);
    expect(m.ep.hw.barRead(0, 0x41, 1)).toBe(1);
    expect(m.ep.hw.barRead(0, 0x42, 2)).toBe(0x0302);
    expect(m.ep.hw.barRead(0, 0x44, 4)).toBe(0x07060504);
  });

  it('reading the MSI-X table into a short buffer is -EFAULT', async () => {
    const [m, fd] = await opened();
    expect(await pread(m, fd, new Uint8Array(2), 8, bar(3, 0))).toBe(-EFAULT);
  });
});
