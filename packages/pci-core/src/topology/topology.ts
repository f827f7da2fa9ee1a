// Building a PCI hierarchy: host bridge, root ports, switch ports, endpoints, VFs (what
// pci_scan_* / pci_device_add / pci_bus_add_device do at boot and hotplug).
import type { Kernel } from '@vfio-ts/kernel';
import { deviceDel, pmRuntimeActive } from '@vfio-ts/runtime-pm';
import { pciBusType } from '../driver/bus-type.js';
import { pciePortDriver } from '../driver/port-driver.js';
import { PciDriverRegistry } from '../driver/registry.js';
import type { PciFunctionHw } from '../hw/function-hw.js';
import type { HwAccess } from '../hw/types.js';
import { createBuiltinHw, type BuiltinModelName } from '../models/registry.js';
import { NoPlatform } from '../platform/none.js';
import type { PciPlatform, RootPortFirmware } from '../platform/types.js';
import { PCI_UNKNOWN } from '../regs/power-state.js';
import { pciAcsInit } from '../pci/acs.js';
import { pciBridgeD3Update } from '../pci/bridge-d3.js';
import { PciBus, PciSlot } from '../pci/bus.js';
import type { PciContext, PciParams } from '../pci/context.js';
import type { PciDriver } from '../pci/driver-types.js';
import { kmemRegistry, type KmemRegistry } from '../pci/kmem.js';
import { PciDev, pciIsBridge } from '../pci/pci-dev.js';
import { pciPmInit } from '../pci/pm-init.js';
import { pciPmeActive } from '../pci/pme.js';
import { pciInitResetMethods } from '../pci/reset.js';
import { pciAllocateCapSaveBuffers } from '../pci/save-restore.js';
import { pciIovInit } from '../pci/sriov.js';
import { parseBdf, pciSlotOf, type Bdf } from './bdf.js';
import { PciHostBridge } from './host-bridge.js';
import type {
  EndpointOptions,
  FunctionSource,
  PciTopologyOptions,
  RootPortOptions,
  SwitchPortOptions,
} from './options.js';
import { defaultVfHw } from './vf-hw.js';
import { isHotplugCapable, wireBridge, wireFunction } from './wiring.js';

const DEFAULT_PARAMS: PciParams = {
  pciePortPm: 'default',
  pciPmD3hotDelay: 0,
  pciehpNative: true,
  pciAcsEnable: true,
};

/**
 * One PCI hierarchy below one host bridge: devices indexed by bdf, the driver registry (with
 * `pcieport` built in) and the platform. Devices are enumerated synchronously by `add*`
 * (setup errors throw); `busAddDevices()` (in a task) then binds drivers, as boot does.
 */
export class PciTopology implements PciContext {
  readonly params: PciParams;
  readonly kmem: KmemRegistry;
  readonly hostBridge: PciHostBridge;
  readonly rootBus: PciBus;
  readonly drivers: PciDriverRegistry;
  private readonly byBdf = new Map<string, PciDev>();
  private readonly byName = new Map<string, PciDev>();
  private readonly firmware = new Map<PciDev, RootPortFirmware>();
  // Bus numbers in use, per PCI segment (domain).
  private readonly busNumbers = new Map<number, Set<number>>();
  // The root bus of each segment; the first is `rootBus`, others come with their root ports.
  private readonly roots = new Map<number, PciBus>();
  private readonly added = new WeakSet<PciDev>();
  private readonly violationWatchers = new Set<(dev: PciDev, access: HwAccess) => void>();
  private readonly vfFactories = new WeakMap<
    PciDev,
    (pf: PciDev, index: number) => PciFunctionHw
  >();

