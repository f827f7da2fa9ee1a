import { describe, expect, it } from 'vitest';
import { EBUSY, Kernel, msecs } from '@vfio-ts/kernel';
import { VfioCore, VfioDevice } from '@vfio-ts/vfio-core';
import { fake, open } from './fake-driver.js';

describe('C.5 device sets', () => {
  it('C.5.1 devices with one set id share one set and one lock; the set goes with its last member', () => {
    const a = fake({ name: '0000:02:00.0' });
    const b = fake({ name: '0000:02:00.1', core: a.core });
    a.core.vfioAssignDeviceSet(a.vdev, 'slot2');
    a.core.vfioAssignDeviceSet(b.vdev, 'slot2');
    expect(a.vdev.devSet).toBe(b.vdev.devSet);
    expect(a.vdev.devSet?.deviceCount).toBe(2);
    const set = a.vdev.devSet!;
    a.core.vfioReleaseDeviceSet(a.vdev);
    expect(set.deviceCount).toBe(1);
    a.core.vfioReleaseDeviceSet(b.vdev);
    a.core.vfioReleaseDeviceSet(b.vdev);
    a.core.vfioAssignDeviceSet(a.vdev, 'slot2');
    expect(a.vdev.devSet).not.toBe(set);
  });

  it('C.5.1 a device registered without a set id gets a singleton set', () => {
    const f = fake();
    expect(f.vdev.devSet?.setId).toBe(f.vdev);
    expect(f.vdev.devSet?.deviceCount).toBe(1);
  });

  it('C.4.4 the set open count sums its members', async () => {
    const a = fake({ name: '0000:02:00.0' });
    const b = fake({ name: '0000:02:00.1', core: a.core });
    a.core.vfioAssignDeviceSet(b.vdev, a.vdev);
    await open(a);
    await open(b);
    await open(b);
    expect(VfioCore.vfioDeviceSetOpenCount(a.vdev.devSet!)).toBe(3);
  });
});

describe('C.6 registration and removal', () => {
  it('C.6.1 a duplicate registration → -EBUSY', () => {
    const f = fake();
    expect(f.core.vfioRegisterGroupDev(f.vdev)).toBe(-EBUSY);
    const twin = new VfioDevice(f.k, f.dev, f.ops);
    expect(f.core.vfioRegisterGroupDev(twin)).toBe(-EBUSY);
    expect(f.core.registeredDevices()).toEqual([f.vdev]);
  });

  it('C.6.2 unregistration waits for every fd to close, asking the driver every 10 s', async () => {
    const requests: [number, number][] = [];
    const f = fake({ overrides: { request: (_v, n) => void requests.push([n, f.k.clock.now()]) } });
    const fd = await open(f);
    const gone = f.k.run('unregister', () => f.core.vfioUnregisterGroupDev(f.vdev));
    await f.k.run('user', async () => {
      await f.k.sched.sleep(msecs(25_000));
      await f.files.close(fd);
    });
    await gone;
    expect(requests.map(([n]) => n)).toEqual([0, 1, 2]);
    expect(requests.map(([, t]) => t)).toEqual([0, msecs(10_000), msecs(20_000)]);
    expect(f.core.registeredDevices()).toEqual([]);
    expect(f.vdev.devSet).toBeNull();
  });

  it('C.6.2 unregistration of an unused device is immediate', async () => {
    const f = fake();
    await f.k.run('unregister', () => f.core.vfioUnregisterGroupDev(f.vdev));
    expect(f.k.clock.now()).toBe(0);
    expect(new VfioCore(new Kernel()).find('x')).toBe(-19);
  });
});
