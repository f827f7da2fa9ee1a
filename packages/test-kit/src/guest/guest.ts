// m.guest(): a VM on the machine. A VMM process opens the devices; a guest OS with runtime PM
// drives them through the VMM (config and MMIO forwarded to the regions), with virtual ACPI
// power resources per root port and virtual PMEs on host wakes. Everything runs as tasks on
// the machine's scheduler, in virtual time.
import { EINVAL, ENODEV, formatRet, msecs } from '@vfio-ts/kernel';
import type { Machine } from '../machine/machine.js';
import { deviceIo, findPmCap } from './device-io.js';
import { genericDriver, type GuestDriver } from './driver.js';
import { GuestDevice, GuestOs, GuestPort, type GuestPower } from './guest-os.js';
import { nvidiaGuestDriver } from './nvidia-driver.js';
import {
  checkGuestOptions,
  GuestOptionsError,
  type GuestDeviceSpec,
  type GuestOptions,
} from './options.js';
import { GUEST_TRACE_EVENTS } from './trace-events.js';
import { Vmm, type VmmDevice } from './vmm.js';

/** A device as the guest sees it. */
export interface GuestDeviceState {
  readonly bdf: string;
  /** The guest driver's name. */
  readonly driver: string;
  /** Still in the VM (false once hot-unplugged at the host's request). */
  readonly present: boolean;
  readonly status: 'active' | 'suspended';
  readonly power: GuestPower;
  /** Virtual PMEs the guest received for it (one per host wake of an armed device). */
  readonly pmes: number;
  readonly suspends: number;
  readonly resumes: number;
}

/** A line of the guest's log. */
export interface GuestLogEntry {
  /** Virtual ns. */
  readonly ts: number;
  /** A device bdf, or `port <bdf>` for a virtual root port's power resource. */
  readonly device: string;
  readonly text: string;
}

const name = (x: GuestDevice | GuestPort): string =>
  x instanceof GuestPort ? `port ${x.name}` : x.bdf;

/** A running VM. Methods answer 0 (or a count) or -errno; none throws. */
export class Guest {
  /** What happened in the guest and its VMM, oldest first. */
  readonly log: GuestLogEntry[] = [];
  private running = true;

  /** @internal built by {@link createGuest} */
  constructor(
    private readonly m: Machine,
    private readonly vmm: Vmm,
    private readonly os: GuestOs,
    private readonly devs: readonly GuestDevice[],
  ) {}

  /** The VM is running (not stopped). */
  get isRunning(): boolean {
    return this.running;
  }

  /** The devices of the VM, by bdf. */
  get devices(): string[] {
    return this.devs.map((d) => d.bdf);
  }

  /** A device's state in the guest, or undefined for a device not in the VM. */
  state(bdf: string): GuestDeviceState | undefined {
    const d = this.devs.find((x) => x.bdf === bdf);
    if (!d) return undefined;
    const { status, power, pmes, suspends, resumes } = d;
    const present = !d.vmm.gone;
    return { bdf, driver: d.driver.name, present, status, power, pmes, suspends, resumes };
  }

  /** The workload stops using the device (all devices without `bdf`): it autosuspends. */
  idle(bdf?: string): Promise<number> {
    return this.each('idle', bdf, async (d) => {
      if (!d.held) return;
      d.held = false;
      this.os.put(d);
    });
  }

  /** The workload uses the device again and keeps it busy: it resumes if suspended. */
  busy(bdf?: string): Promise<number> {
    return this.each('busy', bdf, async (d) => {
      if (d.held) return;
      d.held = true;
      await this.os.get(d);
    });
  }

  /** One guest register read (4 bytes of BAR `bar` at `offset`): resumes the device first. */
  access(bdf: string, bar = 0, offset = 0): Promise<number> {
    if (typeof bdf !== 'string') return Promise.resolve(-EINVAL);
    return this.each('access', bdf, async (d) => {
      const r = await this.use(d, () => d.io.read(bar, offset, 4));
      return typeof r === 'number' ? r : 0;
    });
  }

  /** The workload writes `bytes` of device memory (video memory of a GPU; -EINVAL otherwise). */
  allocate(bdf: string, bytes: number): Promise<number> {
    return this.each('allocate', bdf, (d) =>
      d.driver.allocate ? this.use(d, () => d.driver.allocate!(d.io, bytes)) : -EINVAL,
    );
  }

  /** The guest resets the device's slot or bus: the VMM's VFIO_DEVICE_PCI_HOT_RESET. */
  hotReset(bdf: string): Promise<number> {
    return this.each('hot-reset', bdf, (d) =>
      this.use(d, async () => {
        const ret = await this.vmm.hotReset(
          d.vmm,
          this.devs.map((x) => x.vmm),
        );
        this.record(d.bdf, `VFIO_DEVICE_PCI_HOT_RESET: ${formatRet(ret)}`);
        return ret;
      }),
    );
  }

