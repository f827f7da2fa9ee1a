// Wake-up notifications: exactly one eventfd signal per resume from a low-power state entered
// with a wake-up eventfd (vfio_pci_core_runtime_resume signals it once and drops it).
import type { EventfdCtx } from '@vfio-ts/kernel';
import type { PciDev } from '@vfio-ts/pci-core';
import type { VfioPciCoreDevice } from '@vfio-ts/vfio-pci';

interface Engagement {
  readonly ctx: EventfdCtx;
  /** ctx.signals when the engagement was first seen. */
  readonly base: number;
  /** The device was seen runtime-suspended while engaged. */
  suspended: boolean;
}

/** Follows every with-wakeup engagement of the bound devices from one step to the next. */
export class WakeWatch {
  private readonly open = new Map<VfioPciCoreDevice, Engagement>();

  constructor(private readonly devices: () => Iterable<[PciDev, VfioPciCoreDevice]>) {}

  /** Looks at every device now; `add` gets each violation. */
  check(add: (violation: string) => void): void {
    const seen = new Set<VfioPciCoreDevice>();
    for (const [pdev, vdev] of this.devices()) {
      seen.add(vdev);
      const cur = vdev.pmWakeEventfdCtx;
      let e = this.open.get(vdev);
      if (e && e.ctx !== cur) {
        this.duplicates(pdev.bdf, e, add);
        e = undefined;
        this.open.delete(vdev);
      }
      if (!cur) continue;
      // Signalled yet installed: that engagement ended with its wake-up and the same eventfd
      // was given again for a new one.
      if (e && cur.signals !== e.base) {
        this.duplicates(pdev.bdf, e, add);
        e = undefined;
      }
      if (!e) {
        e = { ctx: cur, base: cur.signals, suspended: false };
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
    for (const vdev of [...this.open.keys()]) if (!seen.has(vdev)) this.open.delete(vdev);
  }

  private duplicates(bdf: string, e: Engagement, add: (violation: string) => void): void {
    const n = e.ctx.signals - e.base;
    if (n > 1)
      add(`wake-up notification duplicated: ${bdf} signalled eventfd ${e.ctx.id} ${n} times`);
  }
}
