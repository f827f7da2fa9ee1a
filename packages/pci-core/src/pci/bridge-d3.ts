// Whether a bridge may go to D3 (pci_bridge_d3_possible, pci_bridge_d3_update,
// pci_d3cold_enable/disable in drivers/pci/pci.c; KERNEL.md B.10.2–B.10.4).
import * as X from '../regs/exp.js';
import { PCI_D3cold } from '../regs/power-state.js';
import { pciWalkBus } from './bus.js';
import { deviceMayWakeup, pciIsPcie, type PciDev } from './pci-dev.js';
import { pciPmeCapable, pciPowerManageable } from './wake.js';

/**
 * Mirrors pci_bridge_d3_possible(): only PCIe root/upstream/downstream ports; `pcie_port_pm=off`
 * forbids, hotplug ports not owned by pciehp never, `force`, Thunderbolt or the platform allow;
 * other hotplug ports never; otherwise a BIOS from 2015 or later.
 */
export function pciBridgeD3Possible(bridge: PciDev): boolean {
  if (!pciIsPcie(bridge)) return false;
  const t = bridge.pcieType;
  if (
    t !== X.PCI_EXP_TYPE_ROOT_PORT &&
    t !== X.PCI_EXP_TYPE_UPSTREAM &&
    t !== X.PCI_EXP_TYPE_DOWNSTREAM
  )
    return false;
  const { params, platform } = bridge.ctx;
  if (params.pciePortPm === 'off') return false;
  if (bridge.isHotplugBridge && !params.pciehpNative) return false;
  if (params.pciePortPm === 'force') return true;
  if (bridge.isThunderbolt) return true;
  if (platform.bridgeD3(bridge)) return true;
  if (bridge.isHotplugBridge) return false;
  return platform.biosYear >= 2015;
}

/** Mirrors pci_dev_check_d3cold(): whether `dev` blocks D3 of the bridge above it. */
export function pciDevBlocksD3cold(dev: PciDev): boolean {
  return (
    dev.noD3cold ||
    !dev.d3coldAllowed ||
    (deviceMayWakeup(dev) && !pciPmeCapable(dev, PCI_D3cold)) ||
    !pciPowerManageable(dev)
  );
}

/**
 * Mirrors pci_bridge_d3_update(): recompute `bridge_d3` of the bridge above `dev` from its
 * children (all of them, recursively) and propagate a change upwards. A bridge that allows D3
 * is left alone when a child goes away.
 */
export function pciBridgeD3Update(dev: PciDev): void {
  const remove = !dev.registered;
  const bridge = dev.upstreamBridge;
  if (!bridge || !pciBridgeD3Possible(bridge)) return;
  if (remove && bridge.bridgeD3) return;
  let ok = true;
  if (!remove && pciDevBlocksD3cold(dev)) ok = false;
  if (ok && !bridge.bridgeD3) ok = !pciWalkBus(bridge.subordinate, (d) => pciDevBlocksD3cold(d));
  if (bridge.bridgeD3 !== ok) {
    bridge.bridgeD3 = ok;
    pciBridgeD3Update(bridge);
  }
}

/** Mirrors pci_d3cold_enable(): clear `no_d3cold` and update the bridge if it changed. */
export function pciD3coldEnable(dev: PciDev): void {
  if (dev.noD3cold) {
    dev.noD3cold = false;
    pciBridgeD3Update(dev);
  }
}

/** Mirrors pci_d3cold_disable(): set `no_d3cold` and update the bridge if it changed. */
export function pciD3coldDisable(dev: PciDev): void {
  if (!dev.noD3cold) {
    dev.noD3cold = true;
    pciBridgeD3Update(dev);
  }
}
