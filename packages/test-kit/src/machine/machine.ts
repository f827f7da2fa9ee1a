// createMachine(): the composition root. One kernel, one PCI topology on its platform, the
// vfio core and the vfio-pci driver, in one tsyringe child container per machine.
import {
  container,
  KERNEL,
  Kernel,
  EINVAL,
  FifoPolicy,
  InvariantError,
  type DependencyContainer,
  type Task,
  type TraceRecord,
} from '@vfio-ts/kernel';
import {
  AcpiPlatform,
  formatLspciText,
  NoPlatform,
  PCI_D0,
  PciSysfs,
  PciTopology,
  type PciDev,
  type PciPlatform,
} from '@vfio-ts/pci-core';
import { VfioCore } from '@vfio-ts/vfio-core';
import {
  createVfioPciDriver,
  type VfioPciCoreDevice,
  type VfioPciDriver,
  type VfioPciVariant,
} from '@vfio-ts/vfio-pci';
import { createGuest, type Guest } from '../guest/guest.js';
import type { GuestOptions } from '../guest/options.js';
import { UserProcess } from '../process/user-process.js';
import { injectFault, type Fault } from './faults.js';
import { hardwareFor } from './hardware.js';
import { InvariantMonitor } from './invariants.js';
import { checkMachineOptions, MachineOptionsError, type MachineOptions } from './options.js';
import { PCI_PLATFORM, PCI_SYSFS, PCI_TOPOLOGY, VFIO_CORE, VFIO_PCI_DRIVER } from './tokens.js';
import { bootDriverFor, DEFAULT_VARIANTS, resolveVariants } from './variants.js';

export type { Fault } from './faults.js';

// The period of vfio_unregister_group_dev()'s request to let go of a device being removed.
const REMOVAL_POLL_NS = 10_000_000;

const BYTES = new Set([64, 256, 4096]);

/** A simulated machine driven through the user-process façade. */
export class Machine {
  private readonly monitor: InvariantMonitor;
  private nextProcess = 1;
  private readonly removals = new Map<Task, () => boolean>();

  /** sysfs: `read(path)` gives text or -errno; `write(path, text)` bytes written or -errno. */
  readonly sysfs: {
    read(path: string): string | number;
    write(path: string, text: string): Promise<number>;
  };

  /** Host-side actions (what an administrator runs on the host). */
  readonly host: {
    /** Reads `length` bytes of config space at `offset` through sysfs (pread on `config`). */
    configRead(bdf: string, offset: number, length: number): Promise<Uint8Array | number>;
    /** `lspci -x` (64 bytes), `-xxx` (256) or `-xxxx` (4096): the hex dump text, or -errno. */
    lspci(bdf: string, opts?: { bytes?: 64 | 256 | 4096 }): Promise<string | number>;
  };

  constructor(
    readonly kernel: Kernel,
    readonly container: DependencyContainer,
    readonly topology: PciTopology,
    readonly platform: PciPlatform,
    readonly vfio: VfioCore,
    /** The plain vfio-pci driver. */
    readonly vfioPci: VfioPciDriver,
    /** Every vfio-pci driver: plain vfio-pci first, then one per variant, in variant order. */
    readonly vfioPciDrivers: readonly VfioPciDriver[],
    private readonly pciSysfs: PciSysfs,
    checkEveryStep: boolean,
    stopOnViolation: boolean,
  ) {
    this.monitor = new InvariantMonitor(kernel, topology, () => this.vfioPciDevices());
    // Named first: a function literal assigned straight to this property was seen (heap profiles
    // of exploration) to be pretenured, keeping its machine alive until a full GC.
    const step = (): void => {
      this.monitor.check();
      if (stopOnViolation && this.monitor.size) throw new InvariantError(this.invariants());
    };
    if (checkEveryStep) kernel.sched.onStep = step;
    const run = <T>(what: string, fn: () => Promise<T>) => kernel.run(what, fn);
    this.sysfs = {
      read: (path) => (typeof path === 'string' ? pciSysfs.read(path) : -EINVAL),
      write: (path, text) =>
        typeof path === 'string' && typeof text === 'string'
          ? run('sysfs:write', () => pciSysfs.write(path, text))
          : Promise.resolve(-EINVAL),
    };
    const configRead = (bdf: string, offset: number, length: number) => {
      if (
        typeof bdf !== 'string' ||
        !Number.isSafeInteger(offset) ||
        !Number.isSafeInteger(length) ||
        offset < 0 ||
        length < 0
      )
        return Promise.resolve(-EINVAL);
      return run('host:config', () =>
        pciSysfs.readBinary(`/sys/bus/pci/devices/${bdf}/config`, offset, length),
      );
    };
    this.host = {
      configRead,
      lspci: async (bdf, opts = {}) => {
        const bytes = opts.bytes ?? 64;
        if (!BYTES.has(bytes)) return -EINVAL;
        const r = await configRead(bdf, 0, bytes);
        return typeof r === 'number' ? r : formatLspciText(r, lspciHeader(bdf, r));
      },
    };
  }

