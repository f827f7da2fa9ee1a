// SR-IOV power handling (vfio_pci_core_sriov_configure in vfio_pci_core.c and
// vfio_pci_sriov_configure in vfio_pci.c; D.14, 6.1.192): the PF is resumed and kept in D0
// while it has VFs; `sriov_active` makes later D1–D3hot requests fail with -EBUSY.
import { EINVAL, ENOENT, KernelLocal, type Kernel, type Mutex } from '@vfio-ts/kernel';
import { pmRuntimePut, pmRuntimeResumeAndGet } from '@vfio-ts/runtime-pm';
import { PCI_D0, pciDisableSriov, pciEnableSriov, pciNumVf } from '@vfio-ts/pci-core';
import type { VfioPciCoreDevice } from './internal.js';
import { vfioPciSetPowerState } from './pm.js';

// vfio_pci_sriov_pfs and vfio_pci_sriov_pfs_mutex, per kernel.
const pfLists = new KernelLocal((k) => ({
  mutex: k.newMutex('vfio_pci_sriov_pfs_mutex'),
  pfs: new Set<VfioPciCoreDevice>(),
}));

function sriovPfs(k: Kernel): { mutex: Mutex; pfs: Set<VfioPciCoreDevice> } {
  return pfLists.get(k);
}

/**
 * Mirrors vfio_pci_core_sriov_configure() (D.14): enable `nrVirtfn` VFs with the PF resumed
 * and in D0 (the reference is kept while VFs exist), or disable them with 0.
 * @returns the number of VFs enabled, 0 after disabling, or -errno
 */
export async function vfioPciCoreSriovConfigure(
  vdev: VfioPciCoreDevice,
  nrVirtfn: number,
): Promise<number> {
  const pdev = vdev.pdev;
  const list = sriovPfs(vdev.kernel);
  let ret = 0;
  if (nrVirtfn) {
    await list.mutex.lock();
    if (list.pfs.has(vdev)) {
      list.mutex.unlock();
      return -EINVAL;
    }
    list.pfs.add(vdev);
    list.mutex.unlock();
    ret = await pmRuntimeResumeAndGet(pdev);
    if (!ret) {
      await vdev.memoryLock.downWrite();
      await vfioPciSetPowerState(vdev, PCI_D0);
      vdev.sriovActive = true;
      vdev.memoryLock.upWrite();
      ret = await pciEnableSriov(pdev, nrVirtfn);
      if (!ret) return nrVirtfn;
      pmRuntimePut(pdev);
    }
  } else if (pciNumVf(pdev)) {
    await pciDisableSriov(pdev);
    pmRuntimePut(pdev);
  }
  // Deliberately without memory_lock (6.1.192): at worst a spurious -EBUSY.
  vdev.sriovActive = false;
  await list.mutex.lock();
  list.pfs.delete(vdev);
  list.mutex.unlock();
  return ret;
}

/** Mirrors vfio_pci_sriov_configure(): -ENOENT unless the `enable_sriov` module option. */
export function vfioPciSriovConfigure(
  vdev: VfioPciCoreDevice,
  enableSriov: boolean,
  nrVirtfn: number,
): Promise<number> {
  if (!enableSriov) return Promise.resolve(-ENOENT);
  return vfioPciCoreSriovConfigure(vdev, nrVirtfn);
}
