// The machine's invariants, checked after every scheduler step when enabled: what the kernel
// layers register (saved-state leaks, …), defects (usage-count underflow, lock-order cycles,
// sleeping in atomic context), any hardware access while a function is powered off (not once
// it was pulled out), wake-up notifications lost or duplicated, and a task left waiting on a
// suspended device once nothing else can run. A check after a step looks only at what that
// step changed (events from the hardware and runtime PM), so its cost does not grow with the
// number of devices.
import type { Kernel } from '@vfio-ts/kernel';
import type { HwAccess, PciDev, PciFunctionHw, PciTopology } from '@vfio-ts/pci-core';
import { watchRuntimeStatus } from '@vfio-ts/runtime-pm';
import type { VfioPciCoreDevice } from '@vfio-ts/vfio-pci';
import { WakeWatch } from './wake-watch.js';

const DEFECTS: Record<string, string> = {
  'rpm-usage-underflow': 'runtime PM usage count underflow',
  lockdep: 'lock-order cycle',
  'sleep-in-atomic': 'sleeping in atomic context',
  'video-memory-lost': 'video memory lost',
};

/** Collects violations; each is kept once, with the virtual time it was first seen. */
export class InvariantMonitor {
  private readonly seen = new Map<string, number>();
  private defectsRead = 0;
  private readonly forgotten = new WeakSet<PciFunctionHw>();
  private readonly wake: WakeWatch;
  // Accesses made while powered off since the last check, as the topology reported them.
  private offAccesses: { dev: PciDev; access: HwAccess }[] = [];

  /**
   * @param vfioDevices the functions bound to vfio-pci, for the wake-up notification check
   */
  constructor(
    private readonly kernel: Kernel,
    private readonly topology: PciTopology,
    vfioDevices: () => Iterable<[PciDev, VfioPciCoreDevice]> = () => [],
  ) {
    this.wake = new WakeWatch(vfioDevices);
    // Accesses made before the monitor existed are found once, by a scan.
    for (const dev of topology.devices())
      for (const access of dev.hw.violations) this.offAccesses.push({ dev, access });
    topology.watchViolations((dev, access) => this.offAccesses.push({ dev, access }));
    watchRuntimeStatus(kernel, (dev) => this.wake.changed(dev));
  }

  /** From now on, accesses to this hardware are not defects (it was pulled out). */
  forgetHardware(hw: PciFunctionHw): void {
    this.check();
    this.forgotten.add(hw);
  }

  /** Looks for new violations now. */
  check(): void {
    const add = this.add;
    const d = this.kernel.defects;
    for (; this.defectsRead < d.length; this.defectsRead++) {
      const x = d[this.defectsRead]!;
      const what =
        DEFECTS[x.kind] ??
        (x.kind.startsWith('kmem') ? 'saved-state allocation misuse' : undefined);
      if (what) add(`${what}: ${x.message}`);
    }
    for (const v of this.kernel.violations()) add(v);
    this.wake.check(add);
    this.waiters(add);
    if (this.offAccesses.length) {
      const accesses = this.offAccesses;
      this.offAccesses = [];
      for (const { dev, access: a } of accesses) {
        if (this.forgotten.has(dev.hw)) continue;
        add(
          `hardware access while powered off: ${dev.bdf} ${a.kind} at 0x${a.offset.toString(16)}`,
        );
      }
    }
  }

  // Keeps a violation once, with when it was first seen (a check runs at one virtual time).
  private readonly add = (v: string): void => {
    if (!this.seen.has(v)) this.seen.set(v, this.kernel.clock.now());
  };

  // Nothing can run and no timer is armed, yet a task waits on a suspended device: nobody
  // will ever resume it for that task.
  private waiters(add: (v: string) => void): void {
    const s = this.kernel.sched;
    if (s.runnableCount || s.pendingTimers) return;
    const blocked = s.blockedTasks();
    if (!blocked.length) return;
    for (const dev of this.topology.devices()) {
      if (dev.power.runtimeStatus !== 'suspended') continue;
      for (const b of blocked)
        if (b.waitingFor.includes(dev.name))
          add(
            `device left suspended with users waiting: ${dev.bdf} (${b.task} waits for ${b.waitingFor})`,
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
