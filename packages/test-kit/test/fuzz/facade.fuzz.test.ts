// Random façade calls across seeds and machine shapes: nothing escapes but SIGBUS/SIGSEGV from
// mapping accesses, every call answers a number (or a mapping), and no invariant breaks (the
// H100 binds to nvidia-vfio-pci, whose vendor feature is fuzzed too).
// Short form in CI; the long form runs with VFIO_TS_FUZZ_RUNS=<n> (`npm run fuzz`);
// VFIO_TS_FUZZ_SEED=<n> replays a run, VFIO_TS_FUZZ_STATS=1 prints how the calls answered.
// Eventfds are non-blocking: a blocking read nobody will signal ends the run in a deadlock.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createMachine, Mapping, SigBus, SigSegv, type Machine } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';
import { VFIO_DEVICE_FEATURE_NVIDIA_RTD3 } from '@vfio-ts/variant-nvidia';

const RUNS = Number(process.env.VFIO_TS_FUZZ_RUNS ?? 300);
const STATS: Record<string, number> | null = process.env.VFIO_TS_FUZZ_STATS ? {} : null;
const BDF = '0000:01:00.0';
const DEV = `/sys/bus/pci/devices/${BDF}`;

const FEATURES = [
  VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY,
  VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
  VFIO.DEVICE_FEATURE_LOW_POWER_EXIT,
];
const IOCTLS = [
  VFIO.DEVICE_GET_INFO,
  VFIO.DEVICE_GET_REGION_INFO,
  VFIO.DEVICE_GET_IRQ_INFO,
  VFIO.DEVICE_SET_IRQS,
  VFIO.DEVICE_RESET,
  VFIO.DEVICE_FEATURE,
  VFIO.DEVICE_IOEVENTFD,
  VFIO.DEVICE_GET_PCI_HOT_RESET_INFO,
];

const fdRef = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0, 1) },
  { weight: 1, arbitrary: fc.integer({ min: -2, max: 12 }) },
);
const offset = fc.oneof(
  fc.tuple(fc.nat({ max: 9 }), fc.nat({ max: 0x1100 })).map(([i, o]) => VFIO.regionOffset(i) + o),
  fc.constantFrom(2 ** 53, Number.MAX_SAFE_INTEGER, -1, -4096, 0.5, NaN),
  fc.integer(),
);
const bytes = fc.uint8Array({ maxLength: 48 });
const rarely = <T>(a: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
const featureBuf = fc
  .record({
    flags: fc.oneof(
      { weight: 4, arbitrary: fc.constant(VFIO.DEVICE_FEATURE_SET) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          VFIO.DEVICE_FEATURE_GET,
          VFIO.DEVICE_FEATURE_PROBE | VFIO.DEVICE_FEATURE_SET,
          VFIO.DEVICE_FEATURE_PROBE | VFIO.DEVICE_FEATURE_GET,
        ),
      },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
    ),
    feature: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...FEATURES) },
      { weight: 1, arbitrary: fc.constant(VFIO_DEVICE_FEATURE_NVIDIA_RTD3) },
      { weight: 1, arbitrary: fc.nat({ max: 0xffff }) },
    ),
    argsz: rarely(fc.nat({ max: 64 })),
    wake: fc.option(fdRef, { nil: undefined }),
    data: rarely(bytes),
  })
  .map(({ flags, feature, argsz, wake, data }) => {
    const payload =
      wake !== undefined ? VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: wake }) : data;
    return VFIO.feature({
      flags: ((flags & ~0xffff) | feature) >>> 0,
      ...(payload ? { data: payload } : {}),
      ...(argsz !== undefined ? { argsz } : {}),
    });
  });
const ioctlArg = fc.oneof(
  { weight: 5, arbitrary: featureBuf },
  bytes,
  fc.nat({ max: 64 }).map((n) => new Uint8Array(n)),
  fc.constant(undefined),
  fc.integer(),
);
const request = fc.oneof(
  { weight: 3, arbitrary: fc.constant(VFIO.DEVICE_FEATURE) },
  { weight: 2, arbitrary: fc.constantFrom(...IOCTLS) },
  fc.nat({ max: 40 }).map((n) => (59 << 8) + n),
  fc.integer({ min: -1, max: 0xffffffff }),
);

