import { describe, expect, it } from 'vitest';
import { EBADF, EBUSY, EINVAL, ENOTTY } from '@vfio-ts/kernel';
import { PCI_D0, PCI_D3hot, pciSetPowerState } from '@vfio-ts/pci-core';
import { pmRuntimeForbid } from '@vfio-ts/runtime-pm';
import { VFIO } from '@vfio-ts/vfio-core';
import { vfioPciSetPowerState } from '@vfio-ts/vfio-pci';
import { cfgWrite, efdCount, eventfd, feature, ioctl, open, setup, type M } from './machine.js';

const SET = VFIO.DEVICE_FEATURE_SET;
const GET = VFIO.DEVICE_FEATURE_GET;
const PROBE = VFIO.DEVICE_FEATURE_PROBE;

async function opened(): Promise<[M, number]> {
  const m = await setup();
  return [m, await open(m)];
}

const wake = (fd: number, argsz?: number): Uint8Array => {
  const b = VFIO.feature({
    flags: SET,
    feature: 4,
    data: VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: fd }),
  });
  if (argsz !== undefined) new DataView(b.buffer).setUint32(0, argsz, true);
  return b;
};

describe('D.6 low-power features', () => {
  it.each([
    ['ENTRY PROBE', feature(PROBE | SET | 3), 0, false],
    ['ENTRY GET', feature(GET | 3), -EINVAL, false],
    ['ENTRY SET', feature(SET | 3), 0, true],
    ['EXIT SET while off', feature(SET | 5), 0, false],
    ['EXIT GET', feature(GET | 5), -EINVAL, false],
    ['VF token (not a PF)', feature(SET | 0, 16), -ENOTTY, false],
    ['feature 9', feature(SET | 9), -ENOTTY, false],
    ['WITH_WAKEUP without data', feature(SET | 4), -EINVAL, false],
    ['WITH_WAKEUP PROBE', feature(PROBE | SET | 4), 0, false],
  ])('D.6.1 %s → %i', async (_n, buf, ret, engaged) => {
    const [m, fd] = await opened();
    expect(await ioctl(m, fd, VFIO.DEVICE_FEATURE, buf)).toBe(ret);
    expect(m.vdev.pmRuntimeEngaged).toBe(engaged);
  });

  it('D.6.2 a second ENTRY while engaged is -EINVAL; EXIT takes the reference back', async () => {
    const [m, fd] = await opened();
    expect(await ioctl(m, fd, VFIO.DEVICE_FEATURE, feature(SET | 3))).toBe(0);
    expect(m.ep.power.usageCount).toBe(0);
    expect(await ioctl(m, fd, VFIO.DEVICE_FEATURE, feature(SET | 3))).toBe(-EINVAL);
    expect(await ioctl(m, fd, VFIO.DEVICE_FEATURE, feature(SET | 5))).toBe(0);
    expect(m.ep.power.usageCount).toBe(1);
    expect(m.vdev.pmRuntimeEngaged).toBe(false);
  });

  it.each([
    ['a negative fd', -1, -EINVAL],
    ['a closed fd', 50, -EBADF],
    ['a non-eventfd', 0, -EINVAL],
  ])('D.6.3 WITH_WAKEUP with %s → errno', async (_n, efd, errno) => {
    const [m, fd] = await opened();
    expect(await ioctl(m, fd, VFIO.DEVICE_FEATURE, wake(efd))).toBe(errno);
    expect(m.vdev.pmRuntimeEngaged).toBe(false);
  });

  it('D.6.3/D.7.2 WITH_WAKEUP: after suspend, the next ioctl signals the eventfd and ends the engagement', async () => {
    const [m, fd] = await opened();
    const efd = eventfd(m);
    expect(await ioctl(m, fd, VFIO.DEVICE_FEATURE, wake(efd))).toBe(0);
    await m.k.settle();
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_INFO, feature(0, 12))).toBe(0);
    expect(efdCount(m, efd)).toBe(1n);
    expect(m.vdev.pmRuntimeEngaged).toBe(false);
    expect(m.ep.power.usageCount).toBe(1);
  });

  it('D.6.6 a second WITH_WAKEUP after the device suspended succeeds: its resume ended the first', async () => {
    const [m, fd] = await opened();
    const efd = eventfd(m);
    expect(await ioctl(m, fd, VFIO.DEVICE_FEATURE, wake(efd))).toBe(0);
    await m.k.settle();
    expect(await ioctl(m, fd, VFIO.DEVICE_FEATURE, wake(efd))).toBe(0);
    expect(efdCount(m, efd)).toBe(1n);
  });

  it('D.6.3/D.16.4 a second WITH_WAKEUP while the device cannot suspend is -EINVAL and drops the new eventfd', async () => {
    const [m, fd] = await opened();
    await m.k.run('forbid', () => pmRuntimeForbid(m.ep));
    const efd = eventfd(m);
    expect(await ioctl(m, fd, VFIO.DEVICE_FEATURE, wake(efd))).toBe(0);
    const ctx = (m.files.fdget(efd) as { privateData: { refs: number } }).privateData;
    const refs = ctx.refs;
    expect(await ioctl(m, fd, VFIO.DEVICE_FEATURE, wake(efd))).toBe(-EINVAL);
    expect(ctx.refs).toBe(refs);
  });

  it('D.6.3 a buffer with argsz 16 but only 8 bytes is -EFAULT', async () => {
    const [m, fd] = await opened();
    const b = feature(SET | 4);
    new DataView(b.buffer).setUint32(0, 16, true);
    expect(await ioctl(m, fd, VFIO.DEVICE_FEATURE, b)).toBeLessThan(0);
  });
});

