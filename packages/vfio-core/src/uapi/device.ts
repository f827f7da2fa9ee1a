// Device-fd ioctl structures of include/uapi/linux/vfio.h: vfio_device_info,
// vfio_region_info, vfio_irq_info, vfio_irq_set and vfio_device_ioeventfd.

import {
  allocate,
  decodeFields,
  defineLayout,
  encodeFields,
  fixedStructCodec,
  layoutOffsets,
  recordOf,
  viewOf,
  writeScalar,
} from './codec.js';
import type { StructCodec } from './codec.js';
import { IRQ } from './constants.js';

/** Layout of `struct vfio_device_info` (VFIO_DEVICE_GET_INFO). */
export const DEVICE_INFO_LAYOUT = defineLayout({
  c: 'vfio_device_info',
  size: 20,
  minsz: 16,
  minszField: 'numIrqs',
  fields: {
    argsz: { c: 'argsz', offset: 0, type: 'u32' },
    flags: { c: 'flags', offset: 4, type: 'u32' },
    numRegions: { c: 'num_regions', offset: 8, type: 'u32' },
    numIrqs: { c: 'num_irqs', offset: 12, type: 'u32' },
    capOffset: { c: 'cap_offset', offset: 16, type: 'u32' },
  },
});

/** `struct vfio_device_info`. A buffer of MINSZ (16) bytes decodes with `capOffset` 0. */
export interface DeviceInfo {
  argsz: number;
  /** VFIO_DEVICE_FLAGS_*. */
  flags: number;
  /** Max region index + 1. */
  numRegions: number;
  /** Max IRQ index + 1. */
  numIrqs: number;
  /** Offset of the first capability within the buffer (with VFIO_DEVICE_FLAGS_CAPS). */
  capOffset: number;
}

/** Codec of `struct vfio_device_info` (20 bytes; the kernel copies 16). */
export const deviceInfo: StructCodec<
  DeviceInfo,
  Partial<DeviceInfo>,
  { readonly [K in keyof DeviceInfo]: number }
> = fixedStructCodec(DEVICE_INFO_LAYOUT);

/** Layout of `struct vfio_region_info` (VFIO_DEVICE_GET_REGION_INFO). */
export const REGION_INFO_LAYOUT = defineLayout({
  c: 'vfio_region_info',
  size: 32,
  minsz: 32,
  minszField: 'offset',
  fields: {
    argsz: { c: 'argsz', offset: 0, type: 'u32' },
    flags: { c: 'flags', offset: 4, type: 'u32' },
    index: { c: 'index', offset: 8, type: 'u32' },
    capOffset: { c: 'cap_offset', offset: 12, type: 'u32' },
    size: { c: 'size', offset: 16, type: 'u64' },
    offset: { c: 'offset', offset: 24, type: 'u64' },
  },
});

/** `struct vfio_region_info`; the `__u64` fields decode as exact bigints. */
export interface RegionInfo {
  argsz: number;
  /** VFIO_REGION_INFO_FLAG_*. */
  flags: number;
  /** Region index (in). */
  index: number;
  /** Offset of the first capability within the buffer. */
  capOffset: number;
  /** Region size in bytes. */
  size: bigint;
  /** Region offset from the start of the device fd. */
  offset: bigint;
}

/** Input of {@link regionInfo}.encode: `__u64` fields also take numbers. */
export interface RegionInfoInit {
  argsz?: number;
  flags?: number;
  index?: number;
  capOffset?: number;
  size?: number | bigint;
  offset?: number | bigint;
}

/** Codec of `struct vfio_region_info` (32 bytes). */
export const regionInfo: StructCodec<
  RegionInfo,
  RegionInfoInit,
  { readonly [K in keyof RegionInfo]: number }
> = fixedStructCodec(REGION_INFO_LAYOUT);

