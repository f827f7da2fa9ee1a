import { describe, expect, it } from 'vitest';
import { EBADF, EBUSY, EFAULT, EINVAL, ENODEV, ENOSPC, type VmArea } from '@vfio-ts/kernel';
import { PCI_D0, PCI_D3hot } from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import { vfioPciIommuGroup, vfioPciSetIommuGroup } from '@vfio-ts/vfio-pci';
import {
  cfgWrite,
  close,
  e1000eHw,
  eventfd,
  ioctl,
  mmap,
  open,
  rd32,
  setup,
  touch,
  u32,
  type M,
} from './machine.js';

async function opened(): Promise<[M, number]> {
  const m = await setup();
  return [m, await open(m)];
}

// An e1000e on the root bus with NoSoftRst+: no reset method at all.
async function noReset(): Promise<[M, number]> {
  const m = await setup({
    endpoint: {
      bdf: '0000:00:05.0',
      rootPort: undefined,
      hw: e1000eHw((img) => (img[0xcc] = 0x08)),
    },
  });
  return [m, await open(m, '0000:00:05.0')];
}

const hotReset = (
  count: number,
  fds: number[],
  argsz = 12 + 4 * fds.length,
  flags = 0,
): Uint8Array => u32(argsz, flags, count, ...fds);

describe('D.13.1 VFIO_DEVICE_RESET', () => {
  it('resets the function and keeps the device open in D0', async () => {
    const [m, fd] = await opened();
    await cfgWrite(m, fd, 0xcc, 2, 3);
    expect(m.ep.currentState).toBe(PCI_D3hot);
    expect(await ioctl(m, fd, VFIO.DEVICE_RESET)).toBe(0);
    expect(m.ep.currentState).toBe(PCI_D0);
  });

  it('without a reset method: -EINVAL, and GET_INFO has no RESET flag', async () => {
    const [m, fd] = await noReset();
    expect(await ioctl(m, fd, VFIO.DEVICE_RESET)).toBe(-EINVAL);
    const b = u32(16, 0, 0, 0);
    await ioctl(m, fd, VFIO.DEVICE_GET_INFO, b);
    expect(rd32(b, 1)).toBe(VFIO.DEVICE_FLAGS_PCI);
  });
});

describe('D.13.5 VFIO_DEVICE_GET_PCI_HOT_RESET_INFO', () => {
  it('lists the function behind the port: group, segment 0, bus 1, devfn 0', async () => {
    const [m, fd] = await opened();
    vfioPciSetIommuGroup(m.ep, 3);
    const b = u32(20, 0, 0, 0, 0);
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_PCI_HOT_RESET_INFO, b)).toBe(0);
    expect([rd32(b, 1), rd32(b, 2), rd32(b, 3), rd32(b, 4)]).toEqual([0, 1, 3, 0x00010000]);
    expect(vfioPciIommuGroup(m.ep)).toBe(3);
  });

  it.each([
    ['argsz 12: too small for the device', u32(12, 0, 0), -ENOSPC, 1],
    ['argsz 11', u32(11, 0, 0), -EINVAL, 0],
  ])('%s', async (_n, b, errno, count) => {
    const [m, fd] = await opened();
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_PCI_HOT_RESET_INFO, b)).toBe(errno);
    expect(rd32(b, 2)).toBe(count);
  });

  it('a short buffer is -EFAULT', async () => {
    const [m, fd] = await opened();
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_PCI_HOT_RESET_INFO, new Uint8Array(8))).toBe(-EFAULT);
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_PCI_HOT_RESET_INFO, u32(20, 0, 0, 0))).toBe(-EFAULT);
  });

  it('a function with no slot or bus reset: -ENODEV', async () => {
    const [m, fd] = await noReset();
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_PCI_HOT_RESET_INFO, u32(20, 0, 0, 0, 0))).toBe(
      -ENODEV,
    );
    expect(await ioctl(m, fd, VFIO.DEVICE_PCI_HOT_RESET, hotReset(1, [fd]))).toBe(-ENODEV);
  });
});