describe('D.5 vfio_pci_set_power_state', () => {
  it('with SR-IOV active a state above D0 is -EBUSY; D0 is always allowed', async () => {
    const [m] = await opened();
    m.vdev.sriovActive = true;
    const r = await m.k.run('t', async () => {
      await m.vdev.memoryLock.downWrite();
      const a = await vfioPciSetPowerState(m.vdev, PCI_D3hot);
      const b = await vfioPciSetPowerState(m.vdev, PCI_D0);
      m.vdev.memoryLock.upWrite();
      return [a, b];
    });
    expect(r).toEqual([-EBUSY, 0]);
  });

  it('a state above D0 without memory_lock held for writing is reported', async () => {
    const [m] = await opened();
    await m.k.run('t', () => vfioPciSetPowerState(m.vdev, PCI_D3hot));
    expect(m.k.defects.map((d) => d.kind)).toContain('lockdep');
  });

  it('the leak fix: D3hot, D0 behind vfio, D3hot again frees the first pm_save', async () => {
    const [m, fd] = await opened();
    await cfgWrite(m, fd, 0xcc, 2, 3);
    const first = m.vdev.pmSave.get()!;
    await m.k.run('pci', () => pciSetPowerState(m.ep, PCI_D0));
    await cfgWrite(m, fd, 0xcc, 2, 3);
    expect(first.alloc.freed).toBe(true);
    expect(m.topo.kmem.leaks(0)).toEqual([]);
  });
});

describe('D.7/D.8.6 runtime PM and user-written power states', () => {
  it('D.7.1/F.3.5 a user D3hot is undone by the runtime suspend; after resume the device is in D0 with its config', async () => {
    const [m, fd] = await opened();
    const bar0 = m.ep.hw.configRead(0x10, 4);
    await cfgWrite(m, fd, 0xcc, 2, 3);
    expect(m.vdev.pmSave.get()).not.toBeNull();
    await ioctl(m, fd, VFIO.DEVICE_FEATURE, feature(SET | 3));
    await m.k.settle();
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(m.vdev.pmSave.get()).toBeNull();
    await ioctl(m, fd, VFIO.DEVICE_FEATURE, feature(SET | 5));
    expect(m.ep.currentState).toBe(PCI_D0);
    expect(m.ep.hw.configRead(0x10, 4)).toBe(bar0);
    expect(m.topo.kmem.leaks(0)).toEqual([]);
  });

  it('D.10 with WITH_WAKEUP the first region read signals the eventfd and ends the engagement', async () => {
    const [m, fd] = await opened();
    const efd = eventfd(m);
    await ioctl(m, fd, VFIO.DEVICE_FEATURE, wake(efd));
    await m.k.settle();
    const { pread } = await import('./machine.js');
    expect(await pread(m, fd, new Uint8Array(4), 4, VFIO.pciConfigOffset(0))).toBe(4);
    expect(efdCount(m, efd)).toBe(1n);
    expect(m.vdev.pmRuntimeEngaged).toBe(false);
    await m.k.settle();
    expect(m.ep.power.runtimeStatus).toBe('active');
  });
});
