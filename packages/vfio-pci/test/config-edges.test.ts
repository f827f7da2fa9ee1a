import { describe, expect, it } from 'vitest';
import { VM_FAULT_NOPAGE, type VmArea } from '@vfio-ts/kernel';
import { findCapability, pciWriteConfigDword, PCI_CAP_ID_EXP } from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import {
  cfgRead,
  cfgWrite,
  e1000eHw,
  eventfd,
  hostRead,
  ioctl,
  mmap,
  open,
  rd32,
  setup,
  touch,
  u32,
  type M,
} from './machine.js';

async function opened(
  hw?: ReturnType<typeof e1000eHw>,
  model?: 'nvidia-h100',
): Promise<[M, number]> {
  const m = await setup(hw ? { endpoint: { hw } } : model ? { endpoint: { model } } : {});
  return [m, await open(m)];
}

describe('D.8.7 Command writes restore BARs after a backdoor reset', () => {
  it('hardware BARs that differ from the open-time values are written back', async () => {
    const [m, fd] = await opened();
    pciWriteConfigDword(m.ep, 0x10, 0xfe700000);
    expect(await cfgWrite(m, fd, 0x04, 2, 0x0103)).toBe(2);
    expect(hostRead(m, 0x10, 4)).toBe(0xfe600000);
    expect(m.k.log.some((l) => l.text.includes('restoring BARs'))).toBe(true);
  });

  it('Memory enabled in vconfig but off in hardware is a backdoor reset too', async () => {
    const [m, fd] = await opened();
    m.ep.hw.configWrite(0x04, 2, 0x0101);
    expect(await cfgWrite(m, fd, 0x04, 2, 0x0103)).toBe(2);
    expect(hostRead(m, 0x04, 2) & 2).toBe(2);
  });
});

describe('direct reads: hardware with the capability header from vconfig', () => {
  it('MSI-X: ID and next from vconfig, flags from hardware', async () => {
    const [m, fd] = await opened();
    expect(await cfgRead(m, fd, 0xa0, 1)).toBe(0x11);
    expect(await cfgRead(m, fd, 0xa1, 1)).toBe(0);
    expect(await cfgRead(m, fd, 0xa2, 2)).toBe(hostRead(m, 0xa2, 2));
    expect(await cfgRead(m, fd, 0xa0, 4)).toBe(hostRead(m, 0xa0, 4));
  });

  it('DSN: header from vconfig, body from hardware', async () => {
    const [m, fd] = await opened();
    expect(await cfgRead(m, fd, 0x144, 4)).toBe(hostRead(m, 0x144, 4));
    expect(await cfgRead(m, fd, 0x140, 2)).toBe(3);
  });

  it('an unknown extended capability at 0x100 (ID above the table) is a virtual placeholder', async () => {
    const [m, fd] = await opened(
      e1000eHw((img) => {
        img[0x100] = 0x7f;
      }),
    );
    expect(await cfgRead(m, fd, 0x100, 4)).toBe(0x14000000);
    expect(await cfgWrite(m, fd, 0x100, 4, 0x12345678)).toBe(4);
    expect(await cfgRead(m, fd, 0x100, 4)).toBe(0x12345678);
    expect(hostRead(m, 0x100, 4) & 0xffff).toBe(0x7f);
  });
});

describe('capability discovery', () => {
  it('without Status.CAP_LIST no capability is virtualised', async () => {
    const [m, fd] = await opened(e1000eHw((img) => (img[0x06] = img[0x06]! & ~0x10)));
    expect((await cfgRead(m, fd, 0x06, 2)) & 0x10).toBe(0);
    expect(await cfgRead(m, fd, 0xc8 + 2, 2)).toBe(hostRead(m, 0xca, 2));
  });

  it('a capability with ID 0 is skipped', async () => {
    const [m, fd] = await opened(e1000eHw((img) => (img[0xd0] = 0)));
    expect(await cfgRead(m, fd, 0xc9, 1)).toBe(0xe0);
  });

  it('overlapping capabilities are reported', async () => {
    const [m] = await opened(
      e1000eHw((img) => {
        img[0xa1] = 0xcc;
        img[0xcc] = 0x10;
        img[0xcd] = 0;
      }),
    );
    expect(m.k.log.some((l) => l.text.includes('overlaps'))).toBe(true);
  });

  it('the H100 model opens; its chain is the hardware chain', async () => {
    const [m, fd] = await opened(undefined, 'nvidia-h100');
    const chain: number[] = [];
    for (let p = await cfgRead(m, fd, 0x34, 1); p; p = await cfgRead(m, fd, p + 1, 1))
      chain.push(p);
    expect(chain.slice(0, 4)).toEqual([0x40, 0x48, 0x60, 0xb0]);
    expect(findCapability(m.ep.hw, PCI_CAP_ID_EXP)).toBe(0x60);
    expect((await cfgRead(m, fd, 0x42, 2)) & 0xf800).toBe(0);
  });
});

