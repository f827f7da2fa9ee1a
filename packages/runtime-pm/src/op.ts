// How one implementation serves both contexts. rpm_idle/rpm_suspend/rpm_resume take flags that
// decide whether they may sleep, as in the kernel; here they are generators that yield at every
// place they would sleep. A sleeping caller (a task) runs them with runSleeping(); an atomic
// caller (RPM_ASYNC entry points, the suspend timer) runs them with runAtomic(), which proves
// they finished without sleeping and returns the kernel's value synchronously.

/** Something to wait for, started only once the caller is ready to sleep (lock dropped). */
export type Sleep = () => unknown;

/** A runtime PM operation: yields where it would sleep, returns the kernel value. */
export type RpmOp<T = number> = Generator<Sleep, T, unknown>;

/** Sleeps on `fn` (a callback or a wait) and returns what it resolves to. */
export function* sleepOn<T>(fn: () => T | Promise<T>): RpmOp<T> {
  return (yield fn) as T;
}

/** Runs an operation in a task, sleeping wherever it yields. */
export async function runSleeping<T>(op: RpmOp<T>): Promise<T> {
  let step = op.next();
  while (!step.done) {
    let value: unknown;
    try {
      value = await step.value();
    } catch (e) {
      // Let the operation's cleanup run (retake its lock) before the error goes on.
      step = op.throw(e);
      continue;
    }
    step = op.next(value);
  }
  return step.value;
}

/**
 * Runs an operation that must not sleep (atomic context).
 * @throws Error when it would sleep: a simulator bug, the flags promised it would not
 */
export function runAtomic<T>(op: RpmOp<T>, what: string): T {
  const step = op.next();
  // The operation is abandoned where it stopped (its locks too): the run cannot go on.
  if (!step.done) throw new Error(`${what}: runtime PM operation tried to sleep in atomic context`);
  return step.value;
}

/** Runs `op` with dev.power.lock held around it (spin_lock_irq … spin_unlock_irq). */
export function* withPowerLock<T>(lock: { lock(): void; unlock(): void }, op: RpmOp<T>): RpmOp<T> {
  lock.lock();
  try {
    return yield* op;
  } finally {
    lock.unlock();
  }
}
