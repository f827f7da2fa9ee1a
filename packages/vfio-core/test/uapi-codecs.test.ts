// Table tests of the structure codecs: exact bytes, round trips, short buffers.
import { describe, expect, it } from 'vitest';
import { VFIO } from '@vfio-ts/vfio-core';

/** Little-endian bytes of u32 words. */
function words(...values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v >>> 0, true));
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('VFIO.feature (struct vfio_device_feature, E.2)', () => {
  it('encodes LOW_POWER_ENTRY SET as argsz 8, flags 0x20003', () => {
    const buf = VFIO.feature({ flags: VFIO.DEVICE_FEATURE_SET, feature: 3 });
    expect(buf).toEqual(words(8, 0x20003));
  });

  it('appends the wakeup payload and counts it in argsz', () => {
    const buf = VFIO.feature({
      flags: VFIO.DEVICE_FEATURE_SET,
      feature: VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
      data: VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: 7 }),
    });
    expect(buf).toEqual(words(16, 0x20004, 7, 0));
  });

  it('writes a deliberately wrong argsz as given', () => {
    expect(VFIO.feature({ flags: VFIO.DEVICE_FEATURE_PROBE, feature: 5, argsz: 4 })).toEqual(
      words(4, 0x40005),
    );
    expect(VFIO.feature({ flags: 0x8_0000 | VFIO.DEVICE_FEATURE_SET, argsz: 0xffff_ffff })).toEqual(
      words(0xffff_ffff, 0xa_0000),
    );
  });

  it('keeps the feature index to bits 15:0 and defaults everything to 0', () => {
    expect(VFIO.feature({ flags: 0, feature: 0x1_0003 })).toEqual(words(8, 3));
    expect(VFIO.feature({})).toEqual(words(8, 0));
  });

  it('decodes header, feature index and payload', () => {
    const decoded = VFIO.decodeFeature(concat(words(16, 0x20004), words(9, 0)));
    expect(decoded).toEqual({
      argsz: 16,
      flags: 0x20004,
      feature: 4,
      data: words(9, 0),
    });
    expect(VFIO.decodeLowPowerEntryWithWakeup(decoded!.data)).toEqual({
      wakeupEventfd: 9,
      reserved: 0,
    });
  });

  it('returns null for a header shorter than 8 bytes (copy_from_user would fault)', () => {
    expect(VFIO.decodeFeature(new Uint8Array(7))).toBeNull();
    expect(VFIO.decodeLowPowerEntryWithWakeup(new Uint8Array(4))).toBeNull();
    expect(VFIO.decodeFeature(new Uint8Array(8))).toEqual({
      argsz: 0,
      flags: 0,
      feature: 0,
      data: new Uint8Array(0),
    });
  });

  it('reads a negative wakeup eventfd as s32', () => {
    const payload = VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: -1, reserved: 0xdead_beef });
    expect(payload).toEqual(words(0xffff_ffff, 0xdead_beef));
    expect(VFIO.decodeLowPowerEntryWithWakeup(payload)).toEqual({
      wakeupEventfd: -1,
      reserved: 0xdead_beef,
    });
  });

  it('decodes a view into a larger buffer at its own offset', () => {
    const whole = concat(words(0x1111, 0x2222), words(12, 0x20005, 0xabcd));
    expect(VFIO.decodeFeature(whole.subarray(8))).toEqual({
      argsz: 12,
      flags: 0x20005,
      feature: 5,
      data: words(0xabcd),
    });
  });
});

