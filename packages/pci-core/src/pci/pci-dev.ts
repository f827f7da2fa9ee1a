// struct pci_dev (include/linux/pci.h): a Device on the PCI bus with its function's hardware.
import { Device, type BusType } from '@vfio-ts/runtime-pm';
import { findCapability, findExtCapability } from '../config/capabilities.js';
import { barOffset } from '../hw/bar-layout.js';
import type { PciFunctionHw } from '../hw/function-hw.js';
import type { HwEvent } from '../hw/types.js';
import { PCI_CAP_ID_MSI, PCI_CAP_ID_MSIX, PCI_EXT_CAP_ID_ERR } from '../regs/caps.js';
import * as H from '../regs/header.js';
import { PCI_EXP_DEVCAP, PCI_EXP_FLAGS, PCI_EXP_FLAGS_TYPE } from '../regs/exp.js';
import { PCI_UNKNOWN, pciPowerName, type PciPowerState } from '../regs/power-state.js';
import type { PciBus, PciSlot } from './bus.js';
import type { PciChannelState } from './constants.js';
import type { PciContext } from './context.js';
import type { PciDriver, PciSriov } from './driver-types.js';
import { declarePciTraceEvents } from './trace-events.js';

/** A capability's save buffer (struct pci_cap_saved_state). */
export interface PciCapSavedState {
  /** Capability ID. */
  readonly capNr: number;
  /** An extended capability. */
  readonly extended: boolean;
  /** The saved registers, bytes. */
  readonly data: Uint8Array;
}

/** How to create a {@link PciDev}. */
export interface PciDevInit {
  readonly ctx: PciContext;
  readonly hw: PciFunctionHw;
  /** Domain, bus number and devfn of the address. */
  readonly domain: number;
  readonly devfn: number;
  readonly pciBus: PciBus;
  readonly busType: BusType;
  /** The PF of a VF. */
  readonly physfn?: PciDev;
}

/** `dddd:bb:dd.f`, as dev_name() of a PCI device. */
export function formatBdf(domain: number, bus: number, devfn: number): string {
  const h = (v: number, n: number): string => v.toString(16).padStart(n, '0');
  return `${h(domain, 4)}:${h(bus, 2)}:${h(devfn >> 3, 2)}.${devfn & 7}`;
}

/**
 * A PCI function as the kernel sees it (struct pci_dev). Field names are the kernel's in
 * camelCase; `pciBus` is `pdev->bus` (the runtime-PM `bus` is the bus type), `classCode` is
 * `pdev->class`, `pciDriver` is `pdev->driver` (the runtime-PM `driver` is its device_driver).
 */
