// Properties of the codecs: decoding any bytes never throws, encode then decode round-trips.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { VFIO } from '@vfio-ts/vfio-core';
import type { StructLayout } from '@vfio-ts/vfio-core';

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const s32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const anyBytes = fc.uint8Array({ minLength: 0, maxLength: 96 });

/** A byte buffer at a random offset inside a larger ArrayBuffer. */
const offsetBytes = fc.tuple(anyBytes, fc.nat({ max: 7 })).map(([bytes, pad]) => {
  const whole = new Uint8Array(bytes.length + pad);
  whole.set(bytes, pad);
  return whole.subarray(pad);
});

interface AnyCodec {
  readonly LAYOUT: StructLayout;
  readonly MINSZ: number;
  decode(buf: Uint8Array): unknown;
}

const values: unknown[] = Object.values(VFIO);
const codecs = values.filter(
  (v): v is AnyCodec => typeof v === 'object' && v !== null && 'LAYOUT' in v,
);

describe('decoders', () => {
  test.prop([offsetBytes])('never throw, and return null exactly when short', (bytes) => {
    for (const codec of codecs) {
      const decoded = codec.decode(bytes);
      expect(decoded === null).toBe(bytes.length < codec.MINSZ);
    }
    expect(VFIO.decodeFeature(bytes) === null).toBe(bytes.length < 8);
    expect(VFIO.decodeLowPowerEntryWithWakeup(bytes) === null).toBe(bytes.length < 8);
  });

  test.prop([offsetBytes])('re-encode the fixed structures to the same bytes', (bytes) => {
    for (const codec of [VFIO.deviceInfo, VFIO.regionInfo, VFIO.irqInfo, VFIO.deviceIoeventfd]) {
      const decoded = codec.decode(bytes);
      if (decoded === null || bytes.length < codec.SIZE) continue;
      const again = codec.encode(decoded as never);
      // The ioeventfd tail padding is not a field: compare what the fields cover.
      expect(again.subarray(0, codec.MINSZ)).toEqual(bytes.subarray(0, codec.MINSZ));
    }
  });

  test.prop([fc.oneof(fc.double(), fc.bigInt(), fc.integer())])(
    'split any offset without throwing',
    (off) => {
      const index = VFIO.offsetToIndex(off);
      const within = VFIO.offsetToOffset(off);
      expect(Number.isInteger(index) && index >= 0).toBe(true);
      expect(within >= 0 && within <= VFIO.PCI_OFFSET_MASK).toBe(true);
    },
  );
});

