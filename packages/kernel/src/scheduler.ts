// The deterministic scheduler: one task runs at a time and is switched out only at a choice
// point (schedule(), a lock or event wait, a sleep). Time moves only when nothing can run.
import type { VirtualClock } from './clock.js';
import type { FileTable } from './file.js';
import { DeadlockError, LivelockError, TaskFailedError } from './errors.js';
import { FifoPolicy, type SchedulePolicy } from './policy.js';
import { RunQueue } from './run-queue.js';
import { Task } from './task.js';
import { TimerQueue, type TimerHandle } from './timers.js';

// What a caller drives the scheduler for: a task's end (join) or a condition, maybe by a deadline.
interface Target {
  done(): boolean;
  readonly deadline?: number;
  resolve(): void;
  reject(e: unknown): void;
}

// A join: settled with the task's result once it ends.
class JoinTarget<T> implements Target {
  constructor(
    private readonly task: Task<T>,
    readonly resolveFn: (v: T) => void,
    readonly reject: (e: unknown) => void,
  ) {}

  done(): boolean {
    return this.task.state === 'done';
  }

  resolve(): void {
    const t = this.task;
    if (t.failed) this.reject(t.error);
    else this.resolveFn(t.result as T);
  }
}

/** Called when a task would sleep while holding a spinlock. */
export type AtomicSleepHook = (task: Task, what: string) => void;

/** Runs tasks one at a time in an order chosen by a {@link SchedulePolicy}. */
export class Scheduler {
  /** The running task, or `null` outside any task. */
  current: Task | null = null;
  /** Scheduler steps (task switches) since creation. */
  steps = 0;
  /** Most steps one drive may take before it is reported as a livelock. */
  maxSteps = 5_000_000;
  /** Runs after every step; throwing stops the run (invariant checking). */
  onStep: (() => void) | null = null;
  /** Told when a task sleeps in atomic context. */
  onAtomicSleep: AtomicSleepHook | null = null;
  /** Exceptions of tasks nobody joined. */
  readonly failures: TaskFailedError[] = [];

  private readonly runnable = new RunQueue<Task>();
  // Tasks blocked now, for deadlock reports (a task that never blocks never enters it).
  private readonly blocked = new Set<Task>();
  private readonly timers = new TimerQueue();
  private readonly targets: Target[] = [];
  private nextId = 1;
  private lastRan: Task | null = null;
  private parkResolve: (() => void) | null = null;
  private looping = false;
  private loopSteps = 0;
  // The running task gave the CPU back (parked or ended) since it was switched to.
  private released = false;

  constructor(
    readonly clock: VirtualClock,
    public policy: SchedulePolicy = new FifoPolicy(),
  ) {}

  /**
   * Creates a runnable task; it starts when the scheduler picks it.
   * @param files the descriptor table of the process it runs for (none: a kernel thread)
   */
  spawn<T>(name: string, fn: () => Promise<T> | T, files: FileTable | null = null): Task<T> {
    const task = new Task<T>(this.nextId++, name);
    task.files = files;
    task.body = fn;
    this.runnable.push(task);
    return task;
  }

  /** Spawns `fn` as a task and runs the scheduler until it ends; rethrows its exception. */
  run<T>(name: string, fn: () => Promise<T> | T, files: FileTable | null = null): Promise<T> {
    return this.join(this.spawn(name, fn, files));
  }

  /** The descriptor table of the running task's process (current->files), or null. */
  currentFiles(): FileTable | null {
    return this.current?.files ?? null;
  }

  /** Runs the scheduler until `task` ends; rethrows its exception. */
  join<T>(task: Task<T>): Promise<T> {
    task.joined = true;
    if (task.state === 'done')
      return task.failed ? Promise.reject(task.error) : Promise.resolve(task.result as T);
    return new Promise<T>((resolve, reject) =>
      this.addTarget(new JoinTarget(task, resolve, reject)),
    );
  }

  /** Runs until nothing is runnable and no timer is armed. */
  settle(): Promise<void> {
    return this.drive(() => this.runnable.length === 0 && this.timers.size === 0);
  }

