// Runtime PM: get/put pairs on an active device (the one every vfio ioctl makes among them),
// and a full suspend/resume cycle through the callbacks.
import { bench, describe } from 'vitest';
import { Kernel } from '@vfio-ts/kernel';
import {
  Device,
  pmRuntimeAllow,
  pmRuntimeEnable,
  pmRuntimeGetSync,
  pmRuntimePut,
  pmRuntimePutNoidle,
  pmRuntimeResumeAndGet,
  pmRuntimePutSync,
  pmRuntimeResume,
  pmRuntimeSetActive,
  pmRuntimeSuspend,
} from '@vfio-ts/runtime-pm';

function device(): { k: Kernel; dev: Device } {
  const k = new Kernel();
  const dev = new Device(k, { name: 'bench' });
  dev.driver = { name: 'bench', pm: { runtimeSuspend: () => 0, runtimeResume: () => 0 } };
  pmRuntimeSetActive(dev);
  pmRuntimeEnable(dev);
  pmRuntimeAllow(dev);
  return { k, dev };
}

describe('runtime-pm', () => {
  const held = device();
  bench('1000 get_sync/put_noidle pairs on an active, referenced device', async () => {
    await held.k.run('bench', async () => {
      await pmRuntimeGetSync(held.dev);
      for (let i = 0; i < 1000; i++) {
        await pmRuntimeGetSync(held.dev);
        pmRuntimePutNoidle(held.dev);
      }
      pmRuntimePutNoidle(held.dev);
    });
  });

  const ioctl = device();
  bench('1000 resume_and_get/put pairs on an active, referenced device (every ioctl)', async () => {
    await ioctl.k.run('bench', () => {
      if (pmRuntimeResumeAndGet(ioctl.dev) !== 0) throw new Error('resume_and_get');
      for (let i = 0; i < 1000; i++) {
        if (pmRuntimeResumeAndGet(ioctl.dev) !== 0) throw new Error('resume_and_get');
        pmRuntimePut(ioctl.dev);
      }
      pmRuntimePutNoidle(ioctl.dev);
    });
  });

  const cycling = device();
  bench(
    '1000 get_sync/put_sync pairs: resume and synchronous suspend through callbacks',
    async () => {
      await cycling.k.run('bench', async () => {
        for (let i = 0; i < 1000; i++) {
          await pmRuntimeGetSync(cycling.dev);
          await pmRuntimePutSync(cycling.dev);
        }
      });
    },
  );

  const plain = device();
  bench('1000 pm_runtime_suspend + pm_runtime_resume cycles', async () => {
    await plain.k.run('bench', async () => {
      for (let i = 0; i < 1000; i++) {
        await pmRuntimeSuspend(plain.dev);
        await pmRuntimeResume(plain.dev);
      }
    });
    await plain.k.settle();
  });
});
