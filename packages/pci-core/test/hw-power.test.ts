import { describe, expect, it } from 'vitest';
import {
  PCI_CAP_ID_PM,
  PCI_COMMAND,
  PCI_D0,
  PCI_D1,
  PCI_D2,
  PCI_D3cold,
  PCI_D3hot,
  type HwEvent,
  type PciFunctionHw,
} from '@vfio-ts/pci-core';
import { makeHw, pmBody } from './helpers.js';

const PM = 0x40;
const PMCSR = PM + 4;
const BARS = { 0: 0xfe000000, 2: 0xd000000c, 3: 0 };

/** A function with PM at 0x40, a register BAR0 (4 KiB) and a memory BAR2 (1 MiB, 64-bit). */
function device(pmc: number, pmcsr = 0): PciFunctionHw {
  return makeHw(
    {
      caps: [{ id: PCI_CAP_ID_PM, offset: PM, body: pmBody(pmc, pmcsr) }],
      bars: BARS,
      command: 0x0006,
    },
    {
      bars: [
        { index: 0, size: 4096, init: [{ offset: 0, bytes: [0x45, 0x02, 0x14, 0x18] }] },
        { index: 2, size: 0x100000, contents: 'memory' },
      ],
    },
  );
}

function recorder(hw: PciFunctionHw): HwEvent[] {
  const events: HwEvent[] = [];
  hw.subscribe((e) => events.push(e));
  return events;
}

describe('PMCSR PowerState machine (PCI PM 1.2)', () => {
  it('moves D0 ↔ D3hot and reports the transitions', () => {
    const hw = device(0x0003, 0x0008);
    const events = recorder(hw);
    hw.configWrite(PMCSR, 2, PCI_D3hot);
    expect([hw.powerState, hw.configRead(PMCSR, 2)]).toEqual([PCI_D3hot, 0x000b]);
    hw.configWrite(PMCSR, 2, PCI_D0);
    expect(hw.powerState).toBe(PCI_D0);
    expect(events.filter((e) => e.type === 'power-state')).toEqual([
      { type: 'power-state', fn: 'test', from: PCI_D0, to: PCI_D3hot },
      { type: 'power-state', fn: 'test', from: PCI_D3hot, to: PCI_D0 },
    ]);
  });

  it('ignores D1/D2 unless PMC supports them', () => {
    const hw = device(0x0003);
    hw.configWrite(PMCSR, 2, PCI_D1);
    expect(hw.powerState).toBe(PCI_D0);
    hw.configWrite(PMCSR, 1, PCI_D2);
    expect(hw.powerState).toBe(PCI_D0);
  });

  it('allows D0 → D1 → D2 → D3hot → D0 with D1/D2 support, never back up to a shallower sleep', () => {
    const hw = device(0x0603, 0x0008);
    hw.configWrite(PMCSR, 2, PCI_D1);
    expect(hw.powerState).toBe(PCI_D1);
    hw.configWrite(PMCSR, 2, PCI_D2);
    expect(hw.powerState).toBe(PCI_D2);
    hw.configWrite(PMCSR, 2, PCI_D1);
    expect(hw.powerState).toBe(PCI_D2);
    hw.configWrite(PMCSR, 2, PCI_D3hot);
    hw.configWrite(PMCSR, 2, PCI_D2);
    expect(hw.powerState).toBe(PCI_D3hot);
    hw.configWrite(PMCSR, 2, PCI_D0);
    expect(hw.powerState).toBe(PCI_D0);
  });

  it('takes the state from a dword write that covers PMCSR', () => {
    const hw = device(0x0003, 0x0008);
    hw.configWrite(PM, 4, 0xffffffff); // PMC and the header are read-only
    expect(hw.powerState).toBe(PCI_D0);
    hw.configWrite(PMCSR, 4, 0x00000003);
    expect(hw.powerState).toBe(PCI_D3hot);
  });

  it('keeps configuration across D3hot → D0 with NoSoftRst set (B.6.1)', () => {
    const hw = device(0x0003, 0x0008);
    hw.barWrite(0, 0, 4, 0x12345678);
    hw.configWrite(PMCSR, 2, PCI_D3hot);
    hw.configWrite(PMCSR, 2, PCI_D0);
    expect([hw.configRead(PCI_COMMAND, 2), hw.configRead(0x10, 4), hw.barRead(0, 0, 4)]).toEqual([
      0x0006, 0xfe000000, 0x12345678,
    ]);
  });

  it('resets registers and register BARs on D3hot → D0 with NoSoftRst clear (B.6.1)', () => {
    const hw = device(0x0003, 0x0000);
    const events = recorder(hw);
    hw.barWrite(0, 0, 4, 0x12345678);
    hw.barWrite(2, 0x80000, 4, 0xcafe);
    hw.configWrite(0x3c, 1, 0x0a);
    hw.configWrite(PMCSR, 2, PCI_D3hot);
    expect(hw.configRead(PCI_COMMAND, 2)).toBe(0x0006); // D3hot: config still answers
    hw.configWrite(PMCSR, 2, PCI_D0);
    expect([hw.configRead(PCI_COMMAND, 2), hw.configRead(0x10, 4), hw.configRead(0x18, 4)]).toEqual(
      [0, 0, 0x0000000c],
    );
    expect([hw.configRead(0x3c, 1), hw.configRead(0x3d, 1), hw.configRead(PMCSR, 2)]).toEqual([
      0, 1, 0,
    ]);
    expect(hw.barRead(0, 0, 4)).toBe(0x18140245);
    expect(hw.barRead(2, 0x80000, 4)).toBe(0xcafe);
    expect(events.filter((e) => e.type === 'reset').at(-1)).toEqual({
      type: 'reset',
      fn: 'test',
      cause: 'soft-reset',
      lostBars: [0],
    });
  });
});

