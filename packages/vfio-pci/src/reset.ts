// Device sets and resets (vfio_pci_core.c; D.13): the set-wide runtime PM get, the devices a
// slot or bus reset hits, VFIO_DEVICE_RESET, GET_PCI_HOT_RESET_INFO and PCI_HOT_RESET.
import {
  EBADF,
  EBUSY,
  EFAULT,
  EINVAL,
  ENODEV,
  ENOSPC,
  copyFromUser,
  copyToUser,
  KernelLocal,
  type UserArg,
} from '@vfio-ts/kernel';
import { pmRuntimePut, pmRuntimeResumeAndGet } from '@vfio-ts/runtime-pm';
import {
  PCI_D0,
  pciProbeResetBus,
  pciProbeResetSlot,
  pciResetBus,
  pciTryResetFunction,
  pciWalkBus,
  type PciDev,
} from '@vfio-ts/pci-core';
import { VFIO, isVfioDeviceFile, type VfioDeviceSet } from '@vfio-ts/vfio-core';
import { toVfioPciCoreDevice, type VfioPciCoreDevice } from './internal.js';
import { vfioPciZapAndDownWriteMemoryLock, vfioPciZapAndVmaLock } from './mmap.js';
import { vfioPciSetPowerState } from './pm.js';

const groups = new KernelLocal(() => ({ next: 0, ids: new WeakMap<PciDev, number>() }));

/**
 * The IOMMU group number of a function (iommu_group_id): every function is alone in its group,
 * numbered in the order they are first asked about, per kernel; {@link vfioPciSetIommuGroup}
 * overrides it.
 */
export function vfioPciIommuGroup(pdev: PciDev): number {
  const g = groups.get(pdev.kernel);
  let id = g.ids.get(pdev);
  if (id === undefined) g.ids.set(pdev, (id = g.next++));
  return id;
}

/** Sets the IOMMU group number reported for a function. */
export function vfioPciSetIommuGroup(pdev: PciDev, id: number): void {
  vfioPciIommuGroup(pdev);
  groups.get(pdev.kernel).ids.set(pdev, id);
}

/**
 * Mirrors vfio_pci_for_each_slot_or_bus(): every function the slot (or bus) reset of `pdev`
 * hits, until `fn` returns nonzero.
 * @returns the first nonzero result, or 0
 */
export function vfioPciForEachSlotOrBus(
  pdev: PciDev,
  fn: (d: PciDev) => number,
  slot: boolean,
): number {
  let ret = 0;
  pciWalkBus(pdev.pciBus, (d) => {
    if (slot && d.slot !== pdev.slot) return false;
    ret = fn(d);
    return ret !== 0;
  });
  return ret;
}

/**
 * Mirrors vfio_pci_dev_set_pm_runtime_get() (D.13.2): resume every member in order; on a
 * failure put back those done, in reverse.
 * @returns 0 or the first error
 */
export async function vfioPciDevSetPmRuntimeGet(members: VfioPciCoreDevice[]): Promise<number> {
  for (let i = 0; i < members.length; i++) {
    const ret = await pmRuntimeResumeAndGet(members[i]!.pdev);
    if (ret) {
      for (let j = i - 1; j >= 0; j--) pmRuntimePut(members[j]!.pdev);
      return ret;
    }
  }
  return 0;
}

/**
 * Mirrors vfio_pci_dev_set_resettable(): a member whose slot or bus reset is possible and
 * hits only members of the set, or null.
 */
export function vfioPciDevSetResettable(set: VfioDeviceSet): PciDev | null {
  const pdev = toVfioPciCoreDevice(set.devices.values().next().value!).pdev;
  const slot = !pciProbeResetSlot(pdev.slot);
  if (!slot && pciProbeResetBus(pdev.pciBus)) return null;
  const inSet = new Set([...set.devices].map((d) => toVfioPciCoreDevice(d).pdev));
  if (vfioPciForEachSlotOrBus(pdev, (d) => (inSet.has(d) ? 0 : -EBUSY), slot)) return null;
  return pdev;
}

/**
 * Mirrors vfio_pci_ioctl_reset() (D.13.1): zap + memory_lock, D0, function reset.
 * @returns the reset's result, -EINVAL without a working reset
 */
export async function vfioPciIoctlReset(vdev: VfioPciCoreDevice): Promise<number> {
  if (!vdev.resetWorks) return -EINVAL;
  await vfioPciZapAndDownWriteMemoryLock(vdev);
  await vfioPciSetPowerState(vdev, PCI_D0);
  const ret = await pciTryResetFunction(vdev.pdev);
  vdev.memoryLock.upWrite();
  return ret;
}

// Slot reset if possible, else bus reset, else -ENODEV.
function resetScope(pdev: PciDev): boolean | number {
  if (!pciProbeResetSlot(pdev.slot)) return true;
  if (pciProbeResetBus(pdev.pciBus)) return -ENODEV;
  return false;
}

