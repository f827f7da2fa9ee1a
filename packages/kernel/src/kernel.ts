// One simulated kernel: the clock, the scheduler, lockdep, the trace bus, the kernel log and
// the defects found so far. Every layer receives it (through DI in a machine).
import { VirtualClock } from './clock.js';
import { eventfdCreate, type EventfdFlags } from './eventfd.js';
import type { File, FileTable } from './file.js';
import type { KernelLocal } from './kernel-local.js';
import { Lockdep, type LockdepReport } from './lockdep.js';
import { Mutex, RwSemaphore, SpinLock } from './locks.js';
import { FifoPolicy, RandomPolicy, type SchedulePolicy } from './policy.js';
import { Scheduler } from './scheduler.js';
import type { Task } from './task.js';
import { TraceBus } from './trace.js';
import { Completion, WaitQueue } from './waitqueue.js';
import { Workqueue } from './workqueue.js';

/** A defect the simulated kernel would report (a WARN, a BUG, a lockdep splat). */
export interface Defect {
  /** e.g. `lockdep`, `sleep-in-atomic`, `warn`, or a layer's own kind such as `rpm-usage-underflow` */
  readonly kind: string;
  readonly message: string;
  /** Virtual time in ns. */
  readonly at: number;
  readonly task: string;
}

/** A line of the kernel log (dmesg). */
export interface LogLine {
  readonly at: number;
  readonly level: 'err' | 'warn' | 'info' | 'debug';
  readonly text: string;
}

/** How to build a kernel. */
export interface KernelOptions {
  /** Seed of the random schedule policy; without it (and without `policy`) tasks run FIFO. */
  seed?: number;
  /** An explicit policy (replay, exhaustive search); wins over `seed`. */
  policy?: SchedulePolicy;
}

/** A violation of an invariant, found after a scheduler step. */
export type InvariantCheck = () => readonly string[];

/** The simulated kernel every layer of one machine shares. */
export class Kernel {
  readonly clock = new VirtualClock();
  readonly sched: Scheduler;
  readonly lockdep = new Lockdep();
  readonly trace: TraceBus;
  readonly log: LogLine[] = [];
  readonly defects: Defect[] = [];
  /** The runtime PM workqueue (pm_wq). */
  readonly pmWq: Workqueue;
  /** The system workqueue (system_wq). */
  readonly systemWq: Workqueue;
  private readonly checks: InvariantCheck[] = [];
  /** @internal the state modules keep on this kernel (see {@link KernelLocal}) */
  readonly locals = new Map<KernelLocal<unknown>, unknown>();

  constructor(opts: KernelOptions = {}) {
    const policy =
      opts.policy ?? (opts.seed !== undefined ? new RandomPolicy(opts.seed) : new FifoPolicy());
    this.sched = new Scheduler(this.clock, policy);
    this.trace = new TraceBus(
      () => this.clock.now(),
      () => (this.sched.current ? String(this.sched.current) : '-'),
    );
    this.pmWq = new Workqueue(this.sched, 'pm');
    this.systemWq = new Workqueue(this.sched, 'events');
    // Named first: a function literal assigned straight to a property was seen (heap profiles
    // of exploration) to be pretenured, keeping this kernel and its machine alive until a full GC.
    const onReport = (r: LockdepReport): void => this.defect('lockdep', r.message);
    const onAtomicSleep = (t: Task, what: string): void =>
      this.defect('sleep-in-atomic', `BUG: scheduling while atomic: ${t} (${what})`);
    this.lockdep.onReport = onReport;
    this.sched.onAtomicSleep = onAtomicSleep;
  }

  /**
   * Runs `fn` as a task until it ends (what a system call does).
   * @param files the calling process's descriptor table (current->files)
   */
  run<T>(name: string, fn: () => Promise<T> | T, files: FileTable | null = null): Promise<T> {
    return this.sched.run(name, fn, files);
  }

  /** Runs everything runnable and every timer until nothing is left. */
  settle(): Promise<void> {
    return this.sched.settle();
  }

  /** Logs a line to the kernel log (printk). */
  printk(level: LogLine['level'], text: string): void {
    this.log.push({ at: this.clock.now(), level, text });
  }

  /** Records a defect and logs it (WARN / BUG / a checker's report). */
  defect(kind: string, message: string): void {
    const task = this.sched.current ? String(this.sched.current) : '-';
    this.defects.push({ kind, message, at: this.clock.now(), task });
    this.printk('warn', message);
  }

  /** Adds an invariant checked after every scheduler step once {@link checkInvariants} is on. */
  addInvariant(check: InvariantCheck): void {
    this.checks.push(check);
  }

  /** Current violations of every registered invariant. */
  violations(): string[] {
    const found: string[] = [];
    for (const check of this.checks) for (const v of check()) found.push(v);
    return found;
  }

  /** Checks invariants after every step; the first violation stops the run with an error. */
  checkInvariants(on = true): void {
    this.sched.onStep = on
      ? () => {
          const v = this.violations();
          if (v.length) throw new InvariantError(v);
        }
      : null;
  }

  newMutex(lockClass: string): Mutex {
    return new Mutex(this, lockClass);
  }

  newRwSemaphore(lockClass: string): RwSemaphore {
    return new RwSemaphore(this, lockClass);
  }

  newSpinLock(lockClass: string): SpinLock {
    return new SpinLock(this, lockClass);
  }

  newWaitQueue(name: string): WaitQueue {
    return new WaitQueue(this.sched, name);
  }

  newCompletion(name: string): Completion {
    return new Completion(this.sched, name);
  }

  /** Creates an eventfd file (not yet installed in any table). */
  eventfd(initval: number, flags?: EventfdFlags): File | number {
    return eventfdCreate(this, initval, flags);
  }
}

/** An invariant broke after a scheduler step. */
export class InvariantError extends Error {
  constructor(readonly violations: readonly string[]) {
    super(`invariant violated: ${violations.join('; ')}`);
    this.name = 'InvariantError';
  }
}