export class PciDev extends Device {
  readonly ctx: PciContext;
  readonly hw: PciFunctionHw;
  /** dev_name(): `0000:01:00.0`. */
  readonly bdf: string;
  readonly domain: number;
  readonly devfn: number;
  /** The bus the device sits on (pdev->bus). */
  readonly pciBus: PciBus;
  /** The bus behind a bridge (pdev->subordinate). */
  subordinate: PciBus | null = null;
  /** The slot the device sits in (pdev->slot). */
  slot: PciSlot | null = null;
  readonly vendor: number;
  readonly device: number;
  readonly subsystemVendor: number;
  readonly subsystemDevice: number;
  readonly revision: number;
  /** 24-bit class code (pdev->class). */
  readonly classCode: number;
  /** Header type without the multifunction bit (pdev->hdr_type). */
  readonly hdrType: number;
  readonly multifunction: boolean;
  /** 256 or 4096 (pdev->cfg_size). */
  readonly cfgSize: number;
  /** Offset of the PCI Express capability (pdev->pcie_cap), 0 for none. */
  readonly pcieCap: number;
  /** PCI Express Capabilities register (pdev->pcie_flags_reg). */
  readonly pcieFlagsReg: number;
  /** Device Capabilities (pdev->devcap). */
  readonly devcap: number;
  /** Offset of the AER capability (pdev->aer_cap, found once by pci_aer_init()), 0 for none. */
  readonly aerCap: number;
  /** Offset of the ACS capability (pdev->acs_cap, found by pci_acs_init()), 0 for none. */
  acsCap = 0;
  /** Offset of the MSI capability (pdev->msi_cap, found once by pci_msi_init()), 0 for none. */
  readonly msiCap: number;
  /** Offset of the MSI-X capability (pdev->msix_cap, by pci_msix_init()), 0 for none. */
  readonly msixCap: number;
  /** MSI vectors are allocated (pdev->msi_enabled); restore rewrites MSI only then. */
  msiEnabled = false;
  /** MSI-X vectors are allocated (pdev->msix_enabled). */
  msixEnabled = false;
  /** Offset of the PM capability, 0 = none (set by pciPmInit). */
  pmCap = 0;
  /** Bit n: PME from Dn. */
  pmeSupport = 0;
  pmePoll = false;
  d1Support = false;
  d2Support = false;
  noD1d2 = false;
  /** Driver veto of D3cold. */
  noD3cold = false;
  /** User permission (sysfs d3cold_allowed). */
  d3coldAllowed = false;
  /** A bridge that may go to D3. */
  bridgeD3 = false;
  wakeupPrepared = false;
  /** ms. */
  d3hotDelay = 0;
  /** ms. */
  d3coldDelay = 0;
  /** Status.IMM_READY: no readiness wait after resets. */
  immReady = false;
  /** PCI_DEV_FLAGS_* quirks. */
  devFlags = 0;
  /** device_can_wakeup(). */
  wakeupCapable = false;
  /** power/wakeup enabled (device_may_wakeup() = capable && enabled). */
  wakeupEnabled = false;
  /** Wakeup events reported (pci_wakeup_event). */
  wakeupCount = 0;
  stateSaved = false;
  /** The 16 standard header dwords saved by pciSaveState. */
  readonly savedConfigSpace = new Uint32Array(16);
  /** Capability save buffers (pdev->saved_cap_space). */
  readonly savedCapSpace: PciCapSavedState[] = [];
  /** MSI/MSI-X registers as saved, replayed by restore (stands for pci_restore_msi_state). */
  savedMsi: readonly { offset: number; width: 2 | 4; value: number }[] = [];
  /** Error state; `perm_failure` means disconnected. */
  errorState: PciChannelState = 'normal';
  readonly isVirtfn: boolean;
  readonly physfn: PciDev | null;
  /** SR-IOV state of a PF (pdev->sriov), null otherwise. */
  sriov: PciSriov | null = null;
  /** Reset methods in order (indices into PCI_RESET_METHOD_NAMES). */
  resetMethods: number[] = [];
  /** sysfs `reset` and `reset_method` exist (decided when the device was added). */
  resetAttrsVisible = false;
  /** Command.MEMORY is not implemented (VFs). */
  noCommandMemory = false;
  /** Config access blocked (pci_cfg_access_lock). */
  blockCfgAccess = false;
  /** pci_enable_device() count. */
  enableCnt = 0;
  isBusmaster = false;
  /** sysfs driver_override, or null. */
  driverOverride: string | null = null;
  /** The bound PCI driver (pdev->driver), set around probe/remove. */
  pciDriver: PciDriver | null = null;
  /** Drivers may bind (pdev->match_driver), set when the device is added. */
  matchDriver = false;
  /** A hotplug-capable bridge (is_hotplug_bridge). */
  isHotplugBridge = false;
  isThunderbolt = false;
  /** BAR register values as assigned at enumeration (the resource table), by config offset. */
  readonly resources: readonly { offset: number; value: number }[];
  private state: PciPowerState = PCI_UNKNOWN;

  constructor(init: PciDevInit) {
    const bdf = formatBdf(init.domain, init.pciBus.number, init.devfn);
    super(init.ctx.kernel, { name: bdf, parent: init.pciBus.bridge, bus: init.busType });
    this.ctx = init.ctx;
    this.hw = init.hw;
    this.bdf = bdf;
    this.domain = init.domain;
    this.devfn = init.devfn;
    this.pciBus = init.pciBus;
    this.physfn = init.physfn ?? null;
    this.isVirtfn = init.physfn !== undefined;
    declarePciTraceEvents(this.kernel.trace);
    const trace = this.kernel.trace;
    // Accesses are wanted only while tracing: the trace bus is the switch (no call per access).
    init.hw.subscribe((e) => this.onHwEvent(e), { types: ['access'], accessWhile: trace });
    // pci_setup_device(): identity from config space.
    const hw = init.hw;
    const id = hw.configRead(H.PCI_VENDOR_ID, 4);
    this.vendor = id & 0xffff;
    this.device = id >>> 16;
    const cls = hw.configRead(H.PCI_CLASS_REVISION, 4);
    this.classCode = cls >>> 8;
    this.revision = cls & 0xff;
    const ht = hw.configRead(H.PCI_HEADER_TYPE, 1);
    this.hdrType = ht & H.PCI_HEADER_TYPE_MASK;
    this.multifunction = (ht & 0x80) !== 0;
    this.cfgSize = hw.cfgSize;
    const ss =
      this.hdrType === H.PCI_HEADER_TYPE_NORMAL ? hw.configRead(H.PCI_SUBSYSTEM_VENDOR_ID, 4) : 0;
    this.subsystemVendor = ss & 0xffff;
    this.subsystemDevice = ss >>> 16;
    this.pcieCap = hw.expCap;
    this.pcieFlagsReg = hw.expCap ? hw.configRead(hw.expCap + PCI_EXP_FLAGS, 2) : 0;
    this.devcap = hw.expCap ? hw.configRead(hw.expCap + PCI_EXP_DEVCAP, 4) : 0;
    this.immReady = (hw.configRead(H.PCI_STATUS, 2) & H.PCI_STATUS_IMM_READY) !== 0;
    this.resources = readResources(hw, this.hdrType);
    // pci_init_capabilities(): the offsets the PM and interrupt code use from then on.
    this.msiCap = findCapability(hw, PCI_CAP_ID_MSI);
    this.msixCap = findCapability(hw, PCI_CAP_ID_MSIX);
    this.aerCap = hw.expCap ? findExtCapability(hw, PCI_EXT_CAP_ID_ERR) : 0;
  }

