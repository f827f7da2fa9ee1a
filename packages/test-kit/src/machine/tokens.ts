// The machine's dependency-injection seams (one child container per machine).
import type { InjectionToken } from '@vfio-ts/kernel';
import type { PciPlatform, PciSysfs, PciTopology } from '@vfio-ts/pci-core';
import type { VfioCore } from '@vfio-ts/vfio-core';
import type { VfioPciDriver } from '@vfio-ts/vfio-pci';

/** The PCI hierarchy of the machine. */
export const PCI_TOPOLOGY: InjectionToken<PciTopology> = Symbol('vfio-ts:pci-topology');
/** The platform firmware. */
export const PCI_PLATFORM: InjectionToken<PciPlatform> = Symbol('vfio-ts:pci-platform');
/** The PCI sysfs tree. */
export const PCI_SYSFS: InjectionToken<PciSysfs> = Symbol('vfio-ts:pci-sysfs');
/** The vfio core (device sets, registered devices). */
export const VFIO_CORE: InjectionToken<VfioCore> = Symbol('vfio-ts:vfio-core');
/** The vfio-pci driver as loaded with the machine's module options. */
export const VFIO_PCI_DRIVER: InjectionToken<VfioPciDriver> = Symbol('vfio-ts:vfio-pci-driver');
