// The scheduler's run queue: FIFO with removal by position. Taking the head is O(1) however
// long the queue is (a machine with thousands of devices queues thousands of work items).

/** A queue of runnable items, oldest first. */
export class RunQueue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  /** Number of queued items. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Appends at the tail. */
  push(item: T): void {
    this.items.push(item);
  }

  /** Position of `item` (0 = oldest), searching from the tail; -1 when absent. */
  lastIndexOf(item: T): number {
    const i = this.items.lastIndexOf(item);
    return i < this.head ? -1 : i - this.head;
  }

  /** Removes and returns the item at `index` (0 = oldest), or undefined when out of range. */
  removeAt(index: number): T | undefined {
    if (index < 0 || index >= this.length) return undefined;
    if (index > 0) return this.items.splice(this.head + index, 1)[0];
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // Drop the consumed prefix once it is most of the array.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
