// Running scenarios: steps at their times, each kind of expectation failing with its values,
// the report, and runs that cannot start.
import { describe, expect, it } from 'vitest';
import {
  formatRun,
  runScenario,
  validateScenario,
  type Scenario,
  type ScenarioRun,
} from '@vfio-ts/test-kit';

const A = '0000:01:00.0';
const B = '0000:02:00.0';
const MACHINE = {
  rootPorts: [
    { name: 'rp0', d3cold: true },
    { name: 'rp1', d3cold: false },
  ],
  devices: [
    { bdf: A, rootPort: 'rp0', config: 'e1000e' },
    { bdf: B, rootPort: 'rp1', config: 'e1000e' },
  ],
};

function scenario(s: Record<string, unknown>): Scenario {
  const r = validateScenario({ name: 'test', machine: MACHINE, steps: [], ...s });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

async function run(s: Record<string, unknown>): Promise<ScenarioRun> {
  const r = await runScenario(scenario(s));
  if (typeof r === 'string') throw new Error(r);
  return r;
}

const failed = (r: ScenarioRun) =>
  r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);

describe('runScenario', () => {
  it('runs steps at their times from the time zero, repeating them as asked', async () => {
    const r = await run({
      guest: { devices: [A], acpi: { pr3: true } },
      steps: [
        { do: 'guest-idle' },
        { at: '500ms', do: 'lspci', device: A, repeat: 3, every: '250ms' },
        { do: 'settle' },
      ],
    });
    expect(r.ok).toBe(true);
    const lspci = r.records.filter(
      (x) => x.name === 'scenario_step' && x.payload.step === `lspci ${A}`,
    );
    // Logged at its start; the trace event is at its end (a D3cold wake takes 110 ms).
    expect(lspci.map((x) => (x.ts - r.zero) / 1e6)).toEqual([610]);
    expect(r.log.find((l) => l.text === `lspci ${A} → ok`)?.ts).toBe(r.zero + 500e6);
    expect(r.log.some((l) => l.source === 'vm' && l.text.startsWith('VM starts'))).toBe(true);
    expect(r.log.some((l) => l.source === A && l.text === 'host D0 → D3hot')).toBe(true);
    expect(r.guest?.state(A)?.pmes).toBe(3);
    expect(r.timeline.devices.map((d) => d.device)).toEqual([A, B]);
    expect(r.energy.devices.map((d) => d.model)).toEqual(['e1000e', 'e1000e']);
  });

  it('runs host-side steps: sysfs writes, faults, waits', async () => {
    const r = await run({
      power: { [B]: { base: 'generic', draws: { D3hot: 1 } } },
      steps: [
        { do: 'sysfs-write', path: `/sys/bus/pci/devices/${A}/power/control`, value: 'on' },
        { do: 'wait', for: '100ms' },
        { do: 'fault', fault: { kind: 'platform-delay', rootPort: 'rp0', onMs: 5 } },
        { do: 'fault', fault: { kind: 'platform-delay', rootPort: 'rp9' }, ret: 'ENODEV' },
        { do: 'sysfs-write', path: '/sys/nothing', value: 'x', ret: 'ENOENT' },
      ],
      expect: {
        power_state: { [A]: 'D0', [B]: 'D3hot' },
        runtime_status: { [A]: 'active' },
        residency: { [B]: { D3hot: { min: '100ms', max: '10s' } } },
        energy_joules: { [B]: { min: 0.1 } },
      },
    });
    expect(failed(r)).toEqual([]);
    expect(r.energy.devices[1]!.model).toBe('generic*');
  });

  it('reports a step whose result is not the one expected', async () => {
    const r = await run({
      guest: { acpi: { pr3: true } },
      steps: [
        { do: 'guest-vram', device: A, mib: 1 },
        { do: 'lspci', device: A, ret: 'EIO' },
      ],
    });
    expect(failed(r)).toEqual([
      `steps[0] guest-vram ${A} 1 MiB: expected ok, got EINVAL`,
      `steps[1] lspci ${A}: expected EIO, got ok`,
    ]);
    expect(r.ok).toBe(false);
  });

  it('names each expectation that failed, with what was expected and what happened', async () => {
    const r = await run({
      guest: { devices: [A], acpi: { pr3: true } },
      steps: [{ do: 'wait', for: '200ms' }],
      expect: {
        power_state: { [A]: 'D3cold' },
        runtime_status: { [A]: 'suspended' },
        guest_power: { [A]: 'D3cold', [B]: 'D0' },
        wake_notifications: { [A]: 1, [B]: 0 },
        invariants: ['video memory lost'],
        energy_joules: { total: { max: 0.001 } },
        residency: { [A]: { D3cold: { min: '1s' } } },
      },
    });
    expect(failed(r)).toEqual([
      `power_state ${A}: expected D3cold, got D0`,
      `runtime_status ${A}: expected suspended, got active`,
      `guest_power ${A}: expected D3cold, got D0`,
      `guest_power ${B}: expected D0, got not in the VM`,
      `wake_notifications ${A}: expected 1, got 0`,
      `wake_notifications ${B}: expected 0, got not in the VM`,
      'invariant "video memory lost": no violation',
      expect.stringMatching(/^energy total: expected ≤ 1\.0 mJ, got [\d.]+ mJ$/),
      expect.stringMatching(new RegExp(`^residency ${A} D3cold: expected ≥ 1000 ms, got \\d+ ms$`)),
    ]);
    const text = formatRun(r);
    expect(text).toContain(`  ✗ power_state ${A}: expected D3cold, got D0\n`);
    expect(text).toMatch(/\nFAIL \(9 of \d+ checks failed\)\n$/);
  });

  it('checks a device gone from sysfs as absent', async () => {
    const r = await run({
      steps: [{ do: 'fault', fault: { kind: 'surprise-removal', bdf: B } }, { do: 'settle' }],
      expect: { power_state: { [B]: 'absent', [A]: 'absent' } },
    });
    expect(failed(r)).toEqual([`power_state ${A}: expected absent, got D3cold`]);
  });

  it('stops a run whose VM cannot start, and says why', async () => {
    const s = scenario({ guest: { devices: [A] }, steps: [{ do: 'guest-idle' }] });
    s.machine = { ...s.machine, devices: [{ ...s.machine.devices![0]!, driver: null }] };
    const r = await runScenario(s);
    if (typeof r === 'string') throw new Error(r);
    expect(failed(r)).toEqual([`run: stopped: guest: devices[0]: cannot open ${A}: -ENODEV (-19)`]);
    expect(r.error).toBe(`guest: devices[0]: cannot open ${A}: -ENODEV (-19)`);
  });

  it('answers -ENODEV for a guest step of a scenario built without validation and no guest', async () => {
    const s = scenario({ steps: [{ do: 'settle' }] });
    s.steps = [{ do: 'guest-idle' }, { do: 'vm-stop', ret: 'ENODEV' }];
    const r = await runScenario(s);
    if (typeof r === 'string') throw new Error(r);
    expect(failed(r)).toEqual(['steps[0] guest-idle: expected ok, got ENODEV']);
  });

  it('answers a string when the machine cannot be built', async () => {
    const s = scenario({});
    s.machine = {
      ...s.machine,
      devices: [{ bdf: A, rootPort: 'rp0', config: '/nonexistent.config' }],
    };
    expect(await runScenario(s)).toMatch(
      /^test: createMachine: devices\[0\]\.config: config "\/nonexistent\.config"/,
    );
  });

  it('prints the report without the log when asked', async () => {
    const r = await run({ description: 'about it', steps: [{ do: 'settle' }] });
    const text = formatRun(r, { log: false, columns: 20 });
    expect(text).toMatch(/^== test\nabout it\n\ntime /);
    expect(text).not.toContain('settle → ok');
    expect(text).toMatch(/\nPASS \(1 checks\)\n$/);
  });
});
