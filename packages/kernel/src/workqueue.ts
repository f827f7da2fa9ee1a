// Workqueues (kernel/workqueue.c): a work item is pending at most once, never runs twice
// at the same time, and runs on a worker task the scheduler interleaves with others.
import type { Scheduler } from './scheduler.js';
import type { TimerHandle } from './timers.js';
import { WaitQueue } from './waitqueue.js';

/** A unit of deferred work (struct work_struct). */
export class Work {
  /** Queued and not yet started (WORK_STRUCT_PENDING). */
  pending = false;
  /** An execution is in progress. */
  running = false;
  /** @internal bumped by cancel so a queued execution knows it was withdrawn */
  generation = 0;
  /** @internal */
  idle: WaitQueue | null = null;
  /** @internal the worker task's name, made once */
  taskName: string | null = null;

  constructor(
    readonly name: string,
    readonly fn: () => Promise<void> | void,
  ) {}
}

/** Work that is queued after a delay (struct delayed_work). */
export class DelayedWork extends Work {
  /** @internal */
  timer: TimerHandle | null = null;
}

/** A named workqueue; every work item runs on its own worker task. */
export class Workqueue {
  constructor(
    private readonly sched: Scheduler,
    readonly name: string,
  ) {}

  /** Queues `work` (queue_work). @returns false when it was already pending */
  queueWork(work: Work): boolean {
    if (work.pending) return false;
    work.pending = true;
    const gen = work.generation;
    this.sched.spawn((work.taskName ??= `${this.name}/${work.name}`), async () => {
      const idle = this.idleQueue(work);
      // Non-reentrant: a second execution waits for the first.
      await idle.waitEvent(() => !work.running);
      if (gen !== work.generation || !work.pending) return;
      work.pending = false;
      work.running = true;
      try {
        await work.fn();
      } finally {
        work.running = false;
        idle.wakeUp();
      }
    });
    return true;
  }

  /** Queues `work` after `delayNs` of virtual time (queue_delayed_work). */
  queueDelayedWork(work: DelayedWork, delayNs: number): boolean {
    if (work.pending || work.timer?.armed) return false;
    if (delayNs <= 0) return this.queueWork(work);
    work.timer = this.sched.addTimer(this.sched.clock.now() + delayNs, () => {
      work.timer = null;
      this.queueWork(work);
    });
    return true;
  }

  /** Re-arms delayed work to run after `delayNs` (mod_delayed_work). @returns whether it was pending */
  modDelayedWork(work: DelayedWork, delayNs: number): boolean {
    const was = cancelWork(work);
    this.queueDelayedWork(work, delayNs);
    return was;
  }

  private idleQueue(work: Work): WaitQueue {
    return (work.idle ??= new WaitQueue(this.sched, `work ${work.name} to finish`));
  }
}

/** Withdraws a pending work item without waiting (cancel_work / cancel_delayed_work). @returns whether it was pending */
export function cancelWork(work: Work): boolean {
  let was = work.pending;
  work.pending = false;
  work.generation++;
  if (work instanceof DelayedWork && work.timer?.armed) {
    work.timer.cancel();
    work.timer = null;
    was = true;
  }
  work.idle?.wakeUp();
  return was;
}

/** Waits until `work` is neither pending nor running (flush_work). @returns whether it waited */
export async function flushWork(sched: Scheduler, work: Work): Promise<boolean> {
  if (!work.pending && !work.running) return false;
  const idle = (work.idle ??= new WaitQueue(sched, `work ${work.name} to finish`));
  await idle.waitEvent(() => !work.pending && !work.running);
  return true;
}

/** Withdraws `work` and waits for a running execution (cancel_work_sync). @returns whether it was pending */
export async function cancelWorkSync(sched: Scheduler, work: Work): Promise<boolean> {
  const was = cancelWork(work);
  await flushWork(sched, work);
  return was;
}
