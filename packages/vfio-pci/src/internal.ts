// The private header of vfio-pci (vfio_pci_priv.h + struct vfio_pci_core_device): the device
// state every file of this package shares, module options and internal constants.
import {
  eventfdCtxFdget,
  type EventfdCtx,
  type Kernel,
  type Mutex,
  type RwSemaphore,
  type SpinLock,
  type VmArea,
} from '@vfio-ts/kernel';
import { KmemPtr, PCI_D3hot, PCI_COMMAND, PCI_COMMAND_MEMORY } from '@vfio-ts/pci-core';
import type { PciDev, PciSavedState } from '@vfio-ts/pci-core';
import { VFIO, type VfioDevice } from '@vfio-ts/vfio-core';
import type { VfioPciVariant } from './variant.js';

/** Byte map value: bytes outside any capability, read and written raw (PCI_CAP_ID_INVALID). */
export const PCI_CAP_ID_INVALID = 0xff;
/** Byte map value: bytes read and written in vconfig only (PCI_CAP_ID_INVALID_VIRT). */
export const PCI_CAP_ID_INVALID_VIRT = 0xfe;
/** The standard header's entry in the byte map (PCI_CAP_ID_BASIC). */
export const PCI_CAP_ID_BASIC = 0;
/** Most ioeventfds per device (VFIO_PCI_IOEVENTFD_MAX). */
export const VFIO_PCI_IOEVENTFD_MAX = 1000;
/** No interrupt type active (VFIO_PCI_NUM_IRQS as irq_type). */
export const VFIO_PCI_NUM_IRQS = VFIO.PCI_NUM_IRQS;
/** irq_type of INTx. */
export const VFIO_PCI_INTX_IRQ_INDEX = VFIO.PCI_INTX_IRQ_INDEX;
/** irq_type of MSI. */
export const VFIO_PCI_MSI_IRQ_INDEX = VFIO.PCI_MSI_IRQ_INDEX;
/** irq_type of MSI-X. */
export const VFIO_PCI_MSIX_IRQ_INDEX = VFIO.PCI_MSIX_IRQ_INDEX;

/** vfio-pci module parameters (KERNEL.md D.2), read when a device is initialised. */
export interface VfioPciOptions {
  /** Keep unused devices in D0 (no runtime suspend while closed). @default false */
  disableIdleD3: boolean;
  /** Never mask INTx with DisINTx: every INTx line is treated as exclusive. @default false */
  nointxmask: boolean;
  /** Allow sriov_numvfs writes. @default false */
  enableSriov: boolean;
  /** Bind to denylisted devices too. @default false */
  disableDenylist: boolean;
}

/** The module defaults. */
export const VFIO_PCI_DEFAULT_OPTIONS: Readonly<VfioPciOptions> = Object.freeze({
  disableIdleD3: false,
  nointxmask: false,
  enableSriov: false,
  disableDenylist: false,
});

/** An ioeventfd (struct vfio_pci_ioeventfd). */
export interface VfioPciIoeventfd {
  readonly bar: number;
  readonly pos: number;
  readonly data: bigint;
  readonly count: 1 | 2 | 4 | 8;
  readonly ctx: EventfdCtx;
  /** The BAR is a memory BAR: writes are gated by memory enable (test_mem). */
  readonly testMem: boolean;
  /** Stops listening to the eventfd. */
  readonly detach: () => void;
}

/** Per-vector interrupt context (struct vfio_pci_irq_ctx). */
export interface VfioPciIrqCtx {
  /** The user's trigger eventfd. */
  trigger: EventfdCtx | null;
  /** INTx: the unmask eventfd (virqfd). */
  unmask: EventfdCtx | null;
  /** INTx: masked state, under irqlock. */
  masked: boolean;
  /** INTx: stop listening to the unmask eventfd. */
  unmaskDetach: (() => void) | null;
}

/** Arguments of one VFIO_DEVICE_SET_IRQS after validation. */
export interface VfioIrqSetArgs {
  readonly flags: number;
  readonly index: number;
  readonly start: number;
  readonly count: number;
  /** The data array: bools (u8) or eventfds (s32), `count` of them; empty for DATA_NONE. */
  readonly data: readonly number[];
}

/**
 * struct vfio_pci_core_device: vfio-pci's state for one function (KERNEL.md D.1). Field names
 * are the kernel's in camelCase.
 */
