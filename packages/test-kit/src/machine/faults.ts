// Fault injection: the ways a running machine can be made to fail, each applied at the
// narrowest seam that a real failure of that kind passes through.
import { EINVAL, ENODEV, type Kernel, type Task } from '@vfio-ts/kernel';
import type { DevPmDomain, DevPmOps, Device, PmCallback } from '@vfio-ts/runtime-pm';
import {
  AcpiPlatform,
  pciDevSetDisconnected,
  type PciDev,
  type PciPlatform,
  type PciTopology,
} from '@vfio-ts/pci-core';

/** A fault to inject into a running machine (`m.inject(fault)`). */
export type Fault =
  /** The root port's power resource fails its `_ON` or `_OFF` (until `fail: false`). */
  | { kind: 'platform-on-fail' | 'platform-off-fail'; rootPort: string; fail?: boolean }
  /** The power resource takes this long to switch. */
  | { kind: 'platform-delay'; rootPort: string; onMs?: number; offMs?: number }
  /** The function's next runtime suspend or resume callback returns `errno` (negative). */
  | { kind: 'runtime-callback-error'; bdf: string; callback: 'suspend' | 'resume'; errno: number }
  /** The function disappears (link down, card pulled); the hotplug driver removes it. */
  | { kind: 'surprise-removal'; bdf: string }
  /** Config reads of the function answer all ones: the next `reads` (default 1), or for `ms`. */
  | { kind: 'config-read-error'; bdf: string; reads?: number; ms?: number };

