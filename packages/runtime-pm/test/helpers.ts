// Test fixtures: devices with recording callbacks whose results and durations can be set.
import { Kernel, msecs } from '@vfio-ts/kernel';
import {
  Device,
  pmRuntimeEnable,
  pmRuntimeSetActive,
  type DevPmOps,
  type DeviceDriver,
} from '@vfio-ts/runtime-pm';

/** A driver whose runtime callbacks log their calls and return what the test sets. */
export class FakeDriver implements DeviceDriver {
  readonly name = 'fake';
  /** Calls in order, e.g. `suspend:c0`. */
  readonly calls: string[] = [];
  suspendRet = 0;
  resumeRet = 0;
  /** Result of the idle callback; `null` means the driver has none. */
  idleRet: number | null = null;
  /** Virtual time each callback sleeps (0: no choice point at all). */
  delayNs = 0;
  /** Yield once inside each callback (a choice point without time passing). */
  yieldInside = false;

  constructor(readonly k: Kernel) {}

  /** The callbacks, read afresh each time (the idle callback exists only while idleRet is set). */
  get pm(): DevPmOps {
    const idleRet = this.idleRet;
    return {
      runtimeSuspend: (dev) => this.run('suspend', dev, () => this.suspendRet),
      runtimeResume: (dev) => this.run('resume', dev, () => this.resumeRet),
      runtimeIdle: idleRet === null ? undefined : (dev) => this.run('idle', dev, () => idleRet),
    };
  }

  private async run(what: string, dev: Device, ret: () => number): Promise<number> {
    this.calls.push(`${what}:${dev.name}`);
    if (this.yieldInside) await this.k.sched.yield();
    if (this.delayNs) await this.k.sched.sleep(this.delayNs);
    return ret();
  }
}

/** A device bound to `drv` (or a new FakeDriver), disabled and suspended as created. */
export function makeDevice(
  k: Kernel,
  name: string,
  opts: { parent?: Device; drv?: FakeDriver } = {},
): { dev: Device; drv: FakeDriver } {
  const drv = opts.drv ?? new FakeDriver(k);
  const dev = new Device(k, { name, parent: opts.parent ?? null });
  dev.driver = drv;
  return { dev, drv };
}

/** A device made active and enabled, usage 0 (set_active + enable, as drivers do at probe). */
export function activeDevice(
  k: Kernel,
  name: string,
  opts: { parent?: Device; drv?: FakeDriver } = {},
): { dev: Device; drv: FakeDriver } {
  const r = makeDevice(k, name, opts);
  if (pmRuntimeSetActive(r.dev) !== 0) throw new Error(`set_active(${name}) failed`);
  pmRuntimeEnable(r.dev);
  return r;
}

/** A device made suspended and enabled, usage 0. */
export function suspendedDevice(
  k: Kernel,
  name: string,
  opts: { parent?: Device; drv?: FakeDriver } = {},
): { dev: Device; drv: FakeDriver } {
  const r = makeDevice(k, name, opts);
  pmRuntimeEnable(r.dev);
  return r;
}

/** Shorthand for a device's status and counts. */
export function snap(dev: Device): {
  status: string;
  usage: number;
  children: number;
  depth: number;
  error: number;
} {
  const p = dev.power;
  return {
    status: p.runtimeStatus,
    usage: p.usageCount,
    children: p.childCount,
    depth: p.disableDepth,
    error: p.runtimeError,
  };
}

export { msecs };
