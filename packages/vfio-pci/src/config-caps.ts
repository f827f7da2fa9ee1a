// Per-capability read and write functions of vfio_pci_config.c: the basic header (virtual
// Command and BARs, D.8.7), PM (D.8.4), PCI Express and AF (FLR), MSI.
import { pciTryResetFunction, pciUserReadConfigDword } from '@vfio-ts/pci-core';
import {
  PCI_BASE_ADDRESS_0,
  PCI_BASE_ADDRESS_MEM_PREFETCH,
  PCI_BASE_ADDRESS_MEM_TYPE_64,
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_CFG_SPACE_SIZE,
  PCI_CAP_ID_AF,
  PCI_CAP_ID_EXP,
  PCI_CAP_ID_MSI,
  PCI_CAP_ID_PM,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_COMMAND_IO,
  PCI_COMMAND_MEMORY,
  PCI_D0,
  PCI_D1,
  PCI_D2,
  PCI_D3hot,
  PCI_EXP_DEVCAP,
  PCI_EXP_DEVCAP_FLR,
  PCI_EXP_DEVCTL,
  PCI_EXP_DEVCTL_BCR_FLR,
  PCI_MSI_FLAGS,
  PCI_MSI_FLAGS_ENABLE,
  PCI_MSI_FLAGS_QSIZE,
  PCI_PM_CTRL,
  PCI_PM_CTRL_STATE_MASK,
  PCI_ROM_ADDRESS,
  type PciPowerState,
} from '@vfio-ts/pci-core';
import { PCI_AF_CTRL, PCI_AF_CTRL_FLR, type PermBits } from './config-perms.js';
import {
  vfioDefaultConfigRead,
  vfioDefaultConfigWrite,
  vfioUserConfigRead,
  vfioUserConfigWrite,
  vget,
  vset,
  type Width,
} from './config.js';
import {
  PCI_CAP_ID_BASIC,
  VFIO_PCI_MSI_IRQ_INDEX,
  pciResourceLen,
  pciResourceStart,
  type VfioPciCoreDevice,
} from './internal.js';
import { vfioPciIntxMask, vfioPciIntxUnmask } from './intrs.js';
import { vfioPciZapAndDownWriteMemoryLock } from './mmap.js';
import { vfioPciSetPowerState } from './pm.js';

const isBar = (offset: number): boolean =>
  offset >= PCI_BASE_ADDRESS_0 && offset < PCI_ROM_ADDRESS + 4;

// Mirrors vfio_generate_bar_flags().
function vfioGenerateBarFlags(vdev: VfioPciCoreDevice, bar: number): number {
  const info = vdev.pdev.hw.bar(bar)!;
  if (info.kind === 'io') return PCI_BASE_ADDRESS_SPACE_IO;
  let flags = 0;
  if (info.prefetchable) flags |= PCI_BASE_ADDRESS_MEM_PREFETCH;
  if (info.kind === 'mem64') flags |= PCI_BASE_ADDRESS_MEM_TYPE_64;
  return flags;
}

/**
 * Mirrors vfio_bar_fixup(): apply the size (address bits below it read 0) and flag bits to the
 * virtual BARs, so a size probe (write all ones, read back) sees the BAR's size.
 */
export function vfioBarFixup(vdev: VfioPciCoreDevice): void {
  const pdev = vdev.pdev;
  for (let i = 0; i < 6; i++) {
    const at = PCI_BASE_ADDRESS_0 + 4 * i;
    if (!pciResourceStart(pdev, i)) {
      vset(vdev, at, 4, 0);
      continue;
    }
    const len = pciResourceLen(pdev, i);
    const flags = vfioGenerateBarFlags(vdev, i);
    vset(vdev, at, 4, ((vget(vdev, at, 4) & ~(len - 1)) | flags) >>> 0);
    if (flags & PCI_BASE_ADDRESS_MEM_TYPE_64) {
      const high = ~Math.floor((len - 1) / 2 ** 32);
      vset(vdev, at + 4, 4, (vget(vdev, at + 4, 4) & high) >>> 0);
      i++;
    }
  }
  // No ROM resource in the model: the virtual ROM BAR reads 0.
  vset(vdev, PCI_ROM_ADDRESS, 4, 0);
  vdev.bardirty = false;
}

