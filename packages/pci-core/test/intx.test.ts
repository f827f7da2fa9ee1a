// The INTx helpers vfio-pci masks with (pci_intx, pci_intx_mask_supported,
// pci_check_and_mask_intx / pci_check_and_unmask_intx; KERNEL.md D.15 relies on them).
import { describe, expect, it } from 'vitest';
import {
  createBuiltinHw,
  PCI_COMMAND_INTX_DISABLE,
  pciCheckAndMaskIntx,
  pciCheckAndUnmaskIntx,
  pciDevSetDisconnected,
  pciIntx,
  pciIntxMaskSupported,
} from '@vfio-ts/pci-core';
import { machine } from './pci-machine.js';

const cmd = (m: Awaited<ReturnType<typeof machine>>): number => m.ep.hw.configRead(4, 2);

describe('INTx helpers', () => {
  it('pci_intx sets or clears INTX_DISABLE only when it changes', async () => {
    const m = await machine();
    pciIntx(m.ep, false);
    expect(cmd(m) & PCI_COMMAND_INTX_DISABLE).toBe(PCI_COMMAND_INTX_DISABLE);
    pciIntx(m.ep, false);
    pciIntx(m.ep, true);
    expect(cmd(m) & PCI_COMMAND_INTX_DISABLE).toBe(0);
  });

  it('pci_intx_mask_supported toggles the bit and puts it back', async () => {
    const m = await machine();
    const before = cmd(m);
    expect(await m.k.run('s', () => pciIntxMaskSupported(m.ep))).toBe(true);
    expect(cmd(m)).toBe(before);
    expect(m.ep.blockCfgAccess).toBe(false);
    m.ep.hw.powerOff();
    expect(await m.k.run('s', () => pciIntxMaskSupported(m.ep))).toBe(false);
  });

  it('a Command register whose other bits move is reported; a stuck INTX_DISABLE is unsupported', async () => {
    // Command.IO behaves as write-1-to-clear here: the toggle write clears it.
    const odd = createBuiltinHw('e1000e', {
      masks: [{ offset: 4, width: 2, rw: 0x0506, w1c: 0x0001 }],
    });
    const m = await machine({ endpoint: { model: undefined, hw: odd.ok ? odd.value : undefined } });
    expect(await m.k.run('s', () => pciIntxMaskSupported(m.ep))).toBe(false);
    expect(m.k.log.at(-1)?.text).toMatch(
      /Command register changed from 0x103 to 0x502: driver or hardware bug\?/,
    );
    const stuck = createBuiltinHw('e1000e', { masks: [{ offset: 4, width: 2, rw: 0x0107 }] });
    const n = await machine({
      endpoint: { model: undefined, hw: stuck.ok ? stuck.value : undefined },
    });
    expect(await n.k.run('s', () => pciIntxMaskSupported(n.ep))).toBe(false);
  });

  it('check-and-mask masks only a pending INTx; check-and-unmask only when none is pending', async () => {
    const m = await machine();
    expect(pciCheckAndMaskIntx(m.ep)).toBe(false);
    m.ep.hw.assertIntx();
    expect(m.ep.hw.intxAsserted).toBe(true);
    expect(pciCheckAndUnmaskIntx(m.ep)).toBe(false);
    expect(pciCheckAndMaskIntx(m.ep)).toBe(true);
    expect(m.ep.hw.intxAsserted).toBe(false);
    expect(pciCheckAndMaskIntx(m.ep)).toBe(true);
    m.ep.hw.deassertIntx();
    expect(pciCheckAndUnmaskIntx(m.ep)).toBe(true);
    expect(cmd(m) & PCI_COMMAND_INTX_DISABLE).toBe(0);
    pciDevSetDisconnected(m.ep);
    expect(pciCheckAndUnmaskIntx(m.ep)).toBe(false);
  });
});
