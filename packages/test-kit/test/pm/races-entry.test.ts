// Issue 7 explorations, part 1: the races around low-power entry (F.3.1, F.3.3, F.3.7). No
// schedule may break an invariant or a façade-visible guarantee.
import { describe, expect, it } from 'vitest';
import { D3COLD } from './helpers.js';
import { closeVersusSuspend, configVersusEntry, hostReadVersusWakeupEntry } from './races.js';
import { search, TOTAL } from './search.js';

const LONG = !!process.env['VFIO_TS_LONG'];
const TIMEOUT = LONG ? 600_000 : 60_000;

describe('exploration: races around LOW_POWER_ENTRY', () => {
  it(
    'F.3.1 a config read racing LOW_POWER_ENTRY: every interleaving (no preemption bound) is safe',
    async () => {
      // 270 schedules are all the interleavings there are; random ones fill up the total.
      const r = await search(D3COLD, configVersusEntry, 1_000);
      expect(r.failure).toBeUndefined();
      expect(r.exhaustive).toMatchObject({ exhausted: true });
      expect(r.schedules).toBe(TOTAL);
    },
    TIMEOUT,
  );

  it(
    'F.3.3 / B.11.3 a host config read racing ENTRY_WITH_WAKEUP: read never all-ones, one-shot wake-up',
    async () => {
      const r = await search(D3COLD, hostReadVersusWakeupEntry, LONG ? 3 : 1);
      expect(r.failure).toBeUndefined();
      expect(r.exhaustive).toMatchObject({ exhausted: true });
      expect(r.schedules).toBe(TOTAL);
    },
    TIMEOUT,
  );

  it(
    'F.3.7 / D.4.3 the last close racing the runtime suspend: every interleaving is safe, eventfd unsignalled',
    async () => {
      // 684 schedules: the whole space.
      const r = await search(D3COLD, closeVersusSuspend, 1_000);
      expect(r.failure).toBeUndefined();
      expect(r.exhaustive).toMatchObject({ exhausted: true });
      expect(r.schedules).toBe(TOTAL);
    },
    TIMEOUT,
  );
});