  constructor(
    readonly kernel: Kernel,
    readonly platform: PciPlatform = new NoPlatform(),
    opts: PciTopologyOptions = {},
  ) {
    this.params = { ...DEFAULT_PARAMS, ...opts.params };
    this.kmem = kmemRegistry(kernel);
    const domain = opts.domain ?? 0;
    const root = opts.rootBus ?? 0;
    this.hostBridge = new PciHostBridge(kernel, domain, root);
    this.hostBridge.wakeupCapable = opts.hostBridgeWakeup ?? false;
    this.rootBus = new PciBus(domain, root, null, null, this.hostBridge);
    this.roots.set(domain, this.rootBus);
    this.busNumbers.set(domain, new Set([root]));
    this.drivers = new PciDriverRegistry(() => this.devices());
    this.drivers.registerBuiltin(pciePortDriver);
  }

  /** The device at `bdf`. */
  lookup(bdf: string): PciDev | undefined {
    return this.byBdf.get(bdf.toLowerCase());
  }

  /** A port by the name it was given, or any device by bdf. */
  port(nameOrBdf: string): PciDev | undefined {
    return this.byName.get(nameOrBdf) ?? this.lookup(nameOrBdf);
  }

  /**
   * Calls `fn` with every access a function makes while powered off, as it happens (the
   * event an invariant monitor needs, instead of scanning every function after every step).
   * @returns the function that stops it
   */
  watchViolations(fn: (dev: PciDev, access: HwAccess) => void): () => void {
    this.violationWatchers.add(fn);
    return () => this.violationWatchers.delete(fn);
  }

  /** The firmware description a root port was added with. */
  rootPortFirmware(port: PciDev): RootPortFirmware | undefined {
    return this.firmware.get(port);
  }

  /**
   * Every device, depth first from the root bus (a bridge before what is behind it), segment
   * by segment in the order they were created.
   */
  devices(): PciDev[] {
    const out: PciDev[] = [];
    const walk = (bus: PciBus): void => {
      for (const d of bus.devices) {
        out.push(d);
        if (d.subordinate) walk(d.subordinate);
      }
    };
    for (const bus of this.roots.values()) walk(bus);
    return out;
  }

  /**
   * The root bus of PCI segment `domain`. A segment other than the first gets its own host
   * bridge (`pci<domain>:00`) on first use, as a machine with several PCI segments (ACPI MCFG
   * entries) has: each segment has 256 bus numbers, so large machines spread root ports
   * over segments.
   */
  segmentRootBus(domain: number): PciBus {
    let bus = this.roots.get(domain);
    if (!bus) {
      const bridge = new PciHostBridge(this.kernel, domain, 0);
      bridge.wakeupCapable = this.hostBridge.wakeupCapable;
      bus = new PciBus(domain, 0, null, null, bridge);
      this.roots.set(domain, bus);
      this.busNumbers.set(domain, new Set([0]));
    }
    return bus;
  }

  [Symbol.iterator](): Iterator<PciDev> {
    return this.devices()[Symbol.iterator]();
  }

  /** Enumerates a root port (pci_pm_init included); its firmware goes to the platform. */
  addRootPort(opts: RootPortOptions): PciDev {
    const domain = parseBdf(opts.bdf)?.domain;
    const bus =
      domain === undefined || domain === this.rootBus.domain
        ? this.rootBus
        : this.segmentRootBus(domain);
    const at = this.address(opts.bdf, bus);
    const hw = this.hardware(opts, 'qemu-pcie-root-port', opts.bdf);
    const port = this.enumerate(hw, bus, at, (d) => {
      d.isHotplugBridge = opts.hotplug ?? isHotplugCapable(d);
      this.platform.addRootPort(d, opts);
    });
    this.firmware.set(port, opts);
    if (opts.name) this.byName.set(opts.name, port);
    this.makeBridge(port, opts.secondaryBus);
    return port;
  }

  /** Enumerates a switch port below `parent`. */
  addSwitchPort(opts: SwitchPortOptions): PciDev {
    const above = this.bridgeOf(opts.parent);
    const at = this.address(opts.bdf, above.subordinate!);
    const hw = this.hardware(opts, 'qemu-pcie-root-port', opts.bdf);
    const dev = this.enumerate(hw, above.subordinate!, at, (d) => {
      d.isHotplugBridge = opts.hotplug ?? isHotplugCapable(d);
      this.platformFunction(d, false);
    });
    this.makeBridge(dev, opts.secondaryBus);
    return dev;
  }