  /** pdev->current_state; every change is traced as `pci_power_state`. */
  get currentState(): PciPowerState {
    return this.state;
  }

  set currentState(to: PciPowerState) {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    const trace = this.kernel.trace;
    if (trace.on)
      trace.emit('pci_power_state', {
        device: this.bdf,
        from: pciPowerName(from),
        to: pciPowerName(to),
      });
  }

  /** pci_pcie_type(), -1 for a conventional function. */
  get pcieType(): number {
    return this.pcieCap ? (this.pcieFlagsReg & PCI_EXP_FLAGS_TYPE) >> 4 : -1;
  }

  /** The bridge above (pci_upstream_bridge()), null on a root bus. */
  get upstreamBridge(): PciDev | null {
    return this.pciBus.self;
  }

  private onHwEvent(e: HwEvent): void {
    const trace = this.kernel.trace;
    if (e.type !== 'access' || !trace.on) return;
    trace.emit('hw_access', {
      device: this.bdf,
      kind: e.kind,
      offset: e.offset,
      width: e.width,
      value: e.value,
      bar: e.bar ?? -1,
      violation: e.note === 'powered-off',
    });
  }
}

function readResources(hw: PciFunctionHw, hdrType: number): { offset: number; value: number }[] {
  const out: { offset: number; value: number }[] = [];
  for (const b of hw.bars) {
    const offset = barOffset(b.index);
    out.push({ offset, value: hw.configRead(offset, 4) });
    if (b.kind === 'mem64') out.push({ offset: offset + 4, value: hw.configRead(offset + 4, 4) });
  }
  const rom = hdrType === H.PCI_HEADER_TYPE_NORMAL ? H.PCI_ROM_ADDRESS : H.PCI_ROM_ADDRESS1;
  const romValue = hw.configRead(rom, 4);
  if (romValue) out.push({ offset: rom, value: romValue & ~H.PCI_ROM_ADDRESS_ENABLE });
  return out;
}

/** Mirrors to_pci_dev(): the PciDev behind a runtime-PM Device. */
export function toPciDev(dev: Device): PciDev {
  if (!(dev instanceof PciDev)) throw new TypeError(`to_pci_dev(${dev.name}): not a PCI device`);
  return dev;
}

/** Mirrors pci_dev_is_disconnected(). */
export function pciDevIsDisconnected(dev: PciDev): boolean {
  return dev.errorState === 'perm_failure';
}

/** Mirrors pci_dev_set_disconnected(): mark the device gone; config accesses fail from now on. */
export function pciDevSetDisconnected(dev: PciDev): void {
  dev.errorState = 'perm_failure';
}

/** Mirrors pci_is_pcie(). */
export function pciIsPcie(dev: PciDev): boolean {
  return dev.pcieCap !== 0;
}

/** Mirrors pci_is_bridge(): a type-1 header. */
export function pciIsBridge(dev: PciDev): boolean {
  return dev.hdrType === H.PCI_HEADER_TYPE_BRIDGE;
}

/** Mirrors pci_has_subordinate(). */
export function pciHasSubordinate(dev: PciDev): boolean {
  return dev.subordinate !== null;
}

/** Mirrors device_can_wakeup(). */
export function deviceCanWakeup(dev: PciDev): boolean {
  return dev.wakeupCapable;
}

/** Mirrors device_may_wakeup(). */
export function deviceMayWakeup(dev: PciDev): boolean {
  return dev.wakeupCapable && dev.wakeupEnabled;
}
