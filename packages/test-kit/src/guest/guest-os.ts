// The guest OS's runtime PM of its assigned devices, as a Linux guest does it: a device whose
// driver is idle autosuspends (driver callback, then D3hot written to PMCSR through the config
// region); when every device below a virtual root port is suspended and the port has a power
// resource, the guest ACPI turns it off (`_OFF`). Any access resumes it (`_ON`, PMCSR D0, a
// 10 ms D3hot→D0 delay, driver callback); a virtual PME resumes it and lets it idle again.
import { msecs, type Kernel } from '@vfio-ts/kernel';
import type { GuestDeviceIo, GuestDriver } from './driver.js';
import { GuestLock } from './lock.js';
import type { Vmm, VmmDevice } from './vmm.js';

/** The power state of a device as the guest sees it. */
export type GuestPower = 'D0' | 'D3hot' | 'D3cold';

/** A virtual root port and its power resource. */
export class GuestPort {
  readonly devices: GuestDevice[] = [];
  /** Devices below it that are not runtime-suspended in the guest. */
  active = 0;
  /** The power resource is on (always, without `_PR3`). */
  on = true;
  readonly lock: GuestLock;

  constructor(
    kernel: Kernel,
    /** The host root port's bdf, which the virtual one mirrors. */
    readonly name: string,
    /** It has a power resource (`_PR3`) whose `_OFF`/`_ON` the VMM implements. */
    readonly pr3: boolean,
  ) {
    this.lock = new GuestLock(kernel, `port ${name.slice(5)}`);
  }
}

/** A device in the guest. */
export class GuestDevice {
  status: 'active' | 'suspended' = 'active';
  power: GuestPower = 'D0';
  /** Runtime PM usage count in the guest (the driver's busy reference, in-flight accesses). */
  usage = 0;
  /** The workload holds the device busy (`g.busy()` / `g.idle()`). */
  held = false;
  pmes = 0;
  suspends = 0;
  resumes = 0;
  /** PM capability offset found by the guest at boot (0: none, never suspended). */
  pmCap = 0;
  timerGen = 0;
  readonly lock: GuestLock;

  constructor(
    kernel: Kernel,
    readonly vmm: VmmDevice,
    readonly port: GuestPort,
    readonly driver: GuestDriver,
    readonly io: GuestDeviceIo,
  ) {
    this.lock = new GuestLock(kernel, `dev ${vmm.fd}`);
  }

  get bdf(): string {
    return this.vmm.bdf;
  }
}

const D3HOT_DELAY = msecs(10);

/** Runtime PM of every device of one guest. */
export class GuestOs {
  /** Set when the VM stops: nothing more happens in the guest. */
  stopped = false;

  constructor(
    private readonly kernel: Kernel,
    private readonly vmm: Vmm,
    private readonly autosuspendNs: number,
    private readonly log: (dev: GuestDevice | GuestPort, text: string) => void,
  ) {}

  /** pm_runtime_get_sync(): takes a reference, resuming the device if it is suspended. */
  async get(dev: GuestDevice): Promise<void> {
    dev.usage++;
    if (dev.status === 'suspended') await this.resume(dev);
  }

  /** pm_runtime_put_autosuspend(): drops a reference; at zero the autosuspend timer starts. */
  put(dev: GuestDevice): void {
    dev.usage = Math.max(0, dev.usage - 1);
    if (dev.usage > 0 || this.stopped) return;
    const gen = ++dev.timerGen;
    this.kernel.sched.spawn(
      `guest:autosuspend ${dev.bdf}`,
      async () => {
        await this.kernel.sched.sleep(this.autosuspendNs);
        if (gen === dev.timerGen) await this.suspend(dev);
      },
      this.vmm.process.files,
    );
  }

  /** The guest's handler of a virtual PME: resume the device, then let it idle again. */
  pme(dev: GuestDevice): void {
    if (this.stopped) return;
    dev.pmes++;
    this.log(dev, 'virtual PME: the wake-up eventfd fired');
    this.kernel.sched.spawn(
      `guest:pme ${dev.bdf}`,
      async () => {
        await this.get(dev);
        this.put(dev);
      },
      this.vmm.process.files,
    );
  }

  /** The host wants the device back: the guest lets go of it and the VMM closes its fd. */
  async unplug(dev: GuestDevice): Promise<void> {
    await dev.lock.with(async () => {
      const port = dev.port;
      await port.lock.with(async () => {
        port.devices.splice(port.devices.indexOf(dev), 1);
        if (dev.status === 'active') port.active--;
      });
      await this.vmm.unplug(dev.vmm);
      this.log(dev, 'hot-unplugged: the host asked for the device back (REQ)');
    });
  }

  private async suspend(dev: GuestDevice): Promise<void> {
    await dev.lock.with(async () => {
      if (this.stopped || dev.vmm.gone || dev.status !== 'active' || dev.usage > 0) return;
      if (!dev.pmCap) return;
      await dev.driver.suspend?.(dev.io);
      await this.setPmcsr(dev, 3);
      dev.status = 'suspended';
      dev.power = 'D3hot';
      dev.suspends++;
      this.log(dev, 'runtime suspend: PMCSR ← D3hot');
      const port = dev.port;
      await port.lock.with(async () => {
        port.active--;
        if (!port.pr3 || port.active > 0 || !port.on || this.stopped) return;
        port.on = false;
        this.log(port, `_OFF → ${this.vmm.offFeature}`);
        await this.vmm.powerOff(port.devices.map((d) => d.vmm));
        for (const d of port.devices) if (d.status === 'suspended') d.power = 'D3cold';
      });
    });
  }

  private async resume(dev: GuestDevice): Promise<void> {
    await dev.lock.with(async () => {
      if (this.stopped || dev.vmm.gone || dev.status !== 'suspended') return;
      const port = dev.port;
      await port.lock.with(async () => {
        if (!port.on) {
          this.log(port, '_ON → LOW_POWER_EXIT');
          await this.vmm.powerOn(port.devices.map((d) => d.vmm));
          port.on = true;
          for (const d of port.devices) if (d.power === 'D3cold') d.power = 'D3hot';
        }
        port.active++;
      });
      await this.setPmcsr(dev, 0);
      await this.kernel.sched.sleep(D3HOT_DELAY);
      dev.status = 'active';
      dev.power = 'D0';
      dev.resumes++;
      this.log(dev, 'runtime resume: PMCSR ← D0');
      await dev.driver.resume?.(dev.io);
    });
  }

  // A read-modify-write of PMCSR's PowerState through the config region (PME_Status, which
  // is write-1-to-clear, written as 0).
  private async setPmcsr(dev: GuestDevice, state: number): Promise<void> {
    const at = dev.pmCap + 4;
    const v = await this.vmm.configRead(dev.vmm, at, 2);
    const w = v < 0 ? v : await this.vmm.configWrite(dev.vmm, at, 2, (v & 0x7ffc) | state);
    if (w < 0) this.log(dev, `PMCSR ${v < 0 ? 'read' : 'write'} failed: ${w}`);
  }
}
