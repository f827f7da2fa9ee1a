// Builds the user buffer of a recorded ioctl (FORMAT.md §4, "ioctl requests"): zero-filled,
// little endian, at least as large as both argsz and the structure, argsz written as given.
import { VFIO } from '@vfio-ts/vfio-core';

/** A built ioctl: the request number, the buffer (if any), and how to read `out` back. */
export interface BuiltIoctl {
  cmd: number;
  buf: Uint8Array | undefined;
  out: (buf: Uint8Array) => Record<string, unknown>;
}

/** Resolves a symbolic descriptor (a handle or a special value) to a number; throws when it cannot. */
export type FdResolver = (v: unknown) => number;

const u32 = (b: Uint8Array, off: number) =>
  new DataView(b.buffer, b.byteOffset).getUint32(off, true);
const u64 = (b: Uint8Array, off: number) =>
  Number(new DataView(b.buffer, b.byteOffset).getBigUint64(off, true));

function buffer(argsz: number, size: number): Uint8Array {
  const b = new Uint8Array(Math.max(argsz, size));
  new DataView(b.buffer).setUint32(0, argsz >>> 0, true);
  return b;
}

const num = (v: unknown, name: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`argument ${name} is not a number`);
  return v;
};

/**
 * Encodes the recorded request.
 * @throws Error naming what cannot be encoded (the step then fails)
 */
export function buildIoctl(args: Record<string, unknown>, fd: FdResolver): BuiltIoctl {
  const name = String(args['request']).replace(/^VFIO_/, '');
  const cmd = (VFIO as unknown as Record<string, unknown>)[name];
  if (typeof cmd !== 'number') throw new Error(`unknown ioctl request ${String(args['request'])}`);
  const argsz = args['argsz'] === undefined ? 0 : num(args['argsz'], 'argsz');
  const setU32 = (b: Uint8Array, off: number, v: number) =>
    new DataView(b.buffer).setUint32(off, v >>> 0, true);
  const none = () => ({});
  switch (name) {
    case 'DEVICE_GET_INFO': {
      const b = buffer(argsz, VFIO.deviceInfo.SIZE);
      return {
        cmd,
        buf: b,
        out: (o) => ({ flags: u32(o, 4), num_regions: u32(o, 8), num_irqs: u32(o, 12) }),
      };
    }
    case 'DEVICE_GET_REGION_INFO': {
      const b = buffer(argsz, VFIO.regionInfo.SIZE);
      setU32(b, 8, num(args['index'], 'index'));
      return {
        cmd,
        buf: b,
        out: (o) => ({ flags: u32(o, 4), size: u64(o, 16), offset: u64(o, 24) }),
      };
    }
    case 'DEVICE_GET_IRQ_INFO': {
      const b = buffer(argsz, VFIO.irqInfo.SIZE);
      setU32(b, 8, num(args['index'], 'index'));
      return { cmd, buf: b, out: (o) => ({ flags: u32(o, 4), count: u32(o, 12) }) };
    }
    case 'DEVICE_SET_IRQS': {
      const data = (args['data'] as unknown[] | undefined) ?? [];
      const b = buffer(argsz, VFIO.irqSet.SIZE + 4 * data.length);
      setU32(b, 4, num(args['flags'], 'flags'));
      setU32(b, 8, num(args['index'], 'index'));
      setU32(b, 12, num(args['start'], 'start'));
      setU32(b, 16, num(args['count'], 'count'));
      data.forEach((h, i) => {
        new DataView(b.buffer).setInt32(20 + 4 * i, fd(h), true);
      });
      return { cmd, buf: b, out: none };
    }
    case 'DEVICE_RESET':
      return { cmd, buf: undefined, out: none };
    case 'DEVICE_GET_PCI_HOT_RESET_INFO': {
      const b = buffer(argsz, VFIO.pciHotResetInfo.SIZE);
      return {
        cmd,
        buf: b,
        out: (o) => {
          const count = u32(o, 8);
          const devices = [];
          for (let i = 0; i < count && 12 + 8 * i + 8 <= o.length; i++) {
            const at = 12 + 8 * i;
            const v = new DataView(o.buffer, o.byteOffset + at, 8);
            devices.push({
              group_id: v.getUint32(0, true),
              segment: v.getUint16(4, true),
              bus: v.getUint8(6),
              devfn: v.getUint8(7),
            });
          }
          return { count, devices };
        },
      };
    }
    case 'DEVICE_FEATURE': {
      const payload = args['payload'] as Record<string, unknown> | null | undefined;
      const b = buffer(argsz, 8 + (payload ? 8 : 0));
      setU32(b, 4, num(args['flags'], 'flags'));
      if (payload) {
        new DataView(b.buffer).setInt32(8, fd(payload['wakeup_eventfd']), true);
        setU32(b, 12, num(payload['reserved'] ?? 0, 'reserved'));
      }
      return { cmd, buf: b, out: none };
    }
    default:
      throw new Error(`ioctl ${String(args['request'])} is not supported by the replay runner`);
  }
}
