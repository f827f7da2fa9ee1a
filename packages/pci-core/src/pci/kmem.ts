// A kmemleak-like registry of tracked allocations (mm/kmemleak.c, in spirit): an allocation is
// leaked when it is neither freed nor referenced by any pointer the registry can see.
import { KernelLocal, NSEC_PER_MSEC, type Kernel } from '@vfio-ts/kernel';

/** kmemleak's MSECS_MIN_AGE: an unreferenced block younger than this is not reported yet. */
export const KMEMLEAK_MIN_AGE_NS = 5000 * NSEC_PER_MSEC;

/** One tracked allocation (what kmemleak keeps per object). */
export interface KmemAllocation {
  /** Sequence number, unique per kernel. */
  readonly id: number;
  /** What was allocated, e.g. `pci_saved_state`. */
  readonly kind: string;
  /** Whose it is, e.g. the device name. */
  readonly owner: string;
  /** Bytes, as the kernel would have allocated. */
  readonly size: number;
  /** Virtual ns of the allocation. */
  readonly allocatedAt: number;
  /** The task that allocated it. */
  readonly task: string;
  /** Stack-ish note: the allocating function and its caller hint. */
  readonly trace: readonly string[];
  /** Freed (kfree). */
  freed: boolean;
  /** Pointers ({@link KmemPtr}) currently holding it. */
  refs: number;
  /** It was held by a pointer that was overwritten or cleared without freeing it. */
  orphaned: boolean;
  /** @internal its registry's set of unheld allocations, kept up to date by {@link KmemPtr} */
  readonly unheldIn: Set<KmemAllocation>;
}

/** Something that carries a tracked allocation. */
export interface KmemTracked {
  readonly alloc: KmemAllocation;
}

/** The allocations of one kernel. Get it with {@link kmemRegistry}. */
export class KmemRegistry {
  private readonly live = new Map<number, KmemAllocation>();
  // Live allocations no pointer holds: the only leak candidates (kept so that the invariant
  // checked after every step does not walk every allocation of the machine).
  private readonly unheld = new Set<KmemAllocation>();
  private nextId = 1;

  constructor(readonly kernel: Kernel) {}

  /** Records an allocation (kzalloc). */
  track(kind: string, owner: string, size: number, trace: readonly string[]): KmemAllocation {
    const k = this.kernel;
    const a: KmemAllocation = {
      id: this.nextId++,
      kind,
      owner,
      size,
      allocatedAt: k.clock.now(),
      task: k.sched.current ? String(k.sched.current) : '-',
      trace,
      freed: false,
      refs: 0,
      orphaned: false,
      unheldIn: this.unheld,
    };
    this.live.set(a.id, a);
    this.unheld.add(a);
    return a;
  }

  /** Frees an allocation (kfree); `null` is ignored, a double free is a defect. */
  kfree(obj: KmemTracked | null): void {
    if (!obj) return;
    const a = obj.alloc;
    if (a.freed) {
      this.kernel.defect('kmem-double-free', `kfree: double free of ${describe(a)}`);
      return;
    }
    a.freed = true;
    this.live.delete(a.id);
    this.unheld.delete(a);
  }

  /** Reports a use of freed memory; @returns whether `obj` was freed */
  checkUse(obj: KmemTracked, what: string): boolean {
    if (!obj.alloc.freed) return false;
    this.kernel.defect('kmem-use-after-free', `${what}: use after free of ${describe(obj.alloc)}`);
    return true;
  }

  /** Allocations not freed yet, oldest first. */
  allocations(): KmemAllocation[] {
    return [...this.live.values()];
  }

  /**
   * Live allocations nobody references: orphaned by an overwritten or cleared pointer, or never
   * stored in a pointer and older than `minAgeNs` (kmemleak's grace period).
   */
  leaks(minAgeNs = KMEMLEAK_MIN_AGE_NS): KmemAllocation[] {
    const now = this.kernel.clock.now();
    if (this.unheld.size === 0) return [];
    // Oldest first, as allocations() lists them.
    return [...this.unheld]
      .filter((a) => a.refs === 0 && (a.orphaned || now - a.allocatedAt >= minAgeNs))
      .sort((a, b) => a.id - b.id);
  }

  /** kmemleak's report lines, one per leak (an invariant source). */
  report(minAgeNs?: number): string[] {
    return this.leaks(minAgeNs).map((a) => `kmemleak: unreferenced object ${describe(a)}`);
  }
}

function describe(a: KmemAllocation): string {
  const age = `allocated at ${a.allocatedAt} ns by ${a.task}`;
  return `#${a.id} ${a.kind} (size ${a.size}) of ${a.owner}, ${age}, backtrace: ${a.trace.join(' <- ')}`;
}

const registries = new KernelLocal((k) => {
  const reg = new KmemRegistry(k);
  k.addInvariant(() => reg.report());
  return reg;
});

// An allocation's pointer count changed.
function held(a: KmemAllocation): void {
  if (a.refs === 0 && !a.freed) a.unheldIn.add(a);
  else a.unheldIn.delete(a);
}

/** The registry of `kernel`, created (and registered as an invariant source) on first use. */
export function kmemRegistry(kernel: Kernel): KmemRegistry {
  return registries.get(kernel);
}

/**
 * A pointer field that may hold a tracked allocation, e.g. vfio-pci's `pm_save` — what
 * kmemleak scans. Assigning over a live allocation without freeing it first orphans (leaks) it.
 */
export class KmemPtr<T extends KmemTracked> {
  private value: T | null = null;

  /** @param name the field, for messages (e.g. `vdev->pm_save`) */
  constructor(readonly name: string) {}

  /** The pointer's value. */
  get(): T | null {
    return this.value;
  }

  /** `ptr = v`: the old value, if not freed, is no longer referenced from here. */
  set(v: T | null): void {
    const old = this.value;
    if (old === v) return;
    if (old) {
      old.alloc.refs--;
      if (!old.alloc.freed && old.alloc.refs === 0) old.alloc.orphaned = true;
      held(old.alloc);
    }
    this.value = v;
    if (v) {
      v.alloc.refs++;
      v.alloc.orphaned = false;
      held(v.alloc);
    }
  }

  /** Reads and clears the pointer, handing the reference to the caller (no orphaning). */
  take(): T | null {
    const v = this.value;
    if (v) {
      v.alloc.refs--;
      held(v.alloc);
    }
    this.value = null;
    return v;
  }
}
