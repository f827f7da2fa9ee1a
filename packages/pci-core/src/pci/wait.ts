// Delays and readiness polling (pci_dev_d3_sleep, pci_dev_wait,
// pci_bridge_wait_for_secondary_bus in drivers/pci/pci.c; KERNEL.md B.1, B.3.6, B.7.2).
import { ENOTTY, msecs } from '@vfio-ts/kernel';
import { PCI_COMMAND } from '../regs/header.js';
import { pciPossibleError, readCfg } from './access.js';
import type { PciBus } from './bus.js';
import { PCI_RESET_WAIT, PCIE_RESET_READY_POLL_MS } from './constants.js';
import { pciDevIsDisconnected, pciIsBridge, pciIsPcie, type PciDev } from './pci-dev.js';
import { pcieDownstreamPort } from './pcie-cap.js';

/** Mirrors pci_dev_d3_sleep(): max(d3hot_delay, pci_pm_d3hot_delay) ms of virtual time. */
export async function pciDevD3Sleep(dev: PciDev): Promise<void> {
  const delayMs = Math.max(dev.d3hotDelay, dev.ctx.params.pciPmD3hotDelay);
  if (delayMs) await dev.kernel.sched.sleep(msecs(delayMs));
}

/**
 * Mirrors pci_dev_wait(): poll Command until it is not all ones, doubling the delay.
 * @param timeoutMs give up after this long
 * @returns 0, or -ENOTTY when the device never answered
 */
export async function pciDevWait(
  dev: PciDev,
  resetType: string,
  timeoutMs: number,
): Promise<number> {
  let delay = 1;
  let id = readCfg(dev, PCI_COMMAND, 4);
  while (pciPossibleError(id, 4)) {
    if (delay > timeoutMs) {
      dev.kernel.printk(
        'warn',
        `pci ${dev.bdf}: not ready ${delay - 1}ms after ${resetType}; giving up`,
      );
      return -ENOTTY;
    }
    if (delay > PCI_RESET_WAIT)
      dev.kernel.printk(
        'info',
        `pci ${dev.bdf}: not ready ${delay - 1}ms after ${resetType}; waiting`,
      );
    await dev.kernel.sched.sleep(msecs(delay));
    delay *= 2;
    id = readCfg(dev, PCI_COMMAND, 4);
  }
  if (delay > PCI_RESET_WAIT)
    dev.kernel.printk('info', `pci ${dev.bdf}: ready ${delay - 1}ms after ${resetType}`);
  return 0;
}

/** Mirrors pci_bus_max_d3cold_delay(): the longest d3cold_delay of the devices on `bus`. */
export function pciBusMaxD3coldDelay(bus: PciBus): number {
  return bus.devices.reduce((max, d) => Math.max(max, d.d3coldDelay), 0);
}

/**
 * Mirrors pci_bridge_wait_for_secondary_bus(): after a bridge's secondary bus came out of
 * reset or D3cold, wait the children's d3cold_delay (the link is taken as ≤ 5 GT/s), then
 * poll the first child until it answers.
 * @returns 0, or -ENOTTY when the child never answered
 */
export async function pciBridgeWaitForSecondaryBus(
  dev: PciDev,
  resetType: string,
): Promise<number> {
  if (pciDevIsDisconnected(dev) || !pciIsBridge(dev)) return 0;
  const bus = dev.subordinate;
  const child = bus?.devices[0];
  if (!bus || !child) return 0;
  const delay = pciBusMaxD3coldDelay(bus);
  if (!delay) return 0;
  if (!pciIsPcie(dev)) {
    await dev.kernel.sched.sleep(msecs(1000 + delay));
    return 0;
  }
  if (!pcieDownstreamPort(dev)) return 0;
  await dev.kernel.sched.sleep(msecs(delay));
  return pciDevWait(child, resetType, PCIE_RESET_READY_POLL_MS - PCI_RESET_WAIT);
}
