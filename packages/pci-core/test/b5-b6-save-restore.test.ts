// KERNEL.md B.5 (config save/restore, stored states and their allocations) and B.6 (NoSoftRst).
import { describe, expect, it } from 'vitest';
import { EINVAL, ENOMEM, msecs } from '@vfio-ts/kernel';
import {
  KMEMLEAK_MIN_AGE_NS,
  KmemPtr,
  PCI_D0,
  PCI_D3hot,
  kmemRegistry,
  pciFreeSavedState,
  pciLoadAndFreeSavedState,
  pciLoadSavedState,
  pciPowerUp,
  pciRestoreState,
  pciSaveState,
  pciSetPowerState,
  pciStoreSavedState,
  pciWriteConfigDword,
  pciWriteConfigWord,
  type PciSavedState,
} from '@vfio-ts/pci-core';
import { machine, synthHw } from './pci-machine.js';

/** Config writes that reach the function, as offsets, while `fn` runs. */
function writesDuring(
  m: { ep: { hw: { subscribe: (l: (e: unknown) => void) => () => void } } },
  fn: () => void,
): number[] {
  const offs: number[] = [];
  const off = m.ep.hw.subscribe((e) => {
    const a = e as { type: string; kind: string; offset: number };
    if (a.type === 'access' && a.kind === 'config-write') offs.push(a.offset);
  });
  fn();
  off();
  return offs;
}

describe('B.5.1 pci_save_state', () => {
  it('B.5.1 saves the 16 header dwords, sets state_saved, fills the PCIe and AER buffers', async () => {
    const m = await machine();
    expect(pciSaveState(m.ep)).toBe(0);
    expect(m.ep.stateSaved).toBe(true);
    expect(m.ep.savedConfigSpace[0]).toBe(0x10d38086);
    expect(m.ep.savedConfigSpace[4]).toBe(m.ep.hw.configRead(0x10, 4));
    expect(m.ep.savedCapSpace.map((c) => [c.capNr, c.extended, c.data.length])).toEqual([
      [0x10, false, 14],
      [0x01, true, 16],
    ]);
    // A root port's AER buffer has the Root Error Command register too.
    expect(m.rp.savedCapSpace.find((c) => c.extended)?.data.length).toBe(20);
  });

  it('B.5.1 a missing PCIe buffer fails with -ENOMEM after state_saved was set', async () => {
    const m = await machine();
    m.ep.savedCapSpace.splice(0);
    expect(pciSaveState(m.ep)).toBe(-ENOMEM);
    expect(m.ep.stateSaved).toBe(true);
  });
});

