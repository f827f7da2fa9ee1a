import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TraceRecord } from '@vfio-ts/kernel';
import { toChromeTrace, validateChromeTrace } from '@vfio-ts/test-kit';

const ev = (o: Record<string, unknown>): Record<string, unknown> => ({
  name: 'x',
  pid: 1,
  tid: 1,
  ts: 0,
  ...o,
});
const check = (...events: Record<string, unknown>[]): string[] =>
  validateChromeTrace({ traceEvents: events });

describe('validateChromeTrace', () => {
  it('accepts the object format and a bare array', () => {
    expect(check(ev({ ph: 'B' }), ev({ ph: 'E', ts: 1 }))).toEqual([]);
    expect(validateChromeTrace([ev({ ph: 'X', dur: 3 })])).toEqual([]);
  });

  it('rejects a document without events and a bad display unit', () => {
    expect(validateChromeTrace({})).toEqual(['traceEvents must be an array']);
    expect(validateChromeTrace(42)).toEqual(['traceEvents must be an array']);
    expect(validateChromeTrace({ traceEvents: [], displayTimeUnit: 'us' })).toEqual([
      'displayTimeUnit must be "ms" or "ns"',
    ]);
  });

  it.each([
    ['not an object', [3], 'not an object'],
    ['an unknown phase', [ev({ ph: 'Q' })], 'unknown phase "Q"'],
    ['a missing name', [ev({ ph: 'i', name: undefined })], 'name must be a string'],
    ['a string pid', [ev({ ph: 'i', pid: '1' })], 'pid must be an integer'],
    ['a fractional tid', [ev({ ph: 'i', tid: 1.5 })], 'tid must be an integer'],
    ['array args', [ev({ ph: 'i', args: [] })], 'args must be an object'],
    ['a string ts', [ev({ ph: 'i', ts: '5' })], 'ts must be a finite number'],
    ['a negative ts', [ev({ ph: 'i', ts: -1 })], 'ts must be a finite number'],
    ['an X without dur', [ev({ ph: 'X' })], 'dur must be'],
    ['a bad instant scope', [ev({ ph: 'i', s: 'x' })], 'instant scope'],
    ['a counter with a string', [ev({ ph: 'C', args: { state: 'D3hot' } })], 'counter args'],
    ['a counter without args', [ev({ ph: 'C' })], 'counter args'],
    ['unknown metadata', [ev({ ph: 'M', name: 'colour' })], 'unknown metadata name'],
    ['metadata without args', [ev({ ph: 'M', name: 'process_name' })], 'metadata needs args'],
    [
      'a nameless process',
      [ev({ ph: 'M', name: 'process_name', args: {} })],
      'args.name must be a string',
    ],
    [
      'a thread without tid',
      [ev({ ph: 'M', name: 'thread_name', tid: 'a', args: { name: 't' } })],
      'tid must be',
    ],
  ])('reports %s', (_what, events, message) => {
    const problems = validateChromeTrace({ traceEvents: events });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('reports time going back on a thread but not across threads', () => {
    expect(check(ev({ ph: 'i', ts: 5 }), ev({ ph: 'i', ts: 4 }))[0]).toContain(
      'goes back on pid 1 tid 1',
    );
    expect(check(ev({ ph: 'i', ts: 5 }), ev({ ph: 'i', ts: 4, tid: 2 }))).toEqual([]);
  });

  it('reports an E without B, an unclosed B and a mismatched name', () => {
    expect(check(ev({ ph: 'E' }))[0]).toContain('E without an open B');
    expect(check(ev({ ph: 'B' }))[0]).toContain('B never closed');
    expect(check(ev({ ph: 'B', name: 'a' }), ev({ ph: 'E', name: 'b', ts: 1 }))[0]).toContain(
      'name differs',
    );
  });

  it('reports complete events that overlap without nesting', () => {
    const p = check(ev({ ph: 'X', ts: 0, dur: 10 }), ev({ ph: 'X', ts: 5, dur: 10 }));
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('overlaps');
    expect(
      check(
        ev({ ph: 'X', ts: 0, dur: 10 }),
        ev({ ph: 'X', ts: 2, dur: 3 }),
        ev({ ph: 'X', ts: 10, dur: 1 }),
      ),
    ).toEqual([]);
    expect(
      check(ev({ ph: 'B', ts: 0 }), ev({ ph: 'X', ts: 1, dur: 10 }), ev({ ph: 'E', ts: 5 }))[0],
    ).toContain('overlaps');
  });
});

// Random record sequences: the kinds the exporter handles, with a few devices and tasks and
// payload fields that are sometimes missing or of the wrong type.
const device = fc.constantFrom('a', 'b', 'c', undefined, 7);
const task = fc.constantFrom('t#1', 't#2', '-');
const state = fc.constantFrom('D0', 'D3hot', 'D3cold', 'D1', 'unknown', 'zz');
const record: fc.Arbitrary<TraceRecord> = fc
  .oneof(
    fc.record({
      name: fc.constant('vfio_ioctl'),
      payload: fc.record({
        device,
        cmd: fc.constantFrom(15227, 15221, undefined),
        phase: fc.constantFrom('begin', 'end'),
      }),
    }),
    fc.record({
      name: fc.constantFrom('rpm_suspend', 'rpm_resume', 'rpm_idle'),
      payload: fc.record({ name: device }),
    }),
    fc.record({
      name: fc.constant('rpm_return_int'),
      payload: fc.record({
        name: device,
        ip: fc.constantFrom('rpm_suspend', 'rpm_resume', 'rpm_idle'),
        ret: fc.integer(),
      }),
    }),
    fc.record({
      name: fc.constant('pci_power_state'),
      payload: fc.record({ device, from: state, to: state }),
    }),
    fc.record({
      name: fc.constantFrom('eventfd_signal', 'fault', 'vfio_feature', 'hw_access', 'lock_acquire'),
      payload: fc.record({ device, violation: fc.boolean(), feature: fc.nat(9) }),
    }),
  )
  .chain((r) =>
    fc.record({
      ts: fc.nat(1_000_000),
      task,
      name: fc.constant(r.name),
      payload: fc.constant(r.payload as Record<string, unknown>),
    }),
  );

describe('toChromeTrace output', () => {
  it('always validates, whatever the records', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 60 }), (records) => {
        const t = toChromeTrace(records, { extraEvents: ['lock_acquire', 'hw_access'] });
        expect(validateChromeTrace(JSON.parse(JSON.stringify(t)))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
