import { describe, expect, it } from 'vitest';
import { DelayedWork, Kernel, Work, cancelWork, cancelWorkSync, flushWork } from '@vfio-ts/kernel';

describe('WaitQueue and Completion', () => {
  it('wait_event re-checks its condition after each wake-up', async () => {
    const k = new Kernel();
    const wq = k.newWaitQueue('wq');
    let ready = false;
    expect(wq.wakeUp()).toBe(0);
    const waiter = k.run('waiter', () => wq.waitEvent(() => ready));
    await k.run('waker', async () => {
      await k.sched.yield();
      expect(wq.active).toBe(true);
      expect(wq.wakeUp()).toBe(1);
      await k.sched.sleep(1);
      expect(wq.active).toBe(true);
      ready = true;
      expect(wq.wakeUpOne()).toBe(true);
      expect(wq.wakeUpOne()).toBe(false);
    });
    await waiter;
    expect(wq.active).toBe(false);
  });

  it('a completion lets one waiter through per complete(), all after complete_all()', async () => {
    const k = new Kernel();
    const c = k.newCompletion('done');
    const passed: string[] = [];
    const w = (n: string) =>
      k.run(n, async () => {
        await c.wait();
        passed.push(n);
      });
    const all = Promise.all([w('a'), w('b'), w('c')]);
    await k.run('c1', async () => {
      await k.sched.sleep(1);
      c.complete();
      await k.sched.sleep(1);
      expect(passed).toEqual(['a']);
      c.completeAll();
    });
    await all;
    expect(passed).toEqual(['a', 'b', 'c']);
    expect(c.isDone).toBe(true);
    c.complete();
    c.reinit();
    expect(c.isDone).toBe(false);
  });
});

describe('Workqueue', () => {
  it('runs work on a worker task; a pending item is queued once', async () => {
    const k = new Kernel();
    let runs = 0;
    const w = new Work('w', () => {
      runs++;
      expect(k.sched.current?.name).toBe('pm/w');
    });
    expect(k.pmWq.queueWork(w)).toBe(true);
    expect(k.pmWq.queueWork(w)).toBe(false);
    expect(w.pending).toBe(true);
    await k.settle();
    expect(runs).toBe(1);
    expect(w.pending).toBe(false);
  });

  it('never runs one item twice at the same time; re-queueing while running runs it again', async () => {
    const k = new Kernel();
    let active = 0;
    let peak = 0;
    let runs = 0;
    const w = new Work('w', async () => {
      active++;
      peak = Math.max(peak, active);
      runs++;
      if (runs === 1) k.pmWq.queueWork(w);
      await k.sched.sleep(5);
      active--;
    });
    k.pmWq.queueWork(w);
    await k.settle();
    expect(runs).toBe(2);
    expect(peak).toBe(1);
  });

  it('cancel withdraws a pending item; flush waits for a running one', async () => {
    const k = new Kernel();
    let runs = 0;
    const w = new Work('w', async () => {
      runs++;
      await k.sched.sleep(10);
    });
    k.pmWq.queueWork(w);
    expect(cancelWork(w)).toBe(true);
    expect(cancelWork(w)).toBe(false);
    await k.settle();
    expect(runs).toBe(0);
    k.pmWq.queueWork(w);
    await k.run('flusher', async () => {
      expect(await flushWork(k.sched, w)).toBe(true);
      expect(k.clock.now()).toBe(10);
      expect(await flushWork(k.sched, w)).toBe(false);
    });
    expect(runs).toBe(1);
  });

  it('cancel_work_sync waits for the execution in progress', async () => {
    const k = new Kernel();
    let finished = false;
    const w = new Work('w', async () => {
      await k.sched.sleep(10);
      finished = true;
    });
    k.pmWq.queueWork(w);
    await k.run('canceller', async () => {
      await k.sched.sleep(1);
      expect(await cancelWorkSync(k.sched, w)).toBe(false);
      expect(finished).toBe(true);
    });
  });

  it('delayed work runs after its delay in virtual time and can be re-armed or cancelled', async () => {
    const k = new Kernel();
    const at: number[] = [];
    const d = new DelayedWork('d', () => {
      at.push(k.clock.now());
    });
    expect(k.systemWq.queueDelayedWork(d, 100)).toBe(true);
    expect(k.systemWq.queueDelayedWork(d, 50)).toBe(false);
    expect(k.systemWq.modDelayedWork(d, 200)).toBe(true);
    await k.settle();
    expect(at).toEqual([200]);
    k.systemWq.queueDelayedWork(d, 10);
    expect(cancelWork(d)).toBe(true);
    await k.settle();
    expect(at).toEqual([200]);
    expect(k.systemWq.queueDelayedWork(d, 0)).toBe(true);
    await k.settle();
    expect(at).toEqual([200, 200]);
  });
});