/** Layout of `struct vfio_irq_info` (VFIO_DEVICE_GET_IRQ_INFO). */
export const IRQ_INFO_LAYOUT = defineLayout({
  c: 'vfio_irq_info',
  size: 16,
  minsz: 16,
  minszField: 'count',
  fields: {
    argsz: { c: 'argsz', offset: 0, type: 'u32' },
    flags: { c: 'flags', offset: 4, type: 'u32' },
    index: { c: 'index', offset: 8, type: 'u32' },
    count: { c: 'count', offset: 12, type: 'u32' },
  },
});

/** `struct vfio_irq_info`. */
export interface IrqInfo {
  argsz: number;
  /** VFIO_IRQ_INFO_*. */
  flags: number;
  /** IRQ index (in). */
  index: number;
  /** Number of IRQs within this index. */
  count: number;
}

/** Codec of `struct vfio_irq_info` (16 bytes). */
export const irqInfo: StructCodec<
  IrqInfo,
  Partial<IrqInfo>,
  { readonly [K in keyof IrqInfo]: number }
> = fixedStructCodec(IRQ_INFO_LAYOUT);

/** Layout of `struct vfio_irq_set` (VFIO_DEVICE_SET_IRQS): a header and `__u8 data[]`. */
export const IRQ_SET_LAYOUT = defineLayout({
  c: 'vfio_irq_set',
  size: 20,
  minsz: 20,
  minszField: 'count',
  fields: {
    argsz: { c: 'argsz', offset: 0, type: 'u32' },
    flags: { c: 'flags', offset: 4, type: 'u32' },
    index: { c: 'index', offset: 8, type: 'u32' },
    start: { c: 'start', offset: 12, type: 'u32' },
    count: { c: 'count', offset: 16, type: 'u32' },
  },
  flex: { name: 'data', c: 'data', offset: 20, elem: 'u8' },
});

/** A decoded `struct vfio_irq_set`. */
export interface IrqSet {
  argsz: number;
  /** One VFIO_IRQ_SET_DATA_* and one VFIO_IRQ_SET_ACTION_* bit (when valid). */
  flags: number;
  index: number;
  start: number;
  count: number;
  /** A copy of every byte after the header that the buffer holds. */
  data: Uint8Array;
  /**
   * With VFIO_IRQ_SET_DATA_EVENTFD: the s32 entries of `data`, at most `count`, only as many as
   * the buffer holds (fewer than `count` means the user buffer is short); otherwise `null`.
   */
  eventfds: number[] | null;
  /** With VFIO_IRQ_SET_DATA_BOOL: the u8 entries of `data` as booleans, like `eventfds`. */
  bools: boolean[] | null;
}

/**
 * Input of {@link irqSet}.encode. The payload is `eventfds` (s32 each), else `bools` (u8 each),
 * else the raw `data`; `flags` is written as given (set the DATA_* bit yourself).
 */
export interface IrqSetInit {
  /** @defaultValue 20 + payload length */
  argsz?: number;
  flags?: number;
  index?: number;
  start?: number;
  /** @defaultValue the number of eventfds or bools; 0 with raw data */
  count?: number;
  eventfds?: readonly number[];
  bools?: readonly boolean[];
  data?: Uint8Array;
}

/** `offsetof` of the fields of `struct vfio_irq_set`. */
export interface IrqSetOffsets {
  readonly argsz: number;
  readonly flags: number;
  readonly index: number;
  readonly start: number;
  readonly count: number;
  readonly data: number;
}

/** The payload bytes and the entry count an IrqSetInit describes. */
function irqSetPayload(given: Readonly<Record<string, unknown>>): {
  bytes: Uint8Array;
  entries: number;
} {
  const { eventfds, bools, data } = given;
  if (Array.isArray(eventfds)) {
    const { bytes, view } = allocate(eventfds.length * 4);
    eventfds.forEach((fd: unknown, i) => writeScalar(view, i * 4, 's32', fd));
    return { bytes, entries: eventfds.length };
  }
  if (Array.isArray(bools)) {
    return { bytes: Uint8Array.from(bools, (b: unknown) => (b ? 1 : 0)), entries: bools.length };
  }
  return { bytes: data instanceof Uint8Array ? data : new Uint8Array(0), entries: 0 };
}

