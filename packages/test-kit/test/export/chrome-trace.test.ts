import { describe, expect, it } from 'vitest';
import { VFIO } from '@vfio-ts/vfio-core';
import { KERNEL_PID, toChromeTrace, validateChromeTrace } from '@vfio-ts/test-kit';
import type { ChromeTrace, ChromeTraceEvent } from '@vfio-ts/test-kit';
import {
  GPU,
  MS,
  NIC,
  feature,
  hw,
  ioctl,
  lock,
  lowPowerRun,
  power,
  rpm,
  rpmRet,
  signal,
} from './records.js';

const pidOf = (t: ChromeTrace, name: string): number =>
  t.traceEvents.find((e) => e.ph === 'M' && e.name === 'process_name' && e.args?.name === name)!
    .pid;
const tidOf = (t: ChromeTrace, task: string): number =>
  t.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === task)!.tid;
const phases = (t: ChromeTrace, pid: number, tid: number): string =>
  t.traceEvents
    .filter((e) => e.pid === pid && e.tid === tid && (e.ph === 'B' || e.ph === 'E'))
    .map((e) => (e.ph === 'B' ? `B:${e.name}` : 'E'))
    .join(' ');
const slices = (t: ChromeTrace): ChromeTraceEvent[] =>
  t.traceEvents.filter((e) => e.ph === 'B' || e.ph === 'E');