  /** Runs for `ns` of virtual time: everything due until then, then the clock reads now + ns. */
  runFor(ns: number): Promise<void> {
    return this.drive(() => false, this.clock.now() + ns);
  }

  /** A choice point (schedule()): another runnable task may run before this one goes on. */
  yield(): Promise<void> {
    const t = this.requireCurrent('schedule()');
    this.checkAtomic(t, 'schedule()');
    if (this.runnable.length === 0) return Promise.resolve();
    t.state = 'runnable';
    this.runnable.push(t);
    return this.park(t);
  }

  /** Blocks the running task until {@link wake}; `reason` names what it waits for. */
  block(reason: string): Promise<void> {
    const t = this.requireCurrent(`waiting for ${reason}`);
    this.checkAtomic(t, `waiting for ${reason}`);
    t.state = 'blocked';
    t.waitingFor = reason;
    this.blocked.add(t);
    return this.park(t);
  }

  /** Makes a blocked task runnable. @returns whether it was blocked */
  wake(task: Task): boolean {
    if (task.state !== 'blocked') return false;
    task.state = 'runnable';
    task.waitingFor = null;
    this.blocked.delete(task);
    this.runnable.push(task);
    return true;
  }

  /** Sleeps the running task for `ns` of virtual time (msleep, usleep_range). */
  async sleep(ns: number): Promise<void> {
    const t = this.requireCurrent('sleep');
    this.timers.add(this.clock.now() + Math.max(0, ns), () => this.wake(t));
    await this.block(`sleep until ${this.clock.now() + ns} ns`);
  }

  /** Arms a timer at virtual time `at`; its callback runs in timer (atomic) context. */
  addTimer(at: number, fn: () => void): TimerHandle {
    return this.timers.add(at, fn);
  }

  /** @returns the task that must be running, or throws naming the operation */
  requireCurrent(what: string): Task {
    const t = this.current;
    if (!t) throw new Error(`${what} needs a task: run kernel code with kernel.run(name, fn)`);
    return t;
  }

  /** Tasks that are alive and blocked, with what they wait for. */
  blockedTasks(): { task: string; waitingFor: string }[] {
    return [...this.blocked]
      .sort((a, b) => a.id - b.id)
      .map((t) => ({ task: String(t), waitingFor: t.waitingFor ?? '?' }));
  }

  /** Number of runnable tasks. */
  get runnableCount(): number {
    return this.runnable.length;
  }

