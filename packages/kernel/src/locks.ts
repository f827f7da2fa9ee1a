// Sleeping locks and spinlocks (kernel/locking): mutex, rw_semaphore, spinlock. Waiters are
// served in FIFO order with hand-off, and every acquisition is shown to lockdep.
import type { Lockdep } from './lockdep.js';
import type { Scheduler } from './scheduler.js';
import type { Task } from './task.js';
import type { TraceBus } from './trace.js';

/** What a lock needs from its kernel. */
export interface LockEnv {
  readonly sched: Scheduler;
  readonly lockdep: Lockdep;
  readonly trace: TraceBus;
}

function acquired(
  env: LockEnv,
  task: Task | null,
  cls: string,
  read: boolean,
  trylock: boolean,
): void {
  if (env.trace.on) env.trace.emit('lock_acquire', { lock: cls, read, trylock });
  if (trylock) env.lockdep.acquire(task, cls, { read, trylock });
}

function released(env: LockEnv, task: Task | null, cls: string): void {
  env.lockdep.release(task, cls);
  if (env.trace.on) env.trace.emit('lock_release', { lock: cls });
}

/** A sleeping mutual-exclusion lock (struct mutex). */
export class Mutex {
  /** The holder, or `null`. */
  owner: Task | null = null;
  private waiters: Task[] = [];

  /** @param lockClass the lockdep class, e.g. `&vdev->vma_lock` */
  constructor(
    private readonly env: LockEnv,
    readonly lockClass: string,
  ) {}

  /** Sleeps until the lock is free, then takes it (mutex_lock). */
  async lock(): Promise<void> {
    const t = this.env.sched.requireCurrent(`mutex_lock(${this.lockClass})`);
    this.env.lockdep.acquire(t, this.lockClass);
    await this.env.sched.yield();
    if (this.owner === null) {
      this.owner = t;
    } else {
      this.waiters.push(t);
      await this.env.sched.block(`mutex ${this.lockClass} held by ${this.owner}`);
    }
    acquired(this.env, t, this.lockClass, false, false);
  }

  /** Takes the lock only if free (mutex_trylock). @returns whether it was taken */
  tryLock(): boolean {
    if (this.owner !== null) return false;
    const t = this.env.sched.requireCurrent(`mutex_trylock(${this.lockClass})`);
    this.owner = t;
    acquired(this.env, t, this.lockClass, false, true);
    return true;
  }

  /** Releases the lock and hands it to the oldest waiter (mutex_unlock). */
  unlock(): void {
    const t = this.env.sched.current;
    if (this.owner !== t)
      throw new Error(`mutex_unlock(${this.lockClass}) by ${t ?? 'no task'}, owner ${this.owner}`);
    released(this.env, t, this.lockClass);
    const next = this.waiters.shift() ?? null;
    this.owner = next;
    if (next) this.env.sched.wake(next);
  }

  /** Whether held (mutex_is_locked). */
  get locked(): boolean {
    return this.owner !== null;
  }
}

interface RwWaiter {
  task: Task;
  write: boolean;
}

/** A reader-writer semaphore (struct rw_semaphore): FIFO, a queued writer blocks new readers. */
export class RwSemaphore {
  /** Number of readers holding it. */
  readers = 0;
  /** The writer holding it, or `null`. */
  writer: Task | null = null;
  private readonly readerTasks: Task[] = [];
  private waiters: RwWaiter[] = [];

  constructor(
    private readonly env: LockEnv,
    readonly lockClass: string,
  ) {}

  /** Takes it for reading (down_read). */
  async downRead(): Promise<void> {
    const t = this.env.sched.requireCurrent(`down_read(${this.lockClass})`);
    this.env.lockdep.acquire(t, this.lockClass, { read: true });
    await this.env.sched.yield();
    if (this.writer === null && this.waiters.length === 0) this.grantRead(t);
    else {
      this.waiters.push({ task: t, write: false });
      await this.env.sched.block(`rwsem ${this.lockClass} for reading`);
    }
    acquired(this.env, t, this.lockClass, true, false);
  }

  /** Takes it for writing (down_write). */
  async downWrite(): Promise<void> {
    const t = this.env.sched.requireCurrent(`down_write(${this.lockClass})`);
    this.env.lockdep.acquire(t, this.lockClass);
    await this.env.sched.yield();
    if (this.writer === null && this.readers === 0 && this.waiters.length === 0) this.writer = t;
    else {
      this.waiters.push({ task: t, write: true });
      await this.env.sched.block(`rwsem ${this.lockClass} for writing`);
    }
    acquired(this.env, t, this.lockClass, false, false);
  }