  /** Enumerates an endpoint (a PF when it has an SR-IOV capability). */
  addEndpoint(opts: EndpointOptions): PciDev {
    const bus =
      opts.rootPort === undefined ? this.rootBus : this.bridgeOf(opts.rootPort).subordinate!;
    const at = this.address(opts.bdf, bus);
    const hw = this.hardware(opts, undefined, opts.bdf);
    const dev = this.enumerate(hw, bus, at, (d) => {
      const fw = this.rootPortAbove(d);
      this.platformFunction(
        d,
        opts.companion ?? (fw ? this.firmware.get(fw)?.d3cold === true : false),
      );
    });
    dev.currentState = opts.currentState ?? PCI_UNKNOWN;
    dev.wakeupEnabled = opts.wakeupEnabled ?? false;
    if (opts.vfHw) this.vfFactories.set(dev, opts.vfHw);
    return dev;
  }

  /** Creates and enumerates VF `index` of `pf` (pci_iov_add_virtfn without the attach). */
  addVirtfn(pf: PciDev, index: number): PciDev {
    const iov = pf.sriov!;
    const devfn = (pf.devfn + iov.offset + iov.stride * index) & 0xff;
    const hw = (this.vfFactories.get(pf) ?? defaultVfHw)(pf, index);
    const vf = this.enumerate(
      hw,
      pf.pciBus,
      { domain: pf.domain, bus: pf.pciBus.number, devfn },
      (d) => this.platformFunction(d, false),
      pf,
    );
    vf.noCommandMemory = true;
    return vf;
  }

  /** Mirrors pci_bus_add_devices(): add every device not added yet (bridge D3, driver attach). */
  async busAddDevices(): Promise<void> {
    for (const dev of this.devices()) if (!this.added.has(dev)) await this.busAddDevice(dev);
  }

  /** Mirrors pci_bus_add_device(): update the bridge's D3 permission, then attach a driver. */
  async busAddDevice(dev: PciDev): Promise<void> {
    pciBridgeD3Update(dev);
    dev.matchDriver = true;
    this.added.add(dev);
    await this.drivers.deviceAttach(dev);
  }

  /** Mirrors pci_register_driver(). @returns 0 or -EEXIST */
  registerDriver(drv: PciDriver): Promise<number> {
    return this.drivers.register(drv);
  }

  /** Mirrors pci_unregister_driver(). */
  unregisterDriver(name: string): Promise<void> {
    return this.drivers.unregister(name);
  }

  /** Mirrors pci_stop_and_remove_bus_device(): children first, PME off, unbind, device_del. */
  async removeDevice(dev: PciDev): Promise<void> {
    const sub = dev.subordinate;
    if (sub) for (const child of [...sub.devices].reverse()) await this.removeDevice(child);
    pciPmeActive(dev, false);
    await deviceDel(dev);
    const list = dev.pciBus.devices;
    list.splice(list.indexOf(dev), 1);
    this.byBdf.delete(dev.bdf);
    for (const [n, d] of this.byName) if (d === dev) this.byName.delete(n);
    this.platform.removeFunction(dev);
    pciBridgeD3Update(dev);
    if (sub) {
      const siblings = dev.pciBus.children;
      siblings.splice(siblings.indexOf(sub), 1);
      this.busNumbers.get(sub.domain)?.delete(sub.number);
    }
  }

  private hardware(
    src: FunctionSource,
    dflt: BuiltinModelName | undefined,
    bdf: string,
  ): PciFunctionHw {
    if (src.hw) return src.hw;
    const model = src.model ?? dflt;
    if (!model) throw new RangeError(`PciTopology: ${bdf}: give a model or hw`);
    const r = createBuiltinHw(model, { name: bdf });
    if (!r.ok) throw new RangeError(`PciTopology: ${bdf}: ${r.error}`);
    return r.value;
  }

