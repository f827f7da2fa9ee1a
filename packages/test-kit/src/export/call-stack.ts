// Per-task call stacks rebuilt from begin/end trace pairs (vfio_ioctl begin/end, rpm_suspend or
// rpm_resume → rpm_return_int). Calls in one task nest strictly, as a kernel call stack does.

/** An open call: which device it is about and the key its end must match. */
export interface Frame {
  readonly device: string | undefined;
  readonly key: string;
}

/** One stack per task; ends that match no open call are reported as such, never guessed. */
export class CallStacks<F extends Frame> {
  private readonly stacks = new Map<string, F[]>();

  /** Opens a call in `task`. */
  push(task: string, frame: F): void {
    const s = this.stacks.get(task);
    if (s) s.push(frame);
    else this.stacks.set(task, [frame]);
  }

  /**
   * Closes the innermost open call of `task` with this device and key, and every call opened
   * inside it whose end was never recorded.
   *
   * @returns the closed frames, innermost first (the matched one last), or `[]` if none matched
   */
  pop(task: string, device: string | undefined, key: string): F[] {
    const s = this.stacks.get(task);
    if (!s) return [];
    for (let i = s.length - 1; i >= 0; i--) {
      const f = s[i]!;
      if (f.device === device && f.key === key) return s.splice(i).reverse();
    }
    return [];
  }

  /** @returns the innermost open call of `task` */
  top(task: string): F | undefined {
    const s = this.stacks.get(task);
    return s?.[s.length - 1];
  }

  /** Removes and @returns every open call, innermost first per task, tasks in first-use order. */
  drain(): F[] {
    const out: F[] = [];
    for (const s of this.stacks.values()) out.push(...s.reverse());
    this.stacks.clear();
    return out;
  }
}
