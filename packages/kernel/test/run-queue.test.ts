// The scheduler's run queue: FIFO removal at the head in O(1), removal by position, search.
import { describe, expect, it } from 'vitest';
import { RunQueue } from '../src/run-queue.js';

describe('RunQueue', () => {
  it('takes from the head, any position, and finds items from the tail', () => {
    const q = new RunQueue<number>();
    for (let i = 0; i < 5; i++) q.push(i);
    expect(q.removeAt(0)).toBe(0);
    expect(q.lastIndexOf(3)).toBe(2);
    expect(q.lastIndexOf(0)).toBe(-1);
    expect(q.removeAt(2)).toBe(3);
    expect(q.removeAt(7)).toBeUndefined();
    expect(q.removeAt(-1)).toBeUndefined();
    expect([q.removeAt(0), q.removeAt(0), q.removeAt(0)]).toEqual([1, 2, 4]);
    expect(q.length).toBe(0);
  });

  it('stays FIFO across the compaction of a long consumed prefix', () => {
    const q = new RunQueue<number>();
    for (let i = 0; i < 3000; i++) q.push(i);
    const out: number[] = [];
    for (let i = 0; i < 2500; i++) out.push(q.removeAt(0)!);
    q.push(3000);
    expect(q.length).toBe(501);
    expect(q.lastIndexOf(2999)).toBe(499);
    while (q.length) out.push(q.removeAt(0)!);
    expect(out).toEqual(Array.from({ length: 3001 }, (_, i) => i));
  });
});