  private address(bdf: string, bus: PciBus): Bdf {
    const at = parseBdf(bdf);
    if (!at) throw new RangeError(`PciTopology: "${bdf}" is not a PCI address dddd:bb:dd.f`);
    if (at.domain !== bus.domain || at.bus !== bus.number)
      throw new RangeError(
        `PciTopology: ${bdf} is not on bus ${bus.number.toString(16).padStart(2, '0')}`,
      );
    if (this.byBdf.has(bdf.toLowerCase()))
      throw new RangeError(`PciTopology: ${bdf} exists already`);
    return at;
  }

  private bridgeOf(ref: string | PciDev): PciDev {
    const dev = typeof ref === 'string' ? this.port(ref) : ref;
    if (!dev || !dev.subordinate || this.byBdf.get(dev.bdf) !== dev)
      throw new RangeError(`PciTopology: no bridge "${typeof ref === 'string' ? ref : ref.bdf}"`);
    return dev;
  }

  private rootPortAbove(dev: PciDev): PciDev | null {
    let d: PciDev | null = dev.upstreamBridge;
    while (d && d.upstreamBridge) d = d.upstreamBridge;
    return d;
  }

  private platformFunction(dev: PciDev, companion: boolean): void {
    const port = this.rootPortAbove(dev);
    if (port) this.platform.addFunction(dev, port, companion);
  }

  // pci_device_add(): set up, power management, capabilities, reset methods, bus membership.
  private enumerate(
    hw: PciFunctionHw,
    bus: PciBus,
    at: Bdf,
    firmware: (dev: PciDev) => void,
    physfn?: PciDev,
  ): PciDev {
    const parent = bus.bridge;
    const pp = parent.power;
    if (!pp.ignoreChildren && !pmRuntimeActive(parent))
      throw new RangeError(
        `PciTopology: ${parent.name} is runtime-suspended; resume it before adding below it`,
      );
    const seen = hw.violations.length;
    const dev = new PciDev({
      ctx: this,
      hw,
      domain: at.domain,
      devfn: at.devfn,
      pciBus: bus,
      busType: pciBusType,
      physfn,
    });
    if (bus.slot && !physfn && pciSlotOf(at.devfn) === bus.slot.number) dev.slot = bus.slot;
    bus.devices.push(dev);
    this.byBdf.set(dev.bdf, dev);
    firmware(dev);
    pciAllocateCapSaveBuffers(dev);
    pciPmInit(dev);
    pciIovInit(dev);
    pciAcsInit(dev);
    pciInitResetMethods(dev);
    dev.resetAttrsVisible = dev.resetMethods.length > 0;
    wireFunction(dev);
    // Named first: a function literal assigned straight to this property was seen (heap profiles
    // of exploration) to be pretenured, keeping its machine alive until a full GC.
    const report = (a: HwAccess): void => {
      for (const w of this.violationWatchers) w(dev, a);
    };
    hw.onViolation = report;
    // Accesses enumeration itself made while the function was off, told now that it has a dev.
    for (const a of hw.violations.slice(seen)) for (const w of this.violationWatchers) w(dev, a);
    return dev;
  }

  private makeBridge(dev: PciDev, secondary?: number): void {
    if (!pciIsBridge(dev)) throw new RangeError(`PciTopology: ${dev.bdf} has no type-1 header`);
    const used = this.busNumbers.get(dev.domain)!;
    let n = secondary ?? 1;
    if (secondary === undefined) while (used.has(n)) n++;
    if (used.has(n) || n > 255) throw new RangeError(`PciTopology: bus ${n} is taken`);
    used.add(n);
    const bus = new PciBus(dev.domain, n, dev.pciBus, dev, dev);
    dev.subordinate = bus;
    if (dev.isHotplugBridge) bus.slot = new PciSlot(bus, 0, true);
    wireBridge(dev);
  }
}
