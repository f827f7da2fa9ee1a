// Observers of a function's hardware, and the record of accesses made while it was off.
import type { HwAccess, HwAccessKind, HwEvent, HwListener } from './types.js';

/** Which events a listener gets. */
export interface HwSubscription {
  /** Event types delivered; every type when absent. */
  readonly types?: readonly HwEvent['type'][];
  /**
   * For listeners of `access` events: which accesses are wanted now (e.g. only while tracing,
   * or only writes to one register); every access when absent. Accesses nobody wants are not
   * even built.
   */
  readonly accessFilter?: (kind: HwAccessKind, offset: number, width: number) => boolean;
  /**
   * For listeners of `access` events: accesses are wanted only while `on` is true (a switch
   * such as the kernel's trace bus), read without a call on every access; with
   * {@link accessFilter}, both must agree.
   */
  readonly accessWhile?: { readonly on: boolean };
}

interface Entry {
  readonly listener: HwListener;
  /** null: every type. */
  readonly types: ReadonlySet<HwEvent['type']> | null;
  readonly filter: ((kind: HwAccessKind, offset: number, width: number) => boolean) | null;
  readonly when: { readonly on: boolean } | null;
}

// Whether an entry wants this access (its switch is on and its filter agrees).
function entryWants(e: Entry, kind: HwAccessKind, offset: number, width: number): boolean {
  return (e.when === null || e.when.on) && (e.filter === null || e.filter(kind, offset, width));
}

/**
 * Fans events out to listeners; keeps every `powered-off` access as a violation. Access events
 * are the hot path (every config cycle): they are only built when a listener wants them or the
 * function is off, so observing power or INTx costs nothing per access.
 */
export class HwEventHub {
  private entries: Entry[] = [];
  private accessEntries: Entry[] = [];
  // Event types some listener gets; null: every type (a listener without a type list).
  private wanted: ReadonlySet<HwEvent['type']> | null = new Set();
  private readonly offAccesses: HwAccess[] = [];
  /** Told of every access made while powered off (an invariant monitor's hook). */
  onViolation: ((access: HwAccess) => void) | null = null;

  /** Adds a listener (for the types given, or all); returns a function that removes it. */
  subscribe(listener: HwListener, opts: HwSubscription = {}): () => void {
    const e: Entry = {
      listener,
      types: opts.types ? new Set(opts.types) : null,
      filter: opts.accessFilter ?? null,
      when: opts.accessWhile ?? null,
    };
    this.entries = [...this.entries, e];
    this.update();
    return () => {
      this.entries = this.entries.filter((x) => x !== e);
      this.update();
    };
  }

  /** Accesses made while powered off, in order. */
  get violations(): readonly HwAccess[] {
    return this.offAccesses;
  }

  /** Whether an access has to be built now (someone wants it). */
  wantsAccess(kind: HwAccessKind, offset: number, width: number): boolean {
    const entries = this.accessEntries;
    for (let i = 0; i < entries.length; i++)
      if (entryWants(entries[i]!, kind, offset, width)) return true;
    return false;
  }

  /** Whether some listener gets events of `type` (other than `access`): else none is built. */
  wants(type: Exclude<HwEvent['type'], 'access'>): boolean {
    return this.wanted === null || this.wanted.has(type);
  }

  /** Delivers an event (and keeps it if it is a violation). */
  emit(event: HwEvent): void {
    if (event.type === 'access' && event.note === 'powered-off') {
      this.offAccesses.push(event);
      this.onViolation?.(event);
    }
    for (const e of this.entries) {
      if (e.types && !e.types.has(event.type)) continue;
      if (event.type === 'access' && !entryWants(e, event.kind, event.offset, event.width))
        continue;
      e.listener(event);
    }
  }

  private update(): void {
    this.accessEntries = this.entries.filter((e) => !e.types || e.types.has('access'));
    const wanted = new Set<HwEvent['type']>();
    for (const e of this.entries) {
      if (!e.types) {
        this.wanted = null;
        return;
      }
      for (const t of e.types) wanted.add(t);
    }
    this.wanted = wanted;
  }
}
