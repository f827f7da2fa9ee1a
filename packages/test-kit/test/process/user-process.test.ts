import { describe, expect, it } from 'vitest';
import {
  EAGAIN,
  EBADF,
  EFAULT,
  EINVAL,
  ENODEV,
  ENOENT,
  Kernel,
  VM_FAULT_NOPAGE,
  VM_FAULT_SIGBUS,
} from '@vfio-ts/kernel';
import { Device } from '@vfio-ts/runtime-pm';
import { VFIO, VfioCore, VfioDevice } from '@vfio-ts/vfio-core';
import { Mapping, SigBus, SigSegv, UserProcess } from '@vfio-ts/test-kit';

// A fake vfio driver: 4 KiB of "BAR" memory behind a fault handler that a test can refuse.
function machine() {
  const k = new Kernel();
  const core = new VfioCore(k);
  const dev = new Device(k, { name: '0000:01:00.0' });
  const mem = new Map<number, number>();
  const state = { refuse: false, released: 0, lastPos: -1 };
  const vdev = new VfioDevice(k, dev, {
    name: 'fake',
    closeDevice: async () => void state.released++,
    ioctl: async (_v, cmd, arg) => {
      if (cmd !== 1 || !(arg instanceof Uint8Array)) return -25;
      arg[0] = 0xab;
      return 0;
    },
    read: async (_v, buf, count, pos) => {
      state.lastPos = pos;
      buf.fill(7, 0, count);
      return count;
    },
    write: async (_v, _buf, count, pos) => ((state.lastPos = pos), count),
    mmap: async (_v, vma) => {
      if (vma.pgoff !== 0) return -EINVAL;
      vma.ops = {
        fault: (v) => {
          if (state.refuse) return VM_FAULT_SIGBUS;
          v.populate({
            read: (o, s) => mem.get(o) ?? (s === 1 ? 0x11 : 0x11111111),
            write: (o, _s, val) => void mem.set(o, val),
          });
          return VM_FAULT_NOPAGE;
        },
      };
      return 0;
    },
  });
  core.vfioRegisterGroupDev(vdev);
  return { k, core, p: new UserProcess(k, core), state };
}

