import { describe, expect, it } from 'vitest';
import { EBADF, EFAULT, EINVAL, EIO, ENODEV, ENOTTY } from '@vfio-ts/kernel';
import { pmRuntimeDisable } from '@vfio-ts/runtime-pm';
import { VFIO, vfioCheckFeature, vfioDeviceFopsMmap, isVfioDeviceFile } from '@vfio-ts/vfio-core';
import { fake, ioctl, open, vmaOf } from './fake-driver.js';

const GET = VFIO.DEVICE_FEATURE_GET;
const SET = VFIO.DEVICE_FEATURE_SET;
const PROBE = VFIO.DEVICE_FEATURE_PROBE;

function header(argsz: number, flags: number, extra = 0): Uint8Array {
  const b = new Uint8Array(8 + extra);
  const v = new DataView(b.buffer);
  v.setUint32(0, argsz, true);
  v.setUint32(4, flags >>> 0, true);
  return b;
}

describe('C.1 runtime PM around every device ioctl', () => {
  it('C.1.1/C.1.4 an ioctl resumes a suspended device for its duration, then an async put lets it suspend again', async () => {
    const f = fake();
    const fd = await open(f);
    expect(f.dev.power.runtimeStatus).toBe('suspended');
    let statusDuring = '';
    f.ops.ioctl = async () => ((statusDuring = f.dev.power.runtimeStatus), 0);
    expect(await ioctl(f, fd, 0x3b6b, new Uint8Array(20))).toBe(0);
    expect(statusDuring).toBe('active');
    expect(f.dev.power.usageCount).toBe(0);
    expect(f.dev.power.runtimeStatus).toBe('active');
    await f.k.settle();
    expect(f.dev.power.runtimeStatus).toBe('suspended');
    expect([f.log.resumes, f.log.suspends]).toEqual([1, 1]);
  });

  it('C.1.5(b) even an unknown ioctl wakes the device', async () => {
    const f = fake({ overrides: { ioctl: async () => -ENOTTY } });
    const fd = await open(f);
    expect(await ioctl(f, fd, 0xdead)).toBe(-ENOTTY);
    expect(f.log.resumes).toBe(1);
  });

  it('C.1.2 a failed resume returns -EIO without running the ioctl and restores the usage count', async () => {
    const f = fake();
    const fd = await open(f);
    pmRuntimeDisable(f.dev);
    expect(await ioctl(f, fd, 0x3b6b)).toBe(-EIO);
    expect(f.log.calls).toEqual(['open']);
    expect(f.dev.power.usageCount).toBe(0);
    expect(f.k.log.map((l) => l.text)).toContain('vfio: runtime resume failed -13');
  });

  it('C.1.1 a driver without PM ops gets no runtime PM action', async () => {
    const f = fake({ pm: false });
    const fd = await open(f);
    expect(await ioctl(f, fd, 0x3b6b)).toBe(7);
    expect(f.dev.power.runtimeStatus).toBe('suspended');
    expect(f.dev.power.usageCount).toBe(0);
  });

  it('C.1.3 commands other than VFIO_DEVICE_FEATURE go to the driver; -EINVAL without an ioctl op', async () => {
    const f = fake();
    const fd = await open(f);
    expect(await ioctl(f, fd, VFIO.DEVICE_GET_INFO)).toBe(7);
    expect(f.log.calls).toContain(`ioctl ${VFIO.DEVICE_GET_INFO}`);
    f.ops.ioctl = undefined;
    expect(await ioctl(f, fd, VFIO.DEVICE_RESET)).toBe(-EINVAL);
  });

  it('traces each ioctl and each feature with its result', async () => {
    const f = fake();
    f.k.trace.record();
    const fd = await open(f);
    await ioctl(f, fd, VFIO.DEVICE_FEATURE, header(8, SET | 3));
    const r = f.k.trace
      .records('vfio_ioctl', 'vfio_feature')
      .map((x) => [x.name, x.payload['phase'] ?? x.payload['feature']]);
    expect(r).toEqual([
      ['vfio_ioctl', 'begin'],
      ['vfio_feature', 3],
      ['vfio_ioctl', 'end'],
    ]);
  });
});

