// MSI vectors set up through VFIO_DEVICE_SET_IRQS are allocated vectors for the PCI core
// (pci_alloc_irq_vectors sets pdev->msi_enabled), which pci_restore_state() brings back.
import { describe, expect, it } from 'vitest';
import { pciRestoreState, pciSaveState } from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import { close, eventfd, hostRead, ioctl, open, setup } from './machine.js';

const MSI_FLAGS = 0xd2;
const MSIX_FLAGS = 0xa2;
const { IRQ_SET_DATA_EVENTFD: EFD, IRQ_SET_DATA_NONE: NONE, IRQ_SET_ACTION_TRIGGER: TRIG } = VFIO;

describe('MSI vectors and pci_restore_msi_state', () => {
  it('MSI set up by SET_IRQS is marked allocated, so restore re-enables it after a power loss; count 0 frees it', async () => {
    const m = await setup();
    const fd = await open(m);
    expect(m.ep.msiEnabled).toBe(false);
    const efd = eventfd(m);
    const on = VFIO.irqSet.encode({ flags: EFD | TRIG, index: 1, eventfds: [efd] });
    expect(await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, on)).toBe(0);
    expect(m.ep.msiEnabled).toBe(true);
    pciSaveState(m.ep);
    m.ep.hw.powerOff();
    m.ep.hw.powerOn();
    expect(hostRead(m, MSI_FLAGS, 2) & 1).toBe(0);
    pciRestoreState(m.ep);
    expect(hostRead(m, MSI_FLAGS, 2) & 1).toBe(1);
    const off = VFIO.irqSet.encode({ flags: NONE | TRIG, index: 1, count: 0 });
    expect(await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, off)).toBe(0);
    expect(m.ep.msiEnabled).toBe(false);
  });

  it('MSI-X set up by SET_IRQS is marked allocated and restored enabled after a power loss; close frees it', async () => {
    const m = await setup();
    const fd = await open(m);
    expect(m.ep.msixEnabled).toBe(false);
    const on = VFIO.irqSet.encode({ flags: EFD | TRIG, index: 2, eventfds: [eventfd(m)] });
    expect(await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, on)).toBe(0);
    expect(m.ep.msixEnabled).toBe(true);
    pciSaveState(m.ep);
    m.ep.hw.powerOff();
    m.ep.hw.powerOn();
    expect(hostRead(m, MSIX_FLAGS, 2) & 0x8000).toBe(0);
    pciRestoreState(m.ep);
    // pci_restore_msi_state(): enabled with every vector masked, then unmasked.
    expect(hostRead(m, MSIX_FLAGS, 2) & 0xc000).toBe(0x8000);
    expect(await close(m, fd)).toBe(0);
    expect([m.ep.msixEnabled, m.ep.msiEnabled]).toEqual([false, false]);
  });

  it('closing with MSI enabled frees the vectors (vfio_pci_core_disable tears interrupts down)', async () => {
    const m = await setup();
    const fd = await open(m);
    const on = VFIO.irqSet.encode({ flags: EFD | TRIG, index: 1, eventfds: [eventfd(m)] });
    expect(await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, on)).toBe(0);
    expect(m.ep.msiEnabled).toBe(true);
    expect(await close(m, fd)).toBe(0);
    expect(m.ep.msiEnabled).toBe(false);
    expect(hostRead(m, MSI_FLAGS, 2) & 1).toBe(0);
  });
});