describe('B.5.2 pci_restore_state', () => {
  it('B.5.2 does nothing unless state_saved', async () => {
    const m = await machine();
    expect(writesDuring(m, () => pciRestoreState(m.ep))).toEqual([]);
  });

  it('B.5.2 rewrites only differing dwords, BARs (9…4) before Command, then clears state_saved', async () => {
    const m = await machine();
    pciSaveState(m.ep);
    await m.k.run('d3', () => pciSetPowerState(m.ep, PCI_D3hot));
    m.ep.hw.powerOff();
    m.ep.hw.powerOn();
    const offs = writesDuring(m, () => pciRestoreState(m.ep));
    const header = offs.filter((o) => o < 0x40);
    expect(header).toEqual([0x3c, 0x1c, 0x18, 0x14, 0x10, 0x04]);
    expect(m.ep.hw.configRead(0x10, 4)).toBe(m.ep.savedConfigSpace[4]);
    expect(m.ep.hw.configRead(0x04, 2)).toBe(0x0103);
    expect(m.ep.stateSaved).toBe(false);
  });

  it('B.5.2 a BAR that does not take its value is written up to 11 times', async () => {
    const m = await machine();
    pciSaveState(m.ep);
    m.ep.savedConfigSpace[5] = 0x12345678;
    const offs = writesDuring(m, () => pciRestoreState(m.ep));
    expect(offs.filter((o) => o === 0x14).length).toBe(11);
  });

  it('B.5.2 type-1 headers restore 12…15, force 9…11, then 0…8', async () => {
    const m = await machine();
    pciSaveState(m.rp);
    const offs: number[] = [];
    m.rp.hw.subscribe((e) => {
      if (e.type === 'access' && e.kind === 'config-write' && e.offset < 0x40) offs.push(e.offset);
    });
    pciRestoreState(m.rp);
    expect(offs).toEqual([0x2c, 0x28, 0x24]);
  });

  it('B.5.2 MSI registers and SR-IOV state come back after a power cycle', async () => {
    const m = await machine({
      endpoint: { model: undefined, hw: synthHw({ msi: true, sriov: { total: 4 } }) },
    });
    m.ep.hw.configWrite(0x74, 4, 0xfee00000);
    m.ep.hw.configWrite(0x7c, 2, 0x4021);
    m.ep.hw.configWrite(0x72, 2, 0x0181);
    // A driver allocated the vectors (pci_alloc_irq_vectors sets pdev->msi_enabled).
    m.ep.msiEnabled = true;
    pciSaveState(m.ep);
    m.ep.sriov!.ctrl = 0x0010;
    m.ep.sriov!.numVFs = 2;
    m.ep.hw.powerOff();
    m.ep.hw.powerOn();
    pciRestoreState(m.ep);
    expect(m.ep.hw.configRead(0x74, 4)).toBe(0xfee00000);
    expect(m.ep.hw.configRead(0x72, 2) & 1).toBe(1);
    expect(m.ep.hw.configRead(m.ep.sriov!.pos + 0x10, 2)).toBe(2);
    // VF Enable already set: the IOV state is left alone.
    m.ep.hw.configWrite(m.ep.sriov!.pos + 8, 2, 1);
    pciSaveState(m.ep);
    m.ep.sriov!.numVFs = 3;
    pciRestoreState(m.ep);
    expect(m.ep.hw.configRead(m.ep.sriov!.pos + 0x10, 2)).toBe(2);
  });
});

describe('B.5.1/B.5.2 MSI state', () => {
  it('B.5.2 without allocated MSI or MSI-X vectors, save and restore access no MSI or MSI-X register (pci_restore_msi_state)', async () => {
    const m = await machine();
    expect(m.ep.msiCap).toBeGreaterThan(0);
    expect(m.ep.msixCap).toBeGreaterThan(0);
    const touched: string[] = [];
    const inCap = (at: number, cap: number, len: number): boolean => at >= cap && at < cap + len;
    const off = m.ep.hw.subscribe(
      (e) => {
        if (e.type !== 'access') return;
        // Past the ID/next word, which the PCI-X lookup reads while walking the list.
        if (inCap(e.offset, m.ep.msiCap + 2, 12) || inCap(e.offset, m.ep.msixCap + 2, 10))
          touched.push(`${e.kind} ${e.width}@${e.offset}`);
      },
      { types: ['access'] },
    );
    expect(pciSaveState(m.ep)).toBe(0);
    m.ep.hw.powerOff();
    m.ep.hw.powerOn();
    pciRestoreState(m.ep);
    off();
    expect(touched).toEqual([]);
  });
});

describe('B.5.2 MSI-X state', () => {
  it('B.5.2 MSI-X vectors a port driver allocated: save reads no MSI-X register; restore sets Enable and MaskAll, then clears MaskAll (pci_msix_clear_and_set_ctrl)', async () => {
    const m = await machine();
    expect(m.rp.msixEnabled).toBe(true);
    const flags = m.rp.msixCap + 2;
    const seen: string[] = [];
    const off = m.rp.hw.subscribe(
      (e) => {
        if (e.type === 'access' && e.offset === flags)
          seen.push(`${e.kind === 'config-read' ? 'R' : 'W'} ${e.value.toString(16)}`);
      },
      { types: ['access'] },
    );
    expect(pciSaveState(m.rp)).toBe(0);
    expect(seen).toEqual([]);
    m.rp.hw.powerOff();
    m.rp.hw.powerOn();
    pciRestoreState(m.rp);
    off();
    expect(seen).toEqual(['R 0', 'W c000', 'R c000', 'W 8000']);
  });
});

