// A lock-order checker in the spirit of lockdep (kernel/locking/lockdep.c): every "B taken
// while A held" edge between lock classes is recorded, and a new edge that closes a cycle
// is reported with its chain, whether or not any run actually deadlocked.
import type { HeldLock, Task } from './task.js';

/** A lock-order problem lockdep would print. */
export interface LockdepReport {
  readonly kind: 'circular' | 'recursive';
  /** The classes of the cycle, first repeated at the end (`A -> B -> A`). */
  readonly chain: readonly string[];
  readonly task: string;
  readonly message: string;
}

/** Records lock-class dependencies and reports cycles. */
export class Lockdep {
  /** Reports, in the order found. */
  readonly reports: LockdepReport[] = [];
  /** Called with every new report. */
  onReport: ((r: LockdepReport) => void) | null = null;
  private readonly after = new Map<string, Set<string>>();
  private readonly reported = new Set<string>();

  /** Records an acquisition attempt by `task` (lock_acquire). */
  acquire(
    task: Task | null,
    lockClass: string,
    opts: { read?: boolean; trylock?: boolean } = {},
  ): void {
    const held: HeldLock = { lockClass, read: opts.read ?? false, trylock: opts.trylock ?? false };
    if (!task) return;
    if (!held.trylock) {
      for (const h of task.held) {
        if (h.lockClass === lockClass) {
          if (!(h.read && held.read)) this.report('recursive', [lockClass, lockClass], task);
          continue;
        }
        this.addEdge(h.lockClass, lockClass, task);
      }
    }
    task.held.push(held);
  }

  /** Records a release (lock_release); the innermost matching hold is dropped. */
  release(task: Task | null, lockClass: string): void {
    if (!task) return;
    for (let i = task.held.length - 1; i >= 0; i--) {
      if (task.held[i]!.lockClass === lockClass) {
        task.held.splice(i, 1);
        return;
      }
    }
  }

  /** Whether `task` holds a lock of `lockClass` (lockdep_is_held). */
  isHeld(task: Task | null, lockClass: string, mode?: 'read' | 'write'): boolean {
    return !!task?.held.some(
      (h) => h.lockClass === lockClass && (mode === undefined || h.read === (mode === 'read')),
    );
  }

  /** Every recorded edge as `A -> B`. */
  edges(): string[] {
    return [...this.after].flatMap(([a, bs]) => [...bs].map((b) => `${a} -> ${b}`));
  }

  private addEdge(a: string, b: string, task: Task): void {
    let set = this.after.get(a);
    if (!set) this.after.set(a, (set = new Set()));
    if (set.has(b)) return;
    const back = this.path(b, a);
    set.add(b);
    if (back) this.report('circular', [a, ...back], task);
  }

  // A path from `from` to `to` along recorded edges, as the list of classes, or null.
  private path(from: string, to: string): string[] | null {
    const prev = new Map<string, string>([[from, '']]);
    const queue = [from];
    while (queue.length) {
      const n = queue.shift()!;
      if (n === to) {
        const out = [n];
        for (let p = prev.get(n)!; p !== ''; p = prev.get(p)!) out.unshift(p);
        return out;
      }
      for (const m of this.after.get(n) ?? []) {
        if (!prev.has(m)) {
          prev.set(m, n);
          queue.push(m);
        }
      }
    }
    return null;
  }

  private report(kind: LockdepReport['kind'], chain: string[], task: Task): void {
    const key = `${kind}:${[...chain].sort().join(',')}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const message =
      kind === 'circular'
        ? `WARNING: possible circular locking dependency detected: ${chain.join(' -> ')} (by ${task})`
        : `WARNING: possible recursive locking detected: ${chain[0]} (by ${task})`;
    const r: LockdepReport = { kind, chain, task: String(task), message };
    this.reports.push(r);
    this.onReport?.(r);
  }
}
