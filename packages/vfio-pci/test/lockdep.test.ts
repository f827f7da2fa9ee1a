import { describe, expect, it } from 'vitest';
import type { VmArea } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import {
  cfgWrite,
  close,
  engage,
  eventfd,
  feature,
  ioctl,
  mmap,
  open,
  pread,
  setup,
  touch,
} from './machine.js';

describe('F.2 lock ordering', () => {
  it('the main flows leave no lockdep report, no defect and no leak', async () => {
    const m = await setup();
    const fd = await open(m);
    const efd = eventfd(m);
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      VFIO.irqSet.encode({ flags: 4 | 0x20, index: 0, eventfds: [efd] }),
    );
    const vma = (await mmap(m, fd, 0, 4096)) as VmArea;
    await touch(m, vma);
    m.ep.hw.assertIntx();
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      VFIO.irqSet.encode({ flags: 1 | 0x10, index: 0, count: 1 }),
    );
    await cfgWrite(m, fd, 0x04, 2, 0x0101);
    await cfgWrite(m, fd, 0x04, 2, 0x0503);
    await cfgWrite(m, fd, 0xcc, 2, 3);
    await cfgWrite(m, fd, 0xcc, 2, 0);
    await touch(m, vma);
    await ioctl(m, fd, VFIO.DEVICE_RESET);
    await engage(m, fd);
    await pread(m, fd, new Uint8Array(4), 4, VFIO.regionOffset(0));
    await ioctl(m, fd, VFIO.DEVICE_FEATURE, feature(VFIO.DEVICE_FEATURE_SET | 5));
    const hot = new Uint8Array(16);
    new DataView(hot.buffer).setUint32(0, 16, true);
    new DataView(hot.buffer).setUint32(8, 1, true);
    new DataView(hot.buffer).setInt32(12, fd, true);
    expect(await ioctl(m, fd, VFIO.DEVICE_PCI_HOT_RESET, hot)).toBe(0);
    await m.k.run('munmap', async () => vma.ops!.close!(vma));
    await close(m, fd);
    await m.k.settle();
    await m.k.run('unbind', () => m.topo.unregisterDriver('vfio-pci'));
    expect(m.k.defects).toEqual([]);
    expect(m.topo.kmem.leaks(0)).toEqual([]);
    expect(m.ep.hw.violations).toEqual([]);
  });
});
