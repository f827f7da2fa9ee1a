// Issue 7 explorations, part 2: hot reset racing entry (D.13, F.2) and a PMCSR write to D3hot
// racing BAR and mmap access (D.8.4, D.9, D.11).
import { describe, expect, it } from 'vitest';
import { D3COLD, TWO_FUNCTIONS } from './helpers.js';
import { hotResetVersusEntry, pmcsrVersusBarRead } from './races.js';
import { search, TOTAL } from './search.js';

const LONG = !!process.env['VFIO_TS_LONG'];
const TIMEOUT = LONG ? 600_000 : 60_000;

describe('exploration: resets and PMCSR writes', () => {
  it(
    'D.13.2 / D.13.3 a hot reset racing ENTRY_WITH_WAKEUP on a member: 0 or -EBUSY, one-shot wake-up',
    async () => {
      const r = await search(TWO_FUNCTIONS, hotResetVersusEntry, LONG ? 2 : 1);
      expect(r.failure).toBeUndefined();
      expect(r.exhaustive).toMatchObject({ exhausted: true });
      expect(r.schedules).toBe(TOTAL);
    },
    TIMEOUT,
  );

  it(
    'D.8.4 / D.9.2 a PMCSR write to D3hot racing a BAR read and an mmap access: data or -EIO / SIGBUS, never a powered-off access',
    async () => {
      const r = await search(D3COLD, pmcsrVersusBarRead, LONG ? 3 : 2);
      expect(r.failure).toBeUndefined();
      expect(r.exhaustive).toMatchObject({ exhausted: true });
      expect(r.schedules).toBe(TOTAL);
    },
    TIMEOUT,
  );
});
