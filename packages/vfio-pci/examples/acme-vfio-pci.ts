// An example vfio-pci variant driver, the reference for variant authors (docs/writing-a-variant.md
// walks through it). The "Acme accelerator" is made up: the simulator has no model of it, so the
// example matches the e1000e's ids (8086:10d3) and runs on the built-in `e1000e` model.
import { EFAULT } from '@vfio-ts/kernel';
import { pciD3coldDisable, pciD3coldEnable, type PciDeviceId } from '@vfio-ts/pci-core';
import { VFIO, vfioCheckFeature } from '@vfio-ts/vfio-core';
import type { VfioPciCoreDevice, VfioPciFeatureHandler, VfioPciVariant } from '@vfio-ts/vfio-pci';

/**
 * The functions the Acme driver takes: Acme accelerators (here: the e1000e's ids, see above).
 * Omitted fields match anything, like PCI_ANY_ID in a `struct pci_device_id`.
 */
export const ACME_ID_TABLE: readonly PciDeviceId[] = Object.freeze([
  { vendor: 0x8086, device: 0x10d3 },
]);

/**
 * Acme's vendor `VFIO_DEVICE_FEATURE` index: a GET of the number of runtime resumes since
 * the driver bound. The data is one little-endian u64. Linux allocates feature indices in
 * `linux/vfio.h`; a made-up device picks one far from the core's (0–8).
 */
export const ACME_FEATURE_RESUME_COUNT = 0xac01;

/** Size of the feature's data: one u64. */
export const ACME_RESUME_COUNT_SIZE = 8;

/**
 * The Acme accelerator's vfio-pci variant. Register it with
 * `createMachine({ variants: [AcmeVfioPci], … })`: every function matching
 * {@link ACME_ID_TABLE} then binds to the `acme-vfio-pci` driver instead of `vfio-pci`.
 *
 * What it changes, all else being the vfio-pci core:
 * - the accelerator must not lose power while runtime-suspended (a made-up erratum), so `init`
 *   forbids D3cold: low power means D3hot even below a root port that can cut power;
 * - it counts runtime resumes (`afterResume`) and reports them through
 *   {@link ACME_FEATURE_RESUME_COUNT}.
 */
export class AcmeVfioPci implements VfioPciVariant {
  /** The driver's name in /sys/bus/pci/drivers/ and for driver_override. */
  readonly name = 'acme-vfio-pci';
  readonly idTable = ACME_ID_TABLE;
  /** Runtime resumes per bound device. */
  private readonly resumes = new Map<VfioPciCoreDevice, number>();
  /** The vendor features, looked up before the core's by index. */
  readonly features: ReadonlyMap<number, VfioPciFeatureHandler> = new Map([
    [
      ACME_FEATURE_RESUME_COUNT,
      (vdev, flags, data, argsz) => this.resumeCount(vdev, flags, data, argsz),
    ],
  ]);

  /**
   * Runs at probe, before the device registers with vfio: forbids D3cold (pci_d3cold_disable),
   * as drivers of devices that cannot survive power removal do.
   * @returns 0 (a -errno would fail the bind)
   */
  init(vdev: VfioPciCoreDevice): number {
    pciD3coldDisable(vdev.pdev);
    this.resumes.set(vdev, 0);
    return 0;
  }

  /** Runs at unbind: undoes `init`. */
  release(vdev: VfioPciCoreDevice): void {
    pciD3coldEnable(vdev.pdev);
    this.resumes.delete(vdev);
  }

  /** Runs after the core's runtime resume (the wake-up eventfd, if any, is already signalled). */
  afterResume(vdev: VfioPciCoreDevice): Promise<void> {
    this.resumes.set(vdev, (this.resumes.get(vdev) ?? 0) + 1);
    return Promise.resolve();
  }

  /**
   * The ACME_FEATURE_RESUME_COUNT handler: GET only (PROBE answers 0), 8 bytes of data.
   * @returns 0, or -EINVAL / -EFAULT as vfio_check_feature() and copy_to_user() would
   */
  resumeCount(
    vdev: VfioPciCoreDevice,
    flags: number,
    data: Uint8Array,
    argsz: number,
  ): Promise<number> {
    const ret = vfioCheckFeature(flags, argsz, VFIO.DEVICE_FEATURE_GET, ACME_RESUME_COUNT_SIZE);
    if (ret !== 1) return Promise.resolve(ret);
    if (data.length < ACME_RESUME_COUNT_SIZE) return Promise.resolve(-EFAULT);
    const view = new DataView(data.buffer, data.byteOffset, ACME_RESUME_COUNT_SIZE);
    view.setBigUint64(0, BigInt(this.resumes.get(vdev) ?? 0), true);
    return Promise.resolve(0);
  }
}
