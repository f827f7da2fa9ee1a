// The SR-IOV helpers vfio uses (pci_num_vf, pci_enable_sriov, pci_disable_sriov in
// drivers/pci/iov.c; KERNEL.md B.13).
import { EINVAL, EIO, ENOSYS, msecs } from '@vfio-ts/kernel';
import { findExtCapability } from '../config/capabilities.js';
import * as S from '../regs/aer-sriov.js';
import { PCI_EXT_CAP_ID_SRIOV } from '../regs/caps.js';
import { pciCfgAccessLock, pciCfgAccessUnlock, readCfg, writeCfg } from './access.js';
import type { PciDev } from './pci-dev.js';

/** Mirrors pci_iov_init() / sriov_init(): read the SR-IOV capability of a PF at enumeration. */
export function pciIovInit(dev: PciDev): void {
  if (!dev.pcieCap) return;
  const pos = findExtCapability(dev.hw, PCI_EXT_CAP_ID_SRIOV);
  if (!pos) return;
  const rd = (reg: number, width: 2 | 4): number => readCfg(dev, pos + reg, width);
  dev.sriov = {
    pos,
    cap: rd(S.PCI_SRIOV_CAP, 4),
    ctrl: rd(S.PCI_SRIOV_CTRL, 2) & ~S.PCI_SRIOV_CTRL_VFE,
    totalVFs: rd(S.PCI_SRIOV_TOTAL_VF, 2),
    initialVFs: rd(S.PCI_SRIOV_INITIAL_VF, 2),
    offset: rd(S.PCI_SRIOV_VF_OFFSET, 2),
    stride: rd(S.PCI_SRIOV_VF_STRIDE, 2),
    vfDevice: rd(S.PCI_SRIOV_VF_DID, 2),
    numVFs: 0,
    driversAutoprobe: true,
    vfs: [],
  };
}

/** Mirrors pci_num_vf(): VFs enabled on a PF, 0 for anything else. */
export function pciNumVf(dev: PciDev): number {
  return dev.sriov?.numVFs ?? 0;
}

/** Mirrors pci_sriov_get_totalvfs(). */
export function pciSriovGetTotalvfs(dev: PciDev): number {
  return dev.sriov?.totalVFs ?? 0;
}

// Mirrors pci_iov_set_numvfs().
function setNumVfs(dev: PciDev, n: number): void {
  writeCfg(dev, dev.sriov!.pos + S.PCI_SRIOV_NUM_VF, 2, n);
}

// Mirrors pci_iov_remove_virtfn() for every VF, last first.
async function sriovDelVfs(dev: PciDev): Promise<void> {
  const vfs = dev.sriov!.vfs;
  while (vfs.length) await dev.ctx.removeDevice(vfs.pop()!);
}

/**
 * Mirrors pci_enable_sriov(): set NumVFs, VF Enable, wait 100 ms, then create, enumerate and
 * add (probe) each VF.
 * @returns 0, -ENOSYS (not a PF), -EINVAL (already enabled or a bad count), -EIO (bad
 * InitialVFs)
 */
export async function pciEnableSriov(dev: PciDev, nrVirtfn: number): Promise<number> {
  const iov = dev.sriov;
  if (!iov) return -ENOSYS;
  if (!nrVirtfn) return 0;
  if (iov.numVFs) return -EINVAL;
  const vfm = (iov.cap & S.PCI_SRIOV_CAP_VFM) !== 0;
  if (iov.initialVFs > iov.totalVFs || (!vfm && iov.initialVFs !== iov.totalVFs)) return -EIO;
  if (
    !Number.isInteger(nrVirtfn) ||
    nrVirtfn < 0 ||
    nrVirtfn > iov.totalVFs ||
    (!vfm && nrVirtfn > iov.initialVFs)
  )
    return -EINVAL;
  setNumVfs(dev, nrVirtfn);
  iov.ctrl |= S.PCI_SRIOV_CTRL_VFE | S.PCI_SRIOV_CTRL_MSE;
  await pciCfgAccessLock(dev);
  writeCfg(dev, iov.pos + S.PCI_SRIOV_CTRL, 2, iov.ctrl);
  await dev.kernel.sched.sleep(msecs(100));
  pciCfgAccessUnlock(dev);
  // sriov_add_vfs(): enumerate each VF, then add it (a matching driver probes it).
  for (let i = 0; i < nrVirtfn; i++) {
    const vf = dev.ctx.addVirtfn(dev, i);
    iov.vfs.push(vf);
    await dev.ctx.busAddDevice(vf);
  }
  iov.numVFs = nrVirtfn;
  return 0;
}

/** Mirrors pci_disable_sriov(): remove the VFs, clear VF Enable, wait 1 s, NumVFs 0. */
export async function pciDisableSriov(dev: PciDev): Promise<void> {
  const iov = dev.sriov;
  if (!iov || !iov.numVFs) return;
  await sriovDelVfs(dev);
  iov.ctrl &= ~(S.PCI_SRIOV_CTRL_VFE | S.PCI_SRIOV_CTRL_MSE);
  await pciCfgAccessLock(dev);
  writeCfg(dev, iov.pos + S.PCI_SRIOV_CTRL, 2, iov.ctrl);
  await dev.kernel.sched.sleep(msecs(1000));
  pciCfgAccessUnlock(dev);
  iov.numVFs = 0;
  setNumVfs(dev, 0);
}
