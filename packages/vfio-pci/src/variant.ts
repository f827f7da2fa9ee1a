// The variant plug-in API: what a vendor variant driver (like Linux's mlx5-vfio-pci or
// hisi-acc-vfio-pci, which reuse vfio_pci_core and add their own ops) can change, and how a
// function is matched to one. The core never imports a variant; variants import the core.
import type { InjectionToken } from '@vfio-ts/kernel';
import { pciMatchOneDevice, type PciDeviceId, type PciMatchable } from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import type { VfioPciCoreDevice } from './internal.js';

/**
 * A `VFIO_DEVICE_FEATURE` handler for one feature index, called with the header's flags, the
 * data after the 8-byte header and the header's argsz, exactly as the core's handlers are.
 * @returns 0 or -errno, at once or as a promise (answer at once when nothing sleeps)
 */
export type VfioPciFeatureHandler = (
  vdev: VfioPciCoreDevice,
  flags: number,
  data: Uint8Array,
  argsz: number,
) => Promise<number> | number;

/**
 * A config-space quirk: bits the guest reads as the variant says, whatever the hardware holds
 * (extra virtualised bits on top of the core's permission tables). Writes are not affected:
 * use it for read-only fields (capability bits, ids).
 */
export interface VfioPciConfigQuirk {
  /** Config offset, naturally aligned for `width`. */
  readonly offset: number;
  readonly width: 1 | 2 | 4;
  /** The bits replaced. */
  readonly mask: number;
  /** Their value as the guest reads it. */
  readonly value: number;
}

/**
 * A vendor variant of vfio-pci. Register a class implementing it under
 * {@link VFIO_PCI_VARIANTS}; at bind time a function whose ids match `idTable` is driven by a
 * PCI driver named `name` that runs the vfio-pci core with these hooks. Every hook is optional.
 */
export interface VfioPciVariant {
  /** The driver's name, as `driver_override` and /sys/bus/pci/drivers/ name it. */
  readonly name: string;
  /** The functions it drives (struct pci_device_id: vendor, device, subvendor, subdevice, class with mask). */
  readonly idTable: readonly PciDeviceId[];
  /**
   * Per-device set-up at probe, after the core device exists and before it registers with vfio.
   * @returns 0, or -errno to fail the probe
   */
  init?(vdev: VfioPciCoreDevice): number;
  /** Undoes `init` when the driver unbinds (after vfio unregistration). */
  release?(vdev: VfioPciCoreDevice): void;
  /**
   * Device features by index (`flags & VFIO_DEVICE_FEATURE_MASK`), looked up before the core's:
   * a new index adds a feature, a core index overrides it. Handlers call `vfioCheckFeature`
   * themselves, as the core's do.
   */
  readonly features?: ReadonlyMap<number, VfioPciFeatureHandler>;
  /**
   * Runs before the core's runtime suspend callback. Return -EBUSY (or -EAGAIN) to refuse the
   * suspend: the device stays active, as with any driver whose runtime_suspend fails so.
   * @returns 0 to go on, or -errno
   */
  beforeSuspend?(vdev: VfioPciCoreDevice): Promise<number>;
  /** Runs after the core's runtime resume callback. */
  afterResume?(vdev: VfioPciCoreDevice): Promise<void>;
  /**
   * Consulted after every runtime resume (a host config read, the user's own access or ioctl):
   * when the user engaged low power without a wake-up eventfd (plain `LOW_POWER_ENTRY`), may the
   * host let the device suspend again by itself? The core's answer is yes (the engagement
   * stays). Answer false to end the engagement at the wake, so the device stays in D0 until the
   * user enters low power again.
   */
  hostReentry?(vdev: VfioPciCoreDevice): boolean;
  /**
   * INTx masking: called instead of the core's mask, with the core's as `core` (igate held).
   * @returns whether INTx became masked, as the core's does
   */
  intxMask?(vdev: VfioPciCoreDevice, core: () => boolean): boolean;
  /**
   * INTx unmasking: called instead of the core's unmask, with the core's as `core` (igate held).
   * @returns whether INTx became unmasked, as the core's does
   */
  intxUnmask?(vdev: VfioPciCoreDevice, core: () => boolean): boolean;
  /** Config-space quirks, read when the device is opened (config init). */
  configQuirks?(vdev: VfioPciCoreDevice): readonly VfioPciConfigQuirk[];
}

/** Feature indices vfio core answers itself (migration, DMA logging): never a driver's. */
const VFIO_CORE_FEATURES: readonly number[] = [
  VFIO.DEVICE_FEATURE_MIGRATION,
  VFIO.DEVICE_FEATURE_MIG_DEVICE_STATE,
  VFIO.DEVICE_FEATURE_DMA_LOGGING_START,
  VFIO.DEVICE_FEATURE_DMA_LOGGING_STOP,
  VFIO.DEVICE_FEATURE_DMA_LOGGING_REPORT,
];

/** The multi-token variants are registered under, in a machine's container. */
export const VFIO_PCI_VARIANTS: InjectionToken<VfioPciVariant> = Symbol(
  'vfio-ts:vfio-pci-variants',
);

/**
 * The variant whose id table matches a function, as a `vfio_pci:` modalias lookup finds one
 * (`override_only` entries count: they are what driver_override is for); the first wins.
 * @returns the variant, or null
 */
export function vfioPciMatchVariant(
  pdev: PciMatchable,
  variants: readonly VfioPciVariant[],
): VfioPciVariant | null {
  return variants.find((v) => v.idTable.some((id) => pciMatchOneDevice(id, pdev))) ?? null;
}

/**
 * The problems of a variant as a driver: a name that is empty or taken, an empty id table, a
 * feature index outside 0..0xffff or one vfio core answers itself.
 * @returns one message per problem; empty when it can be registered
 */
export function checkVfioPciVariant(v: VfioPciVariant, taken: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  if (typeof v.name !== 'string' || !/^[\w.-]+$/.test(v.name))
    problems.push(`variant name ${JSON.stringify(v.name)}: letters, digits, '_', '-', '.'`);
  else if (taken.has(v.name)) problems.push(`variant name "${v.name}": already a driver`);
  if (!Array.isArray(v.idTable) || !v.idTable.length)
    problems.push(`variant ${String(v.name)}: empty id table`);
  for (const index of v.features?.keys() ?? [])
    if (!Number.isInteger(index) || index < 0 || index > VFIO.DEVICE_FEATURE_MASK)
      problems.push(`variant ${String(v.name)}: feature index ${index} is not 0..0xffff`);
    else if (VFIO_CORE_FEATURES.includes(index))
      problems.push(
        `variant ${String(v.name)}: feature index ${index} is answered by vfio core, never by a driver`,
      );
  return problems;
}
