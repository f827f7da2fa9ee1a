// Issue 12: tasks that end without sleeping, joins of ended tasks, and fput without a promise.
import { describe, expect, it } from 'vitest';
import { File, Kernel } from '@vfio-ts/kernel';

describe('scheduler fast paths', () => {
  it('joins a task that already ended: its value, or its exception', async () => {
    const k = new Kernel();
    const ok = k.sched.spawn('ok', () => 1);
    const bad = k.sched.spawn('bad', async () => {
      await Promise.resolve();
      throw new Error('late');
    });
    ok.joined = true;
    bad.joined = true;
    await k.settle();
    expect(ok.state).toBe('done');
    await expect(k.sched.join(ok)).resolves.toBe(1);
    await expect(k.sched.join(bad)).rejects.toThrow('late');
  });

  it('runs many tasks that never sleep, one step each, in FIFO order', async () => {
    const k = new Kernel();
    const order: number[] = [];
    const runs = Array.from({ length: 5 }, (_, i) => k.run(`t${i}`, () => order.push(i)));
    await Promise.all(runs);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(k.sched.steps).toBe(5);
  });

  it('a task that sleeps before its first await still lets the others run', async () => {
    const k = new Kernel();
    const order: string[] = [];
    await Promise.all([
      k.run('a', async () => {
        const wait = k.sched.sleep(1000);
        order.push('a sleeps');
        await wait;
        order.push('a wakes');
      }),
      k.run('b', () => order.push('b')),
    ]);
    expect(order).toEqual(['a sleeps', 'b', 'a wakes']);
  });
});

describe('File.fput', () => {
  it('gives a promise only when the last reference releases the file', async () => {
    let released = 0;
    const f = new File({ release: async () => void released++ }, null);
    f.get();
    expect(f.fput()).toBeUndefined();
    const last = f.fput();
    expect(last).toBeInstanceOf(Promise);
    await last;
    expect(released).toBe(1);
    expect(() => f.fput()).toThrow(/released/);
  });
});
