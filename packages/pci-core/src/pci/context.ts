// What a PciDev needs from the system it lives in (the topology implements it).
import type { Kernel } from '@vfio-ts/kernel';
import type { Device } from '@vfio-ts/runtime-pm';
import type { PciPlatform } from '../platform/types.js';
import type { KmemRegistry } from './kmem.js';
import type { PciDev } from './pci-dev.js';

/** Kernel command-line parameters of the PCI core that matter here. */
export interface PciParams {
  /** `pcie_port_pm=`: `off` forbids, `force` allows D3 for every PCIe port. @default 'default' */
  pciePortPm: 'default' | 'off' | 'force';
  /** `pci_pm_d3hot_delay`: a global minimum D3hot delay in ms. @default 0 */
  pciPmD3hotDelay: number;
  /** pciehp owns hotplug (_OSC granted), so hotplug ports may be considered for D3. @default true */
  pciehpNative: boolean;
  /**
   * An IOMMU driver asked for ACS (pci_request_acs() sets pci_acs_enable; intel_iommu=on, as on
   * the conformance machine, does), so functions with an ACS capability get it enabled at
   * enumeration and at every config restore. @default true
   */
  pciAcsEnable: boolean;
}

/** A host bridge device: the runtime-PM parent of root-bus devices. */
export interface PciHostBridgeLike extends Device {
  /** device_can_wakeup() of the host bridge (pci_dev_run_wake at the root). */
  wakeupCapable: boolean;
}

/** The system around the devices: kernel, firmware, parameters, and bus-level operations. */
export interface PciContext {
  readonly kernel: Kernel;
  readonly platform: PciPlatform;
  readonly params: PciParams;
  readonly kmem: KmemRegistry;
  /** Creates and enumerates a VF of `pf` (pci_iov_add_virtfn without the driver attach). */
  addVirtfn(pf: PciDev, index: number): PciDev;
  /** pci_bus_add_device(): bridge D3 update and driver attach (sleeps). */
  busAddDevice(dev: PciDev): Promise<void>;
  /** pci_stop_and_remove_bus_device() (sleeps). */
  removeDevice(dev: PciDev): Promise<void>;
}
