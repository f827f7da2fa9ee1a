// D.15.2: the unmask handler leaves INTx masked (and signals the user once) only when an
// interrupt is pending — pci_check_and_unmask_intx() fails only then.
import { expect, it } from 'vitest';
import { createMachine } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';
import { BDF, D3HOT } from './helpers.js';

function irqSet(flags: number, efd?: number): Uint8Array {
  const data = efd === undefined ? {} : { eventfds: [efd] };
  return VFIO.irqSet.encode({ flags, index: VFIO.PCI_INTX_IRQ_INDEX, start: 0, count: 1, ...data });
}

it('D.15.2 unmasking with no interrupt pending signals nothing, even when DisINTx was already cleared', async () => {
  const m = await createMachine(D3HOT);
  const p = m.process();
  const fd = await p.openDevice(BDF);
  const efd = await p.eventfd(0, { nonblock: true });
  expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, irqSet(0x24, efd))).toBe(0);
  expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, irqSet(0x09))).toBe(0);
  const hw = m.topology.lookup(BDF)!.hw;
  expect(hw.configRead(4, 2) & 0x400).toBe(0x400);
  hw.configWrite(4, 2, hw.configRead(4, 2) & ~0x400);
  expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, irqSet(0x11))).toBe(0);
  const out = new Uint8Array(8);
  expect(await p.read(efd, out, 8)).toBe(-11);
  expect(hw.configRead(4, 2) & 0x400).toBe(0);
  // With an interrupt pending, the unmask leaves it masked and tells the user once.
  expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, irqSet(0x09))).toBe(0);
  hw.assertIntx();
  expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, irqSet(0x11))).toBe(0);
  expect(await p.read(efd, out, 8)).toBe(8);
  expect(hw.configRead(4, 2) & 0x400).toBe(0x400);
  hw.deassertIntx();
  await p.exit();
  await m.settle();
  expect(m.invariants()).toEqual([]);
});
