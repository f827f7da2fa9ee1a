import { describe, expect, it } from 'vitest';
import {
  DeadlockError,
  FifoPolicy,
  Kernel,
  LivelockError,
  RandomPolicy,
  TaskFailedError,
  msecs,
} from '@vfio-ts/kernel';

describe('Scheduler', () => {
  it('runs a task to its end and returns its value', async () => {
    const k = new Kernel();
    await expect(k.run('t', () => 42)).resolves.toBe(42);
    expect(k.sched.current).toBeNull();
  });

  it('rethrows the exception of a joined task', async () => {
    const k = new Kernel();
    await expect(
      k.run('t', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  it('reports the exception of a task nobody joined to whoever drives the scheduler', async () => {
    const k = new Kernel();
    k.sched.spawn('worker', () => {
      throw new Error('worker bug');
    });
    await expect(k.settle()).rejects.toBeInstanceOf(TaskFailedError);
    expect(k.sched.failures[0]?.message).toContain('worker bug');
  });

  it('moves virtual time only when nothing can run, in timer order', async () => {
    const k = new Kernel();
    const order: string[] = [];
    const a = k.run('a', async () => {
      await k.sched.sleep(msecs(10));
      order.push(`a@${k.clock.now()}`);
    });
    const b = k.run('b', async () => {
      await k.sched.sleep(msecs(5));
      order.push(`b@${k.clock.now()}`);
    });
    await Promise.all([a, b]);
    expect(order).toEqual(['b@5000000', 'a@10000000']);
  });

  it('settles timers that queue more work', async () => {
    const k = new Kernel();
    let fired = 0;
    k.sched.addTimer(100, () => {
      fired++;
      k.sched.spawn('from-timer', () => {
        fired++;
      });
    });
    await k.settle();
    expect(fired).toBe(2);
    expect(k.clock.now()).toBe(100);
  });

  it('a cancelled timer never fires', async () => {
    const k = new Kernel();
    let fired = false;
    const h = k.sched.addTimer(5, () => (fired = true));
    expect(h.armed).toBe(true);
    h.cancel();
    h.cancel();
    expect(h.armed).toBe(false);
    await k.settle();
    expect(fired).toBe(false);
    expect(k.clock.now()).toBe(0);
  });

  it('runFor advances the clock to the deadline and fires only what is due', async () => {
    const k = new Kernel();
    const fired: number[] = [];
    k.sched.addTimer(10, () => fired.push(10));
    k.sched.addTimer(30, () => fired.push(30));
    await k.sched.runFor(20);
    expect(fired).toEqual([10]);
    expect(k.clock.now()).toBe(20);
    expect(k.sched.pendingTimers).toBe(1);
  });

  it('reports a deadlock naming each blocked task and what it waits for', async () => {
    const k = new Kernel();
    const a = k.newMutex('A');
    const b = k.newMutex('B');
    const t1 = k.run('t1', async () => {
      await a.lock();
      await k.sched.sleep(1);
      await b.lock();
    });
    const t2 = k.run('t2', async () => {
      await b.lock();
      await k.sched.sleep(1);
      await a.lock();
    });
    const err = await Promise.all([t1, t2]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlockError);
    expect((err as DeadlockError).message).toMatch(/t1#\d+ waits for mutex B held by t2#\d+/);
    expect((err as DeadlockError).blocked).toHaveLength(2);
  });

  it('lists blocked tasks in spawn order, without those woken since or ended', async () => {
    const k = new Kernel();
    const gates = [k.newWaitQueue('g0'), k.newWaitQueue('g1'), k.newWaitQueue('g2')];
    const open = [false, false, false];
    // Spawned 0, 1, 2; they block in the order 2, 1, 0 (each sleeps less than the one before).
    for (const i of [0, 1, 2])
      void k
        .run(`t${i}`, async () => {
          await k.sched.sleep(10 - i);
          await gates[i]!.waitEvent(() => open[i]!);
        })
        .catch(() => undefined);
    // A task that ends while a block() it never awaited is still pending.
    void k.run('leaky', () => {
      void k.sched.block('never');
    });
    await k.sched.runFor(20);
    expect(k.sched.blockedTasks().map((b) => b.task.replace(/#\d+/, ''))).toEqual([
      't0',
      't1',
      't2',
    ]);
    open[1] = true;
    gates[1]!.wakeUp();
    await k.sched.runFor(1);
    expect(k.sched.blockedTasks().map((b) => b.task.replace(/#\d+/, ''))).toEqual(['t0', 't2']);
  });

  it('stops a run that never reaches its goal as a livelock', async () => {
    const k = new Kernel();
    k.sched.maxSteps = 50;
    const spin = async (): Promise<void> => {
      for (;;) await k.sched.yield();
    };
    const p = Promise.all([k.run('a', spin), k.run('b', spin)]);
    await expect(p).rejects.toBeInstanceOf(LivelockError);
  });

  it('needs a task for choice points', () => {
    const k = new Kernel();
    expect(() => k.sched.yield()).toThrow(/needs a task/);
    expect(() => k.sched.block('x')).toThrow(/needs a task/);
  });

  it('wake only affects blocked tasks', async () => {
    const k = new Kernel();
    const t = k.sched.spawn('t', () => undefined);
    expect(k.sched.wake(t)).toBe(false);
    await k.sched.join(t);
    expect(String(t)).toMatch(/^t#\d+$/);
  });

  it('reports sleeping while holding a spinlock as a defect', async () => {
    const k = new Kernel();
    const s = k.newSpinLock('lock');
    await k.run('t', async () => {
      s.lock();
      await k.sched.sleep(1);
      s.unlock();
    });
    expect(k.defects.map((d) => d.kind)).toEqual(['sleep-in-atomic']);
    expect(k.defects[0]?.message).toMatch(/scheduling while atomic: t#\d/);
  });

  it('is deterministic for a seed and varies across seeds', async () => {
    const trace = async (seed: number) => {
      const k = new Kernel({ seed });
      const out: string[] = [];
      const worker = (n: string) => async () => {
        for (let i = 0; i < 4; i++) {
          out.push(n);
          await k.sched.yield();
        }
      };
      await Promise.all(['a', 'b', 'c'].map((n) => k.run(n, worker(n))));
      return out.join('');
    };
    expect(await trace(7)).toBe(await trace(7));
    const all = new Set(await Promise.all([1, 2, 3, 4, 5, 6].map(trace)));
    expect(all.size).toBeGreaterThan(1);
  });

  it('FIFO policy never preempts a runnable task', () => {
    const p = new FifoPolicy();
    expect(p.choose({ options: 3, current: 2 })).toBe(2);
    expect(p.choose({ options: 3, current: -1 })).toBe(0);
    const r = new RandomPolicy(1);
    for (let i = 0; i < 100; i++) expect(r.choose({ options: 3, current: 0 })).toBeLessThan(3);
  });
});
