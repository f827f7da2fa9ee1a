// Wait queues and completions (kernel/sched/wait.c, kernel/sched/completion.c).
import type { Scheduler } from './scheduler.js';
import type { Task } from './task.js';

/** Tasks sleeping until someone wakes them (wait_queue_head_t). */
export class WaitQueue {
  private waiters: Task[] = [];

  constructor(
    private readonly sched: Scheduler,
    readonly name: string,
  ) {}

  /** Sleeps the running task until {@link wakeUp} or {@link wakeUpOne}. */
  async wait(): Promise<void> {
    const t = this.sched.requireCurrent(`wait on ${this.name}`);
    this.waiters.push(t);
    await this.sched.block(this.name);
  }

  /** Sleeps until `cond()` holds, re-checking after every wake-up (wait_event). */
  async waitEvent(cond: () => boolean): Promise<void> {
    while (!cond()) await this.wait();
  }

  /** Wakes every waiter (wake_up_all). @returns how many were woken */
  wakeUp(): number {
    const w = this.waiters;
    this.waiters = [];
    for (const t of w) this.sched.wake(t);
    return w.length;
  }

  /** Wakes the oldest waiter (wake_up with one exclusive waiter). */
  wakeUpOne(): boolean {
    const t = this.waiters.shift();
    return t ? this.sched.wake(t) : false;
  }

  /** Whether anyone waits (waitqueue_active). */
  get active(): boolean {
    return this.waiters.length > 0;
  }
}

const COMPLETE_ALL = Number.MAX_SAFE_INTEGER;

/** A one-shot or counted event (struct completion). */
export class Completion {
  private done = 0;
  private readonly wq: WaitQueue;

  constructor(sched: Scheduler, name: string) {
    this.wq = new WaitQueue(sched, `completion ${name}`);
  }

  /** Lets one waiter through (complete). */
  complete(): void {
    if (this.done !== COMPLETE_ALL) this.done++;
    this.wq.wakeUpOne();
  }

  /** Lets every present and future waiter through (complete_all). */
  completeAll(): void {
    this.done = COMPLETE_ALL;
    this.wq.wakeUp();
  }

  /** Waits until completed (wait_for_completion). */
  async wait(): Promise<void> {
    await this.wq.waitEvent(() => this.done > 0);
    if (this.done !== COMPLETE_ALL) this.done--;
  }

  /** Whether a wait would return at once (completion_done). */
  get isDone(): boolean {
    return this.done > 0;
  }

  /** Makes it usable again (reinit_completion). */
  reinit(): void {
    this.done = 0;
  }
}