  /** Stops the VM: the VMM ends its engagements and exits, closing every device. */
  async stop(): Promise<number> {
    if (!this.running) return -EINVAL;
    this.running = false;
    this.os.stopped = true;
    this.record('vm', 'VM stops: the VMM closes its devices');
    await this.vmm.stop(this.devs.map((d) => d.vmm));
    return 0;
  }

  /** @internal a line of the log, also a `guest_pm` trace event */
  record(device: string, text: string): void {
    this.log.push({ ts: this.m.clock.now(), device, text });
    this.m.kernel.trace.emit('guest_pm', { device, event: text });
  }

  private async use<T>(d: GuestDevice, fn: () => Promise<T>): Promise<T> {
    await this.os.get(d);
    try {
      return await fn();
    } finally {
      this.os.put(d);
    }
  }

  private async each(
    what: string,
    bdf: string | undefined,
    fn: (d: GuestDevice) => Promise<number | undefined> | number,
  ): Promise<number> {
    if (!this.running) return -ENODEV;
    const devs = this.devs.filter((d) => !d.vmm.gone && (bdf === undefined || d.bdf === bdf));
    if (!devs.length) return bdf === undefined ? 0 : -ENODEV;
    return this.vmm.thread(`guest:${what}`, async () => {
      let ret = 0;
      for (const d of devs) ret = (await fn(d)) ?? 0;
      return ret;
    });
  }
}

function specOf(d: string | GuestDeviceSpec): GuestDeviceSpec {
  return typeof d === 'string' ? { bdf: d } : d;
}

/**
 * Starts a VM on the machine: opens its devices in a new VMM process and boots the guest
 * (PM capability found, driver probed, devices busy until the workload idles them).
 * @throws GuestOptionsError naming every problem of the options, or a device that cannot be opened
 */
export async function createGuest(m: Machine, opts: GuestOptions = {}): Promise<Guest> {
  const problems = checkGuestOptions(opts);
  if (problems.length) throw new GuestOptionsError(problems);
  const specs = (opts.devices ?? [...m.vfioPciDevices()].map(([d]) => d.bdf).sort()).map(specOf);
  const pr3 = opts.acpi?.pr3 ?? false;
  const withPr3 = (port: string): boolean =>
    pr3 === true || (Array.isArray(pr3) && pr3.some((p) => m.topology.port(p)?.bdf === port));
  const k = m.kernel;
  if (!k.trace.events().has('guest_pm')) k.trace.declare(GUEST_TRACE_EVENTS);
  const p = m.process();
  const devs: GuestDevice[] = [];
  const vmm: Vmm = new Vmm(k, p, opts.acpi?.wakeup ?? true, {
    pme: (v) => os.pme(devs.find((x) => x.vmm === v)!),
    unplug: (v) => os.unplug(devs.find((x) => x.vmm === v)!),
    error: (v, what, ret) => guest.record(v.bdf, `${what} failed: ${formatRet(ret)}`),
  });
  const os: GuestOs = new GuestOs(k, vmm, msecs(opts.autosuspendMs ?? 100), (x, text) =>
    guest.record(name(x), text),
  );
  const guest = new Guest(m, vmm, os, devs);
  guest.record('vm', `VM starts: the VMM opens ${specs.map((s) => s.bdf).join(', ')}`);
  const ports = new Map<string, GuestPort>();
  for (const [i, spec] of specs.entries()) {
    const fd = await p.openDevice(spec.bdf);
    if (fd < 0) {
      await p.exit();
      throw new GuestOptionsError([`devices[${i}]: cannot open ${spec.bdf}: ${formatRet(fd)}`]);
    }
    const portBdf = m.topology.lookup(spec.bdf)?.upstreamBridge?.bdf ?? spec.bdf;
    let port = ports.get(portBdf);
    if (!port) ports.set(portBdf, (port = new GuestPort(k, portBdf, withPr3(portBdf))));
    const v: VmmDevice = { bdf: spec.bdf, fd, engagement: null, req: -1, gone: false };
    const io = deviceIo(vmm, v, (text) => guest.record(spec.bdf, text));
    const vendor = await vmm.thread('probe', () => vmm.configRead(v, 0, 2));
    const driver: GuestDriver =
      (spec.driver ?? (vendor === 0x10de ? 'nvidia' : 'generic')) === 'nvidia'
        ? nvidiaGuestDriver({ thresholdBytes: opts.nvidiaThresholdBytes })
        : genericDriver();
    const d = new GuestDevice(k, v, port, driver, io);
    port.devices.push(d);
    port.active++;
    devs.push(d);
  }
  for (const d of devs) guest.record(d.bdf, `guest driver ${d.driver.name} bound`);
  await vmm.thread('guest:boot', async () => {
    for (const d of devs) {
      await vmm.watchRemoval(d.vmm);
      d.pmCap = await findPmCap(vmm, d.vmm);
      await d.driver.probe?.(d.io);
    }
  });
  await guest.busy();
  return guest;
}