describe('B.5.3 / B.5.4 stored states', () => {
  it('B.5.3 pci_store_saved_state: NULL unless saved; else a tracked copy', async () => {
    const m = await machine();
    expect(pciStoreSavedState(m.ep)).toBeNull();
    pciSaveState(m.ep);
    const st = pciStoreSavedState(m.ep, 'test')!;
    expect(st.configSpace).toEqual(m.ep.savedConfigSpace);
    expect(st.caps.length).toBe(2);
    expect(st.alloc).toMatchObject({
      kind: 'pci_saved_state',
      owner: '0000:01:00.0',
      freed: false,
    });
    expect(st.alloc.size).toBe(64 + 8 + (8 + 14) + (8 + 16));
    expect(st.alloc.trace).toEqual(['pci_store_saved_state', 'test']);
    expect(kmemRegistry(m.k).allocations()).toContain(st.alloc);
    pciFreeSavedState(st);
  });

  it('B.5.4 pci_load_saved_state: clears state_saved first; NULL loads nothing and returns 0', async () => {
    const m = await machine();
    pciSaveState(m.ep);
    expect(pciLoadSavedState(m.ep, null)).toBe(0);
    expect(m.ep.stateSaved).toBe(false);
  });

  it('B.5.4 a record without a matching buffer, or of another size, is -EINVAL (not saved)', async () => {
    const m = await machine();
    pciSaveState(m.rp);
    const fromPort = pciStoreSavedState(m.rp)!;
    pciSaveState(m.ep);
    expect(pciLoadSavedState(m.ep, fromPort)).toBe(-EINVAL);
    expect(m.ep.stateSaved).toBe(false);
    const conventional = await machine({
      endpoint: { model: undefined, hw: synthHw({ pcieType: null }) },
    });
    pciSaveState(conventional.ep);
    pciSaveState(m.ep);
    const fromEp = pciStoreSavedState(m.ep)!;
    expect(pciLoadSavedState(conventional.ep, fromEp)).toBe(-EINVAL);
    pciFreeSavedState(fromPort);
    pciFreeSavedState(fromEp);
  });

  it('B.5.4 load then restore brings back what was stored', async () => {
    const m = await machine();
    pciSaveState(m.ep);
    const ptr = new KmemPtr<PciSavedState>('vdev->pci_saved_state');
    ptr.set(pciStoreSavedState(m.ep));
    m.ep.hw.powerOff();
    m.ep.hw.powerOn();
    m.ep.savedConfigSpace.fill(0);
    expect(pciLoadAndFreeSavedState(m.ep, ptr)).toBe(0);
    expect(ptr.get()).toBeNull();
    expect(m.ep.stateSaved).toBe(true);
    pciRestoreState(m.ep);
    expect(m.ep.hw.configRead(0x04, 2)).toBe(0x0103);
    expect(kmemRegistry(m.k).allocations()).toEqual([]);
  });

  it('B.5.4 pci_load_and_free_saved_state frees and clears whatever the result', async () => {
    const m = await machine();
    pciSaveState(m.rp);
    const ptr = new KmemPtr<PciSavedState>('p');
    ptr.set(pciStoreSavedState(m.rp));
    expect(pciLoadAndFreeSavedState(m.ep, ptr)).toBe(-EINVAL);
    expect(ptr.get()).toBeNull();
    expect(kmemRegistry(m.k).leaks(0)).toEqual([]);
    expect(pciLoadAndFreeSavedState(m.ep, ptr)).toBe(0);
  });
});