export class VfioPciCoreDevice {
  readonly kernel: Kernel;
  /** rw-semaphore `&vdev->memory_lock`: memory enable, power state, low-power flags. */
  readonly memoryLock: RwSemaphore;
  /** `&vdev->vma_lock`: the list of populated mappings. */
  readonly vmaLock: Mutex;
  /** Mappings whose pages are populated (vma_list). */
  readonly vmaList = new Set<VmArea>();
  /** `&vdev->igate`: interrupt configuration. */
  readonly igate: Mutex;
  /** `&vdev->irqlock`: INTx masked state. */
  readonly irqlock: SpinLock;
  /** Active interrupt type: INTx 0, MSI 1, MSI-X 2, none 5. */
  irqType: number = VFIO_PCI_NUM_IRQS;
  /** Interrupt contexts of the active type (ctx[]); ctx[0] is INTx's. */
  ctx: VfioPciIrqCtx[] = [];
  /** Vectors configured (num_ctx). */
  numCtx = 0;
  errTrigger: EventfdCtx | null = null;
  reqTrigger: EventfdCtx | null = null;
  /** The guest's INTx Disable in the virtual Command register. */
  virqDisabled = false;
  /** The function supports DisINTx masking (PCI 2.3). */
  pci23 = false;
  /** INTx hidden from the user. */
  nointx = false;
  /** The interrupt line was disabled at the controller (non-2.3 masking). */
  irqLineDisabled = false;
  /** Virtual config space, built at open (null while closed). */
  vconfig: Uint8Array | null = null;
  /** Per byte: the capability it belongs to (pci_config_map). */
  pciConfigMap: Uint8Array | null = null;
  /** Per byte: offset of the start of its capability (vfio_find_cap_start, precomputed). */
  capStart: Uint16Array | null = null;
  /** MSI capability length, 0 without one (msi_perm sizing). */
  msiCapLen = 0;
  /** The function has extended capabilities: the dword at 0x100 is not 0 (extended_caps). */
  extendedCaps = false;
  /** log2 of the MSI vectors allocated (msi_qmax): the virtual QSIZE ceiling. */
  msiQmax = 0;
  /** BAR values for restore after reset (rbar[0..6]). */
  readonly rbar = new Array<number>(7).fill(0);
  /** The virtual BARs need their size bits applied (bardirty). */
  bardirty = false;
  /** Which BARs may be mmapped (bar_mmap_supported). */
  readonly barMmapSupported = new Array<boolean>(6).fill(false);
  msixBar = -1;
  msixOffset = 0;
  msixSize = 0;
  /** A function reset works (reset_works). */
  resetWorks = false;
  /** A bus reset is wanted at close (needs_reset). */
  needsReset = false;
  /** Registered with vfio (to undo in unregister). */
  registered = false;
  /** The user engaged low power (pm_runtime_engaged). */
  pmRuntimeEngaged = false;
  /** The LOW_POWER_ENTRY_WITH_WAKEUP eventfd (pm_wake_eventfd_ctx). */
  pmWakeEventfdCtx: EventfdCtx | null = null;
  /** This suspend masked INTx and resume must unmask it (pm_intx_masked). */
  pmIntxMasked = false;
  /** NoSoftRst−: config is lost going D3hot → D0 (needs_pm_restore). */
  needsPmRestore = false;
  /** State saved when vfio moved the device into D3hot (pm_save). */
  readonly pmSave = new KmemPtr<PciSavedState>('vdev->pm_save');
  /** State stored at open, reloaded at close (pci_saved_state). */
  readonly pciSavedState = new KmemPtr<PciSavedState>('vdev->pci_saved_state');
  /** SR-IOV VFs enabled or being enabled (sriov_active, 6.1.192). */
  sriovActive = false;
  /** Copy of the module parameter at init (disable_idle_d3). */
  readonly disableIdleD3: boolean;
  /** Copy of the module parameter at init (nointxmask). */
  readonly nointxmask: boolean;
  /** Registered ioeventfds (ioeventfds_list) under ioeventfds_lock. */
  readonly ioeventfds: VfioPciIoeventfd[] = [];
  readonly ioeventfdsLock: Mutex;
  /** Stops listening to the hardware's INTx line (free_irq). */
  irqDetach: (() => void) | null = null;
  /** Per config byte: bits a variant's quirks replace (null without quirks). */
  quirkMask: Uint8Array | null = null;
  /** Per config byte: the replacing bits. */
  quirkValue: Uint8Array | null = null;
  constructor(
    readonly pdev: PciDev,
    /** The vfio_device embedded in this one. */
    readonly vdev: VfioDevice,
    options: Readonly<VfioPciOptions>,
    /** The variant driving it, or null for plain vfio-pci. */
    readonly variant: VfioPciVariant | null = null,
  ) {
    this.kernel = pdev.kernel;
    this.memoryLock = this.kernel.newRwSemaphore('&vdev->memory_lock');
    this.vmaLock = this.kernel.newMutex('&vdev->vma_lock');
    this.igate = this.kernel.newMutex('&vdev->igate');
    this.irqlock = this.kernel.newSpinLock('&vdev->irqlock');
    this.ioeventfdsLock = this.kernel.newMutex('&vdev->ioeventfds_lock');
    this.disableIdleD3 = options.disableIdleD3;
    this.nointxmask = options.nointxmask;
    vdev.driverData = this;
  }