describe('fixed-size device structures (E.5)', () => {
  it('encodes vfio_device_info with argsz = sizeof = 20', () => {
    expect(VFIO.deviceInfo.SIZE).toBe(20);
    expect(VFIO.deviceInfo.MINSZ).toBe(16);
    expect(VFIO.deviceInfo.OFFSETS).toEqual({
      argsz: 0,
      flags: 4,
      numRegions: 8,
      numIrqs: 12,
      capOffset: 16,
    });
    const buf = VFIO.deviceInfo.encode({
      flags: VFIO.DEVICE_FLAGS_RESET | VFIO.DEVICE_FLAGS_PCI,
      numRegions: 9,
      numIrqs: 5,
    });
    expect(buf).toEqual(words(20, 3, 9, 5, 0));
  });

  it('decodes a 16-byte vfio_device_info (the kernel minsz) with cap_offset 0', () => {
    expect(VFIO.deviceInfo.decode(words(16, 3, 9, 5))).toEqual({
      argsz: 16,
      flags: 3,
      numRegions: 9,
      numIrqs: 5,
      capOffset: 0,
    });
    expect(VFIO.deviceInfo.decode(new Uint8Array(15))).toBeNull();
  });

  it('encodes vfio_region_info with exact 64-bit size and offset', () => {
    const info = {
      argsz: 32,
      flags: VFIO.REGION_INFO_FLAG_READ | VFIO.REGION_INFO_FLAG_WRITE,
      index: VFIO.PCI_CONFIG_REGION_INDEX,
      capOffset: 0,
      size: 4096n,
      offset: BigInt(VFIO.pciConfigOffset()),
    };
    const buf = VFIO.regionInfo.encode({ ...info, offset: VFIO.pciConfigOffset() });
    expect(buf).toEqual(words(32, 3, 7, 0, 4096, 0, 0, 0x700));
    expect(VFIO.regionInfo.decode(buf)).toEqual(info);
    expect(VFIO.regionInfo.decode(buf.subarray(0, 31))).toBeNull();
  });

  it('wraps u64 inputs to 64 bits as a C assignment does', () => {
    const buf = VFIO.regionInfo.encode({ size: (1n << 64n) + 5n, offset: -1 });
    expect(VFIO.regionInfo.decode(buf)).toMatchObject({ size: 5n, offset: (1n << 64n) - 1n });
    const odd = VFIO.regionInfo.encode({ size: Number.NaN, offset: 2.9 });
    expect(VFIO.regionInfo.decode(odd)).toMatchObject({ size: 0n, offset: 2n });
  });

  it('encodes vfio_irq_info', () => {
    const buf = VFIO.irqInfo.encode({
      flags: VFIO.IRQ_INFO_EVENTFD | VFIO.IRQ_INFO_MASKABLE | VFIO.IRQ_INFO_AUTOMASKED,
      index: VFIO.PCI_INTX_IRQ_INDEX,
      count: 1,
    });
    expect(buf).toEqual(words(16, 7, 0, 1));
    expect(VFIO.irqInfo.decode(buf)).toEqual({ argsz: 16, flags: 7, index: 0, count: 1 });
    expect(VFIO.irqInfo.decode(buf.subarray(0, 12))).toBeNull();
  });

  it('encodes vfio_device_ioeventfd: 32 bytes, fd at 24, the kernel copies 28', () => {
    expect(VFIO.deviceIoeventfd.SIZE).toBe(32);
    expect(VFIO.deviceIoeventfd.MINSZ).toBe(28);
    const buf = VFIO.deviceIoeventfd.encode({
      flags: VFIO.DEVICE_IOEVENTFD_32,
      offset: VFIO.regionOffset(0) + 0x40,
      data: 0x1234_5678_9abc_def0n,
      fd: -1,
    });
    expect(buf).toEqual(words(32, 4, 0x40, 0, 0x9abc_def0, 0x1234_5678, 0xffff_ffff, 0));
    expect(VFIO.deviceIoeventfd.decode(buf.subarray(0, 28))).toEqual({
      argsz: 32,
      flags: 4,
      offset: 0x40n,
      data: 0x1234_5678_9abc_def0n,
      fd: -1,
    });
    expect(VFIO.deviceIoeventfd.decode(buf.subarray(0, 27))).toBeNull();
  });

  it('coerces odd field values instead of throwing', () => {
    const weird = { flags: 2 ** 32 + 3, numIrqs: -1, numRegions: 7n, capOffset: 'x' };
    const buf = VFIO.deviceInfo.encode(weird as never);
    expect(VFIO.deviceInfo.decode(buf)).toEqual({
      argsz: 20,
      flags: 3,
      numRegions: 7,
      numIrqs: 0xffff_ffff,
      capOffset: 0,
    });
    expect(VFIO.deviceInfo.encode(null as never)).toEqual(words(20, 0, 0, 0, 0));
    expect(VFIO.feature(undefined as never)).toEqual(words(8, 0));
  });
});

