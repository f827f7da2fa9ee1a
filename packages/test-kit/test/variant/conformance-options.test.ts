// Issue 10: the variant conformance harness's options (cases, driver, hooks, expectations) do
// what they say; nothing a variant or a hook does makes the harness throw; the formatter.
import { describe, expect, it } from 'vitest';
import {
  formatVariantConformanceReport,
  runVariantConformance,
  VARIANT_CONFORMANCE_CASES,
  type VariantConformanceCaseName,
  type VariantConformanceContext,
} from '@vfio-ts/test-kit';
import { ENODEV } from '@vfio-ts/kernel';
import type { VfioPciVariant } from '@vfio-ts/vfio-pci';
import { messageOf, plainVariant } from './helpers.js';

describe('options', () => {
  it('cases: runs only those, in that order; an unknown name is a failed result', async () => {
    const r = await runVariantConformance(plainVariant(), {
      cases: ['exit', 'entry', 'nope' as VariantConformanceCaseName],
    });
    expect(r.results).toEqual([
      { name: 'exit', passed: true, message: 'ok' },
      { name: 'entry', passed: true, message: 'ok' },
      { name: 'nope', passed: false, message: 'no standard case named "nope"' },
    ]);
    expect(r.passed).toBe(false);
  });

  it('prepare: runs before every low-power entry with the case context; a message fails the case', async () => {
    const seen: VariantConformanceContext[] = [];
    const r = await runVariantConformance(plainVariant(), {
      prepare: (ctx) => void seen.push(ctx),
    });
    expect(r.passed).toBe(true);
    const per = Object.fromEntries(
      VARIANT_CONFORMANCE_CASES.map((c) => [c, seen.filter((s) => s.caseName === c).length]),
    );
    expect(per).toEqual({
      entry: 1,
      'entry-with-wakeup': 2,
      exit: 2,
      'host-wake': 2,
      'close-while-engaged': 1,
      'hot-reset': 2,
    });
    const ctx = seen[0]!;
    expect([ctx.bdf, ctx.fd >= 0, ctx.vdev.variant?.name]).toEqual([
      '0000:01:00.0',
      true,
      'test-vfio-pci',
    ]);
    expect(ctx.machine.vfioPciDevice(ctx.bdf)).toBe(ctx.vdev);
    const refused = await runVariantConformance(plainVariant(), {
      cases: ['entry'],
      prepare: () => Promise.resolve('guest not ready'),
    });
    expect(messageOf(refused, 'entry')).toBe('LOW_POWER_ENTRY: prepare: guest not ready');
  });

  it('expect.check: runs at the end of every case; a message fails it, a throw is reported', async () => {
    const names: string[] = [];
    const ok = await runVariantConformance(plainVariant(), {
      expect: { check: (ctx) => void names.push(ctx.caseName) },
    });
    expect([ok.passed, names]).toEqual([true, [...VARIANT_CONFORMANCE_CASES]]);
    const r = await runVariantConformance(plainVariant(), {
      cases: ['entry', 'exit', 'host-wake'],
      expect: {
        check: (ctx) => {
          if (ctx.caseName === 'exit') throw new Error('boom');
          if (ctx.caseName === 'host-wake') throw 'not an Error';
          return 'register 0x10 lost';
        },
      },
    });
    expect(r.results.map((x) => x.message)).toEqual([
      'check: register 0x10 lost',
      'threw Error: boom',
      'threw not an Error',
    ]);
  });

  it('driver: binds a variant whose id table does not match the function', async () => {
    const nv = plainVariant('nv', { idTable: [{ vendor: 0x10de }] });
    const unmatched = await runVariantConformance(nv, { cases: ['entry'] });
    expect(messageOf(unmatched, 'entry')).toBe(
      'boot: 0000:01:00.0 is driven by vfio-pci, not nv (its id table does not match the function: set `driver`)',
    );
    expect((await runVariantConformance(nv, { cases: ['entry'], driver: 'nv' })).passed).toBe(true);
  });
});

describe('failures outside the cases are results, not exceptions', () => {
  it('a variant createMachine refuses', async () => {
    const r = await runVariantConformance({ name: 'bad', idTable: [] }, { cases: ['entry'] });
    expect(r).toEqual({
      variant: 'bad',
      passed: false,
      results: [
        {
          name: 'entry',
          passed: false,
          message:
            'threw MachineOptionsError: createMachine: variants[0]: variant bad: empty id table',
        },
      ],
    });
  });

  it('an init that fails the bind', async () => {
    const r = await runVariantConformance(plainVariant('v', { init: () => -ENODEV }), {
      cases: ['entry'],
    });
    expect(messageOf(r, 'entry')).toBe(
      'boot: 0000:01:00.0 has no vfio-pci device (the bind failed)',
    );
  });

  it('a class is named by its driver name once a machine has built it, by its class name before', async () => {
    class Good implements VfioPciVariant {
      readonly name = 'good-vfio-pci';
      readonly idTable = [{ vendor: 0x8086 }];
    }
    class Bad implements VfioPciVariant {
      readonly name = 'vfio-pci';
      readonly idTable = [{ vendor: 0x8086 }];
    }
    expect((await runVariantConformance(Good, { cases: ['entry'] })).variant).toBe('good-vfio-pci');
    expect((await runVariantConformance(Bad, { cases: ['entry'] })).variant).toBe('Bad');
  });
});

describe('formatVariantConformanceReport', () => {
  it('prints a summary, then PASS lines and FAIL lines with their message', () => {
    const text = formatVariantConformanceReport({
      variant: 'x-vfio-pci',
      passed: false,
      results: [
        { name: 'entry', passed: true, message: 'ok' },
        {
          name: 'close-while-engaged',
          passed: false,
          message: 'closed while engaged: eventfd expected not signalled, got 1',
        },
      ],
    });
    expect(text).toBe(
      [
        'x-vfio-pci: 1/2 conformance cases passed',
        '  PASS  entry',
        '  FAIL  close-while-engaged  closed while engaged: eventfd expected not signalled, got 1',
      ].join('\n'),
    );
  });

  it('prints an empty run', () => {
    expect(formatVariantConformanceReport({ variant: 'v', passed: true, results: [] })).toBe(
      'v: 0/0 conformance cases passed',
    );
  });
});
