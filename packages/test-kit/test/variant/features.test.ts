// Issue 10: a variant's device features — a new index is dispatched to its handler, a core
// index is overridden, PROBE reaches the handler — through VFIO_DEVICE_FEATURE on the façade.
import { describe, expect, it } from 'vitest';
import { EINVAL, ENOTTY, EPERM } from '@vfio-ts/kernel';
import { VFIO, vfioCheckFeature } from '@vfio-ts/vfio-core';
import { vfioPciCoreIoctlFeature, type VfioPciFeatureHandler } from '@vfio-ts/vfio-pci';
import {
  BDF,
  counter,
  engagedWithWakeup,
  ENTRY,
  EXIT,
  feature,
  machines,
  pm,
  SET,
} from '../pm/helpers.js';
import { plainVariant, withVariants } from './helpers.js';

const boot = machines();
const GET = VFIO.DEVICE_FEATURE_GET;
const PROBE = VFIO.DEVICE_FEATURE_PROBE;
/** A vendor feature index no core handler knows. */
const VENDOR = 0x1234;

interface Call {
  flags: number;
  argsz: number;
  status: string;
}

/** A variant whose VENDOR feature answers a GET with 4 bytes (0xfeedc0de) and records calls. */
function vendorFeature(): { calls: Call[]; handler: VfioPciFeatureHandler } {
  const calls: Call[] = [];
  const handler: VfioPciFeatureHandler = (vdev, flags, data, argsz) => {
    calls.push({ flags, argsz, status: vdev.pdev.power.runtimeStatus });
    const ret = vfioCheckFeature(flags, argsz, GET, 4);
    if (ret !== 1) return Promise.resolve(ret);
    new DataView(data.buffer, data.byteOffset).setUint32(0, 0xfeedc0de, true);
    return Promise.resolve(0);
  };
  return { calls, handler };
}

describe('a new feature index', () => {
  it('is dispatched to the variant handler, whose GET data reaches the user buffer', async () => {
    const { calls, handler } = vendorFeature();
    const m = await boot(
      withVariants([plainVariant('v', { features: new Map([[VENDOR, handler]]) })]),
    );
    const p = m.process();
    const fd = await p.openDevice(BDF);
    const buf = feature(VENDOR, GET, new Uint8Array(4));
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, buf)).toBe(0);
    expect(new DataView(buf.buffer).getUint32(8, true)).toBe(0xfeedc0de);
    // The handler gets the flags and the data size after the header (argsz - 8).
    expect(calls).toEqual([{ flags: GET | VENDOR, argsz: 4, status: 'active' }]);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(VENDOR, GET, new Uint8Array(2)))).toBe(
      -EINVAL,
    );
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(VENDOR, SET, new Uint8Array(4)))).toBe(
      -EINVAL,
    );
    await p.close(fd);
  });

  it('answers PROBE through the handler (0 for a supported op), and plain vfio-pci knows no such index', async () => {
    const { calls, handler } = vendorFeature();
    const m = await boot({
      ...withVariants([plainVariant('v', { features: new Map([[VENDOR, handler]]) })]),
    });
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(VENDOR, PROBE | GET))).toBe(0);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(VENDOR, PROBE | SET))).toBe(-EINVAL);
    expect(calls.map((c) => c.flags)).toEqual([PROBE | GET | VENDOR, PROBE | SET | VENDOR]);
    // The core's features are still there.
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY, PROBE | SET))).toBe(0);
    await p.close(fd);
    const plain = await boot(withVariants([]));
    const q = plain.process();
    const fd2 = await q.openDevice(BDF);
    expect(await q.ioctl(fd2, VFIO.DEVICE_FEATURE, feature(VENDOR, PROBE | GET))).toBe(-ENOTTY);
    await q.close(fd2);
  });

  it('resumes a suspended device first, as every device ioctl does (C.1): the wake-up eventfd fires', async () => {
    const { calls, handler } = vendorFeature();
    const m = await boot(
      withVariants([plainVariant('v', { features: new Map([[VENDOR, handler]]) })]),
    );
    const { p, fd, efd } = await engagedWithWakeup(m);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(VENDOR, GET, new Uint8Array(4)))).toBe(0);
    expect(calls[0]!.status).toBe('active');
    expect(await counter(p, efd)).toBe(1);
    await p.close(fd);
  });
});

describe('a core feature index overridden', () => {
  it('LOW_POWER_ENTRY refused by the variant: the device stays in D0 and EXIT still works', async () => {
    const refuse: VfioPciFeatureHandler = () => Promise.resolve(-EPERM);
    const m = await boot(
      withVariants([plainVariant('v', { features: new Map([[ENTRY, refuse]]) })]),
    );
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(-EPERM);
    await m.settle();
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    expect(m.vfioPciDevice(BDF)!.pmRuntimeEngaged).toBe(false);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    await p.close(fd);
  });

  it('an override may wrap the core handler (vfioPciCoreIoctlFeature) and still suspend the device', async () => {
    const seen: number[] = [];
    const wrap: VfioPciFeatureHandler = (vdev, flags, data, argsz) => {
      seen.push(flags);
      return vfioPciCoreIoctlFeature(vdev, flags, data, argsz);
    };
    const m = await boot(withVariants([plainVariant('v', { features: new Map([[ENTRY, wrap]]) })]));
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY, PROBE | SET))).toBe(0);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    expect(seen).toEqual([PROBE | SET | ENTRY, SET | ENTRY]);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    expect(seen).toHaveLength(2);
    await p.close(fd);
  });
});