describe('C.2 VFIO_DEVICE_FEATURE parsing', () => {
  const cases: [string, Uint8Array | undefined, number][] = [
    ['C.2.1 a header that is not in user memory → -EFAULT', new Uint8Array(7), -EFAULT],
    ['C.2.1 no buffer at all → -EFAULT', undefined, -EFAULT],
    ['C.2.2 argsz < 8 → -EINVAL', header(7, SET | 3), -EINVAL],
    ['C.2.3 a flag bit in 19–31 → -EINVAL', header(8, SET | 3 | (1 << 19)), -EINVAL],
    ['C.2.3 bit 31 → -EINVAL', header(8, SET | 3 | 0x80000000), -EINVAL],
    ['C.2.4 GET and SET without PROBE → -EINVAL', header(8, GET | SET | 3), -EINVAL],
    ['C.2.5 MIGRATION (1) → -ENOTTY', header(8, GET | 1), -ENOTTY],
    ['C.2.5 MIG_DEVICE_STATE (2) → -ENOTTY', header(8, SET | 2), -ENOTTY],
    ['C.2.5 DMA_LOGGING_START (6) → -ENOTTY', header(8, SET | 6), -ENOTTY],
    ['C.2.5 DMA_LOGGING_STOP (7) → -ENOTTY', header(8, SET | 7), -ENOTTY],
    ['C.2.5 DMA_LOGGING_REPORT (8) → -ENOTTY', header(8, GET | 8), -ENOTTY],
  ];
  for (const [name, buf, ret] of cases) {
    it(name, async () => {
      const f = fake();
      const fd = await open(f);
      expect(await ioctl(f, fd, VFIO.DEVICE_FEATURE, buf)).toBe(ret);
      expect(f.log.calls).toEqual(['open']);
    });
  }

  it('C.2.4 GET|SET|PROBE is passed to the driver', async () => {
    const f = fake();
    const fd = await open(f);
    expect(await ioctl(f, fd, VFIO.DEVICE_FEATURE, header(8, GET | SET | PROBE | 3))).toBe(0);
    expect(f.log.calls).toEqual(['open', 'feature 70003 0 0']);
  });

  it('C.2.5 other indices go to the driver with the data after the header and argsz - 8', async () => {
    const f = fake();
    const fd = await open(f);
    expect(await ioctl(f, fd, VFIO.DEVICE_FEATURE, header(16, SET | 4, 8))).toBe(0);
    expect(await ioctl(f, fd, VFIO.DEVICE_FEATURE, header(0xffff, SET | 0xffff, 2))).toBe(0);
    expect(f.log.calls).toEqual(['open', 'feature 20004 8 8', 'feature 2ffff 2 65527']);
  });

  it('C.2.5 a driver without device_feature → -ENOTTY', async () => {
    const f = fake({ overrides: { deviceFeature: undefined } });
    const fd = await open(f);
    expect(await ioctl(f, fd, VFIO.DEVICE_FEATURE, header(8, SET | 3))).toBe(-ENOTTY);
  });
});

describe('C.3 vfio_check_feature', () => {
  const rows: [string, number, number, number, number][] = [
    ['SET-only feature: PROBE → 0', PROBE, 8, SET, 0],
    ['PROBE|SET → 0', PROBE | SET, 8, SET, 0],
    ['PROBE|GET → -EINVAL', PROBE | GET, 8, SET, -EINVAL],
    ['GET → -EINVAL', GET, 8, SET, -EINVAL],
    ['SET with short data → -EINVAL', SET, 4, SET, -EINVAL],
    ['no GET/SET/PROBE → -EINVAL', 0, 8, SET, -EINVAL],
    ['SET with enough data → 1', SET, 8, SET, 1],
    ['PROBE does not check argsz', PROBE | SET, 0, SET, 0],
  ];
  for (const [name, flags, argsz, ops, ret] of rows) {
    it(`C.3 ${name}`, () => expect(vfioCheckFeature(flags, argsz, ops, 8)).toBe(ret));
  }
});

