// The typed trace-event bus: events are declared in one table per package (name → payload,
// as QEMU's trace-events files do), recorded with virtual timestamps, close to free when
// nobody listens: emitters check `bus.on` before building a payload.

/** A recorded event. */
export interface TraceRecord<N extends string = string, P = Record<string, unknown>> {
  /** Virtual time in ns. */
  readonly ts: number;
  readonly name: N;
  /** The running task (`name#id`), or `-` outside any task. */
  readonly task: string;
  readonly payload: P;
}

/** A table of event names to payload types, declared once per package. */
export type TraceEventTable = Record<string, Record<string, unknown>>;

/** Field names of each event of a table, so exporters and tests know them at run time. */
export type TraceEventFields<T extends TraceEventTable> = {
  readonly [K in keyof T]: readonly (keyof T[K])[];
};

/** Events of the kernel package. */
export interface KernelTraceEvents extends TraceEventTable {
  lock_acquire: { lock: string; read: boolean; trylock: boolean };
  lock_release: { lock: string };
  eventfd_signal: { ctx: number; n: number; count: string };
}

/** The kernel package's events and their fields. */
export const KERNEL_TRACE_EVENTS: TraceEventFields<KernelTraceEvents> = {
  lock_acquire: ['lock', 'read', 'trylock'],
  lock_release: ['lock'],
  eventfd_signal: ['ctx', 'n', 'count'],
};

/** A subscriber; it sees every event while subscribed. */
export type TraceListener = (r: TraceRecord) => void;

/** The machine-wide bus: subscribers and an optional ring buffer. */
export class TraceBus {
  /** Whether anyone listens; emitters skip building payloads when false. */
  on = false;
  private readonly listeners = new Set<TraceListener>();
  private readonly declared = new Map<string, readonly string[]>();
  private ring: TraceRecord[] | null = null;
  private ringStart = 0;
  private ringCap = 0;

  constructor(
    private readonly now: () => number,
    private readonly taskName: () => string,
  ) {
    this.declare(KERNEL_TRACE_EVENTS);
  }

  /** Declares a package's events (name → fields). */
  declare<T extends TraceEventTable>(table: TraceEventFields<T>): void {
    for (const [name, fields] of Object.entries(table))
      this.declared.set(name, fields as readonly string[]);
  }

  /** Declared events and their fields. */
  events(): ReadonlyMap<string, readonly string[]> {
    return this.declared;
  }

  /** Emits an event to every listener. Undeclared names are a simulator bug. */
  emit(name: string, payload: Record<string, unknown>): void {
    if (!this.on) return;
    if (!this.declared.has(name))
      throw new Error(`trace: event "${name}" is not declared in any table`);
    const r: TraceRecord = { ts: this.now(), name, task: this.taskName(), payload };
    if (this.ring) this.pushRing(r);
    for (const l of this.listeners) l(r);
  }

  /** Subscribes; @returns the unsubscribe function */
  subscribe(l: TraceListener): () => void {
    this.listeners.add(l);
    this.update();
    return () => {
      this.listeners.delete(l);
      this.update();
    };
  }

  /** Starts recording the last `capacity` events in a ring buffer (0 stops). */
  record(capacity = 1 << 16): void {
    this.ring = capacity > 0 ? [] : null;
    this.ringStart = 0;
    this.ringCap = capacity;
    this.update();
  }

  /** Recorded events, oldest first, optionally only those named. */
  records(...names: string[]): TraceRecord[] {
    if (!this.ring) return [];
    const all = [...this.ring.slice(this.ringStart), ...this.ring.slice(0, this.ringStart)];
    return names.length ? all.filter((r) => names.includes(r.name)) : all;
  }

  /** Drops recorded events. */
  clear(): void {
    if (this.ring) this.ring = [];
    this.ringStart = 0;
  }

  private pushRing(r: TraceRecord): void {
    const ring = this.ring!;
    if (ring.length < this.ringCap) ring.push(r);
    else {
      ring[this.ringStart] = r;
      this.ringStart = (this.ringStart + 1) % this.ringCap;
    }
  }

  private update(): void {
    this.on = this.ring !== null || this.listeners.size > 0;
  }
}
