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
export function runSleeping<T>(op: RpmOp<T>): Promise<T> {
  let step: IteratorResult<Sleep, T>;
  try {
    step = op.next();
  } catch (e) {
    return Promise.reject(e as Error);
  }
  return step.done ? Promise.resolve(step.value) : sleepFrom(op, step.value);
}

/**
 * Runs an operation in a task: synchronously when it never has to sleep (the common case of
 * an active device), else like {@link runSleeping}.
 * @returns the kernel value, or a promise of it once the operation slept
 */
export function runMaybeSleeping<T>(op: RpmOp<T>): T | Promise<T> {
  const step = op.next();
  return step.done ? step.value : sleepFrom(op, step.value);
}

// Goes on with an operation from the first place it sleeps.
async function sleepFrom<T>(op: RpmOp<T>, first: Sleep): Promise<T> {
  let sleep = first;
  for (;;) {
    let step: IteratorResult<Sleep, T>;
    try {
      step = op.next(await sleep());
    } catch (e) {
      // Let the operation's cleanup run (retake its lock) before the error goes on.
      step = op.throw(e);
    }
    if (step.done) return step.value;
    sleep = step.value;
  }
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
