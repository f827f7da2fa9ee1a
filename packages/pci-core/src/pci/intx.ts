// INTx helpers of the PCI core (pci_intx, pci_intx_mask_supported, pci_check_and_mask_intx,
// pci_check_and_unmask_intx in drivers/pci/pci.c), used by vfio-pci's INTx masking (D.15).
import * as H from '../regs/header.js';
import { pciCfgAccessLock, pciCfgAccessUnlock, readCfg, writeCfg } from './access.js';
import { pciDevIsDisconnected, type PciDev } from './pci-dev.js';

/** Mirrors pci_intx(): Command.INTX_DISABLE cleared (enable) or set; written only if it changes. */
export function pciIntx(dev: PciDev, enable: boolean): void {
  const cmd = readCfg(dev, H.PCI_COMMAND, 2);
  const next = enable ? cmd & ~H.PCI_COMMAND_INTX_DISABLE : cmd | H.PCI_COMMAND_INTX_DISABLE;
  if (next !== cmd) writeCfg(dev, H.PCI_COMMAND, 2, next);
}

/**
 * Mirrors pci_intx_mask_supported(): toggle INTX_DISABLE under the config access lock and see
 * whether it sticks (then put it back).
 */
export async function pciIntxMaskSupported(dev: PciDev): Promise<boolean> {
  await pciCfgAccessLock(dev);
  const orig = readCfg(dev, H.PCI_COMMAND, 2);
  writeCfg(dev, H.PCI_COMMAND, 2, orig ^ H.PCI_COMMAND_INTX_DISABLE);
  const now = readCfg(dev, H.PCI_COMMAND, 2);
  let supported = false;
  if ((now ^ orig) & ~H.PCI_COMMAND_INTX_DISABLE) {
    dev.kernel.printk(
      'err',
      `pci ${dev.bdf}: Command register changed from 0x${orig.toString(16)} to 0x${now.toString(16)}: driver or hardware bug?`,
    );
  } else if ((now ^ orig) & H.PCI_COMMAND_INTX_DISABLE) {
    supported = true;
    writeCfg(dev, H.PCI_COMMAND, 2, orig);
  }
  pciCfgAccessUnlock(dev);
  return supported;
}

// Mirrors pci_check_and_set_intx_mask(): one dword read of Command and Status; mask only when
// an interrupt is pending, unmask only when none is.
function checkAndSetIntxMask(dev: PciDev, mask: boolean): boolean {
  if (pciDevIsDisconnected(dev)) return false;
  const dword = dev.hw.configRead(H.PCI_COMMAND, 4);
  const pending = ((dword >>> 16) & H.PCI_STATUS_INTERRUPT) !== 0;
  if (mask !== pending) return false;
  const orig = dword & 0xffff;
  let next = orig & ~H.PCI_COMMAND_INTX_DISABLE;
  if (mask) next |= H.PCI_COMMAND_INTX_DISABLE;
  if (next !== orig) dev.hw.configWrite(H.PCI_COMMAND, 2, next);
  return true;
}

/** Mirrors pci_check_and_mask_intx(): if this device asserts INTx, mask it. @returns whether it did */
export function pciCheckAndMaskIntx(dev: PciDev): boolean {
  return checkAndSetIntxMask(dev, true);
}

/** Mirrors pci_check_and_unmask_intx(): unmask unless another INTx is already pending. */
export function pciCheckAndUnmaskIntx(dev: PciDev): boolean {
  return checkAndSetIntxMask(dev, false);
}