  /** Number of armed timers. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  private checkAtomic(t: Task, what: string): void {
    if (t.atomicDepth > 0) this.onAtomicSleep?.(t, what);
  }

  private park(task: Task): Promise<void> {
    return new Promise<void>((resolve) => {
      task.resume = resolve;
      this.releaseCpu();
    });
  }

  private releaseCpu(): void {
    this.current = null;
    this.released = true;
    const p = this.parkResolve;
    this.parkResolve = null;
    p?.();
  }

  private fail(e: TaskFailedError): void {
    this.failures.push(e);
    for (const t of this.targets.splice(0)) t.reject(e);
  }

  private drive(done: () => boolean, deadline?: number): Promise<void> {
    if (deadline === undefined && done()) return Promise.resolve();
    return new Promise<void>((resolve, reject) =>
      this.addTarget({ done, deadline, resolve, reject }),
    );
  }

  private addTarget(t: Target): void {
    this.targets.push(t);
    if (!this.looping) {
      this.looping = true;
      this.loopSteps = 0;
      // Let every synchronous caller register its task before the first choice.
      // (A resolved promise's then is cheaper than Node's queueMicrotask.)
      void RESOLVED.then(this.loopFn);
    }
  }

  // Runs steps while tasks give the CPU back at once; returns when one runs on asynchronously
  // (its park or end calls afterPark) or when no target is left.
  private loop(): void {
    try {
      while (this.targets.length) {
        if (++this.loopSteps > this.maxSteps) throw new LivelockError(this.maxSteps);
        if (this.runnable.length === 0) {
          if (!this.idle()) break;
          continue;
        }
        if (this.switchTo(this.pick())) return;
        this.afterStep();
      }
    } catch (e) {
      this.abort(e);
    }
    this.looping = false;
  }

  private readonly loopFn = (): void => this.loop();

  // The task that ran on asynchronously gave the CPU back: the step is over, go on.
  private readonly afterPark = (): void => {
    try {
      this.afterStep();
    } catch (e) {
      this.abort(e);
      this.looping = false;
      return;
    }
    this.loop();
  };

  private afterStep(): void {
    this.steps++;
    this.onStep?.();
    this.resolveTargets();
  }

  private abort(e: unknown): void {
    for (const t of this.targets.splice(0)) t.reject(e);
  }

  // Nothing can run: fire the next timer, or end timed targets, or report a deadlock.
  private idle(): boolean {
    const next = this.timers.peek();
    const deadlines = this.targets.filter((t) => t.deadline !== undefined);
    const earliest = Math.min(...deadlines.map((t) => t.deadline!));
    if (deadlines.length && (next === undefined || next > earliest)) {
      this.clock.advanceTo(Math.max(this.clock.now(), earliest));
      for (const t of deadlines) {
        if (t.deadline! <= earliest) this.finish(t);
      }
      this.resolveTargets();
      return true;
    }
    const timer = this.timers.pop();
    if (timer) {
      this.clock.advanceTo(Math.max(this.clock.now(), timer.at));
      timer.fn();
      this.resolveTargets();
      return true;
    }
    this.resolveTargets();
    if (this.targets.length) {
      const err = new DeadlockError(this.blockedTasks());
      for (const t of this.targets.splice(0)) t.reject(err);
    }
    return false;
  }

  private finish(t: Target): void {
    this.targets.splice(this.targets.indexOf(t), 1);
    t.resolve();
  }

  private resolveTargets(): void {
    for (let i = this.targets.length - 1; i >= 0; i--) {
      const t = this.targets[i]!;
      if (t.deadline === undefined && t.done()) this.finish(t);
    }
  }

  private pick(): Task {
    const n = this.runnable.length;
    let idx = 0;
    if (n > 1) {
      const cur =
        this.lastRan && this.lastRan.state === 'runnable'
          ? // It was queued last when it yielded: look from the tail.
            this.runnable.lastIndexOf(this.lastRan)
          : -1;
      idx = this.policy.choose({ options: n, current: cur });
    }
    const task = this.runnable.removeAt(idx)!;
    this.lastRan = task;
    return task;
  }

  // Runs `task` until it parks or ends. A task that has not started yet is started in the
  // scheduler's own call: when it ends or parks before its first await, the step is over.
  // @returns true when the task runs on asynchronously (afterPark is called when it stops)
  private switchTo(task: Task): boolean {
    this.current = task;
    task.state = 'running';
    const body = task.body;
    if (body) {
      task.body = null;
      this.released = false;
      let r: unknown;
      try {
        r = body();
      } catch (e) {
        this.end(task, undefined, e, true);
        return false;
      }
      if (!isThenable(r)) this.end(task, r, undefined, false);
      else
        r.then(
          (v) => this.end(task, v, undefined, false),
          (e: unknown) => this.end(task, undefined, e, true),
        );
      if (this.released) return false;
      this.parkResolve = this.afterPark;
      return true;
    }
    const r = task.resume!;
    task.resume = null;
    this.parkResolve = this.afterPark;
    r();
    return true;
  }

  // The task's body returned or threw: it is done and the CPU is free.
  private end(task: Task, result: unknown, error: unknown, failed: boolean): void {
    if (failed) {
      task.error = error;
      task.failed = true;
    } else task.result = result;
    task.state = 'done';
    // A task can end with a block() it never awaited still pending: it waits for nothing now.
    this.blocked.delete(task);
    if (task.failed && !task.joined) this.fail(new TaskFailedError(String(task), task.error));
    this.releaseCpu();
  }
}

const RESOLVED = Promise.resolve();

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as PromiseLike<unknown>).then === 'function'
  );
}
