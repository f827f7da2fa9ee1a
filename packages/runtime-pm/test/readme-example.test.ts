import { expect, it } from 'vitest';
import { Kernel } from '@vfio-ts/kernel';
import { Device, pmRuntimeEnable, pmRuntimeGetSync, pmRuntimePut } from '@vfio-ts/runtime-pm';

it('the README example behaves as its comments say', async () => {
  const k = new Kernel({ seed: 1 });
  const dev = new Device(k, { name: 'dev0' });
  dev.driver = { name: 'demo', pm: { runtimeSuspend: () => 0, runtimeResume: () => 0 } };
  pmRuntimeEnable(dev);
  expect(await k.run('user', () => pmRuntimeGetSync(dev))).toBe(0);
  expect(dev.power.runtimeStatus).toBe('active');
  pmRuntimePut(dev);
  expect(dev.power.runtimeStatus).toBe('active');
  await k.settle();
  expect(dev.power.runtimeStatus).toBe('suspended');
});
