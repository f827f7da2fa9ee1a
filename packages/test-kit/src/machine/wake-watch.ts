// Wake-up notifications: exactly one eventfd signal per resume from a low-power state entered
// with a wake-up eventfd (vfio_pci_core_runtime_resume signals it once and drops it).
import type { EventfdCtx } from '@vfio-ts/kernel';
import type { PciDev } from '@vfio-ts/pci-core';
import type { Device } from '@vfio-ts/runtime-pm';
import type { VfioPciCoreDevice } from '@vfio-ts/vfio-pci';

interface Engagement {
  readonly pdev: PciDev;
  readonly ctx: EventfdCtx;
  /** ctx.signals when the engagement was first seen. */
  readonly base: number;
  /** The device was seen runtime-suspended while engaged. */
  suspended: boolean;
}

// The vfio-pci device bound to `dev` (its driver data), if any.
function vfioPciOf(dev: Device): VfioPciCoreDevice | undefined {
  const v = dev.driverData as Partial<VfioPciCoreDevice> | undefined;
  return v && typeof v === 'object' && 'pmWakeEventfdCtx' in v && v.pdev === dev
    ? (v as VfioPciCoreDevice)
    : undefined;
}

/**
 * Follows every with-wakeup engagement of the bound devices from one step to the next. An
 * engagement only matters once the device suspends, so after a step it looks at the devices
 * whose runtime status changed ({@link changed}) and at the engagements it already follows,
 * not at every device.
 */
export class WakeWatch {
  private readonly open = new Map<VfioPciCoreDevice, Engagement>();
  private dirty = new Set<Device>();

  /** @param devices the bound devices, looked at once for engagements already open */
  constructor(devices: () => Iterable<[PciDev, VfioPciCoreDevice]>) {
    for (const [pdev] of devices()) this.dirty.add(pdev);
  }

  /** A device's runtime status changed: look at it at the next check. */
  changed(dev: Device): void {
    this.dirty.add(dev);
  }

  /** Looks at the devices that changed and the open engagements now; `add` gets each violation. */
  check(add: (violation: string) => void): void {
    if (this.dirty.size) {
      const dirty = this.dirty;
      this.dirty = new Set();
      for (const dev of dirty) {
        const vdev = vfioPciOf(dev);
        if (vdev && !this.open.has(vdev)) this.look(vdev, vdev.pdev, add);
      }
    }
    for (const [vdev, e] of this.open) {
      // Unbound: no longer followed.
      if (vdev.pdev.driverData !== vdev) this.open.delete(vdev);
      else this.look(vdev, e.pdev, add);
    }
  }

  private look(vdev: VfioPciCoreDevice, pdev: PciDev, add: (violation: string) => void): void {
    const cur = vdev.pmWakeEventfdCtx;
    let e = this.open.get(vdev);
    if (e && e.ctx !== cur) {
      this.duplicates(pdev.bdf, e, add);
      e = undefined;
      this.open.delete(vdev);
    }
    if (!cur) return;
    // Signalled yet installed: that engagement ended with its wake-up and the same eventfd
    // was given again for a new one.
    if (e && cur.signals !== e.base) {
      this.duplicates(pdev.bdf, e, add);
      e = undefined;
    }
    if (!e) {
      e = { pdev, ctx: cur, base: cur.signals, suspended: false };
      this.open.set(vdev, e);
    }
    const status = pdev.power.runtimeStatus;
    if (status === 'suspended') e.suspended = true;
    // The resume callback signals and drops the eventfd before the status turns active.
    else if (status === 'active' && e.suspended) {
      add(`wake-up notification lost: ${pdev.bdf} resumed without signalling eventfd ${cur.id}`);
      e.suspended = false;
    }
  }

  private duplicates(bdf: string, e: Engagement, add: (violation: string) => void): void {
    const n = e.ctx.signals - e.base;
    if (n > 1)
      add(`wake-up notification duplicated: ${bdf} signalled eventfd ${e.ctx.id} ${n} times`);
  }
}
