// The deterministic scheduler: one task runs at a time and is switched out only at a choice
// point (schedule(), a lock or event wait, a sleep). Time moves only when nothing can run.
import type { VirtualClock } from './clock.js';
import type { FileTable } from './file.js';
import { DeadlockError, LivelockError, TaskFailedError } from './errors.js';
import { FifoPolicy, type SchedulePolicy } from './policy.js';
import { Task } from './task.js';
import { TimerQueue, type TimerHandle } from './timers.js';

interface Target {
  done: () => boolean;
  deadline?: number;
  resolve: () => void;
  reject: (e: unknown) => void;
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

  private readonly runnable: Task[] = [];
  private readonly tasks = new Set<Task>();
  private readonly timers = new TimerQueue();
  private readonly targets: Target[] = [];
  private nextId = 1;
  private lastRan: Task | null = null;
  private parkResolve: (() => void) | null = null;
  private looping = false;

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
    const gate = new Promise<void>((r) => (task.resume = r));
    this.tasks.add(task);
    this.runnable.push(task);
    void (async () => {
      await gate;
      try {
        task.result = await fn();
      } catch (e) {
        task.error = e;
        task.failed = true;
      }
      task.state = 'done';
      this.tasks.delete(task);
      if (task.failed && !task.joined) this.fail(new TaskFailedError(String(task), task.error));
      this.releaseCpu();
    })();
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
  async join<T>(task: Task<T>): Promise<T> {
    task.joined = true;
    await this.drive(() => task.state === 'done');
    if (task.failed) throw task.error;
    return task.result as T;
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
    return this.park(t);
  }

  /** Makes a blocked task runnable. @returns whether it was blocked */
  wake(task: Task): boolean {
    if (task.state !== 'blocked') return false;
    task.state = 'runnable';
    task.waitingFor = null;
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
    return [...this.tasks]
      .filter((t) => t.state === 'blocked')
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
    return new Promise<void>((resolve, reject) => {
      this.targets.push({ done, deadline, resolve, reject });
      if (!this.looping) void this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.looping = true;
    // Let every synchronous caller register its task before the first choice.
    await Promise.resolve();
    let steps = 0;
    try {
      while (this.targets.length) {
        if (++steps > this.maxSteps) throw new LivelockError(this.maxSteps);
        if (this.runnable.length === 0) {
          if (!this.idle()) break;
          continue;
        }
        const task = this.pick();
        await this.switchTo(task);
        this.steps++;
        this.onStep?.();
        this.resolveTargets();
      }
    } catch (e) {
      for (const t of this.targets.splice(0)) t.reject(e);
    } finally {
      this.looping = false;
    }
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
          ? this.runnable.indexOf(this.lastRan)
          : -1;
      idx = this.policy.choose({ options: n, current: cur });
    }
    const task = this.runnable.splice(idx, 1)[0]!;
    this.lastRan = task;
    return task;
  }

  private switchTo(task: Task): Promise<void> {
    return new Promise<void>((resolve) => {
      this.parkResolve = resolve;
      this.current = task;
      task.state = 'running';
      const r = task.resume!;
      task.resume = null;
      r();
    });
  }
}