/** What fault injection acts on. */
export interface FaultTarget {
  readonly kernel: Kernel;
  readonly topology: PciTopology;
  readonly platform: PciPlatform;
  /** Called before a function is removed: its hardware's later accesses are not defects. */
  forgetHardware(dev: PciDev): void;
  /** Every removal started, with whether it now only waits for the user to close the device. */
  readonly removals: Map<Task, () => boolean>;
  /** Whether the vfio device of a function is unregistered with files still open. */
  waitsForUser(dev: PciDev): boolean;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const isMs = (x: unknown): x is number =>
  typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 3.6e6;
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/**
 * Applies a fault. Never throws.
 * @returns 0, -ENODEV for an unknown target, -EINVAL for a malformed fault or one the platform cannot take
 */
export function injectFault(t: FaultTarget, fault: unknown): number {
  if (!isObj(fault) || typeof fault.kind !== 'string') return -EINVAL;
  switch (fault.kind) {
    case 'platform-on-fail':
    case 'platform-off-fail':
    case 'platform-delay':
      return platformFault(t, fault);
    case 'runtime-callback-error':
      return callbackError(t, fault);
    case 'surprise-removal':
      return surpriseRemoval(t, fault);
    case 'config-read-error':
      return configReadError(t, fault);
    default:
      return -EINVAL;
  }
}

function platformFault(t: FaultTarget, f: Record<string, unknown>): number {
  if (typeof f.rootPort !== 'string') return -EINVAL;
  if (!(t.platform instanceof AcpiPlatform)) return -EINVAL;
  const res = t.platform.powerResource(t.topology.port(f.rootPort) ?? f.rootPort);
  if (!res) return -ENODEV;
  if (f.kind === 'platform-delay') {
    if ((f.onMs !== undefined && !isMs(f.onMs)) || (f.offMs !== undefined && !isMs(f.offMs)))
      return -EINVAL;
    if (f.onMs !== undefined) res.onDelayMs = f.onMs as number;
    if (f.offMs !== undefined) res.offDelayMs = f.offMs as number;
    return 0;
  }
  if (f.fail !== undefined && typeof f.fail !== 'boolean') return -EINVAL;
  if (f.kind === 'platform-on-fail') res.failOn = f.fail ?? true;
  else res.failOff = f.fail ?? true;
  return 0;
}

function deviceOf(t: FaultTarget, bdf: unknown): PciDev | number {
  if (typeof bdf !== 'string') return -EINVAL;
  return t.topology.lookup(bdf) ?? -ENODEV;
}

// Mirrors __rpm_get_callback(): what runtime PM would call without the fault's PM domain.
function callbackOf(dev: Device, prev: DevPmDomain | null, which: keyof DevPmOps) {
  const ops = prev?.ops ?? dev.type?.pm ?? dev.class?.pm ?? dev.bus?.pm;
  return ops?.[which] ?? dev.driver?.pm?.[which] ?? null;
}

// A one-shot PM domain in front of the bus: the failing call is the driver's own callback
// failing (a suspend before it does anything; a resume after the device is powered up).
function callbackError(t: FaultTarget, f: Record<string, unknown>): number {
  const dev = deviceOf(t, f.bdf);
  if (typeof dev === 'number') return dev;
  const errno = f.errno;
  if (f.callback !== 'suspend' && f.callback !== 'resume') return -EINVAL;
  if (!Number.isSafeInteger(errno) || (errno as number) >= 0 || (errno as number) < -4095)
    return -EINVAL;
  const prev = dev.pmDomain;
  const pass =
    (which: keyof DevPmOps): PmCallback =>
    (d) =>
      callbackOf(d, prev, which)?.(d) ?? 0;
  const fail = async (d: Device, which: keyof DevPmOps): Promise<number> => {
    dev.pmDomain = prev;
    if (which === 'runtimeResume') await pass(which)(d);
    return errno as number;
  };
  const ops: DevPmOps = {
    runtimeIdle: pass('runtimeIdle'),
    runtimeSuspend:
      f.callback === 'suspend' ? (d) => fail(d, 'runtimeSuspend') : pass('runtimeSuspend'),
    runtimeResume:
      f.callback === 'resume' ? (d) => fail(d, 'runtimeResume') : pass('runtimeResume'),
  };
  dev.pmDomain = { name: 'fault-injection', ops };
  return 0;
}

// pciehp on a presence/link-down event: pci_dev_set_disconnected() on everything below, then
// pci_stop_and_remove_bus_device(); the card itself is gone, so its power is gone too.
function surpriseRemoval(t: FaultTarget, f: Record<string, unknown>): number {
  const dev = deviceOf(t, f.bdf);
  if (typeof dev === 'number') return dev;
  // Only what sits below a root port can be pulled out.
  if (dev.upstreamBridge === null) return -EINVAL;
  t.forgetHardware(dev);
  pciDevSetDisconnected(dev);
  if (dev.hw.powered) dev.hw.powerOff();
  const task = t.kernel.sched.spawn(`pciehp:remove ${dev.bdf}`, () => t.topology.removeDevice(dev));
  t.removals.set(task, () => t.waitsForUser(dev));
  return 0;
}

// The function answers config reads with all ones (a completion timeout / UR) for a while.
function configReadError(t: FaultTarget, f: Record<string, unknown>): number {
  const dev = deviceOf(t, f.bdf);
  if (typeof dev === 'number') return dev;
  if (f.ms !== undefined && !isMs(f.ms)) return -EINVAL;
  if (f.reads !== undefined && !isCount(f.reads)) return -EINVAL;
  const hw = dev.hw;
  const own = Object.getOwnPropertyDescriptor(hw, 'configRead');
  const real = Object.getPrototypeOf(hw).configRead as typeof hw.configRead;
  if (own) delete (hw as unknown as Record<string, unknown>).configRead;
  const until = f.ms !== undefined ? t.kernel.clock.now() + (f.ms as number) * 1e6 : Infinity;
  let left = f.ms !== undefined ? Infinity : ((f.reads as number | undefined) ?? 1);
  if (left === 0) return 0;
  hw.configRead = (offset, width) => {
    if (left <= 0 || t.kernel.clock.now() >= until) {
      delete (hw as unknown as Record<string, unknown>).configRead;
      return real.call(hw, offset, width);
    }
    left--;
    return width === 4 ? 0xffffffff : width === 2 ? 0xffff : 0xff;
  };
  return 0;
}