  /** Every function bound to a vfio-pci driver (plain or variant), with its vfio-pci device. */
  *vfioPciDevices(): Generator<[PciDev, VfioPciCoreDevice]> {
    for (const d of this.vfioPciDrivers) yield* d.devices;
  }

  /** The vfio-pci device of a function, whichever vfio-pci driver bound it; undefined if none. */
  vfioPciDevice(bdf: string): VfioPciCoreDevice | undefined {
    const pdev = this.topology.lookup(bdf);
    if (!pdev) return undefined;
    for (const d of this.vfioPciDrivers) {
      const vdev = d.devices.get(pdev);
      if (vdev) return vdev;
    }
    return undefined;
  }

  /** The variants registered in this machine's container, in match order. */
  get variants(): readonly VfioPciVariant[] {
    return this.vfioPciDrivers.flatMap((d) => (d.variant ? [d.variant] : []));
  }

  /** The virtual clock (`now()` in ns). */
  get clock(): Kernel['clock'] {
    return this.kernel.clock;
  }

  /** The recorded trace events, oldest first. */
  get trace(): TraceRecord[] {
    return this.kernel.trace.records();
  }

  /** A new user process with its own descriptor table and address space. */
  process(): UserProcess {
    return new UserProcess(this.kernel, this.vfio, `proc${this.nextProcess++}`);
  }

  /**
   * Starts a VM (DESIGN.md: the hypervisor and guest model): a VMM process opens the devices
   * and a guest OS runs their runtime PM, with virtual ACPI power resources and virtual PMEs.
   * @throws GuestOptionsError naming every problem of the options, or a device it cannot open
   */
  guest(opts: GuestOptions = {}): Promise<Guest> {
    return createGuest(this, opts);
  }

  /**
   * Runs pending asynchronous work and timers until nothing is left. A removal waiting for the
   * user to close the device (vfio_unregister_group_dev) waits forever, as in Linux: it is left
   * waiting, and settle() returns once everything else is done.
   */
  async settle(): Promise<void> {
    const s = this.kernel.sched;
    for (;;) {
      for (const [t] of this.removals) if (t.state === 'done') this.removals.delete(t);
      if (!this.removals.size) return this.kernel.settle();
      await s.runFor(REMOVAL_POLL_NS);
      const waiting = [...this.removals.values()].every((w) => w());
      if (waiting && !s.runnableCount && s.pendingTimers <= this.removals.size) return;
    }
  }

  /** Invariant violations found so far (empty when all is well). */
  invariants(): string[] {
    return this.monitor.list().map((v) => v.violation);
  }

  /**
   * Injects a fault (see {@link Fault}). Never throws.
   * @returns 0, -ENODEV for an unknown target, -EINVAL for a malformed fault or one the platform cannot take
   */
  inject(fault: Fault): number {
    return injectFault(
      {
        kernel: this.kernel,
        topology: this.topology,
        platform: this.platform,
        forgetHardware: (dev) => this.monitor.forgetHardware(dev.hw),
        removals: this.removals,
        waitsForUser: (dev) => {
          const v = this.vfioPciDevice(dev.bdf)?.vdev;
          return !!v && !v.registered && v.files > 0;
        },
      },
      fault,
    );
  }
}

// The device line lspci prints without a pci.ids database: `01:00.0 Class 0200: Device 8086:10d3`.
function lspciHeader(bdf: string, cfg: Uint8Array): string {
  const hex = (lo: number) => (cfg[lo]! | (cfg[lo + 1]! << 8)).toString(16).padStart(4, '0');
  return `${bdf.slice(5)} Class ${hex(0x0a)}: Device ${hex(0)}:${hex(2)}`;
}

/**
 * Builds a machine, boots it (enumeration, driver binding) and lets it settle.
 * @throws MachineOptionsError naming every problem of the options
 */
