import { describe, expect, it } from 'vitest';
import {
  EAGAIN,
  EBADF,
  EINVAL,
  EventfdCtx,
  File,
  FileTable,
  Kernel,
  eventfdCtxFdget,
  isEventfd,
} from '@vfio-ts/kernel';

function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}
const readU64 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);
const MAX = (1n << 64n) - 1n;

function make(
  k: Kernel,
  initval: number,
  flags?: { nonblock?: boolean; semaphore?: boolean },
): File {
  const f = k.eventfd(initval, flags);
  if (typeof f === 'number') throw new Error(`eventfd failed ${f}`);
  return f;
}

async function read(k: Kernel, f: File, len = 8): Promise<[number, bigint]> {
  const buf = new Uint8Array(len);
  const n = await k.run('read', () => f.fops.read!(f, buf, len, 0));
  return [n, n === 8 ? readU64(buf) : -1n];
}

async function write(k: Kernel, f: File, v: bigint, len = 8): Promise<number> {
  const b = new Uint8Array(Math.max(len, 8));
  b.set(u64(v));
  return k.run('write', () => f.fops.write!(f, b.subarray(0, len), len, 0));
}

describe('eventfd(2)', () => {
  it('an 8-byte read returns the counter and resets it', async () => {
    const k = new Kernel();
    const f = make(k, 5, { nonblock: true });
    expect(await read(k, f)).toEqual([8, 5n]);
    expect(await read(k, f)).toEqual([-EAGAIN, -1n]);
  });

  it('a non-blocking read of a zero counter is -EAGAIN', async () => {
    const k = new Kernel();
    expect((await read(k, make(k, 0, { nonblock: true })))[0]).toBe(-EAGAIN);
  });

  it('a blocking read sleeps until the counter is non-zero', async () => {
    const k = new Kernel();
    const f = make(k, 0);
    const ctx = f.privateData as EventfdCtx;
    const r = read(k, f);
    await k.run('signaller', async () => {
      await k.sched.sleep(10);
      expect(ctx.signal(3)).toBe(3);
    });
    expect(await r).toEqual([8, 3n]);
    expect(k.clock.now()).toBe(10);
  });

  it('a buffer shorter than 8 bytes is -EINVAL, for read and write', async () => {
    const k = new Kernel();
    const f = make(k, 1, { nonblock: true });
    expect((await read(k, f, 4))[0]).toBe(-EINVAL);
    expect(await write(k, f, 1n, 7)).toBe(-EINVAL);
  });

  it('writes add to the counter; writing ULLONG_MAX is -EINVAL', async () => {
    const k = new Kernel();
    const f = make(k, 1, { nonblock: true });
    expect(await write(k, f, 2n)).toBe(8);
    expect(await write(k, f, MAX)).toBe(-EINVAL);
    expect(await read(k, f)).toEqual([8, 3n]);
  });

  it('a write that would overflow is -EAGAIN when non-blocking, and waits for a read otherwise', async () => {
    const k = new Kernel();
    const nb = make(k, 0, { nonblock: true });
    expect(await write(k, nb, MAX - 1n)).toBe(8);
    expect(await write(k, nb, 1n)).toBe(-EAGAIN);
    const bl = make(k, 0);
    expect(await write(k, bl, MAX - 1n)).toBe(8);
    const w = write(k, bl, 5n);
    expect(await read(k, bl)).toEqual([8, MAX - 1n]);
    expect(await w).toBe(8);
    expect(await read(k, bl)).toEqual([8, 5n]);
  });

  it('semaphore mode reads 1 and decrements by 1', async () => {
    const k = new Kernel();
    const f = make(k, 2, { nonblock: true, semaphore: true });
    expect(await read(k, f)).toEqual([8, 1n]);
    expect(await read(k, f)).toEqual([8, 1n]);
    expect((await read(k, f))[0]).toBe(-EAGAIN);
  });

  it('rejects an initial value that is not an unsigned 32-bit integer', () => {
    const k = new Kernel();
    expect(k.eventfd(-1)).toBe(-EINVAL);
    expect(k.eventfd(2 ** 32)).toBe(-EINVAL);
    expect(k.eventfd(1.5)).toBe(-EINVAL);
  });

  it('eventfd_signal saturates at ULLONG_MAX and counts signals', async () => {
    const k = new Kernel();
    k.trace.record();
    const f = make(k, 0, { nonblock: true });
    const ctx = f.privateData as EventfdCtx;
    ctx.count = MAX - 1n;
    expect(ctx.signal(5)).toBe(1);
    expect(ctx.count).toBe(MAX);
    expect(ctx.signals).toBe(1);
    expect(k.trace.records('eventfd_signal')[0]?.payload).toEqual({
      ctx: ctx.id,
      n: 1,
      count: MAX.toString(),
    });
  });
});

describe('eventfd_ctx_fdget and files', () => {
  it('resolves an eventfd descriptor and takes a context reference that outlives the fd', async () => {
    const k = new Kernel();
    const files = new FileTable();
    const fd = files.install(make(k, 0));
    const ctx = eventfdCtxFdget(files, fd);
    expect(ctx).toBeInstanceOf(EventfdCtx);
    const c = ctx as EventfdCtx;
    expect(c.refs).toBe(2);
    expect(await k.run('close', () => files.close(fd))).toBe(0);
    expect(c.refs).toBe(1);
    c.put();
    expect(() => c.put()).toThrow(/freed/);
  });

  it('a bad descriptor is -EBADF; a file that is not an eventfd is -EINVAL', () => {
    const k = new Kernel();
    const files = new FileTable();
    expect(eventfdCtxFdget(files, 3)).toBe(-EBADF);
    expect(eventfdCtxFdget(files, -1)).toBe(-EBADF);
    const devnull = new File({}, null, {}, '/dev/null');
    const fd = files.install(devnull);
    expect(eventfdCtxFdget(files, fd)).toBe(-EINVAL);
    expect(isEventfd(devnull)).toBe(false);
    expect(isEventfd(make(k, 0))).toBe(true);
    expect(eventfdCtxFdget(null, fd)).toBe(-EBADF);
  });

  it("resolves in the calling task's process: current->files", async () => {
    const k = new Kernel();
    const files = new FileTable();
    const fd = files.install(make(k, 0));
    const inProcess = await k.run(
      'syscall',
      () => eventfdCtxFdget(k.sched.currentFiles(), fd),
      files,
    );
    expect(inProcess).toBeInstanceOf(EventfdCtx);
    expect(await k.run('kworker', () => eventfdCtxFdget(k.sched.currentFiles(), fd))).toBe(-EBADF);
  });

  it('hands out the lowest free descriptor, as Linux does', async () => {
    const files = new FileTable(3);
    const mk = () => new File({}, null);
    expect([files.install(mk()), files.install(mk()), files.install(mk())]).toEqual([0, 1, 2]);
    expect(files.install(mk())).toBe(-24);
    await files.close(1);
    expect(files.install(mk())).toBe(1);
    expect(await files.close(7)).toBe(-EBADF);
    expect(files.fdget(1.5)).toBe(-EBADF);
    await files.close(2);
    expect(files.openFds()).toEqual([0, 1]);
  });

  it('releases a file when its last reference goes', async () => {
    let released = 0;
    const f = new File({ release: () => void released++ }, null);
    f.get();
    await f.put();
    expect(released).toBe(0);
    await f.put();
    expect(released).toBe(1);
    expect(f.released).toBe(true);
    await expect(f.put()).rejects.toThrow(/released/);
    expect(() => f.get()).toThrow(/released/);
  });
});
