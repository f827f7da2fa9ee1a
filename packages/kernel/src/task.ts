// A schedulable thread of kernel execution (struct task_struct, reduced to what we model).
import type { FileTable } from './file.js';

/** Where a task is in its life. */
export type TaskState = 'runnable' | 'running' | 'blocked' | 'done';

/** A lock a task holds (or is acquiring), as lockdep's held_lock. */
export interface HeldLock {
  readonly lockClass: string;
  readonly read: boolean;
  readonly trylock: boolean;
}

/** A task: an async function the scheduler runs between choice points. */
export class Task<T = unknown> {
  state: TaskState = 'runnable';
  /** What a blocked task waits for, for deadlock reports. */
  waitingFor: string | null = null;
  /** Spinlocks held: sleeping while non-zero is a bug (scheduling while atomic). */
  atomicDepth = 0;
  /** Locks held, innermost last (lockdep's held_locks). */
  readonly held: HeldLock[] = [];
  /** The descriptor table of the process this task runs for (current->files); null for kernel threads. */
  files: FileTable | null = null;
  /** Someone awaits this task's end and will see its error. */
  joined = false;
  result: T | undefined;
  error: unknown;
  failed = false;
  /** @internal what the task runs, until the scheduler starts it */
  body: (() => unknown) | null = null;
  /** @internal resumes the task at its current choice point */
  resume: (() => void) | null = null;

  constructor(
    readonly id: number,
    readonly name: string,
  ) {}

  /** @returns `name#id`, unique within a scheduler */
  toString(): string {
    return `${this.name}#${this.id}`;
  }
}