// Mirrors vfio_need_bar_restore(): the hardware BARs differ from the values seen at open.
async function vfioNeedBarRestore(vdev: VfioPciCoreDevice): Promise<boolean> {
  for (let i = 0; i < 6; i++) {
    if (!vdev.rbar[i]) continue;
    const val = { value: 0 };
    const ret = await pciUserReadConfigDword(vdev.pdev, PCI_BASE_ADDRESS_0 + 4 * i, val);
    if (ret || vdev.rbar[i] !== val.value >>> 0) return true;
  }
  return false;
}

// Mirrors vfio_bar_restore(): write the open-time BAR values back after a backdoor reset.
async function vfioBarRestore(vdev: VfioPciCoreDevice): Promise<void> {
  vdev.kernel.printk('info', `vfio-pci ${vdev.pdev.bdf}: restoring BARs`);
  for (let i = 0; i < 6; i++)
    await vfioUserConfigWrite(vdev, PCI_BASE_ADDRESS_0 + 4 * i, 4, vdev.rbar[i]!);
  await vfioUserConfigWrite(vdev, PCI_ROM_ADDRESS, 4, vdev.rbar[6]!);
}

/** Mirrors vfio_basic_config_read(): BARs fixed up first; VFs see a virtual Memory enable. */
export async function vfioBasicConfigRead(
  vdev: VfioPciCoreDevice,
  pos: number,
  count: Width,
  perm: PermBits,
  offset: number,
): Promise<number> {
  if (isBar(offset) && vdev.bardirty) vfioBarFixup(vdev);
  let val = await vfioDefaultConfigRead(vdev, pos, count, perm, offset);
  if (val >= 0 && offset === PCI_COMMAND && vdev.pdev.noCommandMemory)
    val = (val & ~PCI_COMMAND_MEMORY) | (vdev.virtCommand & PCI_COMMAND_MEMORY);
  return val;
}

// Mirrors vfio_basic_config_write() (D.8.7).
async function vfioBasicConfigWrite(
  vdev: VfioPciCoreDevice,
  pos: number,
  count: Width,
  perm: PermBits,
  offset: number,
  val: number,
): Promise<number> {
  const pdev = vdev.pdev;
  let newCmd = 0;
  if (offset === PCI_COMMAND) {
    const phys = await vfioUserConfigRead(vdev, PCI_COMMAND, 2);
    if (phys < 0) return phys;
    newCmd = val & 0xffff;
    const virt = vdev.virtCommand;
    const newMem = (newCmd & PCI_COMMAND_MEMORY) !== 0;
    const newIo = (newCmd & PCI_COMMAND_IO) !== 0;
    if (!newMem) await vfioPciZapAndDownWriteMemoryLock(vdev);
    else await vdev.memoryLock.downWrite();
    if (
      (newMem &&
        virt & PCI_COMMAND_MEMORY &&
        !(phys & PCI_COMMAND_MEMORY) &&
        !pdev.noCommandMemory) ||
      (newIo && virt & PCI_COMMAND_IO && !(phys & PCI_COMMAND_IO)) ||
      (await vfioNeedBarRestore(vdev))
    )
      await vfioBarRestore(vdev);
  }
  const ret = await vfioDefaultConfigWrite(vdev, pos, count, perm, offset, val);
  if (offset === PCI_COMMAND) {
    if (ret >= 0) {
      const mask = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;
      vset(vdev, PCI_COMMAND, 2, (vdev.virtCommand & ~mask) | (newCmd & mask));
    }
    vdev.memoryLock.upWrite();
  }
  if (ret < 0) return ret;
  if (offset >= PCI_COMMAND && offset <= PCI_COMMAND + 1) {
    const virtIntxDisable = (vdev.virtCommand & PCI_COMMAND_INTX_DISABLE) !== 0;
    if (virtIntxDisable && !vdev.virqDisabled) {
      vdev.virqDisabled = true;
      await vfioPciIntxMask(vdev);
    } else if (!virtIntxDisable && vdev.virqDisabled) {
      vdev.virqDisabled = false;
      await vfioPciIntxUnmask(vdev);
    }
  }
  if (isBar(offset)) vdev.bardirty = true;
  return ret;
}