describe('C.4 device fds, open and close', () => {
  it('C.4.2 open_device runs only on the first open; every open gives a new fd', async () => {
    const f = fake();
    expect(await open(f)).toBe(0);
    expect(await open(f)).toBe(1);
    expect(f.vdev.openCount).toBe(2);
    expect(f.log.calls).toEqual(['open']);
    expect(isVfioDeviceFile(f.files.fdget(0) as never)).toBe(true);
  });

  it('C.4.2 a failing open_device undoes the count and returns its error', async () => {
    const f = fake({ overrides: { openDevice: async () => -EIO } });
    expect(await open(f)).toBe(-EIO);
    expect(f.vdev.openCount).toBe(0);
    expect(f.files.openFds()).toEqual([]);
  });

  it('C.4.3 close_device runs on the last close, while the device still counts as open', async () => {
    let countDuringClose = -1;
    const f = fake({
      overrides: { closeDevice: async (v) => void (countDuringClose = v.openCount) },
    });
    const a = await open(f);
    const b = await open(f);
    await f.k.run('close', () => f.files.close(a));
    expect(countDuringClose).toBe(-1);
    await f.k.run('close', () => f.files.close(b));
    expect(countDuringClose).toBe(1);
    expect(f.vdev.openCount).toBe(0);
  });

  it('C.4.1 an unknown name → -ENODEV; a match op error aborts with it', async () => {
    const f = fake();
    const { vfioGroupGetDeviceFd } = await import('@vfio-ts/vfio-core');
    expect(await f.k.run('o', () => vfioGroupGetDeviceFd(f.core, f.files, '0000:09:00.0'))).toBe(
      -ENODEV,
    );
    f.ops.match = () => -EINVAL;
    expect(await f.k.run('o', () => vfioGroupGetDeviceFd(f.core, f.files, 'x'))).toBe(-EINVAL);
    f.ops.match = (_v, name) => (name.startsWith('0000:01:00.0 ') ? 1 : 0);
    expect(
      await f.k.run('o', () => vfioGroupGetDeviceFd(f.core, f.files, '0000:01:00.0 vf_token=x')),
    ).toBe(0);
  });

  it('C.4.1 a full descriptor table closes the device again', async () => {
    const f = fake();
    const { FileTable } = await import('@vfio-ts/kernel');
    const full = new FileTable(0);
    expect(await open(f, full)).toBe(-24);
    expect(f.vdev.openCount).toBe(0);
    expect(f.log.calls).toEqual(['open', 'close']);
  });

  it('C.1.6 read, write and mmap go straight to the driver, -EINVAL without the op', async () => {
    const f = fake();
    const fd = await open(f);
    const file = f.files.fdget(fd);
    if (typeof file === 'number') throw new Error('no file');
    const buf = new Uint8Array(4);
    expect(await f.k.run('r', () => file.fops.read!(file, buf, 4, 0))).toBe(4);
    expect(await f.k.run('w', () => file.fops.write!(file, buf, 4, 0))).toBe(4);
    expect(await f.k.run('m', () => vfioDeviceFopsMmap(vmaOf(f, file)))).toBe(0);
    expect(f.dev.power.runtimeStatus).toBe('suspended');
    f.ops.read = f.ops.write = f.ops.mmap = undefined;
    expect(await f.k.run('r', () => file.fops.read!(file, buf, 4, 0))).toBe(-EINVAL);
    expect(await f.k.run('w', () => file.fops.write!(file, buf, 4, 0))).toBe(-EINVAL);
    expect(await f.k.run('m', () => vfioDeviceFopsMmap(vmaOf(f, file)))).toBe(-EINVAL);
    expect(await ioctl(f, 99, 0)).toBe(-EBADF);
  });
});