const op = fc.oneof(
  fc.record({ t: fc.constant('open' as const), bdf: fc.constantFrom(BDF, '0000:02:00.0', 'x') }),
  fc.record({ t: fc.constant('close' as const), fd: fdRef }),
  fc.record({ t: fc.constant('ioctl' as const), fd: fdRef, req: request, arg: ioctlArg }),
  fc.record({
    t: fc.constantFrom('pread' as const, 'pwrite' as const),
    fd: fdRef,
    count: fc.oneof(fc.constantFrom(1, 2, 4, 8), fc.integer({ min: -2, max: 64 })),
    off: offset,
  }),
  fc.record({
    t: fc.constant('mmap' as const),
    fd: fdRef,
    off: fc.oneof(
      { weight: 3, arbitrary: fc.nat({ max: 31 }).map((pg) => VFIO.regionOffset(0) + pg * 4096) },
      { weight: 1, arbitrary: offset },
    ),
    len: fc.oneof(fc.constant(4096), fc.integer({ min: -1, max: 1 << 18 })),
  }),
  fc.record({ t: fc.constant('munmap' as const), map: fc.nat({ max: 4 }) }),
  fc.record({
    t: fc.constantFrom('load' as const, 'store' as const),
    map: fc.nat({ max: 4 }),
    off: fc.oneof(fc.nat({ max: 0x1010 }), fc.integer()),
    width: fc.constantFrom(1, 2, 4),
    value: fc.nat(),
  }),
  fc.record({
    t: fc.constant('eventfd' as const),
    init: fc.nat({ max: 3 }),
    semaphore: fc.boolean(),
  }),
  fc.record({
    t: fc.constantFrom('efdRead' as const, 'efdWrite' as const),
    fd: fdRef,
    value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  }),
  fc.record({
    t: fc.constant('sysfs' as const),
    file: fc.constantFrom('power/control', 'd3cold_allowed'),
    text: fc.constantFrom('on', 'auto', '0', '1', 'on\n', 'auto\n', '', 'bogus', '2'),
  }),
  fc.record({ t: fc.constant('lspci' as const), bytes: fc.constantFrom(64, 256, 4096) }),
  fc.record({ t: fc.constant('settle' as const) }),
  fc.record({
    t: fc.constant('lowPower' as const),
    feature: fc.constantFrom(...FEATURES),
    efd: fdRef,
  }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

async function apply(m: Machine, p: ReturnType<Machine['process']>, maps: Mapping[], o: Op) {
  switch (o.t) {
    case 'open':
      return p.openDevice(o.bdf);
    case 'close':
      return p.close(o.fd);
    case 'ioctl':
      return p.ioctl(o.fd, o.req, o.arg instanceof Uint8Array ? o.arg.slice() : o.arg);
    case 'pread':
    case 'pwrite': {
      const buf = new Uint8Array(64).fill(0x5a);
      return o.t === 'pread'
        ? p.pread(o.fd, buf, o.count, o.off)
        : p.pwrite(o.fd, buf, o.count, o.off);
    }
    case 'mmap': {
      const r = await p.mmap(o.fd, o.off, o.len);
      if (r instanceof Mapping) maps.push(r);
      return r;
    }
    case 'munmap':
      return maps[o.map] ? p.munmap(maps[o.map]!) : 0;
    case 'load':
    case 'store': {
      const map = maps[o.map];
      if (!map) return 0;
      try {
        if (o.t === 'store') {
          await (o.width === 1 ? map.writeU8 : o.width === 2 ? map.writeU16 : map.writeU32).call(
            map,
            o.off,
            o.value,
          );
          return 0;
        }
        return await (o.width === 1 ? map.readU8 : o.width === 2 ? map.readU16 : map.readU32).call(
          map,
          o.off,
        );
      } catch (e) {
        if (e instanceof SigBus || e instanceof SigSegv) return 0;
        throw e;
      }
    }
    case 'eventfd':
      return p.eventfd(o.init, { nonblock: true, semaphore: o.semaphore });
    case 'efdRead':
    case 'efdWrite': {
      const buf = new Uint8Array(8);
      new DataView(buf.buffer).setBigUint64(0, o.value, true);
      return o.t === 'efdRead' ? p.read(o.fd, buf, 8) : p.write(o.fd, buf, 8);
    }
    case 'sysfs':
      return m.sysfs.write(`${DEV}/${o.file}`, o.text);
    case 'lspci': {
      const r = await m.host.lspci(BDF, { bytes: o.bytes as 64 | 256 | 4096 });
      return typeof r === 'string' ? 0 : r;
    }
    case 'settle':
      await m.settle();
      return 0;
    case 'lowPower': {
      const wake = o.feature === VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP;
      const buf = VFIO.feature({
        flags: VFIO.DEVICE_FEATURE_SET,
        feature: o.feature,
        ...(wake ? { data: VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: o.efd }) } : {}),
      });
      return p.ioctl(0, VFIO.DEVICE_FEATURE, buf);
    }
  }
}

it(`survives random façade calls (${RUNS} runs)`, { timeout: 600_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.boolean(),
      fc.constantFrom('e1000e', 'nvidia-h100'),
      fc.array(op, { minLength: 10, maxLength: 40 }),
      async (seed, d3cold, config, ops) => {
        const m = await createMachine({
          seed,
          rootPorts: [{ name: 'rp0', d3cold }],
          devices: [{ bdf: BDF, rootPort: 'rp0', config }],
        });
        const p = m.process();
        const maps: Mapping[] = [];
        // fd 0: the device, fd 1: an eventfd, as QEMU starts; the ops may close and reopen them.
        expect(await p.openDevice(BDF)).toBe(0);
        expect(await p.eventfd(0, { nonblock: true })).toBe(1);
        for (const o of ops) {
          const r = await apply(m, p, maps, o);
          if (STATS) {
            const k = `${o.t === 'ioctl' && o.req === VFIO.DEVICE_FEATURE ? 'feature' : o.t}${typeof r === 'number' && r < 0 ? r : ''}`;
            STATS[k] = (STATS[k] ?? 0) + 1;
          }
          expect(typeof r === 'number' || r instanceof Mapping, fc.stringify(o)).toBe(true);
        }
        await m.settle();
        await p.exit();
        await m.settle();
        // The random user writes video memory and lets the H100 lose power without the guest
        // driver's eviction or self-refresh: the GPU model reports that loss, which is the model
        // doing its job. Every other invariant must hold.
        expect(m.invariants().filter((v) => !v.startsWith('video memory lost: '))).toEqual([]);
      },
    ),
    {
      numRuns: RUNS,
      seed: process.env.VFIO_TS_FUZZ_SEED ? Number(process.env.VFIO_TS_FUZZ_SEED) : undefined,
    },
  );
  if (STATS) console.log(STATS);
});