/**
 * Mirrors vfio_lock_and_set_power_state() (D.8.4): zap + memory_lock for D3hot, memory_lock
 * alone otherwise, around vfio_pci_set_power_state().
 * @returns the transition's result
 */
export async function vfioLockAndSetPowerState(
  vdev: VfioPciCoreDevice,
  state: PciPowerState,
): Promise<number> {
  if (state >= PCI_D3hot) await vfioPciZapAndDownWriteMemoryLock(vdev);
  else await vdev.memoryLock.downWrite();
  const ret = await vfioPciSetPowerState(vdev, state);
  vdev.memoryLock.upWrite();
  return ret;
}

// Mirrors vfio_pm_config_write() (D.8.4, D.8.5): the transition's result is ignored.
async function vfioPmConfigWrite(
  vdev: VfioPciCoreDevice,
  pos: number,
  count: Width,
  perm: PermBits,
  offset: number,
  val: number,
): Promise<number> {
  const ret = await vfioDefaultConfigWrite(vdev, pos, count, perm, offset, val);
  if (ret < 0) return ret;
  if (offset === PCI_PM_CTRL) {
    const states = [PCI_D0, PCI_D1, PCI_D2, PCI_D3hot] as const;
    await vfioLockAndSetPowerState(vdev, states[val & PCI_PM_CTRL_STATE_MASK]!);
  }
  return ret;
}

// Mirrors the reset step of vfio_exp_config_write() / vfio_af_config_write().
async function vfioFlr(vdev: VfioPciCoreDevice): Promise<void> {
  await vfioPciZapAndDownWriteMemoryLock(vdev);
  await pciTryResetFunction(vdev.pdev);
  vdev.memoryLock.upWrite();
}

// Mirrors vfio_exp_config_write(): a virtual FLR resets the function (and reads back 0);
// a new Max_Read_Request_Size is applied to hardware, at least the hardware MPS.
async function vfioExpConfigWrite(
  vdev: VfioPciCoreDevice,
  pos: number,
  count: Width,
  perm: PermBits,
  offset: number,
  val: number,
): Promise<number> {
  const start = pos - offset;
  const ctrlAt = start + PCI_EXP_DEVCTL;
  const readrq = vget(vdev, ctrlAt, 2) & 0x7000;
  const ret = await vfioDefaultConfigWrite(vdev, pos, count, perm, offset, val);
  if (ret < 0) return ret;
  const ctrl = vget(vdev, ctrlAt, 2);
  if (ctrl & PCI_EXP_DEVCTL_BCR_FLR) {
    vset(vdev, ctrlAt, 2, ctrl & ~PCI_EXP_DEVCTL_BCR_FLR);
    const cap = await vfioUserConfigRead(vdev, start + PCI_EXP_DEVCAP, 4);
    if (cap >= 0 && cap & PCI_EXP_DEVCAP_FLR) await vfioFlr(vdev);
  }
  const newRq = vget(vdev, ctrlAt, 2) & 0x7000;
  if (newRq !== readrq) {
    const phys = await vfioUserConfigRead(vdev, ctrlAt, 2);
    if (phys >= 0) {
      const mps = (phys & 0x00e0) >> 5;
      const rq = Math.max(newRq >> 12, mps);
      await vfioUserConfigWrite(vdev, ctrlAt, 2, (phys & ~0x7000) | (rq << 12));
    }
  }
  return ret;
}

