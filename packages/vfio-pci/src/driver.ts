// The default vfio-pci driver (drivers/vfio/pci/vfio_pci.c): a PCI driver with no static ids
// (bound through driver_override or new_id), its module options, probe and remove; and the
// same driver run with a variant's hooks, named and matched as the variant says.
import { EINVAL } from '@vfio-ts/kernel';
import { devSetDrvdata } from '@vfio-ts/runtime-pm';
import type { PciDev, PciDeviceId, PciDriver } from '@vfio-ts/pci-core';
import { VfioDevice, type VfioCore } from '@vfio-ts/vfio-core';
import { vfioPciCoreRegisterDevice, vfioPciCoreUnregisterDevice, vfioPciOps } from './core.js';
import { VFIO_PCI_DEFAULT_OPTIONS, VfioPciCoreDevice, type VfioPciOptions } from './internal.js';
import { vfioPciCorePmOps, vfioPciVariantPmOps } from './pm.js';
import { vfioPciSriovConfigure } from './sriov.js';
import type { VfioPciVariant } from './variant.js';

/** Intel QuickAssist functions vfio-pci refuses unless `disable_denylist` (vfio_pci_dev_in_denylist). */
export const VFIO_PCI_DENYLIST: readonly PciDeviceId[] = Object.freeze(
  [0x0435, 0x0443, 0x37c8, 0x37c9, 0x19e2, 0x19e3].map((device) => ({ vendor: 0x8086, device })),
);

/** Mirrors vfio_pci_is_denylisted(). */
export function vfioPciIsDenylisted(pdev: PciDev, options: Readonly<VfioPciOptions>): boolean {
  if (options.disableDenylist) return false;
  return VFIO_PCI_DENYLIST.some((id) => id.vendor === pdev.vendor && id.device === pdev.device);
}

/** The vfio-pci driver: a PciDriver plus the devices it has bound. */
export interface VfioPciDriver extends PciDriver {
  /** The module options every device copies at probe. */
  readonly options: Readonly<VfioPciOptions>;
  /** Bound functions and their vfio-pci devices. */
  readonly devices: ReadonlyMap<PciDev, VfioPciCoreDevice>;
  /** The variant whose hooks the devices run with; null for plain vfio-pci. */
  readonly variant: VfioPciVariant | null;
}

/** How to create the driver: its vfio core, module options, the `ids=` parameter. */
export interface VfioPciDriverInit extends Partial<VfioPciOptions> {
  /** The machine's vfio core, which the devices register with. */
  readonly core: VfioCore;
  /** Static ids (the `ids=` module parameter). @default none: bind with driver_override */
  readonly ids?: readonly PciDeviceId[];
  /**
   * Drive the functions with this variant's hooks: the driver takes the variant's name and id
   * table (`ids` is ignored) and wraps the runtime PM callbacks.
   */
  readonly variant?: VfioPciVariant;
}

/**
 * Creates the `vfio-pci` PCI driver (vfio_pci_driver) with `vfio_pci_core_pm_ops`, or with
 * `variant`, the variant's driver.
 * @param init the vfio core and module options (D.2), read once here as at module load
 */
export function createVfioPciDriver(init: VfioPciDriverInit): VfioPciDriver {
  const options: VfioPciOptions = {
    disableIdleD3: init.disableIdleD3 ?? VFIO_PCI_DEFAULT_OPTIONS.disableIdleD3,
    nointxmask: init.nointxmask ?? VFIO_PCI_DEFAULT_OPTIONS.nointxmask,
    enableSriov: init.enableSriov ?? VFIO_PCI_DEFAULT_OPTIONS.enableSriov,
    disableDenylist: init.disableDenylist ?? VFIO_PCI_DEFAULT_OPTIONS.disableDenylist,
  };
  const devices = new Map<PciDev, VfioPciCoreDevice>();
  const core = init.core;
  const variant = init.variant ?? null;
  const ops = variant ? Object.freeze({ ...vfioPciOps, name: variant.name }) : vfioPciOps;
  return {
    name: variant?.name ?? 'vfio-pci',
    idTable: variant?.idTable ?? init.ids ?? [],
    pm: variant ? vfioPciVariantPmOps : vfioPciCorePmOps,
    options,
    devices,
    variant,
    // Mirrors vfio_pci_probe() (D.3.1); a variant's init runs before registration.
    async probe(pdev: PciDev): Promise<number> {
      if (vfioPciIsDenylisted(pdev, options)) return -EINVAL;
      const vdev = new VfioPciCoreDevice(
        pdev,
        new VfioDevice(pdev.kernel, pdev, ops),
        options,
        variant,
      );
      let ret = variant?.init?.(vdev) ?? 0;
      if (ret) return ret;
      devSetDrvdata(pdev, vdev);
      ret = await vfioPciCoreRegisterDevice(vdev, core);
      if (ret) {
        devSetDrvdata(pdev, undefined);
        variant?.release?.(vdev);
        return ret;
      }
      devices.set(pdev, vdev);
      return 0;
    },
    sriovConfigure(pdev: PciDev, numVfs: number): Promise<number> {
      return vfioPciSriovConfigure(devices.get(pdev)!, options.enableSriov, numVfs);
    },
    // Mirrors vfio_pci_remove().
    async remove(pdev: PciDev): Promise<void> {
      const vdev = devices.get(pdev)!;
      await vfioPciCoreUnregisterDevice(vdev, core);
      devices.delete(pdev);
      devSetDrvdata(pdev, undefined);
      variant?.release?.(vdev);
    },
  };
}