describe('UserProcess', () => {
  it('opens a device, ioctls with a user buffer, and closes it', async () => {
    const { p, state } = machine();
    const fd = await p.openDevice('0000:01:00.0');
    expect(fd).toBe(0);
    const buf = new Uint8Array(4);
    expect(await p.ioctl(fd, 1, buf)).toBe(0);
    expect(buf[0]).toBe(0xab);
    expect(await p.ioctl(fd, 2)).toBe(-25);
    expect(await p.close(fd)).toBe(0);
    expect(state.released).toBe(1);
    expect(await p.close(fd)).toBe(-EBADF);
    expect(await p.openDevice('0000:09:00.0')).toBe(-ENODEV);
  });

  it('read and write advance the file position; pread and pwrite do not', async () => {
    const { p, state } = machine();
    const fd = await p.openDevice('0000:01:00.0');
    const buf = new Uint8Array(8);
    expect(await p.read(fd, buf, 4)).toBe(4);
    expect(await p.read(fd, buf, 4)).toBe(4);
    expect(state.lastPos).toBe(4);
    expect(await p.pread(fd, buf, 2, VFIO.pciConfigOffset(0))).toBe(2);
    expect(state.lastPos).toBe(VFIO.pciConfigOffset(0));
    expect(await p.write(fd, buf, 1)).toBe(1);
    expect(state.lastPos).toBe(8);
    expect(await p.pwrite(fd, buf, 1, 100)).toBe(1);
    expect(state.lastPos).toBe(100);
  });

  it('answers bad arguments with an errno, never an exception', async () => {
    const { p } = machine();
    const fd = await p.openDevice('0000:01:00.0');
    const buf = new Uint8Array(4);
    expect(await p.read(fd, buf, 8)).toBe(-EFAULT);
    expect(await p.read(fd, 'x' as never, 1)).toBe(-EFAULT);
    expect(await p.read(fd, buf, -1)).toBe(-EINVAL);
    expect(await p.pread(fd, buf, 1, -5)).toBe(-EINVAL);
    expect(await p.read(42, buf, 1)).toBe(-EBADF);
    expect(await p.ioctl(fd, -1)).toBe(-EINVAL);
    expect(await p.ioctl(fd, 1, {} as never)).toBe(-EFAULT);
    expect(await p.ioctl(1.5, 1)).toBe(-EBADF);
    expect(await p.openDevice(7 as never)).toBe(-EINVAL);
    expect(await p.open('/etc/passwd')).toBe(-ENOENT);
    const nul = await p.open('/dev/null');
    expect(await p.read(nul, buf, 4)).toBe(0);
    expect(await p.write(nul, buf, 4)).toBe(4);
    expect(await p.ioctl(nul, 1)).toBe(-25);
    expect(await p.mmap(nul, 0, 4096)).toBe(-ENODEV);
  });

  it('eventfds follow eventfd(2)', async () => {
    const { p } = machine();
    const efd = await p.eventfd(0, { nonblock: true });
    const out = new Uint8Array(8);
    expect(await p.read(efd, out, 8)).toBe(-EAGAIN);
    const one = new Uint8Array(8);
    one[0] = 3;
    expect(await p.write(efd, one, 8)).toBe(8);
    expect(await p.read(efd, out, 8)).toBe(8);
    expect(out[0]).toBe(3);
    expect(await p.eventfd(-1)).toBe(-EINVAL);
    const sem = await p.eventfd(2, { semaphore: true });
    expect(await p.read(sem, out, 8)).toBe(8);
    expect(out[0]).toBe(1);
  });

  it('a mapping faults through the driver, and throws SigBus where the driver refuses', async () => {
    const { p, state } = machine();
    const fd = await p.openDevice('0000:01:00.0');
    const map = (await p.mmap(fd, 0, 100)) as Mapping;
    expect(map).toBeInstanceOf(Mapping);
    expect(map.length).toBe(4096);
    expect(await map.readU32(0)).toBe(0x11111111);
    await map.writeU32(8, 0xdeadbeef);
    expect(await map.readU32(8)).toBe(0xdeadbeef);
    await map.writeU16(16, 0xbeef);
    expect(await map.readU16(16)).toBe(0xbeef);
    await map.writeU8(20, 0x5a);
    expect(await map.readU8(20)).toBe(0x5a);
    map.vma.zap();
    state.refuse = true;
    await expect(map.readU32(0)).rejects.toBeInstanceOf(SigBus);
    await expect(map.writeU8(0, 1)).rejects.toBeInstanceOf(SigBus);
    state.refuse = false;
    expect(await map.readU8(0)).toBe(0x11);
  });

  it('misaligned accesses are split into bytes', async () => {
    const { p } = machine();
    const fd = await p.openDevice('0000:01:00.0');
    const map = (await p.mmap(fd, 0, 4096)) as Mapping;
    await map.writeU32(1, 0x04030201);
    expect(await map.readU8(1)).toBe(1);
    expect(await map.readU8(4)).toBe(4);
    expect(await map.readU32(1)).toBe(0x04030201);
  });

  it('accesses outside the mapping or after munmap raise SIGSEGV', async () => {
    const { p } = machine();
    const fd = await p.openDevice('0000:01:00.0');
    const map = (await p.mmap(fd, 0, 4096)) as Mapping;
    await expect(map.readU32(4094)).rejects.toBeInstanceOf(SigSegv);
    await expect(map.readU8(-1)).rejects.toBeInstanceOf(SigSegv);
    expect(await p.munmap(map)).toBe(0);
    expect(await p.munmap(map)).toBe(-EINVAL);
    await expect(map.readU8(0)).rejects.toBeInstanceOf(SigSegv);
  });

  it('mmap validates its arguments; a mapping keeps the device open after close', async () => {
    const { p, state } = machine();
    const fd = await p.openDevice('0000:01:00.0');
    expect(await p.mmap(fd, 0, 0)).toBe(-EINVAL);
    expect(await p.mmap(fd, 100, 4096)).toBe(-EINVAL);
    expect(await p.mmap(fd, 4096, 4096)).toBe(-EINVAL);
    expect(await p.mmap(99, 0, 4096)).toBe(-EBADF);
    const map = (await p.mmap(fd, 0, 4096)) as Mapping;
    expect(await p.close(fd)).toBe(0);
    expect(state.released).toBe(0);
    expect(await map.readU8(0)).toBe(0x11);
    await p.exit();
    expect(state.released).toBe(1);
  });
});
