// The machine's invariants, checked after every scheduler step when enabled: what the kernel
// layers register (saved-state leaks, …), defects (usage-count underflow, lock-order cycles,
// sleeping in atomic context), and any hardware access while a function is powered off.
import type { Kernel } from '@vfio-ts/kernel';
import type { PciTopology } from '@vfio-ts/pci-core';

const DEFECTS: Record<string, string> = {
  'rpm-usage-underflow': 'runtime PM usage count underflow',
  lockdep: 'lock-order cycle',
  'sleep-in-atomic': 'sleeping in atomic context',
};

/** Collects violations; each is kept once, with the virtual time it was first seen. */
export class InvariantMonitor {
  private readonly seen = new Map<string, number>();
  private defectsRead = 0;
  private readonly hwRead = new WeakMap<object, number>();

  constructor(
    private readonly kernel: Kernel,
    private readonly topology: PciTopology,
  ) {}

  /** Looks for new violations now. */
  check(): void {
    const now = this.kernel.clock.now();
    const add = (v: string) => {
      if (!this.seen.has(v)) this.seen.set(v, now);
    };
    const d = this.kernel.defects;
    for (; this.defectsRead < d.length; this.defectsRead++) {
      const x = d[this.defectsRead]!;
      const what =
        DEFECTS[x.kind] ??
        (x.kind.startsWith('kmem') ? 'saved-state allocation misuse' : undefined);
      if (what) add(`${what}: ${x.message}`);
    }
    for (const v of this.kernel.violations()) add(v);
    for (const dev of this.topology.devices()) {
      const all = dev.hw.violations;
      const from = this.hwRead.get(dev.hw) ?? 0;
      if (from === all.length) continue;
      this.hwRead.set(dev.hw, all.length);
      for (const a of all.slice(from))
        add(
          `hardware access while powered off: ${dev.bdf} ${a.kind} at 0x${a.offset.toString(16)}`,
        );
    }
  }

  /** How many violations have been seen. */
  get size(): number {
    return this.seen.size;
  }

  /** Every violation seen so far, oldest first, each with when it was first seen (ns). */
  list(): { violation: string; at: number }[] {
    this.check();
    return [...this.seen].map(([violation, at]) => ({ violation, at }));
  }
}
