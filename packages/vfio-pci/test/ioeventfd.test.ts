import { describe, expect, it } from 'vitest';
import { EBADF, EEXIST, EFAULT, EINVAL, ENODEV, ENOSPC } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import { cfgWrite, eventfd, ioctl, open, setup, type M } from './machine.js';

async function opened(): Promise<[M, number]> {
  const m = await setup();
  return [m, await open(m)];
}

function ioe(o: {
  argsz?: number;
  flags?: number;
  offset?: number;
  data?: bigint;
  fd?: number;
}): Uint8Array {
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  v.setUint32(0, o.argsz ?? 32, true);
  v.setUint32(4, o.flags ?? 4, true);
  v.setBigUint64(8, BigInt(o.offset ?? 0x10), true);
  v.setBigUint64(16, o.data ?? 0x55n, true);
  v.setInt32(24, o.fd ?? -1, true);
  return b;
}

const signal = (m: M, fd: number): void =>
  (m.files.fdget(fd) as { privateData: { signal(n: number): void } }).privateData.signal(1);

describe('D.12 VFIO_DEVICE_IOEVENTFD', () => {
  it.each([
    ['argsz 27', { argsz: 27 }, -EINVAL],
    ['a flag outside the size bits', { flags: 0x14 }, -EINVAL],
    ['two sizes', { flags: 3 }, -EINVAL],
    ['no size', { flags: 0 }, -EINVAL],
    ['fd -2', { fd: -2 }, -EINVAL],
    ['the config region', { offset: VFIO.regionOffset(7) }, -EINVAL],
    ['past the BAR', { offset: 0x1fffe }, -EINVAL],
    ['the MSI-X table', { offset: VFIO.regionOffset(3) + 0x10 }, -EINVAL],
    ['remove with no match', { fd: -1 }, -ENODEV],
    ['a closed fd', { fd: 60 }, -EBADF],
    ['a non-eventfd', { fd: 0 }, -EINVAL],
  ])('%s → errno', async (_n, o, errno) => {
    const [m, fd] = await opened();
    expect(await ioctl(m, fd, VFIO.DEVICE_IOEVENTFD, ioe(o))).toBe(errno);
    expect(m.vdev.ioeventfds.length).toBe(0);
  });

  it('a short buffer is -EFAULT', async () => {
    const [m, fd] = await opened();
    expect(await ioctl(m, fd, VFIO.DEVICE_IOEVENTFD, new Uint8Array(20))).toBe(-EFAULT);
  });

  it('a signal writes the value to the BAR without waking anything; duplicates and removal', async () => {
    const [m, fd] = await opened();
    const e = eventfd(m);
    expect(await ioctl(m, fd, VFIO.DEVICE_IOEVENTFD, ioe({ fd: e }))).toBe(0);
    expect(await ioctl(m, fd, VFIO.DEVICE_IOEVENTFD, ioe({ fd: e }))).toBe(-EEXIST);
    signal(m, e);
    await m.k.settle();
    expect(m.ep.hw.barRead(0, 0x10, 4)).toBe(0x55);
    expect(await ioctl(m, fd, VFIO.DEVICE_IOEVENTFD, ioe({ fd: -1 }))).toBe(0);
    expect(m.vdev.ioeventfds.length).toBe(0);
  });

  it('D.9.2 writes are dropped while Memory Space is disabled; 8-byte and I/O writes', async () => {
    const [m, fd] = await opened();
    const e = eventfd(m);
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_IOEVENTFD,
      ioe({ fd: e, flags: 8, offset: 0x20, data: 0x1122334455667788n }),
    );
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_IOEVENTFD,
      ioe({ fd: e, flags: 1, offset: VFIO.regionOffset(2), data: 7n }),
    );
    await cfgWrite(m, fd, 0x04, 2, 0x0101);
    signal(m, e);
    await m.k.settle();
    expect(m.ep.hw.barRead(0, 0x20, 4)).toBe(0);
    await cfgWrite(m, fd, 0x04, 2, 0x0103);
    signal(m, e);
    await m.k.settle();
    expect([m.ep.hw.barRead(0, 0x20, 4), m.ep.hw.barRead(0, 0x24, 4)]).toEqual([
      0x55667788, 0x11223344,
    ]);
  });

  it('memory_lock contention defers the write to the thread path', async () => {
    const [m, fd] = await opened();
    const e = eventfd(m);
    await ioctl(m, fd, VFIO.DEVICE_IOEVENTFD, ioe({ fd: e }));
    await m.k.run('hold', async () => {
      await m.vdev.memoryLock.downWrite();
      signal(m, e);
      await m.k.sched.sleep(1_000_000);
      m.vdev.memoryLock.upWrite();
    });
    await m.k.settle();
    expect(m.ep.hw.barRead(0, 0x10, 4)).toBe(0x55);
  });

  it('the thread path drops the write when memory is disabled meanwhile', async () => {
    const [m, fd] = await opened();
    const e = eventfd(m);
    await ioctl(m, fd, VFIO.DEVICE_IOEVENTFD, ioe({ fd: e }));
    await m.k.run('hold', async () => {
      await m.vdev.memoryLock.downWrite();
      signal(m, e);
      await m.k.sched.sleep(1_000_000);
      m.vdev.vconfig![4] = 0x01;
      m.vdev.memoryLock.upWrite();
    });
    await m.k.settle();
    expect(m.ep.hw.barRead(0, 0x10, 4)).toBe(0);
  });

  it('at most 1000 ioeventfds: -ENOSPC', async () => {
    const [m, fd] = await opened();
    const e = eventfd(m);
    for (let i = 0; i < 1000; i++)
      expect(await ioctl(m, fd, VFIO.DEVICE_IOEVENTFD, ioe({ fd: e, data: BigInt(i) }))).toBe(0);
    expect(await ioctl(m, fd, VFIO.DEVICE_IOEVENTFD, ioe({ fd: e, data: 5000n }))).toBe(-ENOSPC);
  });
});
