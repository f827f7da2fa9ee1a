import { describe, expect, it } from 'vitest';
import {
  ConfigSpace,
  PCI_CAP_ID_EXP,
  PCI_CAP_ID_MSI,
  PCI_CAP_ID_MSIX,
  PCI_CAP_ID_PM,
  PCI_CAP_ID_VNDR,
  PCI_EXT_CAP_ID_ERR,
  PCI_EXT_CAP_ID_VNDR,
  decodePmc,
  decodePmcsr,
  findCapability,
  findExtCapability,
  findNextCapability,
  findNextExtCapability,
  listCapabilities,
  listExtCapabilities,
  pmcAllowsState,
  pmeCapable,
  readPmCapability,
} from '@vfio-ts/pci-core';
import { makeImage, pmBody } from './helpers.js';

const cfgOf = (img: Uint8Array): ConfigSpace => new ConfigSpace(img);

describe('standard capability walk (pci_find_capability)', () => {
  const cfg = cfgOf(
    makeImage({
      caps: [
        { id: PCI_CAP_ID_PM, offset: 0x40, body: pmBody(0x0603, 0) },
        { id: PCI_CAP_ID_VNDR, offset: 0x50 },
        { id: PCI_CAP_ID_MSI, offset: 0x60 },
        { id: PCI_CAP_ID_VNDR, offset: 0x70 },
      ],
    }),
  );

  it('finds capabilities and the next one of the same ID', () => {
    expect(findCapability(cfg, PCI_CAP_ID_MSI)).toBe(0x60);
    expect(findCapability(cfg, PCI_CAP_ID_EXP)).toBe(0);
    const first = findCapability(cfg, PCI_CAP_ID_VNDR);
    expect([first, findNextCapability(cfg, first, PCI_CAP_ID_VNDR)]).toEqual([0x50, 0x70]);
    expect(findNextCapability(cfg, 0x70, PCI_CAP_ID_VNDR)).toBe(0);
  });

  it('lists the chain in order', () => {
    const walk = listCapabilities(cfg);
    expect(walk.end).toBe('end');
    expect(walk.entries.map((e) => [e.id, e.offset])).toEqual([
      [1, 0x40],
      [9, 0x50],
      [5, 0x60],
      [9, 0x70],
    ]);
  });

  it('needs Status.CAP_LIST and a type 0/1 header; CardBus starts at 0x14', () => {
    const noList = makeImage({ caps: [{ id: PCI_CAP_ID_PM, offset: 0x40 }] });
    noList[6] = 0;
    expect(findCapability(cfgOf(noList), PCI_CAP_ID_PM)).toBe(0);
    expect(listCapabilities(cfgOf(noList)).entries).toEqual([]);
    const cardbus = makeImage({ headerType: 2, caps: [{ id: PCI_CAP_ID_PM, offset: 0x80 }] });
    cardbus[0x14] = 0x80;
    expect(findCapability(cfgOf(cardbus), PCI_CAP_ID_PM)).toBe(0x80);
    const odd = makeImage({ headerType: 0x7f, caps: [{ id: PCI_CAP_ID_PM, offset: 0x40 }] });
    expect(findCapability(cfgOf(odd), PCI_CAP_ID_PM)).toBe(0);
  });

  it('is safe against loops: the kernel gives up after 48 hops, the listing at the repeat', () => {
    const img = makeImage({
      caps: [
        { id: PCI_CAP_ID_VNDR, offset: 0x40 },
        { id: PCI_CAP_ID_VNDR, offset: 0x44 },
      ],
    });
    img[0x45] = 0x40; // 0x44 → 0x40
    const cfg = cfgOf(img);
    expect(findCapability(cfg, PCI_CAP_ID_PM)).toBe(0);
    const walk = listCapabilities(cfg);
    expect([walk.end, walk.entries.length]).toEqual(['loop', 2]);
  });

  it('ends a listing at ID 0xff, a pointer into the header, or the hop limit', () => {
    const ff = makeImage({ caps: [{ id: 0xff, offset: 0x40 }] });
    expect(listCapabilities(cfgOf(ff)).end).toBe('invalid');
    expect(findCapability(cfgOf(ff), PCI_CAP_ID_PM)).toBe(0);
    const intoHeader = makeImage({ caps: [{ id: PCI_CAP_ID_VNDR, offset: 0x40 }] });
    intoHeader[0x41] = 0x10;
    expect(listCapabilities(cfgOf(intoHeader)).end).toBe('invalid');
    const long = makeImage({
      caps: Array.from({ length: 50 }, (_, i) => ({ id: PCI_CAP_ID_VNDR, offset: 0x40 + 4 * i })),
    });
    const walk = listCapabilities(cfgOf(long));
    expect([walk.end, walk.entries.length]).toEqual(['ttl', 48]);
  });

  it('masks the low pointer bits as the kernel does', () => {
    const img = makeImage({ caps: [{ id: PCI_CAP_ID_MSIX, offset: 0x40 }] });
    img[0x34] = 0x43;
    expect(findCapability(cfgOf(img), PCI_CAP_ID_MSIX)).toBe(0x40);
  });
});

