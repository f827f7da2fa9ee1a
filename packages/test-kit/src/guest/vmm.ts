// The VMM (what QEMU does for an assigned device): it owns the device fds, forwards guest
// config and MMIO accesses to the regions, implements the virtual ACPI power resources of its
// root ports with the low-power device features, and turns a wake-up eventfd into a virtual
// PME. It is user space: everything it does is a system call into the simulated host.
import { EBADF, type Kernel } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import type { UserProcess } from '../process/user-process.js';
import { ThreadSyscalls } from './syscalls.js';

/** One low-power engagement with a wake-up eventfd, and the listener waiting on it. */
interface Engagement {
  readonly efd: number;
  /** Not yet ended: neither by a host wake (the listener saw it) nor by `_ON` or a VM stop. */
  live: boolean;
}

/** An assigned device as the VMM holds it. */
export interface VmmDevice {
  readonly bdf: string;
  readonly fd: number;
  engagement: Engagement | null;
  /** The REQ eventfd the host asks through to take the device back (-1: none). */
  req: number;
  /** Unplugged from the VM (the fd is closed). */
  gone: boolean;
}

/** What the VMM tells the guest about. */
export interface VmmEvents {
  /** A host wake ended a with-wakeup engagement: raise a virtual PME for the device. */
  pme(dev: VmmDevice): void;
  /** The host asks for the device back (it is being removed): unplug it from the guest. */
  unplug(dev: VmmDevice): Promise<void>;
  /** A syscall failed (logged by the guest model; nothing throws). */
  error(dev: VmmDevice, what: string, ret: number): void;
}

const u64 = (n: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};

const feature = (id: number, data?: Uint8Array): Uint8Array =>
  VFIO.feature({ flags: VFIO.DEVICE_FEATURE_SET, feature: id, ...(data ? { data } : {}) });

/** The hypervisor process of one VM. */
export class Vmm {
  /** Syscalls of the VMM's threads (tasks running with its descriptor table). */
  readonly sys: ThreadSyscalls;
  private stopped = false;

  constructor(
    private readonly kernel: Kernel,
    /** The VMM's process: its fds are the device fds and wake-up eventfds. */
    readonly process: UserProcess,
    /** `_OFF` arms a wake-up eventfd (ENTRY_WITH_WAKEUP) rather than a plain ENTRY. */
    private readonly wakeup: boolean,
    private readonly events: VmmEvents,
  ) {
    this.sys = new ThreadSyscalls(process.files);
  }