export async function createMachine(opts: MachineOptions = {}): Promise<Machine> {
  const problems = checkMachineOptions(opts);
  const ports = opts.rootPorts ?? [];
  const hws = (opts.devices ?? []).map((d, i) => {
    const hw = hardwareFor(d.config);
    if (typeof hw === 'string') problems.push(`devices[${i}].config: ${hw}`);
    return hw;
  });
  if (problems.length) throw new MachineOptionsError(problems);

  const k = opts.kernel ?? new Kernel({ seed: opts.seed ?? 1, policy: opts.policy });
  // Boot is not what a machine is built to test: it runs in FIFO order, then the policy applies.
  const policy = k.sched.policy;
  k.sched.policy = new FifoPolicy();
  if (opts.trace ?? true) k.trace.record();
  const platform: PciPlatform = ports.some((p) => p.d3cold || p.pr3)
    ? new AcpiPlatform(k)
    : new NoPlatform();
  const topology = new PciTopology(k, platform);
  ports.forEach((p, i) => {
    const d3cold = p.d3cold ?? false;
    topology.addRootPort({
      name: p.name,
      bdf: p.bdf ?? `0000:00:${(i + 1).toString(16).padStart(2, '0')}.0`,
      model: (p.pmCap ?? d3cold) ? 'pcie-root-port-pm' : 'qemu-pcie-root-port',
      d3cold,
      pr3: p.pr3 ?? d3cold,
      ...(p.hotplug !== undefined ? { hotplug: p.hotplug } : {}),
    });
  });
  const placed: string[] = [];
  (opts.devices ?? []).forEach((d, i) => {
    try {
      topology.addEndpoint({
        bdf: d.bdf,
        rootPort: d.rootPort,
        hw: hws[i] as Exclude<(typeof hws)[number], string>,
        currentState: PCI_D0,
      });
    } catch (e) {
      placed.push(`devices[${i}].bdf: ${(e as Error).message}`);
    }
  });
  if (placed.length) throw new MachineOptionsError(placed);
  const vfio = new VfioCore(k);
  const mod = { ...opts.vfioPci };
  const init = {
    core: vfio,
    disableIdleD3: mod.disable_idle_d3 ?? opts.disable_idle_d3 ?? false,
    nointxmask: mod.nointxmask ?? opts.nointxmask ?? false,
    enableSriov: mod.enable_sriov ?? false,
    disableDenylist: mod.disable_denylist ?? false,
  };
  const driver = createVfioPciDriver(init);
  const sysfs = new PciSysfs(topology);

  const c = container.createChildContainer();
  c.registerInstance<Kernel>(KERNEL, k);
  c.registerInstance<PciTopology>(PCI_TOPOLOGY, topology);
  c.registerInstance<PciPlatform>(PCI_PLATFORM, platform);
  c.registerInstance<PciSysfs>(PCI_SYSFS, sysfs);
  c.registerInstance<VfioCore>(VFIO_CORE, vfio);
  c.registerInstance<VfioPciDriver>(VFIO_PCI_DRIVER, driver);
  const { variants, problems: vp } = resolveVariants(c, opts.variants ?? DEFAULT_VARIANTS);
  const drivers = [driver, ...variants.map((variant) => createVfioPciDriver({ ...init, variant }))];
  const names = new Set(drivers.map((d) => d.name));
  (opts.devices ?? []).forEach((d, i) => {
    if (typeof d.driver === 'string' && !names.has(d.driver))
      vp.push(`devices[${i}].driver: no driver "${d.driver}" (${[...names].join(', ')})`);
  });
  if (vp.length) throw new MachineOptionsError(vp);

  await k.run('boot', async () => {
    await topology.busAddDevices();
    const specs = opts.devices ?? [];
    // Every function's driver is chosen before any driver registers: a variant with an id table
    // takes each function it matches at registration (driver_attach). driver_override names
    // the one; a function with no driver does not take part in matching (match_driver) at boot.
    for (const d of specs) {
      const pdev = topology.lookup(d.bdf)!;
      if (d.driver === null) pdev.matchDriver = false;
      else
        await sysfs.write(
          `/sys/bus/pci/devices/${d.bdf}/driver_override`,
          bootDriverFor(pdev, d.driver, variants),
        );
    }
    for (const d of drivers) await topology.registerDriver(d);
    for (const d of specs) if (d.driver === null) topology.lookup(d.bdf)!.matchDriver = true;
    for (const p of ports) {
      if (!p.runtimePm) continue;
      const port = topology.port(p.name)!;
      await sysfs.write(
        `/sys/bus/pci/devices/${port.bdf}/power/control`,
        p.runtimePm === 'forbidden' ? 'on' : 'auto',
      );
    }
  });
  await k.settle();
  k.sched.policy = policy;
  return new Machine(
    k,
    c,
    topology,
    platform,
    vfio,
    driver,
    drivers,
    sysfs,
    opts.invariants ?? true,
    opts.stopOnViolation ?? false,
  );
}
