import { describe, expect, it } from 'vitest';
import {
  formatConformanceReport,
  replayConformance,
  validateConformanceFile,
} from '@vfio-ts/test-kit';
import { fakeMachine } from './fake-machine.js';

const DEV = {
  runtime_status: 'active',
  power_state: 'D0',
  runtime_usage: 1,
  control: 'auto',
  d3cold_allowed: 1,
};
const RP = {
  runtime_status: 'active',
  power_state: 'D0',
  runtime_usage: 2,
  control: 'on',
  runtime_active_kids: 1,
};

function file(steps: object[], extra: object = {}) {
  return {
    format: 'vfio-ts-conformance/1',
    machine: {
      rootPorts: [{ name: 'rp0', bdf: '0000:00:04.0' }],
      devices: [{ bdf: '0000:01:00.0', rootPort: 'rp0', config: 'e1000e' }],
    },
    scenarios: [{ name: 'S', steps }],
    ...extra,
  };
}

const ok = (id: string, call: string, args: object | null, expect: object) => ({
  id: `S.${id}`,
  call,
  args,
  expect,
});

const STEPS = [
  ok('01', 'observe', null, { ret: 0, after: { dev: DEV, rp: RP } }),
  ok('02', 'sysfsWrite', { path: 'driver_override', text: 'vfio-pci' }, { ret: 8, errno: null }),
  ok(
    '03',
    'open',
    { bdf: '0000:01:00.0', handle: 'dev' },
    {
      ret: 0,
      errno: null,
      after: { dev: { ...DEV, runtime_suspended_time: { since: 'S.01', changed: false } } },
    },
  ),
  ok(
    '04',
    'ioctl',
    { fd: 'dev', request: 'VFIO_DEVICE_GET_INFO', argsz: 20 },
    { ret: 0, out: { flags: 3, num_regions: 9, num_irqs: 5 } },
  ),
  ok(
    '05',
    'ioctl',
    { fd: 'dev', request: 'VFIO_DEVICE_GET_REGION_INFO', argsz: 32, index: 7 },
    { ret: 0, out: { flags: 3, size: 4096, offset: 7696581394432 } },
  ),
  ok(
    '06',
    'ioctl',
    { fd: 'dev', request: 'VFIO_DEVICE_GET_PCI_HOT_RESET_INFO', argsz: 20 },
    { ret: 0, out: { count: 1, devices: [{ group_id: 3, segment: 0, bus: 1, devfn: 0 }] } },
  ),
  ok(
    '07',
    'pread',
    { fd: 'dev', region: 'config', offset: 0, length: 4 },
    { ret: 4, errno: null, value: '8680d310' },
  ),
  ok(
    '08',
    'sysfsRead',
    { path: 'config', offset: 200, length: 8 },
    { ret: 8, value: '0000220000000000', mask: '0000ffffffff0000' },
  ),
  ok('09', 'eventfd', { handle: 'efdA', initval: 0, flags: ['EFD_NONBLOCK'] }, { ret: 0 }),
  ok(
    '10',
    'ioctl',
    {
      fd: 'dev',
      request: 'VFIO_DEVICE_FEATURE',
      argsz: 16,
      flags: 131076,
      feature: 4,
      payload: { wakeup_eventfd: -1, reserved: 0 },
    },
    { ret: -22, errno: 'EINVAL' },
  ),
  ok(
    '11',
    'ioctl',
    {
      fd: 'dev',
      request: 'VFIO_DEVICE_FEATURE',
      argsz: 16,
      flags: 131076,
      feature: 4,
      payload: { wakeup_eventfd: 'devnull-fd', reserved: 0 },
    },
    { ret: -22, errno: 'EINVAL' },
  ),
  ok(
    '12',
    'ioctl',
    {
      fd: 'dev',
      request: 'VFIO_DEVICE_FEATURE',
      argsz: 16,
      flags: 131076,
      feature: 4,
      payload: { wakeup_eventfd: 'closed-fd', reserved: 0 },
    },
    { ret: -9, errno: 'EBADF' },
  ),
  ok(
    '13',
    'mmap',
    { fd: 'dev', region: 'bar0', offset: 0, length: 131072, handle: 'm' },
    { ret: 0 },
  ),
  ok(
    '14',
    'ioctl',
    {
      fd: 'dev',
      request: 'VFIO_DEVICE_FEATURE',
      argsz: 16,
      flags: 131076,
      feature: 4,
      payload: { wakeup_eventfd: 'efdA', reserved: 0 },
    },
    { ret: 0 },
  ),
  ok('15', 'load32', { map: 'm', offset: 0 }, { ret: 0, sigbus: true }),
  ok('16', 'eventfdRead', { fd: 'efdA', length: 8 }, { ret: -11, errno: 'EAGAIN' }),
  ok(
    '17',
    'pwrite',
    { fd: 'dev', region: 'config', offset: 204, length: 2, data: '0300' },
    { ret: 2 },
  ),
  ok(
    '18',
    'pread',
    { fd: 'dev', region: 'config', offset: 0, length: 2 },
    { ret: 2, value: '8680' },
  ),
  ok('19', 'eventfdRead', { fd: 'efdA', length: 8 }, { ret: 8, counter: 1 }),
  ok('20', 'settle', null, { ret: 0 }),
  ok('21', 'observe', null, {
    ret: 0,
    after: { dev: { ...DEV, runtime_suspended_time: { since: 'S.03', changed: true } } },
  }),
  ok('22', 'munmap', { map: 'm' }, { ret: 0 }),
  ok('23', 'close', { fd: 'efdA' }, { ret: 0 }),
  ok('24', 'close', { fd: 'dev' }, { ret: 0 }),
];

