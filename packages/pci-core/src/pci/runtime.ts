// The PCI bus's runtime PM callbacks (pci_pm_runtime_suspend/resume/idle in
// drivers/pci/pci-driver.c; KERNEL.md B.7).
import { EAGAIN, EBUSY, ENOSYS } from '@vfio-ts/kernel';
import { pmRequestResume, type Device } from '@vfio-ts/runtime-pm';
import { PCI_D0, PCI_D3cold, PCI_UNKNOWN } from '../regs/power-state.js';
import { pciWalkBus } from './bus.js';
import { pciDevSetDisconnected, toPciDev, type PciDev } from './pci-dev.js';
import { pciPmeRestore } from './pme.js';
import { pciPowerUp, pciUpdateCurrentState } from './power.js';
import { pciRestoreState, pciSaveState } from './save-restore.js';
import { pciBridgeWaitForSecondaryBus } from './wait.js';
import { pciEnableWake, pciFinishRuntimeSuspend } from './wake.js';

/**
 * Mirrors pci_pm_runtime_suspend(): unbound → save config and stay in D0; else the driver's
 * runtime_suspend, then (unless the driver saved state or moved the device itself) save state
 * and enter the target low-power state, ignoring a failure to get there.
 * @returns 0 or the driver's error
 */
export async function pciPmRuntimeSuspend(dev: Device): Promise<number> {
  const pdev = toPciDev(dev);
  const pm = dev.driver?.pm;
  const prev = pdev.currentState;
  if (!pdev.pciDriver) {
    pciSaveState(pdev);
    return 0;
  }
  pdev.stateSaved = false;
  if (pm?.runtimeSuspend) {
    const error = await pm.runtimeSuspend(dev);
    if (error === -EBUSY || error === -EAGAIN) {
      dev.kernel.printk('debug', `pci ${pdev.bdf}: can't suspend now (returned ${error})`);
      return error;
    } else if (error) {
      dev.kernel.printk('err', `pci ${pdev.bdf}: can't suspend (returned ${error})`);
      return error;
    }
  }
  const cur = pdev.currentState;
  if (pm?.runtimeSuspend && !pdev.stateSaved && cur !== PCI_D0 && cur !== PCI_UNKNOWN) {
    if (cur !== prev)
      dev.kernel.defect('warn', `PCI PM: State of device ${pdev.bdf} not saved by runtime_suspend`);
    return 0;
  }
  if (!pdev.stateSaved) {
    pciSaveState(pdev);
    await pciFinishRuntimeSuspend(pdev);
  }
  return 0;
}

/** Mirrors pci_resume_bus(): an async resume request for every device below. */
export function pciResumeBus(bridge: PciDev): void {
  pciWalkBus(bridge.subordinate, (d) => void pmRequestResume(d));
}

/**
 * Mirrors pci_pm_bridge_power_up_actions() [6.1.192]: wait for the secondary bus; if it stays
 * down mark everything below disconnected, else request a resume of everything below.
 */
export async function pciPmBridgePowerUpActions(dev: PciDev): Promise<void> {
  if (await pciBridgeWaitForSecondaryBus(dev, 'resume')) {
    pciWalkBus(dev.subordinate, (d) => void pciDevSetDisconnected(d));
    return;
  }
  pciResumeBus(dev);
}

/**
 * Mirrors pci_pm_runtime_resume(): always power up, refresh the state, restore config and PME;
 * bound devices then get wakeup disarmed, bridge power-up actions after D3cold, and the
 * driver's runtime_resume.
 * @returns 0 or the driver's result
 */
export async function pciPmRuntimeResume(dev: Device): Promise<number> {
  const pdev = toPciDev(dev);
  const pm = dev.driver?.pm;
  const prev = pdev.currentState;
  // pci_pm_default_resume_early().
  await pciPowerUp(pdev);
  pciUpdateCurrentState(pdev, PCI_D0);
  pciRestoreState(pdev);
  pciPmeRestore(pdev);
  if (!pdev.pciDriver) return 0;
  // pci_pm_default_resume().
  pciEnableWake(pdev, PCI_D0, false);
  if (prev === PCI_D3cold) await pciPmBridgePowerUpActions(pdev);
  return pm?.runtimeResume ? pm.runtimeResume(dev) : 0;
}

/**
 * Mirrors pci_pm_runtime_idle(): unbound → 0 (suspend, staying in D0); a driver without
 * dev_pm_ops → -ENOSYS; else the driver's runtime_idle or 0.
 */
export async function pciPmRuntimeIdle(dev: Device): Promise<number> {
  const pdev = toPciDev(dev);
  if (!pdev.pciDriver) return 0;
  const pm = dev.driver?.pm;
  if (!pm) return -ENOSYS;
  return pm.runtimeIdle ? pm.runtimeIdle(dev) : 0;
}
