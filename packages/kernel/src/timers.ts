// Timers in virtual time (kernel/time/timer.c, hrtimers), fired in (expiry, arming) order.

/** A pending timer; `cancel()` disarms it. */
export interface TimerHandle {
  readonly at: number;
  cancel(): void;
  readonly armed: boolean;
}

// A timer is its own handle: no closures per timer.
class Entry implements TimerHandle {
  live = true;
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fn: () => void,
    private readonly queue: TimerQueue,
  ) {}

  cancel(): void {
    if (this.live) {
      this.live = false;
      this.queue.liveCount--;
    }
  }

  get armed(): boolean {
    return this.live;
  }
}

/** A binary min-heap of timers keyed by (at, seq). */
export class TimerQueue {
  private heap: Entry[] = [];
  private seq = 0;
  /** @internal armed timers (kept by the entries as they are cancelled) */
  liveCount = 0;

  /** Arms a timer that calls `fn` at virtual time `at`. */
  add(at: number, fn: () => void): TimerHandle {
    const e = new Entry(at, this.seq++, fn, this);
    this.push(e);
    this.liveCount++;
    return e;
  }

  /** Number of armed timers. */
  get size(): number {
    return this.liveCount;
  }

  /** @returns the expiry of the earliest armed timer, or `undefined` */
  peek(): number | undefined {
    this.dropDead();
    return this.heap[0]?.at;
  }

  /** Removes the earliest armed timer and returns its callback. */
  pop(): { at: number; fn: () => void } | undefined {
    this.dropDead();
    const top = this.heap[0];
    if (!top) return undefined;
    this.removeTop();
    top.live = false;
    this.liveCount--;
    return top;
  }

  private dropDead(): void {
    while (this.heap.length && !this.heap[0]!.live) this.removeTop();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private removeTop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
