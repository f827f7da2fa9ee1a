import { describe, expect, it } from 'vitest';
import { EINVAL, MmStruct, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS, type VmArea } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import { vfioPciMmapFault } from '@vfio-ts/vfio-pci';
import { cfgWrite, engage, feature, ioctl, mmap, open, setup, touch, type M } from './machine.js';

async function mapped(): Promise<[M, number, VmArea]> {
  const m = await setup();
  const fd = await open(m);
  const vma = await mmap(m, fd, VFIO.regionOffset(0), 0x4000);
  if (typeof vma === 'number') throw new Error(`mmap ${vma}`);
  return [m, fd, vma];
}

describe('D.11.1 mmap validation', () => {
  it.each([
    ['a device-specific index', VFIO.regionOffset(9), 4096, true],
    ['a private mapping', 0, 4096, false],
    ['the ROM', VFIO.regionOffset(6), 4096, true],
    ['the config region', VFIO.regionOffset(7), 4096, true],
    ['the VGA region', VFIO.regionOffset(8), 4096, true],
    ['an I/O BAR', VFIO.regionOffset(2), 4096, true],
    ['an empty BAR', VFIO.regionOffset(4), 4096, true],
    ['a range past the BAR', 0x1f000, 0x2000, true],
  ])('%s → -EINVAL', async (_n, off, len, shared) => {
    const m = await setup();
    const fd = await open(m);
    expect(await mmap(m, fd, off, len, shared)).toBe(-EINVAL);
  });

  it('a valid mapping populates nothing and takes no runtime PM reference', async () => {
    const [m, , vma] = await mapped();
    expect(vma.populated).toBe(false);
    expect(m.ep.power.usageCount).toBe(1);
  });
});

describe('D.11.2/D.11.3 faults and zaps', () => {
  it('D.11.2 a fault maps the whole VMA onto the BAR', async () => {
    const [m, , vma] = await mapped();
    expect(await touch(m, vma)).toBe(VM_FAULT_NOPAGE);
    expect(vma.mapped!.read(0, 4)).toBe(0x18140245);
    vma.mapped!.write(0x10, 4, 7);
    expect(m.ep.hw.barRead(0, 0x10, 4)).toBe(7);
    expect(m.vdev.vmaList.has(vma)).toBe(true);
  });

  it('D.11.3 clearing Memory Space zaps; the fault is SIGBUS; after re-enable it maps again', async () => {
    const [m, fd, vma] = await mapped();
    await touch(m, vma);
    await cfgWrite(m, fd, 0x04, 2, 0x0101);
    expect(vma.populated).toBe(false);
    expect(m.vdev.vmaList.size).toBe(0);
    expect(await touch(m, vma)).toBe(VM_FAULT_SIGBUS);
    await cfgWrite(m, fd, 0x04, 2, 0x0103);
    expect(await touch(m, vma)).toBe(VM_FAULT_NOPAGE);
    expect(vma.mapped!.read(0, 4)).toBe(0x18140245);
  });

  it('D.11.3 a PMCSR write to D3hot zaps; faults SIGBUS until D0', async () => {
    const [m, fd, vma] = await mapped();
    await touch(m, vma);
    await cfgWrite(m, fd, 0xcc, 2, 3);
    expect(vma.populated).toBe(false);
    expect(await touch(m, vma)).toBe(VM_FAULT_SIGBUS);
    await cfgWrite(m, fd, 0xcc, 2, 0);
    expect(await touch(m, vma)).toBe(VM_FAULT_NOPAGE);
  });

  it('D.11.2 while low power is engaged a fault is SIGBUS and does not wake the device', async () => {
    const [m, fd, vma] = await mapped();
    await touch(m, vma);
    expect(await engage(m, fd)).toBe(0);
    expect(vma.populated).toBe(false);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(await touch(m, vma)).toBe(VM_FAULT_SIGBUS);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    await ioctl(m, fd, VFIO.DEVICE_FEATURE, feature(VFIO.DEVICE_FEATURE_SET | 5));
    expect(await touch(m, vma)).toBe(VM_FAULT_NOPAGE);
  });

  it('D.11.3 VFIO_DEVICE_RESET zaps', async () => {
    const [m, fd, vma] = await mapped();
    await touch(m, vma);
    expect(await ioctl(m, fd, VFIO.DEVICE_RESET)).toBe(0);
    expect(vma.populated).toBe(false);
  });

  it('D.11.2 a fault on an already tracked VMA (concurrent fault) changes nothing', async () => {
    const [m, , vma] = await mapped();
    await touch(m, vma);
    const mem = vma.mapped;
    expect(await m.k.run('f', () => vfioPciMmapFault(vma))).toBe(VM_FAULT_NOPAGE);
    expect(vma.mapped).toBe(mem);
  });

  it('D.11.4 unmapping removes the VMA from the tracked list', async () => {
    const [m, , vma] = await mapped();
    await touch(m, vma);
    await m.k.run('munmap', async () => vma.ops!.close!(vma));
    expect(m.vdev.vmaList.size).toBe(0);
  });

  it('zaps every address space that maps the device', async () => {
    const [m, fd, vma] = await mapped();
    const vma2 = await mmap({ ...m, mm: new MmStruct(m.k) }, fd, VFIO.regionOffset(0), 0x1000);
    if (typeof vma2 === 'number') throw new Error('mmap');
    await touch(m, vma);
    await touch(m, vma2);
    await cfgWrite(m, fd, 0x04, 2, 0x0101);
    expect([vma.populated, vma2.populated]).toEqual([false, false]);
  });
});