describe('B.5 allocation registry (kmemleak-like)', () => {
  it('B.5 an allocation overwritten without being freed is reported as leaked (the pm_save bug)', async () => {
    const m = await machine();
    const reg = kmemRegistry(m.k);
    const pmSave = new KmemPtr<PciSavedState>('vdev->pm_save');
    pciSaveState(m.ep);
    pmSave.set(pciStoreSavedState(m.ep, 'vfio_pci_set_power_state'));
    const first = pmSave.get()!;
    pciSaveState(m.ep);
    pmSave.set(pciStoreSavedState(m.ep, 'vfio_pci_set_power_state'));
    expect(reg.leaks().map((a) => a.id)).toEqual([first.alloc.id]);
    expect(m.k.violations()[0]).toMatch(
      /^kmemleak: unreferenced object #\d+ pci_saved_state \(size 118\) of 0000:01:00\.0, .*backtrace: pci_store_saved_state <- vfio_pci_set_power_state$/,
    );
  });

  it('B.5 the fixed order (free the old copy first) leaks nothing', async () => {
    const m = await machine();
    const pmSave = new KmemPtr<PciSavedState>('vdev->pm_save');
    for (let i = 0; i < 3; i++) {
      pciSaveState(m.ep);
      pciFreeSavedState(pmSave.get());
      pmSave.set(pciStoreSavedState(m.ep));
    }
    pmSave.set(pmSave.get());
    expect(kmemRegistry(m.k).leaks()).toEqual([]);
    expect(kmemRegistry(m.k).allocations().length).toBe(1);
    pciFreeSavedState(pmSave.take());
    expect(kmemRegistry(m.k).allocations()).toEqual([]);
  });

  it('B.5 an allocation never stored anywhere is reported once older than the grace period', async () => {
    const m = await machine();
    pciSaveState(m.ep);
    const st = pciStoreSavedState(m.ep)!;
    expect(kmemRegistry(m.k).leaks()).toEqual([]);
    await m.k.run('wait', () => m.k.sched.sleep(KMEMLEAK_MIN_AGE_NS));
    expect(kmemRegistry(m.k).leaks()).toEqual([st.alloc]);
    expect(KMEMLEAK_MIN_AGE_NS).toBe(msecs(5000));
  });

  it('B.5 a double free and a use after free are defects', async () => {
    const m = await machine();
    pciSaveState(m.ep);
    const st = pciStoreSavedState(m.ep)!;
    pciFreeSavedState(st);
    pciFreeSavedState(st);
    expect(pciLoadSavedState(m.ep, st)).toBe(0);
    expect(m.k.defects.map((d) => d.kind)).toEqual(['kmem-double-free', 'kmem-use-after-free']);
    pciFreeSavedState(null);
  });
});

describe('B.6 NoSoftRst', () => {
  it('B.6.1 NoSoftRst+ (H100) keeps its configuration across D3hot → D0; NoSoftRst− (e1000e) loses it', async () => {
    const h = await machine({ endpoint: { model: 'nvidia-h100' } });
    const bar = h.ep.hw.configRead(0x10, 4);
    await h.k.run('d3', () => pciSetPowerState(h.ep, PCI_D3hot));
    expect(await h.k.run('up', () => pciPowerUp(h.ep))).toBe(0);
    expect(h.ep.hw.configRead(0x10, 4)).toBe(bar);
    const e = await machine();
    const ebar = e.ep.hw.configRead(0x10, 4);
    await e.k.run('d3', () => pciSetPowerState(e.ep, PCI_D3hot));
    expect(await e.k.run('up', () => pciPowerUp(e.ep))).toBe(1);
    expect(e.ep.hw.configRead(0x10, 4)).not.toBe(ebar);
  });

  it('B.6.2 the PCI core restores only the BARs on a NoSoftRst− power-up', async () => {
    const m = await machine();
    m.ep.hw.configWrite(0x0c, 1, 0x10);
    await m.k.run('d3', () => pciSetPowerState(m.ep, PCI_D3hot));
    await m.k.run('d0', () => pciSetPowerState(m.ep, PCI_D0));
    expect(m.ep.hw.configRead(0x10, 4)).toBe(m.ep.resources[0]!.value);
    expect(m.ep.hw.configRead(0x0c, 1)).toBe(0);
  });

  it('B.6.4 (vfio-pci) records !NoSoftRst: the PMCSR bit the PCI core reads', async () => {
    const h = await machine({ endpoint: { model: 'nvidia-h100' } });
    expect(h.ep.hw.configRead(h.ep.pmCap + 4, 2) & 0x08).toBe(0x08);
    const e = await machine();
    expect(e.ep.hw.configRead(e.ep.pmCap + 4, 2) & 0x08).toBe(0);
  });
});