/**
 * Mirrors vfio_pci_ioctl_get_pci_hot_reset_info() (D.13.5): the functions a hot reset hits,
 * or -ENOSPC with the count when the buffer is too small.
 * @returns 0 or -errno
 */
export function vfioPciIoctlGetPciHotResetInfo(vdev: VfioPciCoreDevice, arg: UserArg): number {
  const L = VFIO.pciHotResetInfo;
  const hdr = copyFromUser(arg, 0, L.MINSZ);
  if (typeof hdr === 'number') return hdr;
  if (hdr.getUint32(0, true) < L.MINSZ) return -EINVAL;
  const argsz = hdr.getUint32(0, true);
  const slot = resetScope(vdev.pdev);
  if (typeof slot === 'number') return slot;
  const devs: PciDev[] = [];
  vfioPciForEachSlotOrBus(vdev.pdev, (d) => (devs.push(d), 0), slot);
  const out = new DataView(new ArrayBuffer(L.MINSZ));
  out.setUint32(0, argsz, true);
  out.setUint32(4, 0, true);
  out.setUint32(8, devs.length, true);
  let ret = 0;
  if (argsz < L.MINSZ + devs.length * 8) ret = -ENOSPC;
  copyToUser(arg, 0, new Uint8Array(out.buffer));
  if (ret) return ret;
  const body = new DataView(new ArrayBuffer(devs.length * 8));
  devs.forEach((d, i) => {
    body.setUint32(8 * i, vfioPciIommuGroup(d), true);
    body.setUint16(8 * i + 4, d.domain, true);
    body.setUint8(8 * i + 6, d.pciBus.number);
    body.setUint8(8 * i + 7, d.devfn);
  });
  return copyToUser(arg, L.MINSZ, new Uint8Array(body.buffer)) ? -EFAULT : 0;
}

/**
 * Mirrors vfio_pci_ioctl_pci_hot_reset() + vfio_pci_dev_set_hot_reset() (D.13.3). The group
 * fds are vfio device fds here (each function is its own group): every member of the set must
 * be among them.
 * @returns the bus reset's result, or -errno
 */
export async function vfioPciIoctlPciHotReset(
  vdev: VfioPciCoreDevice,
  arg: UserArg,
): Promise<number> {
  const L = VFIO.pciHotReset;
  const hdr = copyFromUser(arg, 0, L.MINSZ);
  if (typeof hdr === 'number') return hdr;
  if (hdr.getUint32(0, true) < L.MINSZ || hdr.getUint32(4, true)) return -EINVAL;
  const slot = resetScope(vdev.pdev);
  if (typeof slot === 'number') return slot;
  let affected = 0;
  vfioPciForEachSlotOrBus(vdev.pdev, () => (affected++, 0), slot);
  const count = hdr.getUint32(8, true);
  if (!count || count > affected) return -EINVAL;
  const fds = copyFromUser(arg, L.MINSZ, 4 * count);
  if (typeof fds === 'number') return fds;
  const owned = new Set<unknown>();
  const files = vdev.kernel.sched.currentFiles();
  for (let i = 0; i < count; i++) {
    const f = files ? files.fdget(fds.getInt32(4 * i, true)) : -EBADF;
    if (typeof f === 'number') return -EBADF;
    if (!isVfioDeviceFile(f)) return -EINVAL;
    owned.add(f.privateData);
  }
  return vfioPciDevSetHotReset(vdev.vdev.devSet!, owned);
}

// Mirrors vfio_pci_dev_set_hot_reset(): under the set lock, PM get of every member, then
// zap + vma_lock trylocks, memory_lock trylocks, D0, the bus reset, unwinding in order.
async function vfioPciDevSetHotReset(set: VfioDeviceSet, owned: Set<unknown>): Promise<number> {
  await set.lock.lock();
  const members = [...set.devices].map(toVfioPciCoreDevice);
  const pdev = vfioPciDevSetResettable(set);
  let ret = pdev ? await vfioPciDevSetPmRuntimeGet(members) : -EINVAL;
  if (!pdev || ret) {
    set.lock.unlock();
    return ret;
  }
  let vmaLocked = 0;
  let memLocked = 0;
  for (const cur of members) {
    if (!owned.has(cur.vdev)) {
      ret = -EINVAL;
      break;
    }
    if (!(await vfioPciZapAndVmaLock(cur, true))) {
      ret = -EBUSY;
      break;
    }
    vmaLocked++;
  }
  if (!ret) {
    for (const cur of members) {
      if (!cur.memoryLock.downWriteTrylock()) {
        ret = -EBUSY;
        break;
      }
      cur.vmaLock.unlock();
      memLocked++;
    }
  }
  if (!ret) {
    for (const cur of members) await vfioPciSetPowerState(cur, PCI_D0);
    ret = await pciResetBus(pdev);
  }
  members.forEach((cur, i) => {
    if (i < memLocked) cur.memoryLock.upWrite();
    else if (i < vmaLocked) cur.vmaLock.unlock();
  });
  for (const cur of members) pmRuntimePut(cur.pdev);
  set.lock.unlock();
  return ret;
}
