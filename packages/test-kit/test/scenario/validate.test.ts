// Scenario validation: every kind of mistake in a scenario file is named with its path.
import { describe, expect, it } from 'vitest';
import { parseDuration, STEP_KINDS, validateScenario } from '@vfio-ts/test-kit';

const A = '0000:01:00.0';
const base = () => ({
  name: 't',
  machine: {
    rootPorts: [{ name: 'rp0', d3cold: true }],
    devices: [{ bdf: A, rootPort: 'rp0', config: 'e1000e' }],
  },
  guest: { acpi: { pr3: true } },
  steps: [] as unknown[],
});
const errors = (x: unknown): string[] => {
  const r = validateScenario(x);
  return r.ok ? [] : r.errors;
};
const stepErrors = (...steps: unknown[]) => errors({ ...base(), steps });
const expectErrors = (expect: unknown, guest = true) => {
  const s: Record<string, unknown> = { ...base(), expect };
  if (!guest) delete s.guest;
  return errors(s);
};

describe('parseDuration', () => {
  it('reads ms numbers and unit strings, and refuses anything else', () => {
    expect(parseDuration(250)).toBe(250e6);
    expect(parseDuration('1.5s')).toBe(1.5e9);
    expect(parseDuration('20us')).toBe(20e3);
    expect(parseDuration('20µs')).toBe(20e3);
    expect(parseDuration(' 7 ns ')).toBe(7);
    expect(parseDuration('250ms')).toBe(250e6);
    for (const bad of [-1, Infinity, '5 min', '1e3ms', '', null, {}])
      expect(parseDuration(bad)).toBeUndefined();
  });
});

