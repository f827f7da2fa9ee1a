// eventfd (fs/eventfd.c): a 64-bit counter behind a file, with eventfd(2) semantics for user
// space and eventfd_ctx_fdget() / eventfd_signal() for the kernel side.
import { EAGAIN, EBADF, EINVAL } from './errno.js';
import { File, type FileOperations, type FileTable } from './file.js';
import type { Scheduler } from './scheduler.js';
import type { TraceBus } from './trace.js';
import { WaitQueue } from './waitqueue.js';

const ULLONG_MAX = (1n << 64n) - 1n;

/** What an eventfd needs from its kernel. */
export interface EventfdEnv {
  readonly sched: Scheduler;
  readonly trace: TraceBus;
}

let nextCtxId = 1;

/** The kernel object behind an eventfd (struct eventfd_ctx). */
export class EventfdCtx {
  /** The counter (u64). */
  count: bigint;
  /** Context references (kref): the file holds one, eventfd_ctx_fdget callers one each. */
  refs = 1;
  /** How many times the kernel signalled it. */
  signals = 0;
  readonly id = nextCtxId++;
  /** @internal */
  readonly wq: WaitQueue;

  constructor(
    private readonly env: EventfdEnv,
    initval: bigint,
    /** EFD_SEMAPHORE: reads return 1 and decrement by 1. */
    readonly semaphore: boolean,
  ) {
    this.count = initval;
    this.wq = new WaitQueue(env.sched, `eventfd ${this.id}`);
  }

  /** Adds `n` to the counter, saturating at ULLONG_MAX, and wakes readers (eventfd_signal). @returns the amount added */
  signal(n = 1): number {
    let add = BigInt(n);
    if (ULLONG_MAX - this.count < add) add = ULLONG_MAX - this.count;
    this.count += add;
    this.signals++;
    if (this.env.trace.on)
      this.env.trace.emit('eventfd_signal', {
        ctx: this.id,
        n: Number(add),
        count: this.count.toString(),
      });
    this.wq.wakeUp();
    return Number(add);
  }

  /** Takes a context reference (eventfd_ctx_get). */
  get(): this {
    this.refs++;
    return this;
  }

  /** Drops a context reference (eventfd_ctx_put). */
  put(): void {
    if (this.refs <= 0) throw new Error(`eventfd_ctx_put on freed eventfd ${this.id}`);
    this.refs--;
  }
}

function writeU64(buf: Uint8Array, v: bigint): void {
  new DataView(buf.buffer, buf.byteOffset, 8).setBigUint64(0, v, true);
}

const eventfdFops: FileOperations = {
  async read(file, buf, count) {
    const ctx = file.privateData as EventfdCtx;
    if (count < 8 || buf.length < 8) return -EINVAL;
    while (ctx.count === 0n) {
      if (file.flags.nonblock) return -EAGAIN;
      await ctx.wq.wait();
    }
    const ucnt = ctx.semaphore ? 1n : ctx.count;
    ctx.count -= ucnt;
    writeU64(buf, ucnt);
    ctx.wq.wakeUp();
    return 8;
  },
  async write(file, buf, count) {
    const ctx = file.privateData as EventfdCtx;
    if (count < 8 || buf.length < 8) return -EINVAL;
    const ucnt = new DataView(buf.buffer, buf.byteOffset, 8).getBigUint64(0, true);
    if (ucnt === ULLONG_MAX) return -EINVAL;
    while (ULLONG_MAX - ctx.count <= ucnt) {
      if (file.flags.nonblock) return -EAGAIN;
      await ctx.wq.wait();
    }
    ctx.count += ucnt;
    if (ucnt) ctx.wq.wakeUp();
    return 8;
  },
  release(file) {
    (file.privateData as EventfdCtx).put();
  },
};

/** eventfd(2) flags. */
export interface EventfdFlags {
  nonblock?: boolean;
  semaphore?: boolean;
}

/**
 * Creates an eventfd file (eventfd2). The caller installs it in a {@link FileTable}.
 * @returns the file, or -EINVAL for an initial value that is not an unsigned 32-bit integer
 */
export function eventfdCreate(
  env: EventfdEnv,
  initval: number,
  flags: EventfdFlags = {},
): File | number {
  if (!Number.isInteger(initval) || initval < 0 || initval > 0xffffffff) return -EINVAL;
  const ctx = new EventfdCtx(env, BigInt(initval), flags.semaphore ?? false);
  return new File(eventfdFops, ctx, { nonblock: flags.nonblock ?? false }, 'eventfd');
}

/** Whether `file` is an eventfd. */
export function isEventfd(file: File): boolean {
  return file.fops === eventfdFops;
}

/**
 * Resolves a user's eventfd descriptor to its context and takes a reference (eventfd_ctx_fdget).
 * Pass `sched.currentFiles()`: the caller's table; a kernel thread has none (-EBADF).
 * @returns the context, -EBADF for a descriptor that is not open, -EINVAL for a file that is not an eventfd
 */
export function eventfdCtxFdget(files: FileTable | null, fd: number): EventfdCtx | number {
  if (!files) return -EBADF;
  const f = files.fdget(fd);
  if (typeof f === 'number') return -EBADF;
  if (!isEventfd(f)) return -EINVAL;
  return (f.privateData as EventfdCtx).get();
}
