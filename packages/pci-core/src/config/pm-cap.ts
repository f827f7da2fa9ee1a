// Typed views of the PM capability registers (KERNEL.md E.7; pci_pm_init() in drivers/pci/pci.c).
import type { ConfigReader } from './access.js';
import { findCapability } from './capabilities.js';
import { PCI_CAP_ID_PM } from '../regs/caps.js';
import {
  PCI_PM_CAP_AUX_POWER,
  PCI_PM_CAP_D1,
  PCI_PM_CAP_D2,
  PCI_PM_CAP_DSI,
  PCI_PM_CAP_PME_CLOCK,
  PCI_PM_CAP_PME_MASK,
  PCI_PM_CAP_PME_SHIFT,
  PCI_PM_CAP_VER_MASK,
  PCI_PM_CTRL,
  PCI_PM_CTRL_DATA_SCALE_MASK,
  PCI_PM_CTRL_DATA_SEL_MASK,
  PCI_PM_CTRL_NO_SOFT_RESET,
  PCI_PM_CTRL_PME_ENABLE,
  PCI_PM_CTRL_PME_STATUS,
  PCI_PM_CTRL_STATE_MASK,
  PCI_PM_PMC,
} from '../regs/pm.js';
import { PCI_D0, PCI_D1, PCI_D2, PCI_D3cold, PCI_D3hot } from '../regs/power-state.js';

/** A D-state PMCSR can hold: D0, D1, D2 or D3hot. */
export type PmcsrState = 0 | 1 | 2 | 3;

/** Decoded PMC (Power Management Capabilities). */
export interface PmcFields {
  /** PM spec version (3 = PCI PM 1.2). */
  readonly version: number;
  /** PME clock required. */
  readonly pmeClock: boolean;
  /** Device-specific initialisation required. */
  readonly dsi: boolean;
  /** Aux current field (bits 8:6). */
  readonly auxCurrent: number;
  /** D1 supported. */
  readonly d1: boolean;
  /** D2 supported. */
  readonly d2: boolean;
  /** PME_Support as the kernel's `pme_support`: bit n = PME from Dn (n = 0..4, 4 = D3cold). */
  readonly pmeSupport: number;
}

/** Decoded PMCSR (Power Management Control/Status). */
export interface PmcsrFields {
  /** PowerState. */
  readonly state: PmcsrState;
  /** No_Soft_Reset: configuration preserved across D3hot→D0. */
  readonly noSoftReset: boolean;
  /** PME_En. */
  readonly pmeEnable: boolean;
  /** Data_Select. */
  readonly dataSelect: number;
  /** Data_Scale. */
  readonly dataScale: number;
  /** PME_Status. */
  readonly pmeStatus: boolean;
}

/** The PM capability of a function, read once. */
export interface PmCapabilityView {
  /** Config offset of the capability (the kernel's `pm_cap`). */
  readonly offset: number;
  /** Raw PMC. */
  readonly pmc: number;
  /** Raw PMCSR. */
  readonly pmcsr: number;
  /** Decoded PMC. */
  readonly caps: PmcFields;
  /** Decoded PMCSR. */
  readonly ctrl: PmcsrFields;
}

/** Decodes a PMC value. */
export function decodePmc(pmc: number): PmcFields {
  return {
    version: pmc & PCI_PM_CAP_VER_MASK,
    pmeClock: (pmc & PCI_PM_CAP_PME_CLOCK) !== 0,
    dsi: (pmc & PCI_PM_CAP_DSI) !== 0,
    auxCurrent: (pmc & PCI_PM_CAP_AUX_POWER) >> 6,
    d1: (pmc & PCI_PM_CAP_D1) !== 0,
    d2: (pmc & PCI_PM_CAP_D2) !== 0,
    pmeSupport: (pmc & PCI_PM_CAP_PME_MASK) >> PCI_PM_CAP_PME_SHIFT,
  };
}

/** Decodes a PMCSR value. */
export function decodePmcsr(pmcsr: number): PmcsrFields {
  return {
    state: (pmcsr & PCI_PM_CTRL_STATE_MASK) as PmcsrState,
    noSoftReset: (pmcsr & PCI_PM_CTRL_NO_SOFT_RESET) !== 0,
    pmeEnable: (pmcsr & PCI_PM_CTRL_PME_ENABLE) !== 0,
    dataSelect: (pmcsr & PCI_PM_CTRL_DATA_SEL_MASK) >> 9,
    dataScale: (pmcsr & PCI_PM_CTRL_DATA_SCALE_MASK) >> 13,
    pmeStatus: (pmcsr & PCI_PM_CTRL_PME_STATUS) !== 0,
  };
}

/**
 * Whether PMC allows a function to be put in `state`: D0 and D3hot always, D1/D2 only with
 * their PMC bits.
 */
export function pmcAllowsState(pmc: number, state: number): boolean {
  if (state === PCI_D0 || state === PCI_D3hot) return true;
  if (state === PCI_D1) return (pmc & PCI_PM_CAP_D1) !== 0;
  if (state === PCI_D2) return (pmc & PCI_PM_CAP_D2) !== 0;
  return false;
}

/** Whether PMC's PME_Support covers `state` (D0 … D3cold), like pci_pme_capable(). */
export function pmeCapable(pmc: number, state: number): boolean {
  if (state < PCI_D0 || state > PCI_D3cold) return false;
  return (((pmc & PCI_PM_CAP_PME_MASK) >> PCI_PM_CAP_PME_SHIFT) & (1 << state)) !== 0;
}

/**
 * Reads the PM capability at `offset`, or finds it when `offset` is omitted.
 * @returns the view, or `undefined` when the function has no PM capability
 */
export function readPmCapability(cfg: ConfigReader, offset?: number): PmCapabilityView | undefined {
  const pos = offset ?? findCapability(cfg, PCI_CAP_ID_PM);
  if (!pos) return undefined;
  const pmc = cfg.configRead(pos + PCI_PM_PMC, 2);
  const pmcsr = cfg.configRead(pos + PCI_PM_CTRL, 2);
  if (pmc < 0 || pmcsr < 0) return undefined;
  return { offset: pos, pmc, pmcsr, caps: decodePmc(pmc), ctrl: decodePmcsr(pmcsr) };
}