describe('function resets through config space', () => {
  it('PCIe FLR with DevCap.FLR: the function is reset and mappings zapped', async () => {
    const [m, fd] = await opened(e1000eHw((img) => (img[0xe7] = img[0xe7]! | 0x10)));
    const vma = (await mmap(m, fd, 0, 4096)) as VmArea;
    expect(await touch(m, vma)).toBe(VM_FAULT_NOPAGE);
    expect(await cfgWrite(m, fd, 0xe8, 2, 0x8000)).toBe(2);
    expect(vma.populated).toBe(false);
    expect((await cfgRead(m, fd, 0xe8, 2)) & 0x8000).toBe(0);
  });

  it('AF FLR on a function with AF FLR: reset; the bit reads back 0', async () => {
    const [m, fd] = await opened(
      e1000eHw((img) => {
        img[0xa1] = 0x40;
        img[0x40] = 0x13;
        img[0x41] = 0;
        img[0x42] = 6;
        img[0x43] = 0x03;
      }),
    );
    const vma = (await mmap(m, fd, 0, 4096)) as VmArea;
    await touch(m, vma);
    expect(await cfgWrite(m, fd, 0x44, 1, 1)).toBe(1);
    expect(vma.populated).toBe(false);
    expect(await cfgRead(m, fd, 0x44, 1)).toBe(0);
    expect(await cfgWrite(m, fd, 0x44, 1, 0)).toBe(1);
  });
});

describe('MSI flags while MSI is enabled', () => {
  it('Enable stays on and QSIZE is clamped to the vectors allocated', async () => {
    const [m, fd] = await opened();
    const efd = eventfd(m);
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      VFIO.irqSet.encode({ flags: 4 | 0x20, index: 1, eventfds: [efd] }),
    );
    expect(await cfgWrite(m, fd, 0xd2, 2, 0x0071)).toBe(2);
    expect((await cfgRead(m, fd, 0xd2, 2)) & 0x71).toBe(0x01);
    expect(hostRead(m, 0xd2, 2) & 0x70).toBe(0);
  });
});

describe('INTx hidden (nointx quirk) and functions without interrupts', () => {
  it('an XL710 hides INTx: pin reads 0, INTx count 0; MSI still works', async () => {
    const [m, fd] = await opened(
      e1000eHw((img) => {
        img[2] = 0x72;
        img[3] = 0x15;
      }),
    );
    expect(m.vdev.nointx).toBe(true);
    expect(await cfgRead(m, fd, 0x3d, 1)).toBe(0);
    const b = u32(16, 0, 0, 0);
    await ioctl(m, fd, VFIO.DEVICE_GET_IRQ_INFO, b);
    expect(rd32(b, 3)).toBe(0);
    const efd = eventfd(m);
    const set = (init: Parameters<typeof VFIO.irqSet.encode>[0]): Promise<number> =>
      ioctl(m, fd, VFIO.DEVICE_SET_IRQS, VFIO.irqSet.encode(init));
    expect(await set({ flags: 4 | 0x20, index: 1, eventfds: [efd] })).toBe(0);
    expect(await set({ flags: 1 | 0x20, index: 1, count: 0 })).toBe(0);
    expect(hostRead(m, 0x04, 2) & 0x400).toBe(0x400);
  });

  it('a conventional function without pin, MSI or MSI-X offers only REQ', async () => {
    const [m, fd] = await opened(
      e1000eHw((img) => {
        img[0x3d] = 0;
        img[0xc9] = 0;
      }),
    );
    const counts: number[] = [];
    for (const index of [0, 1, 2, 4]) {
      const b = u32(16, 0, index, 0);
      expect(await ioctl(m, fd, VFIO.DEVICE_GET_IRQ_INFO, b)).toBe(0);
      counts.push(rd32(b, 3));
    }
    expect(counts).toEqual([0, 0, 0, 1]);
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_IRQ_INFO, u32(16, 0, 3, 0))).toBe(-22);
  });
});

describe('D.8.2 note (a): PME_Status', () => {
  it('a hardware PME_Status reads 0 through vfio and is cleared by any PMCSR write (write-back of 1)', async () => {
    const [m, fd] = await opened(
      e1000eHw((img) => {
        img[0xca] = 0x22;
        img[0xcb] = 0xf8;
      }),
    );
    expect(m.ep.hw.signalPme()).toBe(true);
    expect(hostRead(m, 0xcc, 2) & 0x8000).toBe(0x8000);
    expect((await cfgRead(m, fd, 0xcc, 2)) & 0x8000).toBe(0);
    expect(await cfgWrite(m, fd, 0xcc, 2, 0)).toBe(2);
    expect(hostRead(m, 0xcc, 2) & 0x8000).toBe(0);
  });
});
