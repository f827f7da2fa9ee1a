import { describe, expect, it } from 'vitest';
import {
  PCI_CAP_ID_PM,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_D0,
  PCI_D3cold,
  PCI_D3hot,
  PCI_INTERRUPT_LINE,
  PCI_PM_CTRL_PME_ENABLE,
  PCI_PM_CTRL_PME_STATUS,
  PCI_STATUS,
  PCI_STATUS_INTERRUPT,
  type HwEvent,
  type PciFunctionHw,
} from '@vfio-ts/pci-core';
import { makeHw, pmBody } from './helpers.js';

const PMCSR = 0x44;

function withPm(pmc: number, pmcsr = 0x0008): PciFunctionHw {
  return makeHw({ caps: [{ id: PCI_CAP_ID_PM, offset: 0x40, body: pmBody(pmc, pmcsr) }] });
}

function lineEvents(hw: PciFunctionHw): boolean[] {
  const out: boolean[] = [];
  hw.subscribe((e: HwEvent) => {
    if (e.type === 'intx') out.push(e.asserted);
  });
  return out;
}

describe('INTx line and Status.INTERRUPT', () => {
  it('asserts the line for a pending interrupt while INTx Disable is clear', () => {
    const hw = withPm(0x0003);
    const line = lineEvents(hw);
    expect(hw.assertIntx()).toBe(true);
    expect([hw.intxPending, hw.intxAsserted]).toEqual([true, true]);
    expect(hw.configRead(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT).toBe(PCI_STATUS_INTERRUPT);
    hw.configWrite(PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
    expect([hw.intxPending, hw.intxAsserted]).toEqual([true, false]);
    expect(hw.configRead(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT).toBe(PCI_STATUS_INTERRUPT);
    hw.configWrite(PCI_COMMAND, 2, 0);
    expect(hw.intxAsserted).toBe(true);
    hw.deassertIntx();
    expect([
      hw.intxPending,
      hw.intxAsserted,
      hw.configRead(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
    ]).toEqual([false, false, 0]);
    expect(line).toEqual([true, false, true, false]);
  });

  it('keeps the line down when asserted with INTx Disable already set', () => {
    const hw = withPm(0x0003);
    hw.configWrite(PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
    const line = lineEvents(hw);
    hw.assertIntx();
    expect([hw.intxPending, hw.intxAsserted, line]).toEqual([true, false, []]);
  });

  it('ignores interrupts outside D0 and drops the line in D3hot and when power goes', () => {
    const hw = withPm(0x0003);
    hw.assertIntx();
    hw.configWrite(PMCSR, 2, PCI_D3hot);
    expect([hw.intxPending, hw.intxAsserted]).toEqual([true, false]);
    hw.deassertIntx();
    expect(hw.assertIntx()).toBe(false);
    hw.configWrite(PMCSR, 2, PCI_D0);
    hw.assertIntx();
    hw.powerOff();
    expect([hw.intxPending, hw.intxAsserted, hw.assertIntx()]).toEqual([false, false, false]);
    hw.powerOn();
    expect(hw.configRead(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT).toBe(0);
  });

  it('clears a pending interrupt on reset', () => {
    const hw = withPm(0x0003);
    hw.assertIntx();
    hw.flr();
    expect([hw.intxPending, hw.intxAsserted]).toEqual([false, false]);
  });

  it('drops an interrupt the image shows but nobody raised at the first config write', () => {
    const hw = makeHw({ status: PCI_STATUS_INTERRUPT });
    expect(hw.configRead(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT).toBe(PCI_STATUS_INTERRUPT);
    hw.configWrite(PCI_INTERRUPT_LINE, 1, 0x0b);
    expect(hw.configRead(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT).toBe(0);
    expect([hw.intxPending, hw.intxAsserted]).toEqual([false, false]);
  });

  it('keeps Status.INTERRUPT and the line through writes to other registers', () => {
    const hw = withPm(0x0003);
    hw.assertIntx();
    hw.configWrite(PCI_INTERRUPT_LINE, 1, 0x0b);
    expect(hw.configRead(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT).toBe(PCI_STATUS_INTERRUPT);
    expect([hw.intxPending, hw.intxAsserted]).toEqual([true, true]);
  });

  it('refuses INTx on a function without an interrupt pin (a model bug)', () => {
    expect(() => makeHw({ pin: 0 }).assertIntx()).toThrow(/without an interrupt pin/);
  });
});

describe('PME (B.9)', () => {
  const PME_D0_D3 = 0x0003 | 0x0800 | 0x4000 | 0x8000;

  it('sets PME_Status only where PME_Support covers the current state', () => {
    const hw = withPm(0x0003 | 0x4000); // PME from D3hot only
    expect(hw.signalPme()).toBe(false);
    hw.configWrite(PMCSR, 2, PCI_D3hot);
    expect(hw.signalPme()).toBe(true);
    expect(hw.configRead(PMCSR, 2) & PCI_PM_CTRL_PME_STATUS).toBe(PCI_PM_CTRL_PME_STATUS);
  });

  it('sends a PME message only with PME_En, and clears PME_Status by writing 1', () => {
    const hw = withPm(PME_D0_D3);
    const pmes: HwEvent[] = [];
    hw.subscribe((e) => e.type === 'pme' && pmes.push(e));
    hw.signalPme();
    expect(pmes).toEqual([]);
    hw.configWrite(PMCSR, 2, PCI_PM_CTRL_PME_STATUS | PCI_PM_CTRL_PME_ENABLE);
    expect(hw.configRead(PMCSR, 2)).toBe(0x0108);
    hw.signalPme();
    expect(pmes).toEqual([{ type: 'pme', fn: 'test', state: PCI_D0 }]);
  });

  it('keeps PME_En and PME_Status across power loss when PME from D3cold is supported', () => {
    const hw = withPm(PME_D0_D3);
    hw.configWrite(PMCSR, 2, PCI_PM_CTRL_PME_ENABLE);
    hw.powerOff();
    const pmes: HwEvent[] = [];
    hw.subscribe((e) => e.type === 'pme' && pmes.push(e));
    expect(hw.signalPme()).toBe(true);
    expect(pmes).toEqual([{ type: 'pme', fn: 'test', state: PCI_D3cold }]);
    hw.powerOn();
    expect(hw.configRead(PMCSR, 2)).toBe(0x8108);
  });

  it('cannot wake from D3cold without PME_D3cold support, and loses PME state on power-up', () => {
    const hw = withPm(0x0003 | 0x0800 | 0x4000);
    hw.configWrite(PMCSR, 2, PCI_PM_CTRL_PME_ENABLE);
    hw.signalPme();
    hw.powerOff();
    expect(hw.signalPme()).toBe(false);
    hw.powerOn();
    expect(hw.configRead(PMCSR, 2)).toBe(0x0008);
  });

  it('hardwires PME_En and PME_Status to 0 without PME_Support', () => {
    const hw = withPm(0x0003);
    hw.configWrite(PMCSR, 2, 0xffff);
    expect(hw.configRead(PMCSR, 2)).toBe(0x000b);
  });
});
