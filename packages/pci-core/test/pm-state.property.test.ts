import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PCI_CAP_ID_PM,
  pmStateWrite,
  pmTransitionAllowed,
  pmcAllowsState,
} from '@vfio-ts/pci-core';
import { makeHw, pmBody } from './helpers.js';

const pmcArb = fc.integer({ min: 0, max: 0xffff });
const writesArb = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 });

describe('PMCSR state machine properties', () => {
  it('never reaches a state PMC does not allow (pure machine)', () => {
    fc.assert(
      fc.property(pmcArb, fc.boolean(), writesArb, (pmc, nsr, writes) => {
        let pmcsr = nsr ? 0x0008 : 0;
        for (const w of writes) {
          const t = pmStateWrite(pmc, pmcsr, w);
          expect(pmcAllowsState(pmc, t.to)).toBe(true);
          expect(t.to === t.from || pmTransitionAllowed(pmc, t.from, t.to)).toBe(true);
          expect(t.softReset).toBe(t.from === 3 && t.to === 0 && !nsr);
          pmcsr = (pmcsr & ~3) | t.to;
        }
      }),
    );
  });

  it('never reaches a state PMC does not allow (hardware, any config writes to the PM capability)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.array(
          fc.record({
            offset: fc.integer({ min: 0x40, max: 0x47 }),
            width: fc.constantFrom(1 as const, 2 as const, 4 as const),
            value: fc.integer({ min: 0, max: 0xffffffff }),
          }),
          { maxLength: 30 },
        ),
        (pmc, writes) => {
          const hw = makeHw({ caps: [{ id: PCI_CAP_ID_PM, offset: 0x40, body: pmBody(pmc, 0) }] });
          for (const w of writes) {
            hw.configWrite(w.offset, w.width, w.value);
            expect(pmcAllowsState(pmc, hw.powerState)).toBe(true);
            expect(hw.configRead(0x42, 2)).toBe(pmc);
          }
        },
      ),
    );
  });
});
