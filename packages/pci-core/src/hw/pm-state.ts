// PMCSR PowerState transitions (PCI Bus Power Management Interface spec 1.2, 5.4.1 and 5.6).
import {
  PCI_PM_CAP_D1,
  PCI_PM_CAP_D2,
  PCI_PM_CTRL_NO_SOFT_RESET,
  PCI_PM_CTRL_STATE_MASK,
} from '../regs/pm.js';
import { PCI_D0, PCI_D1, PCI_D2, PCI_D3hot } from '../regs/power-state.js';
import type { PmcsrState } from '../config/pm-cap.js';

/**
 * Whether hardware moves from `from` to `to` when software writes `to` to PowerState:
 * D0 → D1/D2 (when PMC supports them) and D3hot, D1 → D2/D3hot, D2 → D3hot, any → D0.
 * Every other write leaves the state unchanged (the spec's "data is discarded").
 */
export function pmTransitionAllowed(pmc: number, from: PmcsrState, to: PmcsrState): boolean {
  if (from === to) return false;
  switch (to) {
    case PCI_D0:
    case PCI_D3hot:
      return true;
    case PCI_D1:
      return from === PCI_D0 && (pmc & PCI_PM_CAP_D1) !== 0;
    case PCI_D2:
      return (from === PCI_D0 || from === PCI_D1) && (pmc & PCI_PM_CAP_D2) !== 0;
  }
}

/** Outcome of writing PowerState. */
export interface PmStateWrite {
  /** State before. */
  readonly from: PmcsrState;
  /** State after (== `from` when the write was ignored). */
  readonly to: PmcsrState;
  /** D3hot → D0 with No_Soft_Reset clear: the function resets itself ("D0 uninitialized"). */
  readonly softReset: boolean;
}

/**
 * Applies a PowerState write to a PMCSR value.
 * @param pmc the PMC register
 * @param pmcsr the PMCSR before the write
 * @param requested the state written (bits 1:0 of the written value)
 */
export function pmStateWrite(pmc: number, pmcsr: number, requested: number): PmStateWrite {
  const from = (pmcsr & PCI_PM_CTRL_STATE_MASK) as PmcsrState;
  const want = (requested & PCI_PM_CTRL_STATE_MASK) as PmcsrState;
  const to = pmTransitionAllowed(pmc, from, want) ? want : from;
  const softReset = from === PCI_D3hot && to === PCI_D0 && !(pmcsr & PCI_PM_CTRL_NO_SOFT_RESET);
  return { from, to, softReset };
}