describe('B.5 capability offsets', () => {
  it('B.5 save and restore use the AER, MSI and MSI-X offsets found at enumeration, and walk the lists for PCI-X, LTR, VC and ReBAR as 6.1 does', async () => {
    const m = await machine();
    expect(m.ep.aerCap).toBe(0x100);
    expect(m.ep.msiCap).toBeGreaterThan(0);
    let reads: string[] = [];
    const off = m.ep.hw.subscribe((e) => {
      if (e.type === 'access' && e.kind === 'config-read') reads.push(`${e.width}@${e.offset}`);
    });
    const count = (r: string): number => reads.filter((x) => x === r).length;
    expect(pciSaveState(m.ep)).toBe(0);
    // pci_save_pcix_state: one standard walk (Status, then the pointer byte; hdr_type is
    // cached); pci_save_ltr_state and pci_save_vc_state (MFVC, VC, VC9): four extended walks.
    expect(count('2@6')).toBe(1);
    expect(count('1@52')).toBe(1);
    expect(count('1@14')).toBe(0);
    expect(count('4@256')).toBe(4);
    reads = [];
    pciRestoreState(m.ep);
    off();
    // LTR, the three VC capabilities and ReBAR; then PCI-X after the header.
    expect(count('4@256')).toBe(5);
    expect(count('1@52')).toBe(1);
    expect(reads.indexOf('1@52')).toBeGreaterThan(reads.lastIndexOf('4@0'));
  });
});

describe('B.5 PCI-X and LTR state', () => {
  it('B.5.1/B.5.2 PCI-X Command and LTR latencies are saved and written back by restore', async () => {
    const m = await machine({
      endpoint: { model: undefined, hw: synthHw({ pcix: true, ltr: true }) },
    });
    const ltr = 0x100;
    pciWriteConfigWord(m.ep, 0x98 + 2, 0x0042);
    pciWriteConfigDword(m.ep, ltr + 4, 0x10031002);
    expect(pciSaveState(m.ep)).toBe(0);
    pciWriteConfigWord(m.ep, 0x98 + 2, 0);
    pciWriteConfigDword(m.ep, ltr + 4, 0);
    pciRestoreState(m.ep);
    expect(m.ep.hw.configRead(0x98 + 2, 2)).toBe(0x0042);
    expect(m.ep.hw.configRead(ltr + 4, 4)).toBe(0x10031002);
  });

  it('B.5.1 a missing PCI-X buffer fails with -ENOMEM; a missing LTR buffer is only logged', async () => {
    const m = await machine({
      endpoint: { model: undefined, hw: synthHw({ pcix: true, ltr: true }) },
    });
    const keep = [...m.ep.savedCapSpace];
    m.ep.savedCapSpace.splice(
      0,
      m.ep.savedCapSpace.length,
      ...keep.filter((c) => c.capNr !== 0x07),
    );
    expect(pciSaveState(m.ep)).toBe(-ENOMEM);
    expect(m.k.log.at(-1)?.text).toContain('buffer not found in pci_save_pcix_state');
    m.ep.savedCapSpace.splice(
      0,
      m.ep.savedCapSpace.length,
      ...keep.filter((c) => c.capNr !== 0x18),
    );
    expect(pciSaveState(m.ep)).toBe(0);
    expect(m.k.log.at(-1)?.text).toContain('no suspend buffer for LTR');
    // Restore skips a state it has no buffer for.
    pciWriteConfigDword(m.ep, 0x100 + 4, 0x00050005);
    pciRestoreState(m.ep);
    expect(m.ep.hw.configRead(0x100 + 4, 4)).toBe(0x00050005);
  });
});

describe('B.5.2 a port without its driver has no MSI vectors', () => {
  it('unbinding pcieport frees its vectors: MSI/MSI-X disabled, and a later restore does not re-enable them', async () => {
    const m = await machine();
    const cap = m.rp.msixEnabled ? m.rp.msixCap : m.rp.msiCap;
    expect(m.rp.msixEnabled || m.rp.msiEnabled).toBe(true);
    const flags = 2; // PCI_MSI_FLAGS and PCI_MSIX_FLAGS alike
    const enable = m.rp.msixEnabled ? 0x8000 : 0x0001;
    expect(m.rp.hw.configRead(cap + flags, 2) & enable).toBe(enable);
    await m.k.run('u', () => m.sysfs.write('/sys/bus/pci/drivers/pcieport/unbind', m.rp.bdf));
    expect([m.rp.msixEnabled, m.rp.msiEnabled]).toEqual([false, false]);
    expect(m.rp.hw.configRead(cap + flags, 2) & enable).toBe(0);
    expect(pciSaveState(m.rp)).toBe(0);
    pciRestoreState(m.rp);
    expect(m.rp.hw.configRead(cap + flags, 2) & enable).toBe(0);
  });
});
