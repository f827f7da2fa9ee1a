import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VFIO } from '@vfio-ts/vfio-core';
import { fake, ioctl, open } from './fake-driver.js';

// A driver whose only state is a counter bumped by successful SETs of feature 3.
function counterDriver() {
  let sets = 0;
  const f = fake({
    overrides: {
      ioctl: async () => -25,
      deviceFeature: async (_v, flags, _data, datasz) => {
        if ((flags & 0xffff) !== 3) return -25;
        if (flags & VFIO.DEVICE_FEATURE_PROBE) return 0;
        if (!(flags & VFIO.DEVICE_FEATURE_SET) || flags & VFIO.DEVICE_FEATURE_GET || datasz < 0)
          return -22;
        sets++;
        return 0;
      },
    },
  });
  return { f, sets: () => sets };
}

describe('the device file under random input', () => {
  it('never throws, always answers a number, and changes nothing on a rejected call', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(VFIO.DEVICE_FEATURE), fc.integer({ min: 0, max: 0xffffffff })),
        fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
        async (cmd, bytes, flags) => {
          const { f, sets } = counterDriver();
          const fd = await open(f);
          const buf = bytes && flags !== undefined && bytes.length >= 8 ? bytes.slice() : bytes;
          if (buf && flags !== undefined && buf.length >= 8)
            new DataView(buf.buffer).setUint32(4, flags, true);
          const before = { usage: f.dev.power.usageCount, sets: sets() };
          const ret = await ioctl(f, fd, cmd, buf);
          expect(typeof ret).toBe('number');
          expect(Number.isInteger(ret)).toBe(true);
          expect(f.dev.power.usageCount).toBe(before.usage);
          if (ret < 0) expect(sets()).toBe(before.sets);
          await f.k.settle();
          expect(f.dev.power.runtimeStatus).toBe('suspended');
        },
      ),
      { numRuns: 300 },
    );
  });
});
