// Enabling and disabling a device (pci_enable_device, pci_disable_device, pci_set_master in
// drivers/pci/pci.c and setup-res.c).
import { EIO } from '@vfio-ts/kernel';
import * as H from '../regs/header.js';
import { PCI_D0 } from '../regs/power-state.js';
import { readCfg, writeCfg } from './access.js';
import type { PciDev } from './pci-dev.js';
import { pciSetPowerState, pciUpdateCurrentState } from './power.js';

// Mirrors __pci_set_master().
function setMaster(dev: PciDev, enable: boolean): void {
  const old = readCfg(dev, H.PCI_COMMAND, 2);
  const cmd = enable ? old | H.PCI_COMMAND_MASTER : old & ~H.PCI_COMMAND_MASTER;
  if (cmd !== old) writeCfg(dev, H.PCI_COMMAND, 2, cmd);
  dev.isBusmaster = enable;
}

/** Mirrors pci_set_master(): Command.MASTER on. */
export function pciSetMaster(dev: PciDev): void {
  setMaster(dev, true);
}

/** Mirrors pci_clear_master(): Command.MASTER off. */
export function pciClearMaster(dev: PciDev): void {
  setMaster(dev, false);
}

/** Mirrors pci_is_enabled(). */
export function pciIsEnabled(dev: PciDev): boolean {
  return dev.enableCnt > 0;
}

// Mirrors pci_enable_resources(): Command.IO/MEMORY for the BARs the device has.
function pciEnableResources(dev: PciDev): void {
  const old = readCfg(dev, H.PCI_COMMAND, 2);
  let cmd = old;
  for (const bar of dev.hw.bars) cmd |= bar.kind === 'io' ? H.PCI_COMMAND_IO : H.PCI_COMMAND_MEMORY;
  if (cmd !== old) writeCfg(dev, H.PCI_COMMAND, 2, cmd);
}

// Mirrors pci_enable_bridge(): enable the bridges above and make them bus masters.
async function pciEnableBridge(dev: PciDev): Promise<void> {
  const bridge = dev.upstreamBridge;
  if (bridge) await pciEnableBridge(bridge);
  if (pciIsEnabled(dev)) {
    if (!dev.isBusmaster) pciSetMaster(dev);
    return;
  }
  if ((await pciEnableDevice(dev)) === 0) pciSetMaster(dev);
}

/**
 * Mirrors pci_enable_device(): refresh the power state, count, enable the bridges above, D0,
 * decode enable, INTx enable.
 * @returns 0 or -errno from the power-up
 */
export async function pciEnableDevice(dev: PciDev): Promise<number> {
  pciUpdateCurrentState(dev, dev.currentState);
  if (++dev.enableCnt > 1) return 0;
  const bridge = dev.upstreamBridge;
  if (bridge) await pciEnableBridge(bridge);
  // do_pci_enable_device().
  const err = await pciSetPowerState(dev, PCI_D0);
  if (err < 0 && err !== -EIO) {
    dev.enableCnt--;
    return err;
  }
  pciEnableResources(dev);
  if (readCfg(dev, H.PCI_INTERRUPT_PIN, 1)) {
    const cmd = readCfg(dev, H.PCI_COMMAND, 2);
    if (cmd & H.PCI_COMMAND_INTX_DISABLE)
      writeCfg(dev, H.PCI_COMMAND, 2, cmd & ~H.PCI_COMMAND_INTX_DISABLE);
  }
  return 0;
}

/** Mirrors pci_disable_device(): at the last disable, bus mastering off. */
export function pciDisableDevice(dev: PciDev): void {
  if (dev.enableCnt <= 0)
    dev.kernel.defect('warn', `pci ${dev.bdf}: disabling already-disabled device`);
  if (--dev.enableCnt !== 0) {
    if (dev.enableCnt < 0) dev.enableCnt = 0;
    return;
  }
  const cmd = readCfg(dev, H.PCI_COMMAND, 2);
  if (cmd & H.PCI_COMMAND_MASTER) writeCfg(dev, H.PCI_COMMAND, 2, cmd & ~H.PCI_COMMAND_MASTER);
  dev.isBusmaster = false;
}