describe('encoders', () => {
  test.prop([u32, u32, fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 40 })])(
    'VFIO.feature round-trips flags, feature and payload',
    (argsz, flags, feature, data) => {
      const decoded = VFIO.decodeFeature(VFIO.feature({ argsz, flags, feature, data }));
      expect(decoded).toEqual({
        argsz,
        flags: (flags | feature) >>> 0,
        feature: (flags | feature) & 0xffff,
        data,
      });
    },
  );

  test.prop([fc.uint8Array({ maxLength: 40 })])(
    'VFIO.feature defaults argsz to 8 + data',
    (data) => {
      expect(VFIO.decodeFeature(VFIO.feature({ flags: 0, feature: 0, data }))!.argsz).toBe(
        8 + data.length,
      );
    },
  );

  test.prop([s32, u32])('lowPowerEntryWithWakeup round-trips', (wakeupEventfd, reserved) => {
    const bytes = VFIO.lowPowerEntryWithWakeup({ wakeupEventfd, reserved });
    expect(bytes.length).toBe(8);
    expect(VFIO.decodeLowPowerEntryWithWakeup(bytes)).toEqual({ wakeupEventfd, reserved });
  });

  test.prop([fc.record({ argsz: u32, flags: u32, numRegions: u32, numIrqs: u32, capOffset: u32 })])(
    'deviceInfo round-trips',
    (info) => {
      expect(VFIO.deviceInfo.decode(VFIO.deviceInfo.encode(info))).toEqual(info);
    },
  );

  test.prop([
    fc.record({ argsz: u32, flags: u32, index: u32, capOffset: u32, size: u64, offset: u64 }),
  ])('regionInfo round-trips', (info) => {
    expect(VFIO.regionInfo.decode(VFIO.regionInfo.encode(info))).toEqual(info);
  });

  test.prop([fc.record({ argsz: u32, flags: u32, index: u32, count: u32 })])(
    'irqInfo round-trips',
    (info) => {
      expect(VFIO.irqInfo.decode(VFIO.irqInfo.encode(info))).toEqual(info);
    },
  );

  test.prop([fc.record({ argsz: u32, flags: u32, offset: u64, data: u64, fd: s32 })])(
    'deviceIoeventfd round-trips',
    (ioeventfd) => {
      expect(VFIO.deviceIoeventfd.decode(VFIO.deviceIoeventfd.encode(ioeventfd))).toEqual(
        ioeventfd,
      );
    },
  );

  test.prop([u32, u32, u32, fc.array(s32, { maxLength: 8 })])(
    'irqSet round-trips eventfds',
    (flags, index, start, eventfds) => {
      const withFds = (flags | VFIO.IRQ_SET_DATA_EVENTFD) >>> 0;
      const decoded = VFIO.irqSet.decode(
        VFIO.irqSet.encode({ flags: withFds, index, start, eventfds }),
      );
      expect(decoded).toMatchObject({
        argsz: 20 + 4 * eventfds.length,
        flags: withFds,
        index,
        start,
        count: eventfds.length,
        eventfds,
      });
    },
  );

  test.prop([fc.array(fc.boolean(), { maxLength: 8 })])('irqSet round-trips bools', (bools) => {
    const decoded = VFIO.irqSet.decode(
      VFIO.irqSet.encode({ flags: VFIO.IRQ_SET_DATA_BOOL, bools }),
    );
    expect(decoded).toMatchObject({ count: bools.length, bools, eventfds: null });
  });

  const device = fc.record({
    groupId: u32,
    segment: fc.integer({ min: 0, max: 0xffff }),
    bus: fc.integer({ min: 0, max: 0xff }),
    devfn: fc.integer({ min: 0, max: 0xff }),
  });

  test.prop([u32, fc.array(device, { maxLength: 6 })])(
    'pciHotResetInfo round-trips',
    (flags, devices) => {
      const decoded = VFIO.pciHotResetInfo.decode(VFIO.pciHotResetInfo.encode({ flags, devices }));
      expect(decoded).toEqual({
        argsz: 12 + 8 * devices.length,
        flags,
        count: devices.length,
        devices,
      });
    },
  );

  test.prop([u32, fc.array(s32, { maxLength: 6 })])(
    'pciHotReset round-trips',
    (flags, groupFds) => {
      const decoded = VFIO.pciHotReset.decode(VFIO.pciHotReset.encode({ flags, groupFds }));
      expect(decoded).toEqual({
        argsz: 12 + 4 * groupFds.length,
        flags,
        count: groupFds.length,
        groupFds,
      });
    },
  );

  const FIELD_NAMES = [
    'argsz',
    'flags',
    'feature',
    'data',
    'index',
    'start',
    'count',
    'eventfds',
    'bools',
    'numRegions',
    'numIrqs',
    'capOffset',
    'size',
    'offset',
    'fd',
    'wakeupEventfd',
    'reserved',
    'devices',
    'groupFds',
    'groupId',
    'segment',
    'bus',
    'devfn',
  ];
  const junkValue = fc.oneof(
    fc.anything({ withBigInt: true, withTypedArray: true, withNullPrototype: true }),
    fc.array(fc.anything({ withBigInt: true }), { maxLength: 4 }),
    fc.double(),
  );
  const junkFields = fc.record(Object.fromEntries(FIELD_NAMES.map((name) => [name, junkValue])), {
    requiredKeys: [],
  });

  test.prop([fc.oneof(junkFields, fc.anything())])(
    'never throw on arbitrary field values',
    (junk) => {
      for (const codec of codecs) {
        const encode = (codec as unknown as { encode(init: unknown): Uint8Array }).encode;
        expect(encode(junk)).toBeInstanceOf(Uint8Array);
      }
      expect(VFIO.feature(junk as never)).toBeInstanceOf(Uint8Array);
    },
  );
});