  /** Reads only if no writer holds or waits (down_read_trylock). */
  downReadTrylock(): boolean {
    if (this.writer !== null || this.waiters.length > 0) return false;
    const t = this.env.sched.current;
    this.grantRead(t);
    acquired(this.env, t, this.lockClass, true, true);
    return true;
  }

  /** Writes only if nobody holds or waits (down_write_trylock). */
  downWriteTrylock(): boolean {
    if (this.writer !== null || this.readers > 0 || this.waiters.length > 0) return false;
    const t = this.env.sched.requireCurrent(`down_write_trylock(${this.lockClass})`);
    this.writer = t;
    acquired(this.env, t, this.lockClass, false, true);
    return true;
  }

  /** Releases a read hold (up_read). */
  upRead(): void {
    const t = this.env.sched.current;
    const i = this.readerTasks.indexOf(t!);
    if (this.readers === 0 || (t && i < 0))
      throw new Error(`up_read(${this.lockClass}) by ${t ?? 'no task'} not holding it`);
    if (i >= 0) this.readerTasks.splice(i, 1);
    this.readers--;
    released(this.env, t, this.lockClass);
    if (this.readers === 0) this.wakeWaiters();
  }

  /** Releases the write hold (up_write). */
  upWrite(): void {
    const t = this.env.sched.current;
    if (this.writer !== t)
      throw new Error(`up_write(${this.lockClass}) by ${t ?? 'no task'}, writer ${this.writer}`);
    this.writer = null;
    released(this.env, t, this.lockClass);
    this.wakeWaiters();
  }

  /** Turns the write hold into a read hold and lets queued readers in (downgrade_write). */
  downgradeWrite(): void {
    const t = this.env.sched.current;
    if (this.writer !== t || !t)
      throw new Error(
        `downgrade_write(${this.lockClass}) by ${t ?? 'no task'}, writer ${this.writer}`,
      );
    this.writer = null;
    this.grantRead(t);
    for (let i = t.held.length - 1; i >= 0; i--) {
      const h = t.held[i]!;
      if (h.lockClass === this.lockClass) {
        t.held[i] = { ...h, read: true };
        break;
      }
    }
    this.wakeReaders();
  }

  /** Whether `task` (default: the running one) holds it, in `mode` if given. */
  isHeldBy(task: Task | null = this.env.sched.current, mode?: 'read' | 'write'): boolean {
    if (!task) return false;
    const w = this.writer === task;
    const r = this.readerTasks.includes(task);
    return mode === 'write' ? w : mode === 'read' ? r : w || r;
  }

  private grantRead(t: Task | null): void {
    this.readers++;
    if (t) this.readerTasks.push(t);
  }

  // Hand-off in FIFO order: a writer at the head, or every reader up to the next writer.
  private wakeWaiters(): void {
    const head = this.waiters[0];
    if (!head) return;
    if (head.write) {
      if (this.readers > 0 || this.writer) return;
      this.waiters.shift();
      this.writer = head.task;
      this.env.sched.wake(head.task);
      return;
    }
    this.wakeReaders();
  }

  private wakeReaders(): void {
    while (this.waiters[0] && !this.waiters[0].write) {
      const w = this.waiters.shift()!;
      this.grantRead(w.task);
      this.env.sched.wake(w.task);
    }
  }
}

/** A spinlock (spinlock_t): never sleeps; sleeping while holding one is reported. */
export class SpinLock {
  /** Whether held. */
  locked = false;
  private holder: Task | null = null;

  constructor(
    private readonly env: LockEnv,
    readonly lockClass: string,
  ) {}

  /** Takes it (spin_lock). A contended spinlock cannot happen between cooperative tasks. */
  lock(): void {
    const t = this.env.sched.current;
    if (this.locked)
      throw new Error(
        `spin_lock(${this.lockClass}) by ${t ?? 'no task'}: held by ${this.holder ?? 'no task'}, which slept holding it`,
      );
    this.env.lockdep.acquire(t, this.lockClass);
    this.locked = true;
    this.holder = t;
    if (t) t.atomicDepth++;
    acquired(this.env, t, this.lockClass, false, false);
  }

  /** Releases it (spin_unlock). */
  unlock(): void {
    if (!this.locked) throw new Error(`spin_unlock(${this.lockClass}) while not held`);
    const t = this.holder;
    this.locked = false;
    this.holder = null;
    if (t) t.atomicDepth--;
    released(this.env, t, this.lockClass);
  }
}