  /** The virtual Command register. */
  get virtCommand(): number {
    const v = this.vconfig;
    return v ? v[PCI_COMMAND]! | (v[PCI_COMMAND + 1]! << 8) : 0;
  }
}

/** The vfio-pci device behind a vfio device (container_of). */
export function toVfioPciCoreDevice(vdev: VfioDevice): VfioPciCoreDevice {
  const d = vdev.driverData;
  if (!(d instanceof VfioPciCoreDevice))
    throw new TypeError(`vfio-pci: ${vdev.name} is not a vfio-pci device`);
  return d;
}

/**
 * Mirrors eventfd_ctx_fdget() on the caller's descriptor table (current->files).
 * @returns the context (a reference taken), -EBADF or -EINVAL
 */
export function vfioEventfdGet(vdev: VfioPciCoreDevice, fd: number): EventfdCtx | number {
  return eventfdCtxFdget(vdev.kernel.sched.currentFiles(), fd);
}

/** Whether INTx is the active type (is_intx). */
export function isIntx(vdev: VfioPciCoreDevice): boolean {
  return vdev.irqType === VFIO_PCI_INTX_IRQ_INDEX;
}

/** Whether no interrupt type is active (is_irq_none). */
export function isIrqNone(vdev: VfioPciCoreDevice): boolean {
  return vdev.irqType === VFIO_PCI_NUM_IRQS;
}

/**
 * Mirrors __vfio_pci_memory_enabled() (D.9.1): D0–D2 and Memory Space enabled in the virtual
 * Command register (or a VF, which has no Command.MEMORY). Caller holds memory_lock.
 */
export function __vfioPciMemoryEnabled(vdev: VfioPciCoreDevice): boolean {
  const pdev = vdev.pdev;
  if (pdev.currentState >= PCI_D3hot) return false;
  return pdev.noCommandMemory || (vdev.virtCommand & PCI_COMMAND_MEMORY) !== 0;
}

/** Mirrors pci_resource_len() for BARs 0–5 (the ROM has no resource in the model: 0). */
export function pciResourceLen(pdev: PciDev, bar: number): number {
  return bar < 6 ? (pdev.hw.bar(bar)?.size ?? 0) : 0;
}

/** Mirrors pci_resource_start(): the address assigned at enumeration, 0 when unassigned. */
export function pciResourceStart(pdev: PciDev, bar: number): number {
  const info = pdev.hw.bar(bar);
  if (!info) return 0;
  const off = 0x10 + 4 * bar;
  const low = pdev.resources.find((r) => r.offset === off)?.value ?? 0;
  const high =
    info.kind === 'mem64' ? (pdev.resources.find((r) => r.offset === off + 4)?.value ?? 0) : 0;
  const base = (low & (info.kind === 'io' ? ~0x3 : ~0xf)) >>> 0;
  return high * 2 ** 32 + base;
}

/** Whether BAR `bar` decodes memory (IORESOURCE_MEM). */
export function pciResourceIsMem(pdev: PciDev, bar: number): boolean {
  const info = pdev.hw.bar(bar);
  return info !== undefined && info.kind !== 'io';
}