/** Up to `count` entries of `size` bytes each that `data` holds, read by `read`. */
function entries<T>(
  data: Uint8Array,
  count: number,
  size: number,
  read: (view: DataView, at: number) => T,
): T[] {
  const n = Math.min(count, Math.floor(data.length / size));
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return Array.from({ length: n }, (_, i) => read(view, i * size));
}

/** Codec of `struct vfio_irq_set`: the 20-byte header and its eventfd/bool payload. */
export const irqSet: StructCodec<IrqSet, IrqSetInit, IrqSetOffsets> = Object.freeze({
  LAYOUT: IRQ_SET_LAYOUT,
  SIZE: IRQ_SET_LAYOUT.size,
  MINSZ: IRQ_SET_LAYOUT.minsz,
  OFFSETS: layoutOffsets(IRQ_SET_LAYOUT) as IrqSetOffsets,
  encode(init: IrqSetInit): Uint8Array {
    const given = recordOf(init);
    const payload = irqSetPayload(given);
    const { bytes, view } = allocate(IRQ_SET_LAYOUT.size + payload.bytes.length);
    encodeFields(view, IRQ_SET_LAYOUT.fields, {
      ...given,
      argsz: given['argsz'] ?? bytes.length,
      count: given['count'] ?? payload.entries,
    });
    bytes.set(payload.bytes, IRQ_SET_LAYOUT.size);
    return bytes;
  },
  decode(buf: Uint8Array): IrqSet | null {
    const view = viewOf(buf, IRQ_SET_LAYOUT.minsz);
    if (view === null) return null;
    const header = decodeFields(view, IRQ_SET_LAYOUT.fields);
    const data = buf.slice(IRQ_SET_LAYOUT.size);
    return {
      ...header,
      data,
      eventfds:
        header.flags & IRQ.IRQ_SET_DATA_EVENTFD
          ? entries(data, header.count, 4, (v, at) => v.getInt32(at, true))
          : null,
      bools:
        header.flags & IRQ.IRQ_SET_DATA_BOOL
          ? entries(data, header.count, 1, (v, at) => v.getUint8(at) !== 0)
          : null,
    };
  },
});

/** Layout of `struct vfio_device_ioeventfd` (VFIO_DEVICE_IOEVENTFD). */
export const DEVICE_IOEVENTFD_LAYOUT = defineLayout({
  c: 'vfio_device_ioeventfd',
  size: 32,
  minsz: 28,
  minszField: 'fd',
  fields: {
    argsz: { c: 'argsz', offset: 0, type: 'u32' },
    flags: { c: 'flags', offset: 4, type: 'u32' },
    offset: { c: 'offset', offset: 8, type: 'u64' },
    data: { c: 'data', offset: 16, type: 'u64' },
    fd: { c: 'fd', offset: 24, type: 's32' },
  },
});

/** `struct vfio_device_ioeventfd`; the `__u64` fields decode as exact bigints. */
export interface DeviceIoeventfd {
  argsz: number;
  /** VFIO_DEVICE_IOEVENTFD_8/16/32/64: the width of the write. */
  flags: number;
  /** Device-fd offset of the write. */
  offset: bigint;
  /** The value to be written. */
  data: bigint;
  /** The eventfd, or -1 to de-assign. */
  fd: number;
}

/** Input of {@link deviceIoeventfd}.encode: `__u64` fields also take numbers. */
export interface DeviceIoeventfdInit {
  argsz?: number;
  flags?: number;
  offset?: number | bigint;
  data?: number | bigint;
  fd?: number;
}

/** Codec of `struct vfio_device_ioeventfd` (32 bytes with tail padding; the kernel copies 28). */
export const deviceIoeventfd: StructCodec<
  DeviceIoeventfd,
  DeviceIoeventfdInit,
  { readonly [K in keyof DeviceIoeventfd]: number }
> = fixedStructCodec(DEVICE_IOEVENTFD_LAYOUT);
