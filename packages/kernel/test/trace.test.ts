import { describe, expect, it } from 'vitest';
import { KERNEL_TRACE_EVENTS, Kernel } from '@vfio-ts/kernel';

describe('TraceBus', () => {
  it('is off until someone listens, and emits nothing then', () => {
    const k = new Kernel();
    expect(k.trace.on).toBe(false);
    k.trace.emit('not-declared', {});
    expect(k.trace.records()).toEqual([]);
  });

  it('records lock events with virtual timestamps and the task name', async () => {
    const k = new Kernel();
    k.trace.record();
    const m = k.newMutex('m');
    await k.run('t', async () => {
      await k.sched.sleep(7);
      await m.lock();
      m.unlock();
    });
    const r = k.trace.records('lock_acquire', 'lock_release');
    expect(r.map((x) => [x.ts, x.name, x.task.replace(/#\d+/, '')])).toEqual([
      [7, 'lock_acquire', 't'],
      [7, 'lock_release', 't'],
    ]);
    expect(r[0]?.payload).toEqual({ lock: 'm', read: false, trylock: false });
  });

  it('keeps only the last events in its ring buffer', () => {
    const k = new Kernel();
    k.trace.record(3);
    for (let i = 0; i < 5; i++) k.trace.emit('lock_release', { lock: `l${i}` });
    expect(k.trace.records().map((r) => r.payload['lock'])).toEqual(['l2', 'l3', 'l4']);
    k.trace.clear();
    expect(k.trace.records()).toEqual([]);
    k.trace.record(0);
    expect(k.trace.on).toBe(false);
  });

  it('delivers to subscribers and refuses undeclared events', () => {
    const k = new Kernel();
    const got: string[] = [];
    const off = k.trace.subscribe((r) => got.push(r.name));
    expect(k.trace.on).toBe(true);
    k.trace.emit('lock_release', { lock: 'x' });
    expect(() => k.trace.emit('bogus', {})).toThrow(/not declared/);
    off();
    expect(k.trace.on).toBe(false);
    expect(got).toEqual(['lock_release']);
  });

  it('knows every declared event and its fields', () => {
    const k = new Kernel();
    k.trace.declare<{ my_event: { a: number } }>({ my_event: ['a'] });
    expect(k.trace.events().get('my_event')).toEqual(['a']);
    expect(k.trace.events().get('eventfd_signal')).toEqual(KERNEL_TRACE_EVENTS.eventfd_signal);
  });
});

describe('Kernel', () => {
  it('keeps a log and defects with virtual time and task', async () => {
    const k = new Kernel();
    await k.run('t', async () => {
      await k.sched.sleep(3);
      k.defect('warn', 'something odd');
    });
    expect(k.defects).toEqual([
      { kind: 'warn', message: 'something odd', at: 3, task: expect.stringMatching(/^t#/) },
    ]);
    expect(k.log).toEqual([{ at: 3, level: 'warn', text: 'something odd' }]);
  });

  it('stops a run at the first broken invariant when checking is on', async () => {
    const k = new Kernel();
    let bad = false;
    k.addInvariant(() => (bad ? ['bad'] : []));
    k.checkInvariants();
    await expect(
      k.run('t', async () => {
        bad = true;
        await k.sched.sleep(1);
      }),
    ).rejects.toThrow('invariant violated: bad');
    k.checkInvariants(false);
    expect(k.violations()).toEqual(['bad']);
  });
});