describe('D.13.3 VFIO_DEVICE_PCI_HOT_RESET', () => {
  it.each([
    ['argsz 11', () => u32(11, 0, 1, 0), -EINVAL],
    ['flags 1', () => hotReset(1, [0], 16, 1), -EINVAL],
    ['count 0', () => hotReset(0, []), -EINVAL],
    ['count 2 (one device affected)', () => hotReset(2, [0, 0]), -EINVAL],
    ['a closed group fd', () => hotReset(1, [77]), -EBADF],
    ['a group fd that is not vfio', () => hotReset(1, [1]), -EINVAL],
    ['a missing group fd array', () => u32(16, 0, 1), -EFAULT],
    ['a short header', () => new Uint8Array(8), -EFAULT],
  ])('%s → errno', async (_n, buf, errno) => {
    const [m, fd] = await opened();
    eventfd(m);
    expect(await ioctl(m, fd, VFIO.DEVICE_PCI_HOT_RESET, buf())).toBe(errno);
  });

  it('resets the bus, zaps mappings, resumes and puts every member (D.13.2)', async () => {
    const [m, fd] = await opened();
    const vma = (await mmap(m, fd, 0, 4096)) as VmArea;
    await touch(m, vma);
    await cfgWrite(m, fd, 0xcc, 2, 3);
    expect(await ioctl(m, fd, VFIO.DEVICE_PCI_HOT_RESET, hotReset(1, [fd]))).toBe(0);
    expect(vma.populated).toBe(false);
    expect(m.ep.currentState).toBe(PCI_D0);
    expect(m.ep.power.usageCount).toBe(1);
  });

  it('contention on memory_lock is -EBUSY', async () => {
    const [m, fd] = await opened();
    const wq = m.k.newWaitQueue('never');
    m.k.sched.spawn('reader', async () => {
      await m.vdev.memoryLock.downRead();
      await wq.wait();
    });
    await m.k.settle();
    expect(await ioctl(m, fd, VFIO.DEVICE_PCI_HOT_RESET, hotReset(1, [fd]))).toBe(-EBUSY);
  });

  it('contention on vma_lock is -EBUSY', async () => {
    const [m, fd] = await opened();
    const wq = m.k.newWaitQueue('never');
    m.k.sched.spawn('holder', async () => {
      await m.vdev.vmaLock.lock();
      await wq.wait();
    });
    await m.k.settle();
    expect(await ioctl(m, fd, VFIO.DEVICE_PCI_HOT_RESET, hotReset(1, [fd]))).toBe(-EBUSY);
  });
});

describe('D.13.4 close-time set reset', () => {
  it('a member that still needs a reset gets a bus reset at last close', async () => {
    const [m, fd] = await opened();
    m.vdev.resetWorks = false;
    await close(m, fd);
    expect(m.vdev.needsReset).toBe(false);
    expect(m.ep.power.usageCount).toBe(0);
  });

  it('no set reset while another fd of the set is open', async () => {
    const [m, fd] = await opened();
    const fd2 = await open(m);
    m.vdev.resetWorks = false;
    await close(m, fd);
    expect(m.vdev.vconfig).not.toBeNull();
    await close(m, fd2);
    expect(m.vdev.needsReset).toBe(false);
  });

  it('a set that cannot be reset keeps needs_reset', async () => {
    const [m, fd] = await noReset();
    await close(m, fd);
    expect(m.vdev.needsReset).toBe(true);
  });
});

// Two e1000e functions at 01:00.0 and 01:00.1 behind rp0.
async function twoFunctions(bindSecond = true): Promise<[M, import('@vfio-ts/pci-core').PciDev]> {
  const { Kernel, FileTable, MmStruct } = await import('@vfio-ts/kernel');
  const { NoPlatform, PciTopology } = await import('@vfio-ts/pci-core');
  const { VfioCore } = await import('@vfio-ts/vfio-core');
  const { createVfioPciDriver } = await import('@vfio-ts/vfio-pci');
  const k = new Kernel();
  const topo = new PciTopology(k, new NoPlatform());
  topo.addRootPort({ name: 'rp0', bdf: '0000:00:04.0', hotplug: false });
  const ep = topo.addEndpoint({
    bdf: '0000:01:00.0',
    rootPort: 'rp0',
    model: 'e1000e',
    currentState: PCI_D0,
  });
  const ep2 = topo.addEndpoint({
    bdf: '0000:01:00.1',
    rootPort: 'rp0',
    model: 'e1000e',
    currentState: PCI_D0,
  });
  await k.run('boot', () => topo.busAddDevices());
  const core = new VfioCore(k);
  const drv = createVfioPciDriver({ core });
  ep.driverOverride = 'vfio-pci';
  if (bindSecond) ep2.driverOverride = 'vfio-pci';
  await k.run('bind', () => topo.registerDriver(drv));
  await k.settle();
  const files = new FileTable();
  const vdev = drv.devices.get(ep)!;
  return [{ k, topo, core, drv, ep, vdev, files, mm: new MmStruct(k) }, ep2];
}