// Mirrors vfio_af_config_write(): a virtual AF FLR resets the function when it has AF FLR.
async function vfioAfConfigWrite(
  vdev: VfioPciCoreDevice,
  pos: number,
  count: Width,
  perm: PermBits,
  offset: number,
  val: number,
): Promise<number> {
  const start = pos - offset;
  const ret = await vfioDefaultConfigWrite(vdev, pos, count, perm, offset, val);
  if (ret < 0) return ret;
  const ctrl = vget(vdev, start + PCI_AF_CTRL, 1);
  if (ctrl & PCI_AF_CTRL_FLR) {
    vset(vdev, start + PCI_AF_CTRL, 1, ctrl & ~PCI_AF_CTRL_FLR);
    const cap = await vfioUserConfigRead(vdev, start + 3, 1);
    if (cap >= 0 && cap & 0x02) await vfioFlr(vdev);
  }
  return ret;
}

// Mirrors vfio_msi_config_write(): MSI is enabled by SET_IRQS only; QSIZE is clamped to what
// was allocated, and written to hardware.
async function vfioMsiConfigWrite(
  vdev: VfioPciCoreDevice,
  pos: number,
  count: Width,
  perm: PermBits,
  offset: number,
  val: number,
): Promise<number> {
  const ret = await vfioDefaultConfigWrite(vdev, pos, count, perm, offset, val);
  if (ret < 0 || offset !== PCI_MSI_FLAGS || count < 2) return ret;
  const at = pos - offset + PCI_MSI_FLAGS;
  let flags = vget(vdev, at, 2);
  if (vdev.irqType !== VFIO_PCI_MSI_IRQ_INDEX) flags &= ~PCI_MSI_FLAGS_ENABLE;
  if ((flags & PCI_MSI_FLAGS_QSIZE) >> 4 > vdev.msiQmax)
    flags = (flags & ~PCI_MSI_FLAGS_QSIZE) | (vdev.msiQmax << 4);
  vset(vdev, at, 2, flags);
  const phys = await vfioUserConfigRead(vdev, at, 2);
  if (phys >= 0)
    await vfioUserConfigWrite(
      vdev,
      at,
      2,
      (phys & ~PCI_MSI_FLAGS_QSIZE) | (flags & PCI_MSI_FLAGS_QSIZE),
    );
  return ret;
}

type WriteFn = typeof vfioDefaultConfigWrite;

// The capabilities with their own writefn.
const WRITE_FNS: ReadonlyMap<number, WriteFn> = new Map([
  [PCI_CAP_ID_BASIC, vfioBasicConfigWrite],
  [PCI_CAP_ID_PM, vfioPmConfigWrite],
  [PCI_CAP_ID_EXP, vfioExpConfigWrite],
  [PCI_CAP_ID_AF, vfioAfConfigWrite],
  [PCI_CAP_ID_MSI, vfioMsiConfigWrite],
]);

/** The write function of a capability (perm->writefn) for one piece. @returns count or -errno */
export async function vfioConfigWriteHook(
  vdev: VfioPciCoreDevice,
  pos: number,
  count: Width,
  perm: PermBits,
  offset: number,
  val: number,
  capId: number,
): Promise<number> {
  if (perm.write_ === 'raw') {
    const ret = await vfioUserConfigWrite(vdev, pos, count, val);
    return ret < 0 ? ret : count;
  }
  if (perm.write_ === 'virt') {
    vset(vdev, pos, count, val);
    return count;
  }
  const fn = (pos < PCI_CFG_SPACE_SIZE && WRITE_FNS.get(capId)) || vfioDefaultConfigWrite;
  return fn(vdev, pos, count, perm, offset, val);
}
