// PME: enabling, checking, polling, waking (drivers/pci/pci.c, pci-acpi.c; KERNEL.md B.9).
import { DelayedWork, KernelLocal, type Kernel } from '@vfio-ts/kernel';
import { pmRequestResume } from '@vfio-ts/runtime-pm';
import { PCI_PM_CTRL, PCI_PM_CTRL_PME_ENABLE, PCI_PM_CTRL_PME_STATUS } from '../regs/pm.js';
import { PCI_EXP_TYPE_ROOT_PORT } from '../regs/exp.js';
import { PCI_D0, PCI_D3cold } from '../regs/power-state.js';
import { readCfg, writeCfg } from './access.js';
import { pciWalkBus } from './bus.js';
import { PME_TIMEOUT_NS } from './constants.js';
import type { PciDev } from './pci-dev.js';

/** The PME polling list and worker of one kernel (pci_pme_list, pci_pme_work). */
export class PciPmeList {
  /** Devices polled, in order of addition (newest first, as list_add does). */
  readonly devices: PciDev[] = [];
  /** The 1 s poll worker on system_wq. */
  readonly work: DelayedWork;
  /** Scans done so far. */
  scans = 0;

  constructor(readonly kernel: Kernel) {
    this.work = new DelayedWork('pci_pme_list_scan', () => pciPmeListScan(this));
  }

  /** Queues a scan after PME_TIMEOUT unless one is queued or armed. */
  schedule(): void {
    this.kernel.systemWq.queueDelayedWork(this.work, PME_TIMEOUT_NS);
  }
}

const lists = new KernelLocal((k) => new PciPmeList(k));

/** The PME polling list of `kernel`. */
export function pciPmeList(kernel: Kernel): PciPmeList {
  return lists.get(kernel);
}

function pmcsrAt(dev: PciDev): number {
  return dev.pmCap + PCI_PM_CTRL;
}

/** Mirrors __pci_pme_active(): clear PME_Status, set or clear PME_En. */
export function __pciPmeActive(dev: PciDev, enable: boolean): void {
  if (!dev.pmeSupport) return;
  let pmcsr = readCfg(dev, pmcsrAt(dev), 2) | PCI_PM_CTRL_PME_STATUS | PCI_PM_CTRL_PME_ENABLE;
  if (!enable) pmcsr &= ~PCI_PM_CTRL_PME_ENABLE;
  writeCfg(dev, pmcsrAt(dev), 2, pmcsr);
}

/**
 * Mirrors pci_pme_active(): PME_En in hardware, and the device on (off) the polling list; the
 * first device on the list starts the 1 s worker.
 */
export function pciPmeActive(dev: PciDev, enable: boolean): void {
  __pciPmeActive(dev, enable);
  if (!dev.pmePoll) return;
  const list = pciPmeList(dev.kernel);
  if (enable) {
    list.devices.unshift(dev);
    if (list.devices.length === 1) list.schedule();
  } else {
    const i = list.devices.indexOf(dev);
    if (i >= 0) list.devices.splice(i, 1);
  }
}

/**
 * Mirrors pci_check_pme_status(): PME_Status set → clear it; with PME_En set also clear PME_En
 * and report a genuine wake event.
 * @returns true for a wake event
 */
export function pciCheckPmeStatus(dev: PciDev): boolean {
  if (!dev.pmCap) return false;
  let pmcsr = readCfg(dev, pmcsrAt(dev), 2);
  if (!(pmcsr & PCI_PM_CTRL_PME_STATUS)) return false;
  pmcsr |= PCI_PM_CTRL_PME_STATUS;
  let ret = false;
  if (pmcsr & PCI_PM_CTRL_PME_ENABLE) {
    pmcsr &= ~PCI_PM_CTRL_PME_ENABLE;
    ret = true;
  }
  writeCfg(dev, pmcsrAt(dev), 2, pmcsr);
  return ret;
}

/** Mirrors pci_wakeup_event(): count a wakeup event. */
export function pciWakeupEvent(dev: PciDev): void {
  dev.wakeupCount++;
}

/**
 * Mirrors pci_pme_wakeup(): optionally stop polling the device; a genuine PME → wakeup event and
 * an async runtime resume (pm_request_resume).
 */
export function pciPmeWakeup(dev: PciDev, pmePollReset = false): void {
  if (pmePollReset && dev.pmePoll) dev.pmePoll = false;
  if (pciCheckPmeStatus(dev)) {
    pciWakeupEvent(dev);
    pmRequestResume(dev);
  }
}

/**
 * Mirrors pci_pme_restore() (after a config restore): PME_En per `wakeup_prepared`; PME_Status
 * cleared only when wakeup is not prepared.
 */
