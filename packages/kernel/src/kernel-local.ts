// State a module keeps per kernel (the simulator's answer to a static variable): it lives on
// the kernel and goes with it. A module-level WeakMap keyed by kernel would do the same, but
// with values pointing back at their keys it was seen (heap profiles of exploration) to keep
// every machine built since the last full GC alive through young-generation collections.
import type { Kernel } from './kernel.js';

/** One module's state on every kernel, made on first use. */
export class KernelLocal<T> {
  /** @param init makes the state for a kernel that has none yet */
  constructor(private readonly init: (k: Kernel) => T) {}

  /** The state on `k`, made now if it has none. */
  get(k: Kernel): T {
    let v = k.locals.get(this) as T | undefined;
    if (v === undefined) k.locals.set(this, (v = this.init(k)));
    return v;
  }

  /** The state on `k`, or undefined when none was made. */
  peek(k: Kernel): T | undefined {
    return k.locals.get(this) as T | undefined;
  }
}
