// The exporters on records from the real kernel and runtime-PM code, not hand-built ones, so
// the field names they read are the ones the emitters write.
import { describe, expect, it } from 'vitest';
import { Kernel, msecs } from '@vfio-ts/kernel';
import { declarePciTraceEvents } from '@vfio-ts/pci-core';
import {
  Device,
  declareRuntimePmTraceEvents,
  pmRuntimeEnable,
  pmRuntimeGetSync,
  pmRuntimePut,
  pmRuntimeSetActive,
} from '@vfio-ts/runtime-pm';
import type { DevPmOps } from '@vfio-ts/runtime-pm';
import {
  energyReport,
  powerTimeline,
  renderTimelineSvg,
  toChromeTrace,
  validateChromeTrace,
} from '@vfio-ts/test-kit';
import { xmlProblems } from './xml.js';

// A device whose runtime callbacks take the D3hot delay and trace the D-state change.
function device(k: Kernel, name: string): Device {
  const state = (from: string, to: string): void =>
    k.trace.emit('pci_power_state', { device: name, from, to });
  const pm: DevPmOps = {
    runtimeSuspend: async () => (await k.sched.sleep(msecs(10)), state('D0', 'D3hot'), 0),
    runtimeResume: async () => (await k.sched.sleep(msecs(10)), state('D3hot', 'D0'), 0),
  };
  const dev = new Device(k, { name, parent: null });
  dev.driver = { name: 'fake', pm };
  pmRuntimeSetActive(dev);
  pmRuntimeEnable(dev);
  return dev;
}

describe('exporting a runtime-PM run', () => {
  it('gives nested, valid slices and a timeline of the suspend and resume', async () => {
    const k = new Kernel();
    declareRuntimePmTraceEvents(k.trace);
    declarePciTraceEvents(k.trace);
    k.trace.record();
    const dev = device(k, '0000:01:00.0');
    await k.run('user', async () => {
      await pmRuntimeGetSync(dev);
      await pmRuntimePut(dev);
    });
    await k.settle();
    await k.run('user', () => pmRuntimeGetSync(dev));
    await k.settle();
    const records = k.trace.records();

    const trace = toChromeTrace(records);
    expect(validateChromeTrace(trace)).toEqual([]);
    const rpm = trace.traceEvents
      .filter((e) => e.ph === 'B' || e.ph === 'E')
      .map((e) => `${e.ph}:${e.name}`);
    expect(rpm).toContain('B:rpm_suspend');
    expect(rpm).toContain('E:rpm_resume');
    expect(trace.traceEvents.filter((e) => e.ph === 'E' && e.args?.unfinished)).toEqual([]);

    const t = powerTimeline(records, { start: 0, end: msecs(30) });
    expect(t.devices[0]!.intervals.map((i) => i.state)).toEqual(['D0', 'D3hot', 'D0']);
    expect(t.devices[0]!.markers.map((m) => m.kind)).toEqual(['wake']);
    expect(xmlProblems(renderTimelineSvg(t, energyReport(t)))).toEqual([]);
  });
});