  /** Runs `fn` as a VMM thread (a task with the VMM's descriptor table). */
  thread<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.kernel.run(`vmm:${name}`, fn, this.process.files);
  }

  /** A guest config-space read forwarded to the config region: the value, or -errno. */
  async configRead(dev: VmmDevice, offset: number, width: 1 | 2 | 4): Promise<number> {
    const b = new Uint8Array(width);
    const n = await this.sys.pread(dev.fd, b, VFIO.pciConfigOffset(offset));
    if (n !== width) return n < 0 ? n : -EBADF;
    return b.reduceRight((v, x) => v * 256 + x, 0);
  }

  /** A guest config-space write: bytes written or -errno. */
  configWrite(dev: VmmDevice, offset: number, width: 1 | 2 | 4, value: number): Promise<number> {
    const b = new Uint8Array(width);
    for (let i = 0; i < width; i++) b[i] = Math.floor(value / 256 ** i) & 0xff;
    return this.sys.pwrite(dev.fd, b, VFIO.pciConfigOffset(offset));
  }

  /** Guest MMIO forwarded to a BAR region (pread/pwrite, as QEMU does for trapped BARs). */
  mmio(dev: VmmDevice, bar: number, offset: number, buf: Uint8Array, write: boolean) {
    const at = VFIO.regionOffset(bar) + offset;
    return write ? this.sys.pwrite(dev.fd, buf, at) : this.sys.pread(dev.fd, buf, at);
  }

  /** A VFIO_DEVICE_FEATURE call from a VMM thread. */
  feature(dev: VmmDevice, buf: Uint8Array): Promise<number> {
    return this.sys.ioctl(dev.fd, VFIO.DEVICE_FEATURE, buf);
  }

  /**
   * Listens for the host's request to release the device (VFIO_PCI_REQ_IRQ_INDEX), as QEMU
   * does to hot-unplug it from the guest. Run from a VMM thread.
   */
  async watchRemoval(dev: VmmDevice): Promise<void> {
    const efd = await this.process.eventfd(0);
    const irq = VFIO.irqSet.encode({
      flags: VFIO.IRQ_SET_DATA_EVENTFD | VFIO.IRQ_SET_ACTION_TRIGGER,
      index: VFIO.PCI_REQ_IRQ_INDEX,
      start: 0,
      eventfds: [efd],
    });
    const ret = await this.sys.ioctl(dev.fd, VFIO.DEVICE_SET_IRQS, irq);
    if (ret < 0) {
      this.events.error(dev, 'SET_IRQS (REQ)', ret);
      await this.process.files.close(efd);
      return;
    }
    dev.req = efd;
    this.kernel.sched.spawn(
      `vmm:req ${dev.bdf}`,
      async () => {
        const n = await this.sys.pread(efd, new Uint8Array(8), 0);
        if (n === 8 && !this.stopped && !dev.gone) await this.events.unplug(dev);
        await this.process.files.close(efd);
      },
      this.process.files,
    );
  }

  /** Hot-unplugs a device: ends its engagement and closes its fd. Run from a VMM thread. */
  async unplug(dev: VmmDevice): Promise<void> {
    dev.gone = true;
    await this.end(dev);
    await this.process.files.close(dev.fd);
  }

  /** The feature `_OFF` maps to. */
  get offFeature(): string {
    return this.wakeup ? 'LOW_POWER_ENTRY_WITH_WAKEUP' : 'LOW_POWER_ENTRY';
  }

  /** The power resource's `_OFF`: every device below the virtual root port asks for low power. */
  async powerOff(devs: readonly VmmDevice[]): Promise<void> {
    for (const dev of devs) {
      if (this.stopped) return;
      if (dev.gone) continue;
      if (!this.wakeup) {
        const ret = await this.feature(dev, feature(VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY));
        if (ret < 0) this.events.error(dev, 'LOW_POWER_ENTRY', ret);
        continue;
      }
      // One eventfd per engagement: the kernel signals it once and drops it (D.7.2).
      const efd = await this.process.eventfd(0);
      const data = VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: efd });
      const ret = await this.feature(
        dev,
        feature(VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP, data),
      );
      if (ret < 0) {
        this.events.error(dev, 'LOW_POWER_ENTRY_WITH_WAKEUP', ret);
        await this.process.files.close(efd);
        continue;
      }
      const e: Engagement = { efd, live: true };
      dev.engagement = e;
      this.kernel.sched.spawn(`vmm:wake ${dev.bdf}`, () => this.listen(dev, e), this.process.files);
    }
  }

  /** The power resource's `_ON`: every device below the port leaves low power. */
  async powerOn(devs: readonly VmmDevice[]): Promise<void> {
    for (const dev of devs) {
      if (dev.gone) continue;
      await this.end(dev);
      const ret = await this.feature(dev, feature(VFIO.DEVICE_FEATURE_LOW_POWER_EXIT));
      if (ret < 0) this.events.error(dev, 'LOW_POWER_EXIT', ret);
    }
  }

  /** A hot reset of the device's set, naming every device fd of the VM (VFIO_DEVICE_PCI_HOT_RESET). */
  hotReset(dev: VmmDevice, all: readonly VmmDevice[]): Promise<number> {
    const reset = VFIO.pciHotReset.encode({ groupFds: all.map((d) => d.fd) });
    return this.sys.ioctl(dev.fd, VFIO.DEVICE_PCI_HOT_RESET, reset);
  }

  /** Stops the VM: ends the listeners, then closes every fd (process exit). */
  async stop(devs: readonly VmmDevice[]): Promise<void> {
    this.stopped = true;
    await this.thread('stop', async () => {
      for (const dev of devs) {
        await this.end(dev);
        // Wakes the REQ listener, which sees the VM stopping and closes its eventfd.
        if (dev.req >= 0 && !dev.gone) await this.sys.pwrite(dev.req, u64(1), 0);
      }
    });
    await this.process.exit();
  }

  // Ends an engagement from the VMM's side: the listener is told (by a write to its eventfd)
  // before the kernel can signal it, so a signal caused by our own EXIT is not a host wake.
  private async end(dev: VmmDevice): Promise<void> {
    const e = dev.engagement;
    dev.engagement = null;
    if (!e?.live) return;
    e.live = false;
    await this.sys.pwrite(e.efd, u64(1), 0);
  }

  // The listener thread: a blocking read of the engagement's eventfd.
  private async listen(dev: VmmDevice, e: Engagement): Promise<void> {
    const n = await this.sys.pread(e.efd, new Uint8Array(8), 0);
    if (n === 8 && e.live) {
      e.live = false;
      if (dev.engagement === e) dev.engagement = null;
      this.events.pme(dev);
    }
    await this.process.files.close(e.efd);
  }
}
