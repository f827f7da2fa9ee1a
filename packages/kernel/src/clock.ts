// Virtual time in nanoseconds (kernel/time: ktime_get()). Nothing here reads the wall clock.

/** Nanoseconds per millisecond, as NSEC_PER_MSEC. */
export const NSEC_PER_MSEC = 1_000_000;
/** Nanoseconds per microsecond, as NSEC_PER_USEC. */
export const NSEC_PER_USEC = 1_000;
/** Nanoseconds per second, as NSEC_PER_SEC. */
export const NSEC_PER_SEC = 1_000_000_000;

/** A monotonic virtual clock; only the scheduler moves it, and only forwards. */
export class VirtualClock {
  private ns = 0;

  /** @returns virtual nanoseconds since the machine started */
  now(): number {
    return this.ns;
  }

  /**
   * Moves time forward to `t`.
   * @throws Error when `t` lies in the past (a scheduler bug)
   */
  advanceTo(t: number): void {
    if (t < this.ns)
      throw new Error(`VirtualClock.advanceTo: ${t} ns is before now (${this.ns} ns)`);
    this.ns = t;
  }
}

/** Converts milliseconds to nanoseconds. */
export function msecs(ms: number): number {
  return ms * NSEC_PER_MSEC;
}