describe('BAR access outside D0', () => {
  it('answers all ones and drops writes in D3hot, noting it (not a violation)', () => {
    const hw = device(0x0003, 0x0008);
    hw.barWrite(0, 4, 4, 0x11);
    hw.configWrite(PMCSR, 2, PCI_D3hot);
    const events = recorder(hw);
    expect(hw.barRead(0, 4, 4)).toBe(0xffffffff);
    expect(hw.barWrite(0, 4, 4, 0x22)).toBe(0);
    expect(events.map((e) => e.type === 'access' && e.note)).toEqual([
      'bar-in-d3hot',
      'bar-in-d3hot',
    ]);
    expect(hw.violations).toEqual([]);
    hw.configWrite(PMCSR, 2, PCI_D0);
    expect(hw.barRead(0, 4, 4)).toBe(0x11);
  });

  it('notes D1/D2 accesses separately', () => {
    const hw = device(0x0603, 0x0008);
    hw.configWrite(PMCSR, 2, PCI_D2);
    const events = recorder(hw);
    expect(hw.barRead(0, 0, 2)).toBe(0xffff);
    expect(events[0]).toMatchObject({ note: 'bar-in-d1d2', state: PCI_D2 });
  });
});

describe('power rail (D3cold)', () => {
  it('reads all ones, drops writes and records every access while off as a violation', () => {
    const hw = device(0x0003, 0x0008);
    const events = recorder(hw);
    hw.powerOff();
    expect([hw.powered, hw.powerState]).toEqual([false, PCI_D3cold]);
    expect([hw.configRead(0, 4), hw.configRead(PCI_COMMAND, 2), hw.configRead(0x3d, 1)]).toEqual([
      0xffffffff, 0xffff, 0xff,
    ]);
    expect(hw.configWrite(PCI_COMMAND, 2, 0)).toBe(0);
    expect(hw.barRead(0, 0, 4)).toBe(0xffffffff);
    expect(hw.barWrite(0, 0, 1, 7)).toBe(0);
    expect(hw.violations.map((v) => [v.kind, v.offset, v.width, v.bar])).toEqual([
      ['config-read', 0, 4, undefined],
      ['config-read', 4, 2, undefined],
      ['config-read', 0x3d, 1, undefined],
      ['config-write', 4, 2, undefined],
      ['bar-read', 0, 4, 0],
      ['bar-write', 0, 1, 0],
    ]);
    expect(hw.violations.every((v) => v.note === 'powered-off' && v.state === PCI_D3cold)).toBe(
      true,
    );
    expect(events[0]).toEqual({ type: 'power-state', fn: 'test', from: PCI_D0, to: PCI_D3cold });
    hw.powerOn();
    expect(hw.configRead(PCI_COMMAND, 2)).toBe(0); // the write while off was dropped, then reset
  });

  it('comes back in D0 with reset defaults; BAR memory is lost unless retained', () => {
    const hw = device(0x0003, 0x0008);
    hw.configWrite(PMCSR, 2, PCI_D3hot);
    hw.configWrite(PMCSR, 2, PCI_D0);
    hw.barWrite(0, 0, 4, 1);
    hw.barWrite(2, 0, 4, 0xabcd);
    const events = recorder(hw);
    hw.powerOff();
    hw.powerOff(); // already off: nothing
    hw.powerOn();
    hw.powerOn(); // already on: nothing
    expect([hw.powerState, hw.configRead(PCI_COMMAND, 2), hw.configRead(0x10, 4)]).toEqual([
      PCI_D0,
      0,
      0,
    ]);
    expect([hw.barRead(0, 0, 4), hw.barRead(2, 0, 4)]).toEqual([0x18140245, 0]);
    expect(events.filter((e) => e.type !== 'access')).toEqual([
      { type: 'power-state', fn: 'test', from: PCI_D0, to: PCI_D3cold },
      { type: 'power-state', fn: 'test', from: PCI_D3cold, to: PCI_D0 },
      { type: 'reset', fn: 'test', cause: 'power-on', lostBars: [0, 2] },
    ]);
  });

  it('keeps retained BAR memory (self-refresh) across power-off', () => {
    const hw = device(0x0003, 0x0008);
    hw.setBarRetained(2, true);
    hw.barWrite(2, 0x1000, 4, 0x5a5a5a5a);
    hw.barWrite(0, 8, 4, 3);
    const events = recorder(hw);
    hw.powerOff();
    hw.setBarRetained(2, false); // deciding after power is gone changes nothing for this cycle
    hw.powerOn();
    expect([hw.barRead(2, 0x1000, 4), hw.barRead(0, 8, 4)]).toEqual([0x5a5a5a5a, 0]);
    expect(events.filter((e) => e.type === 'reset')).toMatchObject([{ lostBars: [0] }]);
    expect(() => hw.setBarRetained(1, true)).toThrow(/no such BAR/);
  });
});

