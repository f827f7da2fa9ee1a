import { describe, expect, it } from 'vitest';
import { Kernel } from '@vfio-ts/kernel';

describe('Mutex', () => {
  it('serves waiters in FIFO order with hand-off', async () => {
    const k = new Kernel();
    const m = k.newMutex('m');
    const order: string[] = [];
    const hold = k.run('holder', async () => {
      await m.lock();
      await k.sched.sleep(10);
      m.unlock();
    });
    const waiter = (n: string) =>
      k.run(n, async () => {
        await m.lock();
        order.push(n);
        m.unlock();
      });
    await Promise.all([hold, waiter('w1'), waiter('w2'), waiter('w3')]);
    expect(order).toEqual(['w1', 'w2', 'w3']);
    expect(m.locked).toBe(false);
  });

  it('trylock fails while held and succeeds when free', async () => {
    const k = new Kernel();
    const m = k.newMutex('m');
    await k.run('t', async () => {
      expect(m.tryLock()).toBe(true);
      expect(m.tryLock()).toBe(false);
      m.unlock();
    });
  });

  it('refuses an unlock by a task that does not hold it', async () => {
    const k = new Kernel();
    const m = k.newMutex('m');
    await expect(k.run('t', () => m.unlock())).rejects.toThrow(
      /mutex_unlock\(m\) by t#\d+, owner null/,
    );
  });
});

describe('RwSemaphore', () => {
  it('lets readers share it', async () => {
    const k = new Kernel();
    const s = k.newRwSemaphore('s');
    let peak = 0;
    const reader = (n: string) =>
      k.run(n, async () => {
        await s.downRead();
        peak = Math.max(peak, s.readers);
        await k.sched.sleep(1);
        s.upRead();
      });
    await Promise.all([reader('r1'), reader('r2'), reader('r3')]);
    expect(peak).toBe(3);
  });

  it('a queued writer blocks new readers', async () => {
    const k = new Kernel();
    const s = k.newRwSemaphore('s');
    const order: string[] = [];
    const r1 = k.run('r1', async () => {
      await s.downRead();
      await k.sched.sleep(10);
      order.push('r1 up');
      s.upRead();
    });
    const w = k.run('w', async () => {
      await k.sched.sleep(1);
      await s.downWrite();
      order.push('w');
      s.upWrite();
    });
    const r2 = k.run('r2', async () => {
      await k.sched.sleep(2);
      expect(s.downReadTrylock()).toBe(false);
      await s.downRead();
      order.push('r2');
      s.upRead();
    });
    await Promise.all([r1, w, r2]);
    expect(order).toEqual(['r1 up', 'w', 'r2']);
  });

  it('downgrade_write turns the writer into a reader and admits queued readers', async () => {
    const k = new Kernel();
    const s = k.newRwSemaphore('s');
    const seen: number[] = [];
    const w = k.run('w', async () => {
      await s.downWrite();
      await k.sched.sleep(5);
      s.downgradeWrite();
      expect(s.isHeldBy(undefined, 'read')).toBe(true);
      await k.sched.sleep(5);
      s.upRead();
    });
    const r = k.run('r', async () => {
      await k.sched.sleep(1);
      await s.downRead();
      seen.push(s.readers);
      s.upRead();
    });
    await Promise.all([w, r]);
    expect(seen).toEqual([2]);
  });

  it('write trylock needs it free; read trylock needs no writer', async () => {
    const k = new Kernel();
    const s = k.newRwSemaphore('s');
    await k.run('t', async () => {
      expect(s.downWriteTrylock()).toBe(true);
      expect(s.isHeldBy(undefined, 'write')).toBe(true);
      expect(s.downReadTrylock()).toBe(false);
      expect(s.downWriteTrylock()).toBe(false);
      s.upWrite();
      expect(s.downReadTrylock()).toBe(true);
      expect(s.downWriteTrylock()).toBe(false);
      expect(s.isHeldBy()).toBe(true);
      s.upRead();
      expect(s.isHeldBy()).toBe(false);
      expect(s.isHeldBy(null)).toBe(false);
    });
  });

  it('a waiting writer gets it after the last reader leaves', async () => {
    const k = new Kernel();
    const s = k.newRwSemaphore('s');
    let wrote = false;
    await Promise.all([
      k.run('r', async () => {
        await s.downRead();
        await k.sched.sleep(3);
        s.upRead();
      }),
      k.run('w', async () => {
        await k.sched.sleep(1);
        await s.downWrite();
        wrote = true;
        await k.sched.sleep(1);
        s.upWrite();
      }),
      k.run('w2', async () => {
        await k.sched.sleep(2);
        await s.downWrite();
        expect(wrote).toBe(true);
        s.upWrite();
      }),
    ]);
  });

  it('refuses unbalanced releases', async () => {
    const k = new Kernel();
    const s = k.newRwSemaphore('s');
    await expect(k.run('a', () => s.upRead())).rejects.toThrow(/up_read/);
    await expect(k.run('b', () => s.upWrite())).rejects.toThrow(/up_write/);
    await expect(k.run('c', () => s.downgradeWrite())).rejects.toThrow(/downgrade_write/);
  });
});

