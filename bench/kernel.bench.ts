// Kernel primitives: scheduler task switches, an uncontended mutex, eventfd signal + read.
import { bench, describe } from 'vitest';
import { type EventfdCtx, type File, Kernel } from '@vfio-ts/kernel';

const SWITCHES = 1000;

describe('kernel', () => {
  const k = new Kernel();
  bench(`scheduler: ${SWITCHES} task switches (two tasks yielding to each other)`, async () => {
    k.sched.policy = { choose: (c) => (c.current === 0 ? 1 : 0) };
    const ping = async () => {
      for (let i = 0; i < SWITCHES / 2; i++) await k.sched.yield();
    };
    await Promise.all([k.run('ping', ping), k.run('pong', ping)]);
  });

  const km = new Kernel();
  const m = km.newMutex('bench');
  bench('mutex: 1000 uncontended lock/unlock pairs in one task', async () => {
    await km.run('locker', async () => {
      for (let i = 0; i < 1000; i++) {
        await m.lock();
        m.unlock();
      }
    });
  });

  const ke = new Kernel();
  const f = ke.eventfd(0, { nonblock: true }) as File;
  const ctx = f.privateData as EventfdCtx;
  const buf = new Uint8Array(8);
  bench('eventfd: 1000 eventfd_signal + 8-byte read pairs', async () => {
    await ke.run('reader', async () => {
      for (let i = 0; i < 1000; i++) {
        ctx.signal(1);
        await f.fops.read!(f, buf, 8, 0);
      }
    });
  });
});