describe('function-level reset', () => {
  it('resets registers and register BARs, keeps memory BARs, returns to D0', () => {
    const hw = device(0x0003, 0x0008);
    hw.barWrite(0, 0, 4, 9);
    hw.barWrite(2, 0, 4, 0x77);
    hw.configWrite(PMCSR, 2, PCI_D3hot);
    const events = recorder(hw);
    expect(hw.flr()).toBe(true);
    expect([
      hw.powerState,
      hw.configRead(PCI_COMMAND, 2),
      hw.barRead(0, 0, 4),
      hw.barRead(2, 0, 4),
    ]).toEqual([PCI_D0, 0, 0x18140245, 0x77]);
    expect(events.filter((e) => e.type !== 'access')).toEqual([
      { type: 'reset', fn: 'test', cause: 'flr', lostBars: [0] },
      { type: 'power-state', fn: 'test', from: PCI_D3hot, to: PCI_D0 },
    ]);
  });

  it('puts back every register changed since the last reset, low or high in config space', () => {
    // RW dwords at both ends of extended space; the image differs from the reset values at 0xff8.
    const options = {
      masks: [
        { offset: 0x100, width: 4 as const, rw: 0xffffffff },
        { offset: 0xffc, width: 4 as const, rw: 0xffffffff },
      ],
      resetPatches: [{ offset: 0xff8, width: 4 as const, value: 0x12345678 }],
    };
    const hw = makeHw({ command: 0x0006 }, options);
    const reference = makeHw({ command: 0x0006 }, options);
    reference.flr();
    expect(hw.configRead(0xff8, 4)).toBe(0);
    hw.flr();
    expect(hw.snapshot().bytes).toEqual(reference.snapshot().bytes);
    hw.configWrite(0xffc, 4, 0xa5a5a5a5);
    hw.configWrite(0x100, 4, 0x5a5a5a5a);
    hw.configWrite(PCI_COMMAND, 2, 0x0006);
    hw.powerOff();
    hw.powerOn();
    expect(hw.snapshot().bytes).toEqual(reference.snapshot().bytes);
    expect(hw.configRead(0xff8, 4)).toBe(0x12345678);
  });

  it('does nothing while powered off', () => {
    const hw = device(0x0003);
    hw.powerOff();
    expect(hw.flr()).toBe(false);
  });

  it('treats a function without PM capability as always D0', () => {
    const hw = makeHw();
    expect([hw.pmCap, hw.powerState, hw.signalPme()]).toEqual([0, PCI_D0, false]);
    hw.powerOff();
    expect(hw.powerState).toBe(PCI_D3cold);
    hw.powerOn();
    expect(hw.powerState).toBe(PCI_D0);
  });
});