describe('SpinLock', () => {
  it('is taken and released without sleeping, inside or outside a task', async () => {
    const k = new Kernel();
    const s = k.newSpinLock('s');
    s.lock();
    expect(s.locked).toBe(true);
    expect(() => s.lock()).toThrow(/held by no task/);
    s.unlock();
    expect(() => s.unlock()).toThrow(/not held/);
    await k.run('t', () => {
      s.lock();
      s.unlock();
    });
    expect(k.defects).toEqual([]);
  });
});

describe('Lockdep', () => {
  it('reports an AB/BA ordering from two runs that never deadlocked', async () => {
    const k = new Kernel();
    const a = k.newMutex('A');
    const b = k.newMutex('B');
    await k.run('first', async () => {
      await a.lock();
      await b.lock();
      b.unlock();
      a.unlock();
    });
    expect(k.lockdep.reports).toEqual([]);
    await k.run('second', async () => {
      await b.lock();
      await a.lock();
      a.unlock();
      b.unlock();
    });
    expect(k.lockdep.reports).toHaveLength(1);
    expect(k.lockdep.reports[0]?.chain).toEqual(['B', 'A', 'B']);
    expect(k.defects[0]?.kind).toBe('lockdep');
    expect(k.defects[0]?.message).toMatch(/circular locking dependency detected: B -> A -> B/);
  });

  it('finds longer cycles and reports each once', async () => {
    const k = new Kernel();
    const [a, b, c] = ['A', 'B', 'C'].map((n) => k.newMutex(n)) as [
      ReturnType<Kernel['newMutex']>,
      ReturnType<Kernel['newMutex']>,
      ReturnType<Kernel['newMutex']>,
    ];
    const nest = async (x: typeof a, y: typeof a) => {
      await x.lock();
      await y.lock();
      y.unlock();
      x.unlock();
    };
    await k.run('1', () => nest(a, b));
    await k.run('2', () => nest(b, c));
    await k.run('3', () => nest(c, a));
    await k.run('4', () => nest(c, a));
    expect(k.lockdep.reports.map((r) => r.chain.join('->'))).toEqual(['C->A->B->C']);
    expect(k.lockdep.edges()).toEqual(['A -> B', 'B -> C', 'C -> A']);
  });

  it('does not add edges for trylocks, and reports recursive locking', async () => {
    const k = new Kernel();
    const a = k.newMutex('A');
    const b = k.newMutex('B');
    const rw = k.newRwSemaphore('R');
    await k.run('t', async () => {
      await a.lock();
      expect(b.tryLock()).toBe(true);
      expect(k.lockdep.isHeld(k.sched.current, 'B')).toBe(true);
      b.unlock();
      a.unlock();
      await rw.downRead();
      await rw.downRead();
      rw.upRead();
      rw.upRead();
    });
    expect(k.lockdep.edges()).toEqual([]);
    expect(k.lockdep.reports).toEqual([]);
    const m = k.newMutex('M');
    const p = k.run('self', async () => {
      await m.lock();
      await m.lock();
    });
    await expect(p).rejects.toThrow(/deadlock/);
    expect(k.lockdep.reports[0]?.kind).toBe('recursive');
    expect(k.lockdep.isHeld(null, 'M')).toBe(false);
  });
});
