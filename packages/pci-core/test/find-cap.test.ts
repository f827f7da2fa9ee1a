// pci_find_capability() and pci_find_ext_capability() at run time: every hop is a config read
// through the accessors (a disconnected function is not accessed).
import { describe, expect, it } from 'vitest';
import {
  PCI_CAP_ID_MSI,
  PCI_CAP_ID_PCIX,
  PCI_EXT_CAP_ID_DSN,
  PCI_EXT_CAP_ID_ERR,
  PCI_EXT_CAP_ID_LTR,
  builtinModels,
  createModelHw,
  pciDevSetDisconnected,
  pciFindCapability,
  pciFindExtCapability,
  pciRestoreState,
  pciSaveState,
  type PciDev,
} from '@vfio-ts/pci-core';
import { machine, synthHw } from './pci-machine.js';

// Config reads of `dev` while `fn` runs, as `width@offset`.
function readsDuring(dev: PciDev, fn: () => number): { ret: number; reads: string[] } {
  const reads: string[] = [];
  const off = dev.hw.subscribe(
    (e) => {
      if (e.type === 'access' && e.kind === 'config-read') reads.push(`${e.width}@${e.offset}`);
    },
    { types: ['access'] },
  );
  const ret = fn();
  off();
  return { ret, reads };
}

describe('B.5 run-time capability lookups', () => {
  it('pci_find_capability reads Status, the pointer byte (hdr_type cached) and one word per hop', async () => {
    const m = await machine();
    const found = readsDuring(m.ep, () => pciFindCapability(m.ep, PCI_CAP_ID_MSI));
    expect(found.ret).toBe(m.ep.msiCap);
    expect(found.reads).toEqual(['2@6', '1@52', '2@200', '2@208']);
    const absent = readsDuring(m.ep, () => pciFindCapability(m.ep, PCI_CAP_ID_PCIX));
    expect(absent.ret).toBe(0);
    expect(absent.reads).toEqual(['2@6', '1@52', '2@200', '2@208', '2@224', '2@160']);
  });

  it('pci_find_capability stops at Status when there is no capability list', async () => {
    const m = await machine({
      endpoint: { model: undefined, hw: synthHw({ pmc: null, pcieType: null }) },
    });
    const r = readsDuring(m.ep, () => pciFindCapability(m.ep, PCI_CAP_ID_MSI));
    expect(r).toEqual({ ret: 0, reads: ['2@6'] });
  });

  it('pci_find_ext_capability reads one dword per hop from 0x100', async () => {
    const m = await machine();
    expect(readsDuring(m.ep, () => pciFindExtCapability(m.ep, PCI_EXT_CAP_ID_ERR))).toEqual({
      ret: 0x100,
      reads: ['4@256'],
    });
    expect(readsDuring(m.ep, () => pciFindExtCapability(m.ep, PCI_EXT_CAP_ID_DSN)).ret).toBe(0x140);
    expect(readsDuring(m.ep, () => pciFindExtCapability(m.ep, PCI_EXT_CAP_ID_LTR))).toEqual({
      ret: 0,
      reads: ['4@256', '4@320'],
    });
  });

  it('pci_find_ext_capability: an empty list reads 0 once; a disconnected function is not read, but pci_find_capability reads it (bus accessors)', async () => {
    const m = await machine({ endpoint: { model: undefined, hw: synthHw() } });
    expect(readsDuring(m.ep, () => pciFindExtCapability(m.ep, PCI_EXT_CAP_ID_ERR))).toEqual({
      ret: 0,
      reads: ['4@256'],
    });
    pciDevSetDisconnected(m.ep);
    expect(readsDuring(m.ep, () => pciFindExtCapability(m.ep, PCI_EXT_CAP_ID_ERR))).toEqual({
      ret: 0,
      reads: [],
    });
    expect(readsDuring(m.ep, () => pciFindCapability(m.ep, PCI_CAP_ID_MSI))).toEqual({
      ret: 0,
      reads: ['2@6', '1@52', '2@64', '2@80'],
    });
  });
});

describe('B.5 LTR state (found by walking)', () => {
  it('pci_save_state reads LTR Max Snoop/No-Snoop Latency; pci_restore_state writes it back before the PCIe registers', async () => {
    const base = builtinModels.e1000e;
    const r = createModelHw({
      ...base,
      image: () => {
        const img = base.image();
        // The DSN capability at 0x140 becomes an LTR capability (ID 0x18, version 1, last).
        if (img.ok) new DataView(img.value.buffer).setUint32(0x140, 0x00010018, true);
        return img;
      },
    });
    if (!r.ok) throw new Error(r.error);
    const m = await machine({ endpoint: { model: undefined, hw: r.value } });
    const log: string[] = [];
    const off = m.ep.hw.subscribe(
      (e) => {
        if (e.type === 'access' && (e.offset === 0x144 || e.offset === 0xe8))
          log.push(`${e.kind === 'config-read' ? 'R' : 'W'} ${e.width}@${e.offset.toString(16)}`);
      },
      { types: ['access'] },
    );
    expect(pciSaveState(m.ep)).toBe(0);
    pciRestoreState(m.ep);
    off();
    expect(log).toEqual(['R 2@e8', 'R 4@144', 'W 4@144', 'W 2@e8']);
  });
});