describe('struct vfio_irq_set (VFIO_DEVICE_SET_IRQS)', () => {
  it('encodes eventfds as s32 entries after the 20-byte header', () => {
    const buf = VFIO.irqSet.encode({
      flags: VFIO.IRQ_SET_DATA_EVENTFD | VFIO.IRQ_SET_ACTION_TRIGGER,
      index: VFIO.PCI_MSIX_IRQ_INDEX,
      start: 0,
      eventfds: [5, -1],
    });
    expect(buf).toEqual(words(28, 0x24, 2, 0, 2, 5, 0xffff_ffff));
    expect(VFIO.irqSet.decode(buf)).toEqual({
      argsz: 28,
      flags: 0x24,
      index: 2,
      start: 0,
      count: 2,
      data: words(5, 0xffff_ffff),
      eventfds: [5, -1],
      bools: null,
    });
  });

  it('encodes bools as u8 entries', () => {
    const buf = VFIO.irqSet.encode({
      flags: VFIO.IRQ_SET_DATA_BOOL | VFIO.IRQ_SET_ACTION_MASK,
      bools: [true, false, true],
    });
    expect(buf).toEqual(concat(words(23, 0x0a, 0, 0, 3), Uint8Array.of(1, 0, 1)));
    expect(VFIO.irqSet.decode(buf)).toMatchObject({ bools: [true, false, true], eventfds: null });
  });

  it('encodes DATA_NONE with no payload: count 0 disables', () => {
    const buf = VFIO.irqSet.encode({
      flags: VFIO.IRQ_SET_DATA_NONE | VFIO.IRQ_SET_ACTION_TRIGGER,
      index: 0,
    });
    expect(buf).toEqual(words(20, 0x21, 0, 0, 0));
    expect(VFIO.irqSet.decode(buf)).toMatchObject({
      count: 0,
      data: new Uint8Array(0),
      eventfds: null,
      bools: null,
    });
  });

  it('writes raw data and an explicit count as given', () => {
    const buf = VFIO.irqSet.encode({
      argsz: 100,
      flags: VFIO.IRQ_SET_DATA_EVENTFD,
      count: 4,
      data: words(3),
    });
    expect(buf).toEqual(words(100, 4, 0, 0, 4, 3));
  });

  it('decodes only the entries the buffer holds, so a short buffer is detectable', () => {
    const buf = VFIO.irqSet.encode({
      flags: VFIO.IRQ_SET_DATA_EVENTFD,
      count: 3,
      eventfds: [1, 2],
    });
    const decoded = VFIO.irqSet.decode(buf.subarray(0, 26))!;
    expect(decoded.count).toBe(3);
    expect(decoded.eventfds).toEqual([1]);
    expect(VFIO.irqSet.decode(buf.subarray(0, 19))).toBeNull();
  });

  it('reads no more entries than count', () => {
    const buf = VFIO.irqSet.encode({
      flags: VFIO.IRQ_SET_DATA_BOOL,
      count: 1,
      bools: [true, true],
    });
    expect(VFIO.irqSet.decode(buf)!.bools).toEqual([true]);
  });
});

describe('PCI hot reset structures', () => {
  it('encodes vfio_pci_dependent_device as u32, u16, u8, u8', () => {
    const buf = VFIO.pciDependentDevice.encode({ groupId: 12, segment: 1, bus: 2, devfn: 0x08 });
    expect(buf).toEqual(Uint8Array.of(12, 0, 0, 0, 1, 0, 2, 8));
    expect(VFIO.pciDependentDevice.OFFSETS).toEqual({ groupId: 0, segment: 4, bus: 6, devfn: 7 });
  });

  it('encodes a header-only hot reset info query (argsz 12)', () => {
    expect(VFIO.pciHotResetInfo.encode({})).toEqual(words(12, 0, 0));
    expect(VFIO.pciHotResetInfo.decode(words(12, 0, 2))).toEqual({
      argsz: 12,
      flags: 0,
      count: 2,
      devices: [],
    });
    expect(VFIO.pciHotResetInfo.decode(new Uint8Array(11))).toBeNull();
  });

  it('round-trips the dependent devices the kernel writes back', () => {
    const devices = [
      { groupId: 3, segment: 0, bus: 1, devfn: 0 },
      { groupId: 3, segment: 0, bus: 1, devfn: 1 },
    ];
    const buf = VFIO.pciHotResetInfo.encode({ devices });
    expect(buf.length).toBe(28);
    expect(VFIO.pciHotResetInfo.OFFSETS.devices).toBe(12);
    expect(VFIO.pciHotResetInfo.decode(buf)).toEqual({ argsz: 28, flags: 0, count: 2, devices });
    expect(VFIO.pciHotResetInfo.decode(buf.subarray(0, 27))!.devices).toEqual([devices[0]]);
  });

  it('encodes vfio_pci_hot_reset with s32 group fds', () => {
    const buf = VFIO.pciHotReset.encode({ groupFds: [4, -1] });
    expect(buf).toEqual(words(20, 0, 2, 4, 0xffff_ffff));
    expect(VFIO.pciHotReset.decode(buf)).toEqual({
      argsz: 20,
      flags: 0,
      count: 2,
      groupFds: [4, -1],
    });
    expect(VFIO.pciHotReset.encode({ count: 1 })).toEqual(words(12, 0, 1));
    expect(VFIO.pciHotReset.decode(words(12, 0, 0xffff_ffff))!.groupFds).toEqual([]);
    expect(VFIO.pciHotReset.decode(new Uint8Array(3))).toBeNull();
  });
});

describe('decoders on things that are not byte buffers', () => {
  it.each([null, undefined, 42, 'abc', [1, 2, 3], new ArrayBuffer(64)])(
    'returns null for %s',
    (junk) => {
      expect(VFIO.decodeFeature(junk as never)).toBeNull();
      expect(VFIO.irqSet.decode(junk as never)).toBeNull();
      expect(VFIO.pciHotResetInfo.decode(junk as never)).toBeNull();
      expect(VFIO.regionInfo.decode(junk as never)).toBeNull();
    },
  );
});
