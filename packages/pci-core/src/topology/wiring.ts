// The wires between functions that the simulated hardware does not model by itself: a bridge's
// Secondary Bus Reset resets everything behind it, and a PME reaches the kernel.
import { PCI_EXP_FLAGS_SLOT, PCI_EXP_SLTCAP } from '../regs/exp.js';
import { PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_BUS_RESET } from '../regs/header.js';
import { pciBusDevices } from '../pci/bus.js';
import type { PciDev } from '../pci/pci-dev.js';
import { PCI_EXP_SLTCAP_HPC } from '../pci/pcie-cap.js';
import { pciPmeSignalled } from '../pci/pme.js';

/** Slot implemented and Slot Capabilities says Hot-Plug Capable (set_pcie_hotplug_bridge). */
export function isHotplugCapable(dev: PciDev): boolean {
  if (!dev.pcieCap || !(dev.pcieFlagsReg & PCI_EXP_FLAGS_SLOT)) return false;
  return (dev.hw.configRead(dev.pcieCap + PCI_EXP_SLTCAP, 4) & PCI_EXP_SLTCAP_HPC) !== 0;
}

/**
 * Watches a bridge's Bridge Control: when Secondary Bus Reset goes to 1, every powered function
 * behind the bridge is reset (modelled as the function's reset to defaults, `hw.flr()`).
 */
export function wireBridge(bridge: PciDev): void {
  let asserted = false;
  bridge.hw.subscribe(
    (e) => {
      if (e.type !== 'access' || e.kind !== 'config-write' || e.note === 'powered-off') return;
      const at = PCI_BRIDGE_CONTROL;
      if (at < e.offset || at >= e.offset + e.width) return;
      const bit = ((e.value >>> (8 * (at - e.offset))) & PCI_BRIDGE_CTL_BUS_RESET) !== 0;
      if (bit && !asserted) for (const d of pciBusDevices(bridge.subordinate)) d.hw.flr();
      asserted = bit;
    },
    {
      types: ['access'],
      // Only writes that reach Bridge Control.
      accessFilter: (kind, offset, width) =>
        kind === 'config-write' &&
        offset <= PCI_BRIDGE_CONTROL &&
        PCI_BRIDGE_CONTROL < offset + width,
    },
  );
}

/** Routes the function's PME messages to the PCI core (polling list or platform wake GPE). */
export function wireFunction(dev: PciDev): void {
  dev.hw.subscribe(
    (e) => {
      if (e.type === 'pme') pciPmeSignalled(dev);
    },
    { types: ['pme'] },
  );
}