describe('replayConformance', () => {
  it('replays every kind of step through the façade and passes where the machine matches', async () => {
    const r = await replayConformance(file(STEPS), { createMachine: async () => fakeMachine() });
    expect(r.steps.filter((s) => !s.pass)).toEqual([]);
    expect(r).toMatchObject({ passed: STEPS.length, failed: 0 });
    expect(formatConformanceReport(r)).toMatch(
      new RegExp(`total +${STEPS.length}/${STEPS.length}\\n`),
    );
  });

  it('reports a changed expectation as a mismatch at exactly that step', async () => {
    const steps = structuredClone(STEPS);
    (steps[15] as { expect: { ret: number } }).expect.ret = 8;
    (steps[18] as { expect: { counter: number } }).expect.counter = 2;
    (
      steps[0] as { expect: { after: { dev: { power_state: string } } } }
    ).expect.after.dev.power_state = 'D3hot';
    const r = await replayConformance(file(steps), { createMachine: async () => fakeMachine() });
    expect(
      r.steps.filter((s) => !s.pass).map((s) => [s.id, s.mismatches.map((m) => m.key)]),
    ).toEqual([
      ['S.01', ['after.dev.power_state']],
      ['S.16', ['ret']],
      ['S.19', ['counter']],
    ]);
    const text = formatConformanceReport(r);
    expect(text).toMatch(/S +\d+\/24 +FAIL/);
    expect(text).toContain('S.19 (eventfdRead): mismatch\n  counter: expected 2, got 1');
  });

  it('a step it cannot execute is a failure, and the replay goes on', async () => {
    const steps = [
      ok('01', 'teleport', {}, { ret: 0 }),
      ok('02', 'close', { fd: 'never' }, { ret: 0 }),
      ok('03', 'ioctl', { fd: 'dev', request: 'VFIO_NOPE' }, { ret: 0 }),
      ok('04', 'load32', { map: 'x', offset: 0 }, { ret: 0 }),
      ok('05', 'pread', { fd: 'dev', region: 'vga', offset: 0, length: 1 }, { ret: 0 }),
      ok('06', 'sysfsRead', { path: 'vendor', offset: 0, length: 1 }, { ret: 0 }),
      ok('07', 'observe', null, {
        ret: 0,
        after: { dev: { runtime_active_time: { since: 'S.99', changed: false } } },
      }),
      ok('08', 'open', { bdf: '0000:01:00.0', handle: 'dev' }, { ret: 0 }),
      ok(
        '09',
        'ioctl',
        {
          fd: 'dev',
          request: 'VFIO_DEVICE_SET_IRQS',
          argsz: 24,
          flags: 36,
          index: 0,
          start: 0,
          count: 1,
          data: ['nope'],
        },
        { ret: 0 },
      ),
      ok(
        '10',
        'ioctl',
        { fd: 'dev', request: 'VFIO_DEVICE_GET_REGION_INFO', argsz: 32, index: 'x' },
        { ret: 0 },
      ),
      ok('11', 'ioctl', { fd: 'dev', request: 'VFIO_DEVICE_PCI_HOT_RESET', argsz: 12 }, { ret: 0 }),
      ok('12', 'mmap', { fd: 'dev', region: 'rom', offset: 0, length: 1 }, { ret: 0 }),
      ok('13', 'ioctl', { fd: 'dev', request: 'VFIO_DEVICE_RESET' }, { ret: -25 }),
    ];
    const r = await replayConformance(file(steps), { createMachine: async () => fakeMachine() });
    expect(r.steps.map((s) => s.pass)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(r.steps[0]?.error).toBe('unknown call "teleport"');
    expect(r.steps[1]?.error).toMatch(/handle never was never created/);
    expect(formatConformanceReport(r, 1)).toContain(
      'S.01 (teleport): could not execute: unknown call "teleport"',
    );
  });

  it('rejects a malformed file with clear errors and replays nothing', async () => {
    expect(validateConformanceFile(null)).toEqual(['the file is not a JSON object']);
    const bad = validateConformanceFile({
      format: 'x',
      machine: {},
      scenarios: [
        {
          name: 'a',
          steps: [
            { id: 'a.1', call: 'observe', expect: {} },
            { id: 'a.1', call: 'x', expect: {} },
            5,
          ],
        },
        {},
      ],
      prelude: 3,
    });
    expect(bad).toEqual([
      'format: expected "vfio-ts-conformance/1", got "x"',
      'machine: needs rootPorts[] and a non-empty devices[]',
      'prelude: expected an array',
      'scenarios[0] (a) step 1: duplicate id a.1',
      'scenarios[0] (a) step 2: needs id, call and expect',
      'scenarios[1]: needs a name and steps[]',
    ]);
    const r = await replayConformance(
      { format: 'nope' },
      { createMachine: async () => fakeMachine() },
    );
    expect(r.fileErrors?.[0]).toContain('format');
    expect(formatConformanceReport(r)).toContain('bad conformance file');
    expect((await replayConformance('/nonexistent.json')).fileErrors?.[0]).toContain(
      'cannot read /nonexistent.json',
    );
    const failing = await replayConformance(file([]), {
      createMachine: () => Promise.reject(new Error('no platform')),
    });
    expect(failing.fileErrors).toEqual(['cannot build the machine: no platform']);
  });
});
