// The host bridge device (struct pci_host_bridge's device, drivers/pci/probe.c): the parent of
// root-bus devices. Its runtime PM stays disabled (KERNEL.md A.13).
import type { Kernel } from '@vfio-ts/kernel';
import { Device } from '@vfio-ts/runtime-pm';
import type { PciHostBridgeLike } from '../pci/context.js';

/** `pci0000:00`: runtime PM disabled, never resumed by its children. */
export class PciHostBridge extends Device implements PciHostBridgeLike {
  /** device_can_wakeup() of the host bridge (firmware `_PRW` on the root bridge). */
  wakeupCapable = false;

  constructor(kernel: Kernel, domain: number, bus: number) {
    const h = (v: number, n: number): string => v.toString(16).padStart(n, '0');
    super(kernel, { name: `pci${h(domain, 4)}:${h(bus, 2)}` });
  }
}