describe('validateScenario', () => {
  it('accepts a good scenario, with times in ns and invariants "none" by default', () => {
    const r = validateScenario({
      ...base(),
      description: 'd',
      power: { [A]: 'e1000e' },
      steps: [
        { at: '10ms', do: 'guest-idle' },
        { do: 'wait', for: 5 },
        { do: 'lspci', device: A, bytes: 256, repeat: 3, every: '1ms', ret: 'ok' },
        { do: 'guest-access', device: A, bar: 0, offset: 4 },
        { do: 'sysfs-write', path: '/sys/x', value: 'on' },
        { do: 'fault', fault: { kind: 'platform-delay', rootPort: 'rp0', onMs: 5 } },
        { do: 'guest-vram', device: A, mib: 1, ret: 'EINVAL' },
      ],
      expect: {
        residency: { [A]: { D3cold: { min: '1s' } } },
        energy_joules: { total: { max: 2 }, [A]: { min: 0 } },
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.steps[0]).toEqual({ do: 'guest-idle', at: 10e6 });
    expect(r.scenario.steps[2]).toMatchObject({ repeat: 3, every: 1e6, bytes: 256 });
    expect(r.scenario.expect.invariants).toBe('none');
    expect(r.scenario.expect.residency).toEqual({ [A]: { D3cold: { min: 1e9 } } });
    expect(r.scenario.description).toBe('d');
    expect(r.scenario.power).toEqual({ [A]: 'e1000e' });
  });

  it('names missing and unknown top-level fields', () => {
    expect(errors(null)).toEqual(['(top): a scenario is an object']);
    expect(errors([])).toEqual(['(top): a scenario is an object']);
    expect(errors({ nmae: 'x', description: 3 })).toEqual([
      'nmae: unknown field (expected name, description, machine, guest, power, steps, expect)',
      'name: missing (a string)',
      'description: a string',
      'machine: missing (an object: rootPorts, devices, …)',
      'steps: missing (a list)',
    ]);
  });

  it('names machine problems with their path', () => {
    const s = base();
    const machine = {
      rootPorts: [{ name: 'rp0' }],
      devices: [
        { bdf: 'nope', rootPort: 'rp9', config: 'e1000e' },
        { bdf: A, rootPort: 'rp0', config: 5 },
      ],
      cpus: 4,
    };
    expect(errors({ ...s, guest: undefined, machine })).toEqual([
      'machine.cpus: unknown field (expected seed, rootPorts, devices, vfioPci, disable_idle_d3, nointxmask)',
      'machine.devices[0].bdf: "nope" is not dddd:bb:dd.f',
      'machine.devices[0].rootPort: no root port named "rp9"',
      'machine.devices[1].config: a model name, a dump path or bytes',
    ]);
  });

  it("names guest problems, and guest devices that are not the machine's", () => {
    expect(errors({ ...base(), guest: { devices: ['0000:05:00.0'], autosuspendMs: 'x' } })).toEqual(
      [
        'guest.autosuspendMs: a number of ms from 0 to 3600000',
        'guest.devices[0]: "0000:05:00.0" is not a device of the machine',
      ],
    );
  });

  it('names unknown power models and devices', () => {
    expect(
      errors({
        ...base(),
        power: { [A]: 'toaster', '0000:05:00.0': { draws: { D0: 1 } }, x: { draws: { D9: 1 } } },
      }),
    ).toEqual([
      expect.stringMatching(/^power\.0000:01:00\.0: a built-in model \(generic, e1000e, /),
      'power.0000:05:00.0: "0000:05:00.0" is not a device of the machine',
      'power.x: "x" is not a device of the machine',
      expect.stringMatching(/^power\.x: a built-in model/),
    ]);
    expect(errors({ ...base(), power: 3 })).toEqual(['power: an object: device → power model']);
    expect(
      errors({ ...base(), power: { [A]: { base: 'e1000e', draws: { D3cold: 0.1 } } } }),
    ).toEqual([]);
  });

  it('names each kind of step mistake', () => {
    expect(stepErrors(3)).toEqual(['steps[0]: a step is an object with "do"']);
    expect(stepErrors({ do: 'lspcii', device: A })).toEqual([
      `steps[0].do: unknown step "lspcii" (expected ${STEP_KINDS.join(', ')})`,
    ]);
    expect(stepErrors({ do: 'lspci' })).toEqual(['steps[0].device: missing (lspci needs it)']);
    expect(stepErrors({ do: 'settle', device: A })).toEqual([
      'steps[0].device: unknown field (expected do, at, repeat, every, ret)',
    ]);
    expect(stepErrors({ do: 'lspci', device: '0000:09:00.0' })).toEqual([
      'steps[0].device: "0000:09:00.0" is not a device of the machine',
    ]);
    expect(stepErrors({ do: 'wait', for: '3 days' })).toEqual([
      'steps[0].for: bad time "3 days" (a number of ms, or "250ms", "1.5s", "20us")',
    ]);
    expect(stepErrors({ do: 'settle', at: 20 }, { do: 'settle', at: 10 })).toEqual([
      'steps[1].at: earlier than a previous step',
    ]);
    expect(
      stepErrors({ do: 'guest-vram', device: A, mib: 2000 }, { do: 'settle', repeat: 0 }),
    ).toEqual([
      'steps[0].mib: a whole number from 0 to 1024',
      'steps[1].repeat: a whole number from 1 to 100000',
    ]);
    expect(stepErrors({ do: 'lspci', device: A, bytes: 100 })).toEqual([
      'steps[0].bytes: 64, 256 or 4096',
    ]);
    expect(stepErrors({ do: 'sysfs-write', path: 1, value: 'x' })).toEqual([
      'steps[0].path: a string',
    ]);
    expect(stepErrors({ do: 'fault', fault: { bdf: A } })).toEqual([
      'steps[0].fault: an object with a "kind" (see m.inject)',
    ]);
    expect(stepErrors({ do: 'settle', ret: 'EWHAT' })).toEqual([
      'steps[0].ret: "ok" or an errno name such as "ENODEV", not "EWHAT"',
    ]);
    expect(stepErrors({ do: 'wait', for: 1e300 })).toEqual([
      'steps[0].for: more than an hour of virtual time',
    ]);
    expect(stepErrors({ do: 'settle', ret: 'toString' })).toEqual([
      'steps[0].ret: "ok" or an errno name such as "ENODEV", not "toString"',
    ]);
    const noGuest = { ...base(), steps: [{ do: 'guest-idle' }, { do: 'vm-stop' }] };
    delete (noGuest as Record<string, unknown>).guest;
    expect(errors(noGuest)).toEqual([
      'steps[0].do: guest-idle needs a "guest" section',
      'steps[1].do: vm-stop needs a "guest" section',
    ]);
  });

  it('names each kind of expectation mistake', () => {
    expect(expectErrors(3)).toEqual(['expect: an object']);
    expect(expectErrors({ power: {} })).toEqual([
      'expect.power: unknown field (expected power_state, runtime_status, guest_power, wake_notifications, invariants, energy_joules, residency)',
    ]);
    expect(expectErrors({ power_state: { [A]: 'D4' }, runtime_status: { [A]: 'asleep' } })).toEqual(
      [
        'expect.power_state.0000:01:00.0: "D4": expected D0, D1, D2, D3hot, D3cold, absent',
        'expect.runtime_status.0000:01:00.0: "asleep": expected active, suspended or unsupported',
      ],
    );
    expect(expectErrors({ guest_power: 'D3cold' })).toEqual([
      'expect.guest_power: an object: device → value',
    ]);
    expect(expectErrors({ wake_notifications: { [A]: -1, '0000:09:00.0': 1 } })).toEqual([
      'expect.wake_notifications.0000:01:00.0: -1: expected a count',
      'expect.wake_notifications.0000:09:00.0: "0000:09:00.0" is not a device of the machine',
    ]);
    expect(expectErrors({ wake_notifications: { [A]: 1 } }, false)).toEqual([
      'expect: guest_power and wake_notifications need a "guest" section',
    ]);
    expect(expectErrors({ energy_joules: { total: { max: -1 }, [A]: { most: 1 } } })).toEqual([
      'expect.energy_joules.total: {"max":-1}: expected { min, max } in joules',
      'expect.energy_joules.0000:01:00.0: {"most":1}: expected { min, max } in joules',
    ]);
    expect(expectErrors({ residency: { [A]: { D5: { min: 1 } } } })).toEqual([
      'expect.residency.0000:01:00.0: {"D5":{"min":1}}: expected { <D-state>: { min, max } } with times',
    ]);
    expect(expectErrors({ residency: { [A]: 'long' } })).toHaveLength(1);
    expect(expectErrors({ invariants: 'some' })).toEqual([
      'expect.invariants: "none" or a list of texts the violations must contain',
    ]);
    expect(expectErrors({ invariants: ['video memory lost'] })).toEqual([]);
  });
});
