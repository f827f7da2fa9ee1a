// A sleeping lock of the guest OS (its per-device runtime PM lock, a power resource's lock):
// guest tasks wait for it on the machine's scheduler, so every interleaving is explorable.
import type { Kernel, WaitQueue } from '@vfio-ts/kernel';

/** A mutex for guest tasks (not tracked by the host kernel's lockdep: it is not host code). */
export class GuestLock {
  private held = false;
  private readonly wq: WaitQueue;

  constructor(kernel: Kernel, name: string) {
    this.wq = kernel.newWaitQueue(`guest lock ${name}`);
  }

  /** Runs `fn` holding the lock. */
  async with<T>(fn: () => Promise<T>): Promise<T> {
    while (this.held) await this.wq.wait();
    this.held = true;
    try {
      return await fn();
    } finally {
      this.held = false;
      this.wq.wakeUpOne();
    }
  }
}
