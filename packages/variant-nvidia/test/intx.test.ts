// The variant's INTx hook (D.15 with a vendor twist): runtime suspend masks INTx at the GPU
// too (NV_PMC_INTR_EN_0 cleared, old value kept) as well as with DisINTx; resume restores it.
import { describe, expect, it } from 'vitest';
import type { Machine, UserProcess } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';
import { NV_PMC_INTR_EN_0, nvidiaGpuModel } from '@vfio-ts/variant-nvidia';
import {
  BDF,
  H100_D3COLD,
  H100_D3HOT,
  attr,
  barRead,
  barWrite,
  entry,
  exit,
  machines,
  openGpu,
} from './helpers.js';

const { boot } = machines();
const DISINTX = 0x400;
const TRIGGER_EVENTFD = VFIO.IRQ_SET_DATA_EVENTFD | VFIO.IRQ_SET_ACTION_TRIGGER;
const MASK = VFIO.IRQ_SET_DATA_NONE | VFIO.IRQ_SET_ACTION_MASK;
const UNMASK = VFIO.IRQ_SET_DATA_NONE | VFIO.IRQ_SET_ACTION_UNMASK;

/** struct vfio_irq_set for INTx (index 0, start 0, count 1), with an eventfd or no data. */
function irqSet(flags: number, efd?: number): Uint8Array {
  const data = efd === undefined ? {} : { eventfds: [efd] };
  return VFIO.irqSet.encode({ flags, index: VFIO.PCI_INTX_IRQ_INDEX, start: 0, count: 1, ...data });
}

/** Opens the GPU, programs NV_PMC_INTR_EN_0 and enables INTx with a trigger eventfd. */
async function withIntx(m: Machine): Promise<{ p: UserProcess; fd: number; writes: number[] }> {
  const p = m.process();
  const fd = await openGpu(p);
  expect(await barWrite(p, fd, 0, NV_PMC_INTR_EN_0, 0xabc)).toBe(4);
  const efd = await p.eventfd(0, { nonblock: true });
  expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, irqSet(TRIGGER_EVENTFD, efd))).toBe(0);
  const writes: number[] = [];
  m.topology.lookup(BDF)!.hw.subscribe((e) => {
    if (
      e.type === 'access' &&
      e.kind === 'bar-write' &&
      e.bar === 0 &&
      e.offset === NV_PMC_INTR_EN_0
    )
      writes.push(e.value);
  });
  return { p, fd, writes };
}

const command = (m: Machine) => m.topology.lookup(BDF)!.hw.configRead(4, 2);

describe('INTx hook', () => {
  it('masks at the GPU while runtime-suspended in D3hot and restores NV_PMC_INTR_EN_0 at resume', async () => {
    const m = await boot(H100_D3HOT);
    const { p, fd, writes } = await withIntx(m);
    expect(await entry(m, p, fd)).toBe(0);
    expect(attr(m, 'power_state')).toBe('D3hot');
    expect(writes).toEqual([0]);
    expect(nvidiaGpuModel(m.vfioPciDevice(BDF)!)!.intrMasked).toBe(true);
    expect(command(m) & DISINTX).toBe(DISINTX);
    expect(await exit(p, fd)).toBe(0);
    expect(writes).toEqual([0, 0xabc]);
    expect(command(m) & DISINTX).toBe(0);
    expect(await barRead(p, fd, 0, NV_PMC_INTR_EN_0)).toBe(0xabc);
    await p.exit();
  });

  it('masks before power goes and restores after it returns (D3cold), touching nothing while off', async () => {
    const m = await boot(H100_D3COLD);
    const { p, fd, writes } = await withIntx(m);
    expect(await entry(m, p, fd)).toBe(0);
    expect(attr(m, 'power_state')).toBe('D3cold');
    expect(writes).toEqual([0]);
    expect(await exit(p, fd)).toBe(0);
    expect(writes).toEqual([0, 0xabc]);
    expect(await barRead(p, fd, 0, NV_PMC_INTR_EN_0)).toBe(0xabc);
    expect(m.topology.lookup(BDF)!.hw.violations).toEqual([]);
    await p.exit();
  });

  it('a user mask masks at the GPU too; suspend and resume then leave it to the user (D.15.4)', async () => {
    const m = await boot(H100_D3HOT);
    const { p, fd, writes } = await withIntx(m);
    expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, irqSet(MASK))).toBe(0);
    expect(writes).toEqual([0]);
    expect(await entry(m, p, fd)).toBe(0);
    expect(await exit(p, fd)).toBe(0);
    expect(writes).toEqual([0]);
    expect(await barRead(p, fd, 0, NV_PMC_INTR_EN_0)).toBe(0);
    expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, irqSet(UNMASK))).toBe(0);
    expect(writes).toEqual([0, 0xabc]);
    expect(await barRead(p, fd, 0, NV_PMC_INTR_EN_0)).toBe(0xabc);
    await p.exit();
  });

  it('without INTx in use, suspend touches neither DisINTx masking state nor the GPU', async () => {
    const m = await boot(H100_D3HOT);
    const p = m.process();
    const fd = await openGpu(p);
    expect(await barWrite(p, fd, 0, NV_PMC_INTR_EN_0, 0xabc)).toBe(4);
    expect(await entry(m, p, fd)).toBe(0);
    expect(nvidiaGpuModel(m.vfioPciDevice(BDF)!)!.intrMasked).toBe(false);
    expect(await exit(p, fd)).toBe(0);
    expect(await barRead(p, fd, 0, NV_PMC_INTR_EN_0)).toBe(0xabc);
    await p.exit();
  });
});