describe('toChromeTrace', () => {
  it('writes the JSON object format with ns display unit and metadata', () => {
    const t = toChromeTrace(lowPowerRun(), { metadata: { scenario: 'demo' } });
    expect(t.displayTimeUnit).toBe('ns');
    expect(t.metadata).toMatchObject({ source: 'vfio-ts', scenario: 'demo' });
    expect(validateChromeTrace(t)).toEqual([]);
    expect(validateChromeTrace(JSON.parse(JSON.stringify(t)))).toEqual([]);
  });

  it('gives each device a named process and keeps the kernel process for the rest', () => {
    const t = toChromeTrace(lowPowerRun());
    const names = t.traceEvents
      .filter((e) => e.name === 'process_name')
      .map((e) => [e.pid, e.args?.name]);
    expect(names).toEqual([
      [KERNEL_PID, 'kernel'],
      [2, NIC],
      [3, GPU],
    ]);
  });

  it('converts virtual ns to microsecond timestamps', () => {
    const t = toChromeTrace([
      ioctl(1_500, 'q#1', NIC, 'begin'),
      ioctl(2_000_250, 'q#1', NIC, 'end'),
    ]);
    expect(slices(t).map((e) => e.ts)).toEqual([1.5, 2000.25]);
  });

  it('names ioctl slices by the uAPI name and puts the result on the end', () => {
    const t = toChromeTrace([
      ioctl(0, 'q#1', NIC, 'begin', VFIO.DEVICE_RESET),
      ioctl(5, 'q#1', NIC, 'end', VFIO.DEVICE_RESET, -16),
      ioctl(6, 'q#1', NIC, 'begin', 0x1234),
      ioctl(7, 'q#1', NIC, 'end', 0x1234),
    ]);
    const s = slices(t);
    expect(s.map((e) => e.name)).toEqual([
      'VFIO_DEVICE_RESET',
      'VFIO_DEVICE_RESET',
      'ioctl 0x1234',
      'ioctl 0x1234',
    ]);
    expect(s[1]!.args).toEqual({ ret: -16 });
  });

  it('nests runtime resume inside the ioctl that caused it, per task', () => {
    const t = toChromeTrace([
      ioctl(0, 'q#1', NIC, 'begin'),
      rpm(1, 'q#1', NIC, 'rpm_resume'),
      rpmRet(2, 'q#1', NIC, 'rpm_resume', 0),
      ioctl(3, 'q#1', NIC, 'end'),
    ]);
    expect(phases(t, pidOf(t, NIC), tidOf(t, 'q#1'))).toBe(
      'B:VFIO_DEVICE_FEATURE B:rpm_resume E E',
    );
    expect(validateChromeTrace(t)).toEqual([]);
  });

  it('keeps interleaved tasks on their own threads, each strictly nested', () => {
    const t = toChromeTrace([
      ioctl(0, 'a#1', NIC, 'begin'),
      ioctl(1, 'b#2', NIC, 'begin', VFIO.DEVICE_RESET),
      rpm(2, 'a#1', NIC, 'rpm_resume'),
      rpm(3, 'b#2', NIC, 'rpm_suspend'),
      rpmRet(4, 'a#1', NIC, 'rpm_resume'),
      ioctl(5, 'a#1', NIC, 'end'),
      rpmRet(6, 'b#2', NIC, 'rpm_suspend'),
      ioctl(7, 'b#2', NIC, 'end', VFIO.DEVICE_RESET),
    ]);
    const pid = pidOf(t, NIC);
    expect(phases(t, pid, tidOf(t, 'a#1'))).toBe('B:VFIO_DEVICE_FEATURE B:rpm_resume E E');
    expect(phases(t, pid, tidOf(t, 'b#2'))).toBe('B:VFIO_DEVICE_RESET B:rpm_suspend E E');
    expect(validateChromeTrace(t)).toEqual([]);
  });

  it('gives a task a different tid in each process it touches, named after the task', () => {
    const t = toChromeTrace([ioctl(0, 'q#1', NIC, 'begin'), ioctl(1, 'q#1', GPU, 'begin')]);
    const threads = t.traceEvents.filter((e) => e.name === 'thread_name');
    expect(threads.map((e) => [e.pid, e.tid, e.args?.name])).toEqual([
      [2, 1, 'q#1'],
      [3, 2, 'q#1'],
    ]);
  });

  it('closes unmatched begins at the end and drops unmatched ends', () => {
    const t = toChromeTrace([
      rpmRet(0, 'k#1', NIC, 'rpm_suspend'),
      rpm(1, 'k#1', NIC, 'rpm_suspend'),
      ioctl(2, 'k#1', NIC, 'end'),
      rpmRet(3, 'k#1', NIC, 'rpm_idle'),
      lock(9, 'k#1', 'x'),
    ]);
    const s = slices(t);
    expect(s.map((e) => [e.ph, e.ts])).toEqual([
      ['B', 0.001],
      ['E', 0.009],
    ]);
    expect(s[1]!.args).toEqual({ unfinished: true });
    expect(validateChromeTrace(t)).toEqual([]);
  });

  it('closes a runtime PM slice whose return carries no result', () => {
    const t = toChromeTrace([
      rpm(0, 'k#1', NIC, 'rpm_resume'),
      { ts: 1, name: 'rpm_return_int', task: 'k#1', payload: { name: NIC, ip: 'rpm_resume' } },
    ]);
    expect(slices(t).map((e) => [e.ph, e.args?.ret])).toEqual([
      ['B', undefined],
      ['E', null],
    ]);
  });

  it('closes calls left open inside a call that returns', () => {
    const t = toChromeTrace([
      ioctl(0, 'q#1', NIC, 'begin'),
      rpm(1, 'q#1', NIC, 'rpm_resume'),
      ioctl(2, 'q#1', NIC, 'end', VFIO.DEVICE_FEATURE, -5),
    ]);
    expect(slices(t).map((e) => [e.ph, e.ts, e.args])).toEqual([
      ['B', 0, { cmd: VFIO.DEVICE_FEATURE }],
      ['B', 0.001, expect.objectContaining({ name: NIC })],
      ['E', 0.002, { unfinished: true }],
      ['E', 0.002, { ret: -5 }],
    ]);
  });

  it("puts a D-state counter on each device, starting from the first transition's from", () => {
    const t = toChromeTrace(lowPowerRun());
    const nic = pidOf(t, NIC);
    const counter = t.traceEvents.filter((e) => e.ph === 'C' && e.pid === nic);
    expect(counter.map((e) => [e.ts, e.args?.state])).toEqual([
      [1000, 0],
      [2000, 3],
      [12000, 4],
      [300000, 0],
    ]);
    const named = t.traceEvents.filter((e) => e.ph === 'i' && e.cat === 'pci' && e.pid === nic);
    expect(named.map((e) => e.name)).toEqual(['D3hot', 'D3cold', 'D0']);
  });

  it('takes initial states from the options and skips unknown levels', () => {
    const t = toChromeTrace(
      [power(10, 'k#1', NIC, 'unknown', 'D3hot'), power(20, 'k#1', NIC, 'D3hot', 'bogus')],
      {
        initial: { [NIC]: 'D1', [GPU]: 'D0' },
      },
    );
    const c = t.traceEvents.filter((e) => e.ph === 'C');
    expect(c.map((e) => [e.ts, e.args?.state])).toEqual([
      [0.01, 1],
      [0.01, 3],
    ]);
    expect(t.traceEvents.some((e) => e.ph === 'i' && e.name === 'unknown')).toBe(true);
  });

  it('marks feature calls, eventfd signals, faults and violations as instants', () => {
    const t = toChromeTrace([
      ...lowPowerRun(),
      signal(600 * MS, 'irq#9'),
      hw(700 * MS, NIC, true),
      hw(701 * MS, NIC, false),
      { ts: 702 * MS, name: 'fault', task: '-', payload: { kind: 7 } },
    ]);
    const inst = t.traceEvents
      .filter((e) => e.ph === 'i' && e.cat !== 'pci')
      .map((e) => [e.name, e.pid, e.s]);
    expect(inst).toEqual([
      ['VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP', 2, 't'],
      ['eventfd_signal', 2, 't'],
      ['fault link_down', 3, 'p'],
      ['eventfd_signal', KERNEL_PID, 't'],
      ['hw_access violation', 2, 't'],
      ['fault', KERNEL_PID, 'p'],
    ]);
  });

  it('shows extra events as instants only when asked', () => {
    const recs = [lock(5, 'k#1', 'memory_lock'), hw(6, NIC, false)];
    expect(toChromeTrace(recs).traceEvents.filter((e) => e.ph === 'i')).toEqual([]);
    const t = toChromeTrace(recs, { extraEvents: ['lock_acquire', 'hw_access'] });
    expect(t.traceEvents.filter((e) => e.ph === 'i').map((e) => [e.name, e.pid])).toEqual([
      ['lock_acquire', KERNEL_PID],
      ['hw_access', 2],
    ]);
  });

  it('sorts records by time and makes payloads JSON-safe', () => {
    const t = toChromeTrace([
      {
        ts: 9,
        name: 'fault',
        task: '-',
        payload: { device: NIC, kind: 'x', big: 1n, f: () => 0, nan: NaN, ok: true, nul: null },
      },
      feature(3, 'q#1', NIC, 99),
      { ts: Number.NaN, name: 'fault', task: '-', payload: {} },
    ]);
    const inst = t.traceEvents.filter((e) => e.ph === 'i');
    expect(inst.map((e) => e.name)).toEqual(['feature 99', 'fault x']);
    expect(inst[1]!.args).toMatchObject({ big: '1', nan: 'NaN', ok: true, nul: null });
    expect(typeof inst[1]!.args?.f).toBe('string');
  });

  it('clamps negative times to 0 and ignores initial states that are not D-states', () => {
    const t = toChromeTrace([power(-5, 'k#1', NIC, 'D0', 'D3hot')], {
      initial: { [NIC]: 'D9' as 'D0' },
    });
    expect(t.traceEvents.filter((e) => e.ph !== 'M').map((e) => [e.ph, e.ts])).toEqual([
      ['C', 0],
      ['i', 0],
    ]);
    expect(validateChromeTrace(t)).toEqual([]);
  });

  it('exports an empty trace as just the kernel process', () => {
    const t = toChromeTrace([]);
    expect(t.traceEvents.map((e) => e.name)).toEqual(['process_name', 'process_sort_index']);
    expect(validateChromeTrace(t)).toEqual([]);
  });

  it('names a missing ioctl number and a missing feature index generically', () => {
    const t = toChromeTrace([
      { ts: 0, name: 'vfio_ioctl', task: 'q#1', payload: { device: NIC, phase: 'begin' } },
      { ts: 1, name: 'vfio_feature', task: 'q#1', payload: { device: NIC } },
      { ts: 2, name: 'vfio_ioctl', task: 'q#1', payload: { device: NIC, phase: 'end' } },
      { ts: 3, name: 'vfio_ioctl', task: 'q#1', payload: { device: NIC, phase: 'middle' } },
    ]);
    expect(t.traceEvents.filter((e) => e.ph === 'B' || e.ph === 'i').map((e) => e.name)).toEqual([
      'ioctl',
      'feature',
    ]);
    expect(slices(t).map((e) => e.args)).toEqual([{ cmd: null }, { ret: null }]);
    expect(validateChromeTrace(t)).toEqual([]);
  });
});
