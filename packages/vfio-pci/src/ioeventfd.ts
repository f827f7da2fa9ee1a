// ioeventfds (vfio_pci_ioeventfd in vfio_pci_rdwr.c; D.12): a user eventfd that, when
// signalled, writes a value to a BAR without waking the device; dropped while memory is off.
import { EEXIST, EINVAL, ENODEV, ENOSPC, copyFromUser, type UserArg } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import {
  VFIO_PCI_IOEVENTFD_MAX,
  __vfioPciMemoryEnabled,
  pciResourceIsMem,
  pciResourceLen,
  vfioEventfdGet,
  type VfioPciCoreDevice,
  type VfioPciIoeventfd,
} from './internal.js';
import { vfioVirqfdEnable } from './intrs.js';

// Mirrors vfio_pci_ioeventfd_do_write(); 8-byte writes as two dwords, low first.
function vfioPciIoeventfdDoWrite(vdev: VfioPciCoreDevice, ioe: VfioPciIoeventfd): void {
  const hw = vdev.pdev.hw;
  if (ioe.count === 8) {
    hw.barWrite(ioe.bar, ioe.pos, 4, Number(ioe.data & 0xffffffffn));
    hw.barWrite(ioe.bar, ioe.pos + 4, 4, Number(ioe.data >> 32n));
  } else hw.barWrite(ioe.bar, ioe.pos, ioe.count, Number(ioe.data));
}

// Mirrors vfio_pci_ioeventfd_handler(): the fast path; memory_lock contention defers to the thread.
function vfioPciIoeventfdHandler(vdev: VfioPciCoreDevice, ioe: VfioPciIoeventfd): number {
  if (ioe.testMem) {
    if (!vdev.memoryLock.downReadTrylock()) return 1;
    if (!__vfioPciMemoryEnabled(vdev)) {
      vdev.memoryLock.upRead();
      return 0;
    }
  }
  vfioPciIoeventfdDoWrite(vdev, ioe);
  if (ioe.testMem) vdev.memoryLock.upRead();
  return 0;
}

// Mirrors vfio_pci_ioeventfd_thread().
async function vfioPciIoeventfdThread(
  vdev: VfioPciCoreDevice,
  ioe: VfioPciIoeventfd,
): Promise<void> {
  if (ioe.testMem) {
    await vdev.memoryLock.downRead();
    if (!__vfioPciMemoryEnabled(vdev)) {
      vdev.memoryLock.upRead();
      return;
    }
  }
  vfioPciIoeventfdDoWrite(vdev, ioe);
  if (ioe.testMem) vdev.memoryLock.upRead();
}

/**
 * Mirrors vfio_pci_ioeventfd(): add, or with fd -1 remove, the ioeventfd for (bar, pos, data,
 * count).
 * @returns 0 or -errno (-EINVAL, -EEXIST, -ENODEV, -ENOSPC, -EBADF)
 */
export async function vfioPciIoeventfd(
  vdev: VfioPciCoreDevice,
  offset: number,
  data: bigint,
  count: 1 | 2 | 4 | 8,
  fd: number,
): Promise<number> {
  const pos = VFIO.offsetToOffset(offset);
  const bar = VFIO.offsetToIndex(offset);
  if (bar > VFIO.PCI_BAR5_REGION_INDEX) return -EINVAL;
  if (pos + count > pciResourceLen(vdev.pdev, bar)) return -EINVAL;
  if (
    bar === vdev.msixBar &&
    !(pos + count <= vdev.msixOffset || pos >= vdev.msixOffset + vdev.msixSize)
  )
    return -EINVAL;
  await vdev.ioeventfdsLock.lock();
  try {
    const list = vdev.ioeventfds;
    const i = list.findIndex(
      (e) => e.pos === pos && e.bar === bar && e.data === data && e.count === count,
    );
    if (i >= 0) {
      if (fd !== -1) return -EEXIST;
      list.splice(i, 1)[0]!.detach();
      return 0;
    }
    if (fd < 0) return -ENODEV;
    if (list.length >= VFIO_PCI_IOEVENTFD_MAX) return -ENOSPC;
    const ctx = vfioEventfdGet(vdev, fd);
    if (typeof ctx === 'number') return ctx;
    const testMem = pciResourceIsMem(vdev.pdev, bar);
    const ioe: VfioPciIoeventfd = {
      bar,
      pos,
      data,
      count,
      ctx,
      testMem,
      detach: () => stop(),
    };
    const stop = vfioVirqfdEnable(
      vdev,
      ctx,
      () => vfioPciIoeventfdHandler(vdev, ioe),
      () => vfioPciIoeventfdThread(vdev, ioe),
    );
    list.push(ioe);
    return 0;
  } finally {
    vdev.ioeventfdsLock.unlock();
  }
}

/** Mirrors vfio_pci_ioctl_ioeventfd() (D.12 validation). @returns 0 or -errno */
export async function vfioPciIoctlIoeventfd(
  vdev: VfioPciCoreDevice,
  arg: UserArg,
): Promise<number> {
  const minsz = VFIO.deviceIoeventfd.MINSZ;
  const hdr = copyFromUser(arg, 0, minsz);
  if (typeof hdr === 'number') return hdr;
  if (hdr.getUint32(0, true) < minsz) return -EINVAL;
  const flags = hdr.getUint32(4, true);
  if (flags & ~VFIO.DEVICE_IOEVENTFD_SIZE_MASK) return -EINVAL;
  const count = flags & VFIO.DEVICE_IOEVENTFD_SIZE_MASK;
  const fd = hdr.getInt32(24, true);
  if (![1, 2, 4, 8].includes(count) || fd < -1) return -EINVAL;
  const offset = Number(hdr.getBigUint64(8, true) & 0x1fffffffffffffn);
  return vfioPciIoeventfd(vdev, offset, hdr.getBigUint64(16, true), count as 1 | 2 | 4 | 8, fd);
}