describe('D.13 device sets of two functions', () => {
  it('C.5.2 both functions share the bus-keyed set; hot reset info lists both', async () => {
    const [m] = await twoFunctions();
    expect(m.vdev.vdev.devSet!.deviceCount).toBe(2);
    const fd = await open(m);
    const b = u32(28, 0, 0, 0, 0, 0, 0);
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_PCI_HOT_RESET_INFO, b)).toBe(0);
    expect(rd32(b, 2)).toBe(2);
  });

  it('D.13.3 every member must be owned: one fd of two is -EINVAL; both fds reset', async () => {
    const [m] = await twoFunctions();
    const fd = await open(m);
    const fd2 = await open(m, '0000:01:00.1');
    expect(await ioctl(m, fd, VFIO.DEVICE_PCI_HOT_RESET, hotReset(1, [fd]))).toBe(-EINVAL);
    expect(await ioctl(m, fd, VFIO.DEVICE_PCI_HOT_RESET, hotReset(2, [fd, fd2]))).toBe(0);
  });

  it('D.13.2 a member that cannot resume fails the hot reset; those resumed are put back', async () => {
    const [m, ep2] = await twoFunctions();
    const fd = await open(m);
    const { pmRuntimeDisable } = await import('@vfio-ts/runtime-pm');
    pmRuntimeDisable(ep2);
    expect(await ioctl(m, fd, VFIO.DEVICE_PCI_HOT_RESET, hotReset(1, [fd]))).toBeLessThan(0);
    expect(m.ep.power.usageCount).toBe(1);
  });

  it('D.13.3 a function on the bus outside the set: not resettable, -EINVAL', async () => {
    const [m] = await twoFunctions(false);
    const fd = await open(m);
    expect(await ioctl(m, fd, VFIO.DEVICE_PCI_HOT_RESET, hotReset(1, [fd]))).toBe(-EINVAL);
  });

  it('D.13.4 no close-time reset while the other member is open', async () => {
    const [m] = await twoFunctions();
    const fd = await open(m);
    const fd2 = await open(m, '0000:01:00.1');
    m.vdev.resetWorks = false;
    await close(m, fd);
    expect(m.vdev.needsReset).toBe(true);
    await close(m, fd2);
    expect(m.vdev.needsReset).toBe(false);
  });

  it('a hotplug slot: the slot reset scope lists the slot functions', async () => {
    const m = await setup({ hotplug: true });
    const fd = await open(m);
    const b = u32(20, 0, 0, 0, 0);
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_PCI_HOT_RESET_INFO, b)).toBe(0);
    expect(rd32(b, 2)).toBe(1);
  });

  it('D.11.3 hot reset zaps a populated mapping', async () => {
    const [m, fd] = await opened();
    const vma = (await mmap(m, fd, 0, 4096)) as VmArea;
    await touch(m, vma);
    expect(await ioctl(m, fd, VFIO.DEVICE_PCI_HOT_RESET, hotReset(1, [fd]))).toBe(0);
    expect(vma.populated).toBe(false);
  });
});

describe('D.13.4 with disable_idle_d3', () => {
  it('the close-time set reset takes no runtime PM references', async () => {
    const m = await setup({ disableIdleD3: true });
    const fd = await open(m);
    m.vdev.resetWorks = false;
    await close(m, fd);
    expect(m.vdev.needsReset).toBe(false);
    expect(m.ep.power.usageCount).toBe(1);
  });
});
