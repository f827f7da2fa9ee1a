// Observers of a function's hardware, and the record of accesses made while it was off.
import type { HwAccess, HwEvent, HwListener } from './types.js';

/** Fans events out to listeners; keeps every `powered-off` access as a violation. */
export class HwEventHub {
  private readonly listeners = new Set<HwListener>();
  private readonly offAccesses: HwAccess[] = [];

  /** Adds a listener; returns a function that removes it. */
  subscribe(listener: HwListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Accesses made while powered off, in order. */
  get violations(): readonly HwAccess[] {
    return this.offAccesses;
  }

  /** Delivers an event (and keeps it if it is a violation). */
  emit(event: HwEvent): void {
    if (event.type === 'access' && event.note === 'powered-off') this.offAccesses.push(event);
    for (const listener of this.listeners) listener(event);
  }
}
