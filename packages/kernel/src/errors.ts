// Errors the scheduler raises when a run cannot go on. They describe simulator-level
// failures (a deadlock, a livelock, a crashed task), never a kernel return code.

/** Every task that could finish the awaited work is blocked, and no timer is pending. */
export class DeadlockError extends Error {
  constructor(readonly blocked: readonly { task: string; waitingFor: string }[]) {
    super(
      `deadlock: no runnable task and no pending timer; blocked: ` +
        (blocked.map((b) => `${b.task} waits for ${b.waitingFor}`).join('; ') || 'none'),
    );
    this.name = 'DeadlockError';
  }
}

/** A run took more scheduler steps than allowed (a livelock or a runaway timer). */
export class LivelockError extends Error {
  constructor(readonly steps: number) {
    super(`livelock: more than ${steps} scheduler steps without reaching the awaited state`);
    this.name = 'LivelockError';
  }
}

/** A task nobody joined threw; the exception is a bug in the simulated kernel. */
export class TaskFailedError extends Error {
  constructor(
    readonly task: string,
    override readonly cause: unknown,
  ) {
    super(`task ${task} threw: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'TaskFailedError';
  }
}
