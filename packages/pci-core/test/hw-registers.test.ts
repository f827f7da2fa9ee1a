import { describe, expect, it } from 'vitest';
import { EINVAL } from '@vfio-ts/kernel';
import {
  PCI_CAP_ID_EXP,
  PCI_CAP_ID_MSI,
  PCI_CAP_ID_MSIX,
  PCI_CAP_ID_PM,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_COMMAND_IO,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
  PCI_STATUS_REC_MASTER_ABORT,
  type HwEvent,
} from '@vfio-ts/pci-core';
import { makeHw, pmBody } from './helpers.js';

const MSI64 = [0x80, 0x01]; // 64-bit, per-vector masking

describe('config register masks', () => {
  it('keeps read-only registers: IDs, class, header type, capability pointers', () => {
    const hw = makeHw({ caps: [{ id: PCI_CAP_ID_PM, offset: 0x40, body: pmBody(3, 0) }] });
    const before = hw.snapshot().bytes;
    for (const o of [0, 8, 0x0c, 0x2c, 0x34, 0x3c, 0x40]) expect(hw.configWrite(o, 4, 0)).toBe(0);
    const after = hw.snapshot();
    expect(after.readU32(0)).toBe(0x56781234);
    expect(after.readU8(0x3d)).toBe(1); // interrupt pin
    expect(after.readU16(0x40)).toBe(before[0x40]! | (before[0x41]! << 8));
  });

  it('takes read-write Command bits and drops the rest', () => {
    const hw = makeHw();
    hw.configWrite(PCI_COMMAND, 2, 0xffff);
    expect(hw.configRead(PCI_COMMAND, 2)).toBe(0x0547);
    hw.configWrite(PCI_COMMAND + 1, 1, 0);
    expect(hw.configRead(PCI_COMMAND, 2)).toBe(0x0047);
    hw.configWrite(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    expect(hw.configRead(PCI_COMMAND, 2)).toBe(0x0006);
  });

  it('clears write-1-to-clear Status bits only where ones are written', () => {
    const hw = makeHw({
      status: PCI_STATUS_REC_MASTER_ABORT | 0x0100,
      caps: [{ id: 9, offset: 0x40 }],
    });
    hw.configWrite(PCI_STATUS, 2, 0);
    expect(hw.configRead(PCI_STATUS, 2)).toBe(0x2110);
    hw.configWrite(PCI_STATUS, 2, PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_CAP_LIST);
    expect(hw.configRead(PCI_STATUS, 2)).toBe(0x0110);
    hw.configWrite(PCI_COMMAND, 4, 0xffff0000);
    expect(hw.configRead(PCI_STATUS, 2)).toBe(PCI_STATUS_CAP_LIST);
  });

  it('makes MSI, MSI-X and PCIe control registers writable', () => {
    const hw = makeHw({
      caps: [
        { id: PCI_CAP_ID_MSI, offset: 0x50, body: MSI64 },
        { id: PCI_CAP_ID_MSIX, offset: 0x70, body: [0x04, 0x00] },
        { id: PCI_CAP_ID_EXP, offset: 0x80, body: [0x42, 0x01] }, // v2 root port, slot
      ],
    });
    hw.configWrite(0x52, 2, 0xffff);
    expect(hw.configRead(0x52, 2)).toBe(0x01f1);
    hw.configWrite(0x54, 4, 0xffffffff);
    expect(hw.configRead(0x54, 4)).toBe(0xfffffffc);
    for (const o of [0x58, 0x5c, 0x60]) hw.configWrite(o, 4, 0x12345678);
    expect([hw.configRead(0x58, 4), hw.configRead(0x5c, 4), hw.configRead(0x60, 4)]).toEqual([
      0x12345678, 0x5678, 0x12345678,
    ]);
    hw.configWrite(0x72, 2, 0xffff);
    expect(hw.configRead(0x72, 2)).toBe(0xc004);
    hw.configWrite(0x88, 2, 0xffff); // DevCtl of an endpoint-style header: bit 15 reads 0
    expect(hw.configRead(0x88, 2)).toBe(0x7fff);
    hw.configWrite(0x98, 2, 0xffff);
    hw.configWrite(0x9c, 2, 0xffff);
    hw.configWrite(0xa8, 2, 0xabcd);
    expect([hw.configRead(0x98, 2), hw.configRead(0x9c, 2), hw.configRead(0xa8, 2)]).toEqual([
      0x1fff, 0x001f, 0xabcd,
    ]);
  });

  it('handles 32-bit MSI without masking', () => {
    const hw = makeHw({ caps: [{ id: PCI_CAP_ID_MSI, offset: 0x50 }] });
    hw.configWrite(0x58, 4, 0xffffffff);
    hw.configWrite(0x5c, 4, 0xffffffff);
    expect([hw.configRead(0x58, 4), hw.configRead(0x5c, 4)]).toEqual([0xffff, 0]);
  });

  it('applies per-model mask overrides and reset patches', () => {
    const hw = makeHw(
      { caps: [{ id: 9, offset: 0x40 }], dwords: { 0x44: 0x00ff0000 } },
      {
        masks: [{ offset: 0x44, width: 4, rw: 0x0000ffff, w1c: 0x00ff0000 }],
        resetPatches: [{ offset: 0x44, width: 2, value: 0xbeef }],
      },
    );
    hw.configWrite(0x44, 4, 0x000f1234);
    expect(hw.configRead(0x44, 4)).toBe(0x00f01234);
    hw.flr();
    expect(hw.configRead(0x44, 4)).toBe(0x0000beef);
  });

  it('gives bridges writable bus numbers and windows', () => {
    const hw = makeHw({ headerType: 1 });
    hw.configWrite(0x18, 4, 0x00020100);
    hw.configWrite(0x20, 4, 0xffffffff);
    hw.configWrite(0x3c, 4, 0xffffffff);
    expect([hw.configRead(0x18, 4), hw.configRead(0x20, 4), hw.configRead(0x3e, 2)]).toEqual([
      0x00020100, 0xfff0fff0, 0x0bff,
    ]);
  });
});

describe('BAR sizing probes (write all ones, read the size mask)', () => {
  const hw = makeHw(
    { bars: { 0: 0xfe600000, 1: 0x0000c001, 2: 0x0000000c, 3: 0x00000020, 4: 0 } },
    {
      bars: [
        { index: 0, size: 0x20000 },
        { index: 1, size: 32 },
        { index: 2, size: 0x20_0000_0000 }, // 128 GiB, 64-bit prefetchable
      ],
    },
  );
  const probe = (slot: number): number => {
    const orig = hw.configRead(0x10 + 4 * slot, 4);
    hw.configWrite(0x10 + 4 * slot, 4, 0xffffffff);
    const mask = hw.configRead(0x10 + 4 * slot, 4);
    hw.configWrite(0x10 + 4 * slot, 4, orig);
    return mask;
  };

  it('sizes 32-bit memory, I/O and 64-bit memory BARs', () => {
    expect(hw.bars.map((b) => [b.index, b.kind, b.prefetchable, b.size])).toEqual([
      [0, 'mem32', false, 0x20000],
      [1, 'io', false, 32],
      [2, 'mem64', true, 0x20_0000_0000],
    ]);
    expect(probe(0)).toBe(0xfffe0000);
    expect(probe(1)).toBe(0xffffffe1);
    expect([probe(2), probe(3)]).toEqual([0x0000000c, 0xffffffe0]);
    expect(probe(4)).toBe(0); // not implemented: read-only zero
    expect(hw.configRead(0x10, 4)).toBe(0xfe600000);
  });

  it('keeps the flag bits read-only when an address is written', () => {
    hw.configWrite(0x14, 4, 0x0000d000);
    expect(hw.configRead(0x14, 4)).toBe(0x0000d001);
  });
});

describe('invalid accesses (kernel convention: -EINVAL, nothing changed, nothing recorded)', () => {
  it('rejects misaligned, oversized and out-of-range config accesses', () => {
    const hw = makeHw({ bars: { 0: 0xfe000000 } }, { bars: [{ index: 0, size: 4096 }] });
    const events: HwEvent[] = [];
    hw.subscribe((e) => events.push(e));
    const before = hw.snapshot().bytes;
    expect(hw.configRead(1, 2)).toBe(-EINVAL);
    expect(hw.configRead(2, 4)).toBe(-EINVAL);
    expect(hw.configRead(4096, 1)).toBe(-EINVAL);
    expect(hw.configRead(0xffe, 4)).toBe(-EINVAL);
    expect(hw.configRead(0, 3 as 1)).toBe(-EINVAL);
    expect(hw.configWrite(0x103, 2, 0)).toBe(-EINVAL);
    expect(hw.configWrite(0x1000, 4, 0)).toBe(-EINVAL);
    expect(hw.configWrite(-4, 4, 0)).toBe(-EINVAL);
    expect(hw.configWrite(4, 2, 1.5)).toBe(-EINVAL);
    expect(hw.barRead(1, 0, 4)).toBe(-EINVAL);
    expect(hw.barRead(0, 4096, 4)).toBe(-EINVAL);
    expect(hw.barRead(0, 2, 4)).toBe(-EINVAL);
    expect(hw.barWrite(0, 0, 4, Number.NaN)).toBe(-EINVAL);
    expect(hw.barWrite(5, 0, 4, 0)).toBe(-EINVAL);
    expect(hw.barWrite(0, 4095, 2, 0)).toBe(-EINVAL);
    expect(hw.snapshot().bytes).toEqual(before);
    expect(events).toEqual([]);
  });

  it('rejects accesses past 256 bytes on a conventional function', () => {
    const hw = makeHw({ size: 256 });
    expect(hw.cfgSize).toBe(256);
    expect(hw.configRead(0x100, 4)).toBe(-EINVAL);
    expect(hw.configRead(0xfc, 4)).toBe(0);
  });
});

describe('access log', () => {
  it('reports every access with its kind, width, value and power state', () => {
    const hw = makeHw({ bars: { 0: 0xfe000000 } }, { bars: [{ index: 0, size: 4096 }] });
    const events: HwEvent[] = [];
    const off = hw.subscribe((e) => events.push(e));
    hw.configRead(0, 4);
    hw.configWrite(PCI_COMMAND, 2, PCI_COMMAND_IO);
    hw.barWrite(0, 8, 4, 0xdeadbeef);
    hw.configWrite(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
    expect(hw.barRead(0, 8, 2)).toBe(0xbeef);
    off();
    hw.configRead(0, 4);
    expect(events).toEqual([
      {
        type: 'access',
        fn: 'test',
        kind: 'config-read',
        offset: 0,
        width: 4,
        value: 0x56781234,
        state: 0,
      },
      { type: 'access', fn: 'test', kind: 'config-write', offset: 4, width: 2, value: 1, state: 0 },
      {
        type: 'access',
        fn: 'test',
        kind: 'bar-write',
        offset: 8,
        width: 4,
        value: 0xdeadbeef,
        bar: 0,
        state: 0,
        decodeEnabled: false,
      },
      {
        type: 'access',
        fn: 'test',
        kind: 'config-write',
        offset: 4,
        width: 2,
        value: 0x402,
        state: 0,
      },
      {
        type: 'access',
        fn: 'test',
        kind: 'bar-read',
        offset: 8,
        width: 2,
        value: 0xbeef,
        bar: 0,
        state: 0,
        decodeEnabled: true,
      },
    ]);
  });

  it('records I/O decode from Command.IO', () => {
    const hw = makeHw({ bars: { 0: 0xc001 } }, { bars: [{ index: 0, size: 32 }] });
    const events: HwEvent[] = [];
    hw.subscribe((e) => events.push(e));
    hw.configWrite(PCI_COMMAND, 2, PCI_COMMAND_IO);
    hw.barRead(0, 0, 1);
    expect(events.at(-1)).toMatchObject({ kind: 'bar-read', decodeEnabled: true });
    expect(hw.bar(0)?.kind).toBe('io');
    expect(hw.bar(1)).toBeUndefined();
  });
});