export function pciPmeRestore(dev: PciDev): void {
  if (!dev.pmeSupport) return;
  let pmcsr = readCfg(dev, pmcsrAt(dev), 2);
  if (dev.wakeupPrepared) {
    pmcsr |= PCI_PM_CTRL_PME_ENABLE;
    pmcsr &= ~PCI_PM_CTRL_PME_STATUS;
  } else {
    pmcsr &= ~PCI_PM_CTRL_PME_ENABLE;
    pmcsr |= PCI_PM_CTRL_PME_STATUS;
  }
  writeCfg(dev, pmcsrAt(dev), 2, pmcsr);
}

/**
 * Mirrors pci_pme_list_scan(): for each polled device whose bridge is in D0 and which is not in
 * D3cold, pci_pme_wakeup; devices no longer polled leave the list. Linux re-queues the scan
 * every second while the list is not empty; here a scan runs one second after the first device
 * is listed and one second after each PME a listed device signals ({@link pciPmeSignalled}),
 * which finds the same PMEs and lets `settle()` end.
 */
export function pciPmeListScan(list: PciPmeList): void {
  list.scans++;
  for (const dev of [...list.devices]) {
    if (!dev.pmePoll) {
      list.devices.splice(list.devices.indexOf(dev), 1);
      continue;
    }
    const bridge = dev.upstreamBridge;
    if (bridge && bridge.currentState !== PCI_D0) continue;
    if (dev.currentState === PCI_D3cold) continue;
    pciPmeWakeup(dev);
  }
}

/** The root port above `dev` (or `dev` itself), null for conventional PCI hierarchies. */
function pcieRootPortOf(dev: PciDev): PciDev | null {
  for (let d: PciDev | null = dev; d; d = d.upstreamBridge)
    if (d.pcieType === PCI_EXP_TYPE_ROOT_PORT) return d;
  return null;
}

/**
 * Mirrors pcie_pme_handle_request(): a PME message from `dev` reached its root port's PME
 * service. A PME of the port itself is looked for below it when the port shows none.
 * @returns whether a PME source was found (and its resume requested)
 */
export function pciePmeHandleRequest(port: PciDev, dev: PciDev): boolean {
  let found = false;
  if (dev === port) {
    port.pmePoll = false;
    if (pciCheckPmeStatus(port)) {
      pmRequestResume(port);
      found = true;
    } else {
      // pcie_pme_walk_bus(): conventional functions behind the port.
      pciWalkBus(port.subordinate, (d) => {
        if (!d.pcieCap && pciCheckPmeStatus(d)) {
          d.pmePoll = false;
          pciWakeupEvent(d);
          pmRequestResume(d);
          found = true;
        }
      });
    }
  } else if (pciCheckPmeStatus(dev)) {
    dev.pmePoll = false;
    pciWakeupEvent(dev);
    pmRequestResume(dev);
    found = true;
  }
  if (!found) port.kernel.printk('info', `pcieport ${port.bdf}: Spurious native interrupt!`);
  return found;
}

/**
 * The hardware sent a PME (its `pme` event), with PME_En set. In D3cold the function can only
 * assert WAKE#, which reaches the OS as the wake GPE of the nearest firmware node at or above it
 * (pci_acpi_wake_dev); a PCI Express function's PME message goes to its root port's PME service
 * (pcie_pme_handle_request); a conventional function is found by the next poll scan.
 */
export function pciPmeSignalled(dev: PciDev): void {
  if (dev.currentState === PCI_D3cold) {
    for (let d: PciDev | null = dev; d; d = d.upstreamBridge)
      if (d.ctx.platform.wakeGpe(d)) return pciAcpiWakeDev(d);
    return;
  }
  const port = dev.pcieCap ? pcieRootPortOf(dev) : null;
  if (port) {
    pciePmeHandleRequest(port, dev);
    return;
  }
  const list = pciPmeList(dev.kernel);
  if (list.devices.includes(dev)) list.schedule();
}

/**
 * Mirrors pci_acpi_wake_dev(): stop polling; a device in D3cold just gets a resume request;
 * otherwise PME status is cleared first, and PMEs of the devices below are checked too.
 */
export function pciAcpiWakeDev(dev: PciDev): void {
  dev.pmePoll = false;
  if (dev.currentState !== PCI_D3cold && dev.pmeSupport) pciCheckPmeStatus(dev);
  pciWakeupEvent(dev);
  pmRequestResume(dev);
  if (dev.currentState !== PCI_D3cold)
    pciWalkBus(dev.subordinate, (d) => void pciPmeWakeup(d, true));
}