describe('extended capability walk (pci_find_next_ext_capability)', () => {
  const ext = (entries: [number, number, number, number][]): ConfigSpace => {
    const img = makeImage();
    const v = new DataView(img.buffer);
    for (const [off, id, ver, next] of entries)
      v.setUint32(off, ((next << 20) | (ver << 16) | id) >>> 0, true);
    return cfgOf(img);
  };

  it('follows ID-0 placeholders and finds what is behind them', () => {
    const cfg = ext([
      [0x100, 0, 0, 0x140],
      [0x140, PCI_EXT_CAP_ID_VNDR, 1, 0x180],
      [0x180, PCI_EXT_CAP_ID_VNDR, 1, 0],
    ]);
    expect(findExtCapability(cfg, PCI_EXT_CAP_ID_VNDR)).toBe(0x140);
    expect(findNextExtCapability(cfg, 0x140, PCI_EXT_CAP_ID_VNDR)).toBe(0x180);
    expect(findExtCapability(cfg, PCI_EXT_CAP_ID_ERR)).toBe(0);
    const walk = listExtCapabilities(cfg);
    expect(walk.end).toBe('end');
    expect(walk.entries.map((e) => [e.offset, e.id, e.hidden])).toEqual([
      [0x100, 0, true],
      [0x140, 0x0b, false],
      [0x180, 0x0b, false],
    ]);
  });

  it('treats a zero header at 0x100 and 256-byte spaces as no capabilities', () => {
    expect(findExtCapability(ext([]), PCI_EXT_CAP_ID_ERR)).toBe(0);
    expect(listExtCapabilities(ext([])).entries).toEqual([]);
    const small = cfgOf(makeImage({ size: 256 }));
    expect(findExtCapability(small, PCI_EXT_CAP_ID_ERR)).toBe(0);
    expect(listExtCapabilities(small)).toEqual({ entries: [], end: 'end' });
  });

  it('stops on loops, pointers below 0x100 and all-ones headers', () => {
    const loop = ext([
      [0x100, 1, 1, 0x200],
      [0x200, 2, 1, 0x100],
    ]);
    expect(findExtCapability(loop, 3)).toBe(0);
    expect(listExtCapabilities(loop).end).toBe('loop');
    const low = ext([[0x100, 1, 1, 0x40]]);
    expect(listExtCapabilities(low).end).toBe('invalid');
    expect(findExtCapability(low, 3)).toBe(0);
    const ones = ext([[0x100, 0xffff, 0xf, 0xfff]]);
    expect(listExtCapabilities(ones)).toEqual({ entries: [], end: 'invalid' });
  });

  it('gives up after the kernel hop limit on a self-loop', () => {
    const self = ext([[0x100, 1, 1, 0x100]]);
    expect(findExtCapability(self, 2)).toBe(0);
    expect(listExtCapabilities(self).end).toBe('loop');
  });

  it('ends a listing at the kernel hop limit (480) on a very long chain', () => {
    const entries: [number, number, number, number][] = [];
    for (let off = 0x100; off < 0x1000; off += 4)
      entries.push([off, 1, 1, off + 4 < 0x1000 ? off + 4 : 0]);
    const walk = listExtCapabilities(ext(entries));
    expect([walk.end, walk.entries.length]).toEqual(['ttl', 480]);
  });

  it('stops a walk when a read fails', () => {
    const failing = { cfgSize: 4096, configRead: () => -22 };
    expect(findExtCapability(failing, 1)).toBe(0);
    expect(listExtCapabilities(failing).end).toBe('invalid');
    expect(findCapability(failing, 1)).toBe(0);
    const later = { cfgSize: 4096, configRead: (o: number) => (o === 0x100 ? 0x20000001 : -22) };
    expect(findExtCapability(later, 5)).toBe(0);
  });
});

describe('PM capability view (KERNEL.md E.7)', () => {
  it('decodes PMC and PMCSR fields', () => {
    expect(decodePmc(0xfe0b)).toEqual({
      version: 3,
      pmeClock: true,
      dsi: false,
      auxCurrent: 0,
      d1: true,
      d2: true,
      pmeSupport: 0x1f,
    });
    expect(decodePmcsr(0xe10b)).toEqual({
      state: 3,
      noSoftReset: true,
      pmeEnable: true,
      dataSelect: 0,
      dataScale: 3,
      pmeStatus: true,
    });
    expect(decodePmc(0x01c0).auxCurrent).toBe(7);
    expect(decodePmcsr(0x1e00).dataSelect).toBe(15);
  });

  it('knows which states PMC allows and where PME can come from', () => {
    expect([0, 1, 2, 3, 4].map((s) => pmcAllowsState(0x0003, s))).toEqual([
      true,
      false,
      false,
      true,
      false,
    ]);
    expect([1, 2].map((s) => pmcAllowsState(0x0603, s))).toEqual([true, true]);
    expect([0, 1, 2, 3, 4, 5, -1].map((s) => pmeCapable(0xc803, s))).toEqual([
      true,
      false,
      false,
      true,
      true,
      false,
      false,
    ]);
  });

  it('reads the capability, found or at a given offset', () => {
    const cfg = cfgOf(
      makeImage({ caps: [{ id: PCI_CAP_ID_PM, offset: 0x40, body: pmBody(0x0013, 0x0008) }] }),
    );
    const pm = readPmCapability(cfg);
    expect(pm).toMatchObject({
      offset: 0x40,
      pmc: 0x13,
      pmcsr: 8,
      ctrl: { noSoftReset: true, state: 0 },
    });
    expect(readPmCapability(cfg, 0x40)?.caps.version).toBe(3);
    expect(readPmCapability(cfgOf(makeImage()))).toBeUndefined();
    expect(readPmCapability({ cfgSize: 256, configRead: () => -22 }, 0x40)).toBeUndefined();
  });
});
