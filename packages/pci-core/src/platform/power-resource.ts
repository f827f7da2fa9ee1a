// An ACPI power resource (drivers/acpi/power.c): reference-counted, `_ON` on the first
// reference, `_OFF` when the last one goes; it feeds every function below one root port.
import { ENODEV, msecs, type Kernel, type Mutex } from '@vfio-ts/kernel';
import type { PciFunctionHw } from '../hw/function-hw.js';

/** One power resource and its fault injection switches. */
export class AcpiPowerResource {
  /** References held (ref_count). */
  refCount = 0;
  /** The resource's power is on (what `_STA` would say). */
  on = true;
  /** Inject: `_ON` fails (AE error → -ENODEV), power stays off. */
  failOn = false;
  /** Inject: `_OFF` fails (AE error → -ENODEV), power stays on. */
  failOff = false;
  /** `_ON` / `_OFF` evaluations so far. */
  onCount = 0;
  offCount = 0;
  private readonly lock: Mutex;

  /**
   * @param name the resource's ACPI name, e.g. `PR_rp0`
   * @param functions the hardware it feeds (evaluated at each switch: functions come and go)
   */
  constructor(
    readonly kernel: Kernel,
    readonly name: string,
    private readonly functions: () => readonly PciFunctionHw[],
    public onDelayMs = 0,
    public offDelayMs = 0,
  ) {
    this.lock = kernel.newMutex('&resource->resource_lock');
  }

  /** Mirrors acpi_power_on(): take a reference; the first one evaluates `_ON`. */
  async acquire(): Promise<number> {
    await this.lock.lock();
    try {
      if (this.refCount++) return 0;
      const ret = await this.evaluateOn();
      if (ret) this.refCount--;
      return ret;
    } finally {
      this.lock.unlock();
    }
  }

  /** Mirrors acpi_power_off(): drop a reference; the last one evaluates `_OFF`. */
  async release(): Promise<number> {
    await this.lock.lock();
    try {
      if (!this.refCount) return 0;
      if (--this.refCount) return 0;
      const ret = await this.evaluateOff();
      if (ret) this.refCount++;
      return ret;
    } finally {
      this.lock.unlock();
    }
  }

  private async evaluateOn(): Promise<number> {
    this.onCount++;
    if (this.onDelayMs) await this.kernel.sched.sleep(msecs(this.onDelayMs));
    if (this.failOn) return -ENODEV;
    if (!this.on) {
      this.on = true;
      for (const hw of this.functions()) hw.powerOn();
    }
    this.traceSwitch();
    return 0;
  }

  private async evaluateOff(): Promise<number> {
    this.offCount++;
    if (this.offDelayMs) await this.kernel.sched.sleep(msecs(this.offDelayMs));
    if (this.failOff) return -ENODEV;
    if (this.on) {
      this.on = false;
      for (const hw of this.functions()) hw.powerOff();
    }
    this.traceSwitch();
    return 0;
  }

  private traceSwitch(): void {
    const trace = this.kernel.trace;
    if (trace.on)
      trace.emit('pci_power_resource', { resource: this.name, on: this.on, refs: this.refCount });
  }
}
