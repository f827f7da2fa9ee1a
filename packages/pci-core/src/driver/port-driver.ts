// The PCIe port driver (drivers/pci/pcie/portdrv_pci.c; KERNEL.md B.10.5).
import { EBUSY, ENODEV } from '@vfio-ts/kernel';
import {
  pmRuntimeAllow,
  pmRuntimeDontUseAutosuspend,
  pmRuntimeForbid,
  pmRuntimeGetNoresume,
  pmRuntimeMarkLastBusy,
  pmRuntimePutAutosuspend,
  pmRuntimeSetAutosuspendDelay,
  pmRuntimeUseAutosuspend,
  type Device,
} from '@vfio-ts/runtime-pm';
import * as X from '../regs/exp.js';
import {
  PCI_MSI_FLAGS,
  PCI_MSI_FLAGS_ENABLE,
  PCI_MSIX_FLAGS,
  PCI_MSIX_FLAGS_ENABLE,
} from '../regs/msi.js';
import { readCfg, writeCfg } from '../pci/access.js';
import { pciBridgeD3Possible } from '../pci/bridge-d3.js';
import { pciIntx } from '../pci/intx.js';
import type { PciDriver } from '../pci/driver-types.js';
import { pciDisableDevice, pciEnableDevice, pciSetMaster } from '../pci/enable.js';
import { pciIsPcie, toPciDev, type PciDev } from '../pci/pci-dev.js';
import { pciSaveState } from '../pci/save-restore.js';

/** Autosuspend delay of a port that may go to D3, in ms. */
export const PCIE_PORT_AUTOSUSPEND_MS = 100;

/** Class of a PCI-to-PCI bridge (normal decode) and of a subtractive-decode one. */
const PCI_CLASS_BRIDGE_PCI_NORMAL = 0x060400;
const PCI_CLASS_BRIDGE_PCI_SUBTRACTIVE = 0x060401;
/** Class of a Root Complex Event Collector. */
const PCI_CLASS_SYSTEM_RCEC = 0x080700;

/**
 * Mirrors pcie_portdrv_probe(): PCIe root/upstream/downstream ports (and RCECs) only; enable
 * the port, save its state, and if it may go to D3: 100 ms autosuspend, drop the probe
 * reference and allow runtime PM.
 */
export async function pciePortdrvProbe(dev: PciDev): Promise<number> {
  const t = dev.pcieType;
  const ok =
    t === X.PCI_EXP_TYPE_ROOT_PORT ||
    t === X.PCI_EXP_TYPE_UPSTREAM ||
    t === X.PCI_EXP_TYPE_DOWNSTREAM ||
    t === X.PCI_EXP_TYPE_RC_EC;
  if (!pciIsPcie(dev) || !ok) return -ENODEV;
  // pcie_port_device_register().
  const status = await pciEnableDevice(dev);
  if (status) return status;
  pciSetMaster(dev);
  // pcie_init_service_irqs(): the models carry the vectors the port's boot dump shows enabled.
  dev.msixEnabled =
    dev.msixCap !== 0 &&
    (readCfg(dev, dev.msixCap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE) !== 0;
  dev.msiEnabled =
    !dev.msixEnabled &&
    dev.msiCap !== 0 &&
    (readCfg(dev, dev.msiCap + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE) !== 0;
  pciSaveState(dev);
  if (pciBridgeD3Possible(dev)) {
    // Keep the port resumed 100 ms so that config accesses from user space do not make it
    // suspend and resume over and over.
    await pmRuntimeSetAutosuspendDelay(dev, PCIE_PORT_AUTOSUSPEND_MS);
    await pmRuntimeUseAutosuspend(dev);
    pmRuntimeMarkLastBusy(dev);
    pmRuntimePutAutosuspend(dev);
    pmRuntimeAllow(dev);
  }
  return 0;
}

/** Mirrors pcie_portdrv_remove(): take back what probe gave to runtime PM, disable. */
export async function pciePortdrvRemove(dev: PciDev): Promise<void> {
  if (pciBridgeD3Possible(dev)) {
    await pmRuntimeForbid(dev);
    pmRuntimeGetNoresume(dev);
    await pmRuntimeDontUseAutosuspend(dev);
  }
  pciePortFreeIrqVectors(dev);
  pciDisableDevice(dev);
}

// pcie_port_device_remove()'s pci_free_irq_vectors(): MSI-X or MSI disabled, INTx back on.
function pciePortFreeIrqVectors(dev: PciDev): void {
  const cap = dev.msixEnabled ? dev.msixCap : dev.msiEnabled ? dev.msiCap : 0;
  if (!cap) return;
  const flags = dev.msixEnabled ? PCI_MSIX_FLAGS : PCI_MSI_FLAGS;
  const enable = dev.msixEnabled ? PCI_MSIX_FLAGS_ENABLE : PCI_MSI_FLAGS_ENABLE;
  writeCfg(dev, cap + flags, 2, readCfg(dev, cap + flags, 2) & ~enable);
  pciIntx(dev, true);
  dev.msixEnabled = false;
  dev.msiEnabled = false;
}

/** Mirrors pcie_port_runtime_idle(): suspend only if the PCI core allows D3 for the port. */
export function pciePortRuntimeIdle(dev: Device): number {
  return toPciDev(dev).bridgeD3 ? 0 : -EBUSY;
}

/** Mirrors pcie_port_runtime_suspend(). */
export function pciePortRuntimeSuspend(dev: Device): number {
  return toPciDev(dev).bridgeD3 ? 0 : -EBUSY;
}

/** The `pcieport` driver (pcie_portdriver). */
export const pciePortDriver: PciDriver = Object.freeze({
  name: 'pcieport',
  idTable: [
    { classCode: PCI_CLASS_BRIDGE_PCI_NORMAL, classMask: 0xffffff },
    { classCode: PCI_CLASS_BRIDGE_PCI_SUBTRACTIVE, classMask: 0xffffff },
    { classCode: PCI_CLASS_SYSTEM_RCEC, classMask: 0xffffff },
  ],
  probe: pciePortdrvProbe,
  remove: pciePortdrvRemove,
  pm: Object.freeze({
    runtimeSuspend: pciePortRuntimeSuspend,
    runtimeResume: () => 0,
    runtimeIdle: pciePortRuntimeIdle,
  }),
});
