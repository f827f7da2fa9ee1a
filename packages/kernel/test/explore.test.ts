import { describe, expect, it } from 'vitest';
import {
  Kernel,
  decodeReplayToken,
  encodeReplayToken,
  explore,
  replaySchedule,
  type Scenario,
} from '@vfio-ts/kernel';

// Two tasks increment a shared counter: read, a choice point, write back.
function counter(locked: boolean): Scenario {
  return async (k) => {
    let x = 0;
    const m = k.newMutex('counter');
    const inc = async () => {
      if (locked) await m.lock();
      const v = x;
      await k.sched.yield();
      x = v + 1;
      if (locked) m.unlock();
    };
    await Promise.all([k.run('a', inc), k.run('b', inc)]);
    if (x !== 2) throw new Error(`lost update: x = ${x}`);
  };
}

describe('explore', () => {
  it('finds a planted lost update', async () => {
    const r = await explore(counter(false));
    expect(r.ok).toBe(false);
    expect(r.failure?.kind).toBe('throw');
    expect(r.failure?.message).toBe('lost update: x = 1');
  });

  it('finds none once a Mutex guards the counter, and says the search was exhaustive', async () => {
    const r = await explore(counter(true), { preemptionBound: 3 });
    expect(r).toMatchObject({ ok: true, exhausted: true });
    expect(r.schedules).toBeGreaterThan(1);
  });

  it('finds it with random schedules too', async () => {
    const r = await explore(counter(false), { mode: 'random', schedules: 200, seed: 5 });
    expect(r.ok).toBe(false);
    const clean = await explore(counter(true), { mode: 'random', schedules: 50 });
    expect(clean).toMatchObject({ ok: true, schedules: 50 });
  });

  it('a replay token reproduces the failing schedule exactly', async () => {
    const seen: string[][] = [];
    const traced: Scenario = async (k) => {
      const order: string[] = [];
      seen.push(order);
      let x = 0;
      const inc = (n: string) => async () => {
        order.push(`${n} read`);
        const v = x;
        await k.sched.yield();
        order.push(`${n} write`);
        x = v + 1;
      };
      await Promise.all([k.run('a', inc('a')), k.run('b', inc('b')), k.run('c', inc('c'))]);
      if (x !== 3) throw new Error(`lost update: x = ${x}`);
    };
    const r = await explore(traced, { mode: 'random', schedules: 100, seed: 9 });
    expect(r.ok).toBe(false);
    const failing = seen[seen.length - 1]!;
    const again = await replaySchedule(traced, r.failure!.token);
    expect(again.ok).toBe(false);
    expect(again.failure?.message).toBe(r.failure?.message);
    expect(seen[seen.length - 1]).toEqual(failing);
  });

  it('reports a deadlock as such, with a token', async () => {
    const abba: Scenario = async (k) => {
      const a = k.newMutex('A');
      const b = k.newMutex('B');
      const t = (x: typeof a, y: typeof a) => async () => {
        await x.lock();
        await y.lock();
        y.unlock();
        x.unlock();
      };
      await Promise.all([k.run('ab', t(a, b)), k.run('ba', t(b, a))]);
    };
    const r = await explore(abba, { allowDefects: ['lockdep'] });
    expect(r.failure?.kind).toBe('deadlock');
    const again = await replaySchedule(abba, r.failure!.token, { allowDefects: ['lockdep'] });
    expect(again.failure).toMatchObject({ kind: 'deadlock', message: r.failure!.message });
    const strict = await explore(abba);
    expect(strict.failure?.kind).toMatch(/deadlock|defect/);
  });

  it('stops at a broken invariant after the step that broke it', async () => {
    const scenario: Scenario = async (k) => {
      let inside = 0;
      k.addInvariant(() => (inside > 1 ? [`${inside} tasks in the critical section`] : []));
      const enter = async () => {
        inside++;
        await k.sched.yield();
        inside--;
      };
      await Promise.all([k.run('a', enter), k.run('b', enter)]);
    };
    const r = await explore(scenario);
    expect(r.failure?.kind).toBe('invariant');
    expect(r.failure?.message).toContain('2 tasks in the critical section');
    const off = await explore(scenario, { invariants: false });
    expect(off.ok).toBe(true);
  });

  it('reports defects left by a schedule, unless allowed', async () => {
    const atomic: Scenario = async (k) => {
      const s = k.newSpinLock('s');
      await k.run('t', async () => {
        s.lock();
        await k.sched.sleep(1);
        s.unlock();
      });
    };
    expect((await explore(atomic)).failure?.kind).toBe('defect');
    expect((await explore(atomic, { allowDefects: ['sleep-in-atomic'] })).ok).toBe(true);
  });

  it('reports an invariant still broken when the scenario ends', async () => {
    const r = await explore(async (k) => {
      let broken = false;
      k.addInvariant(() => (broken ? ['left broken'] : []));
      broken = true;
    });
    expect(r.failure).toMatchObject({
      kind: 'invariant',
      message: 'invariant violated: left broken',
    });
  });

  it('respects the schedule budget and reports progress', async () => {
    const progress: number[] = [];
    const r = await explore(counter(true), { schedules: 2, onProgress: (n) => progress.push(n) });
    expect(r).toMatchObject({ ok: true, schedules: 2, exhausted: false });
    expect(progress).toEqual([1, 2]);
  });

  it('preemption bound 0 explores only the non-preemptive schedules', async () => {
    const r0 = await explore(counter(false), { preemptionBound: 0 });
    expect(r0.ok).toBe(true);
    expect(r0.exhausted).toBe(true);
  });

  it('rejects a token it cannot read', async () => {
    await expect(replaySchedule(counter(true), 'nonsense')).rejects.toThrow(/not a replay token/);
    expect(decodeReplayToken('vt1:')).toEqual([]);
    expect(decodeReplayToken('vt1:1.Z')).toBeUndefined();
    expect(decodeReplayToken(encodeReplayToken([0, 35, 36]))).toEqual([0, 35, 36]);
    const ok = await replaySchedule(counter(true), 'vt1:1.1.1');
    expect(ok.ok).toBe(true);
  });

  it('builds a fresh kernel for every schedule', async () => {
    const kernels = new Set<Kernel>();
    await explore(
      async (k) => {
        kernels.add(k);
        await Promise.all([k.run('a', () => k.sched.yield()), k.run('b', () => k.sched.yield())]);
      },
      { preemptionBound: 2 },
    );
    expect(kernels.size).toBeGreaterThan(1);
  });
});
