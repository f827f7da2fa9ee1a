// One case of the variant conformance harness: a fresh machine with the variant bound to one
// function, the device opened by a user process, and the steps' checks. A failed check throws
// CaseFailure, which the runner turns into the case's message.
import { EAGAIN } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import type { VfioPciCoreDevice } from '@vfio-ts/vfio-pci';
import { createMachine, type Machine } from '../machine/machine.js';
import type { VariantSpec } from '../machine/variants.js';
import type { UserProcess } from '../process/user-process.js';
import type {
  VariantConformanceCaseName,
  VariantConformanceContext,
  VariantConformanceHookResult,
  VariantConformanceOptions,
} from './types.js';

/** A check of a case failed; the message says which step and what was seen. */
export class CaseFailure extends Error {
  override readonly name = 'CaseFailure';
}

/** power_state / runtime_status / runtime_usage, as sysfs shows them. */
export type PmState = readonly [string, string, string];

/** What every case of one run shares. */
export interface CaseEnv {
  readonly spec: VariantSpec;
  readonly options: VariantConformanceOptions;
  readonly bdf: string;
  /** The D-state of a runtime-suspended device. */
  readonly low: 'D3cold' | 'D3hot';
  /** The state of the closed, unused device once settled. */
  readonly idle: PmState;
}

/** A running case: its machine, process, device fd and the step checks. */
export class CaseRun {
  private open = true;

  private constructor(
    readonly env: CaseEnv,
    readonly ctx: VariantConformanceContext,
  ) {}

  /** Builds the case's machine, checks the variant drives the function, opens the device. */
  static async boot(env: CaseEnv, caseName: VariantConformanceCaseName): Promise<CaseRun> {
    const { options: o, bdf } = env;
    const machine = await createMachine({
      ...o.machine,
      rootPorts: [{ name: 'rp0', d3cold: o.d3cold ?? true }],
      devices: [
        {
          bdf,
          rootPort: 'rp0',
          config: o.config ?? 'e1000e',
          ...(o.driver ? { driver: o.driver } : {}),
        },
      ],
      variants: [env.spec],
    });
    const variant = machine.variants[0]!;
    const vdev = machine.vfioPciDevice(bdf);
    if (!vdev) throw new CaseFailure(`boot: ${bdf} has no vfio-pci device (the bind failed)`);
    if (vdev.variant !== variant)
      throw new CaseFailure(
        `boot: ${bdf} is driven by ${vdev.variant?.name ?? 'vfio-pci'}, not ${variant.name} ` +
          '(its id table does not match the function: set `driver`)',
      );
    const process = machine.process();
    const fd = await process.openDevice(bdf);
    if (fd < 0) throw new CaseFailure(`open: ${fd}`);
    return new CaseRun(env, { caseName, machine, process, fd, bdf, vdev });
  }

  get m(): Machine {
    return this.ctx.machine;
  }
  get p(): UserProcess {
    return this.ctx.process;
  }
  get vdev(): VfioPciCoreDevice {
    return this.ctx.vdev;
  }

  /** The device's power_state, runtime_status and runtime_usage. */
  state(): PmState {
    const at = (name: string) =>
      String(this.m.sysfs.read(`/sys/bus/pci/devices/${this.env.bdf}/${name}`)).trim();
    return [at('power_state'), at('power/runtime_status'), at('power/runtime_usage')];
  }

  /** Fails the case unless the device is in `want` after `step`. */
  expectState(step: string, want: PmState): void {
    const got = this.state();
    if (got.join('/') !== want.join('/'))
      throw new CaseFailure(`${step}: expected ${want.join('/')}, got ${got.join('/')}`);
  }

  /** Fails the case unless `got` is `want`. */
  expectValue(step: string, got: unknown, want: unknown): void {
    if (got !== want)
      throw new CaseFailure(`${step}: expected ${String(want)}, got ${String(got)}`);
  }

  /** Runs a hook of the options; a message fails the case. */
  async hook(
    what: string,
    fn: ((c: VariantConformanceContext) => VariantConformanceHookResult) | undefined,
  ): Promise<void> {
    const msg = await fn?.(this.ctx);
    if (msg) throw new CaseFailure(`${what}: ${msg}`);
  }

  /** The guest's preparation, then a low-power entry that must succeed. */
  async enter(step: string, efd?: number): Promise<void> {
    await this.hook(`${step}: prepare`, this.env.options.prepare);
    const rc = await this.feature(
      efd === undefined
        ? VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY
        : VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
      efd === undefined ? undefined : VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: efd }),
    );
    this.expectValue(`${step} returns`, rc, 0);
  }

  /** A SET of feature `id` (PROBE too when `probe`). @returns the ioctl's result */
  feature(id: number, data?: Uint8Array, probe = false): Promise<number> {
    const flags = VFIO.DEVICE_FEATURE_SET | (probe ? VFIO.DEVICE_FEATURE_PROBE : 0);
    const buf = VFIO.feature({ flags, feature: id, ...(data ? { data } : {}) });
    return this.p.ioctl(this.ctx.fd, VFIO.DEVICE_FEATURE, buf);
  }

  /** A non-blocking eventfd. */
  async eventfd(): Promise<number> {
    const efd = await this.p.eventfd(0, { nonblock: true });
    if (efd < 0) throw new CaseFailure(`eventfd: ${efd}`);
    return efd;
  }

  /** Fails the case unless the eventfd's counter reads `want` (-EAGAIN: not signalled). */
  async expectCounter(step: string, efd: number, want: number): Promise<void> {
    const out = new Uint8Array(8);
    const n = await this.p.read(efd, out, 8);
    const got = n < 0 ? n : Number(new DataView(out.buffer).getBigUint64(0, true));
    const name = (v: number) => (v === -EAGAIN ? 'not signalled' : `${v}`);
    if (got !== want)
      throw new CaseFailure(`${step}: eventfd expected ${name(want)}, got ${name(got)}`);
  }

  /** Closes the device (the case may have done so already). */
  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.expectValue('close returns', await this.p.close(this.ctx.fd), 0);
  }

  /** The extra check, then close and settle: the unused device's state, no invariant broken. */
  async finish(): Promise<void> {
    await this.hook('check', this.env.options.expect?.check);
    await this.close();
    await this.m.settle();
    this.expectState('closed, settled', this.env.idle);
    const broken = this.m.invariants();
    if (broken.length) throw new CaseFailure(`invariants: ${broken.join('; ')}`);
  }
}
