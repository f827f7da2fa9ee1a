// Power management set-up at enumeration (pci_pm_init in drivers/pci/pci.c; KERNEL.md B.2).
import { pmRuntimeEnable, pmRuntimeForbid, pmRuntimeSetActive } from '@vfio-ts/runtime-pm';
import { findCapability } from '../config/capabilities.js';
import { PCI_CAP_ID_PM } from '../regs/caps.js';
import {
  PCI_PM_CAP_D1,
  PCI_PM_CAP_D2,
  PCI_PM_CAP_PME_MASK,
  PCI_PM_CAP_PME_SHIFT,
  PCI_PM_CAP_VER_MASK,
  PCI_PM_PMC,
} from '../regs/pm.js';
import { readCfg } from './access.js';
import { pciBridgeD3Possible } from './bridge-d3.js';
import { PCI_PM_D3COLD_WAIT, PCI_PM_D3HOT_WAIT } from './constants.js';
import type { PciDev } from './pci-dev.js';
import { pciPmeActive } from './pme.js';
import { pciNoD1d2 } from './power.js';

/**
 * Mirrors pci_pm_init(): runtime PM forbidden, active and enabled (usage 1); then the PM
 * capability: delays, bridge D3, d3cold_allowed, D1/D2, PME support (wakeup-capable, PME off).
 * @returns 0, or the -errno of pm_runtime_set_active() (a parent that is not active)
 */
export function pciPmInit(dev: PciDev): number {
  // Runtime PM is still disabled here, so pm_runtime_forbid() cannot sleep: its resume step
  // returns -EACCES at once.
  void pmRuntimeForbid(dev);
  const ret = pmRuntimeSetActive(dev);
  if (ret) return ret;
  pmRuntimeEnable(dev);
  dev.wakeupPrepared = false;
  dev.pmCap = 0;
  dev.pmeSupport = 0;
  const pm = findCapability(dev.hw, PCI_CAP_ID_PM);
  if (!pm) return 0;
  let pmc = readCfg(dev, pm + PCI_PM_PMC, 2);
  if ((pmc & PCI_PM_CAP_VER_MASK) > 3) {
    dev.kernel.printk(
      'err',
      `pci ${dev.bdf}: unsupported PM cap regs version (${pmc & PCI_PM_CAP_VER_MASK})`,
    );
    return 0;
  }
  dev.pmCap = pm;
  dev.d3hotDelay = PCI_PM_D3HOT_WAIT;
  dev.d3coldDelay = PCI_PM_D3COLD_WAIT;
  dev.bridgeD3 = pciBridgeD3Possible(dev);
  dev.d3coldAllowed = true;
  dev.d1Support = false;
  dev.d2Support = false;
  if (!pciNoD1d2(dev)) {
    dev.d1Support = (pmc & PCI_PM_CAP_D1) !== 0;
    dev.d2Support = (pmc & PCI_PM_CAP_D2) !== 0;
  }
  pmc &= PCI_PM_CAP_PME_MASK;
  if (pmc) {
    dev.pmeSupport = pmc >> PCI_PM_CAP_PME_SHIFT;
    dev.pmePoll = true;
    // device_set_wakeup_capable(): user space still has to enable it.
    dev.wakeupCapable = true;
    pciPmeActive(dev, false);
  }
  return 0;
}
