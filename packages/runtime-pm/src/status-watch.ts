// Observers of runtime status changes, per kernel: what an invariant monitor needs to look
// at the devices that changed after a step instead of scanning every device.
import { KernelLocal, type Kernel } from '@vfio-ts/kernel';
import type { Device } from './device.js';

/** Told of a device whose runtime_status just changed. */
export type RuntimeStatusWatcher = (dev: Device) => void;

const watchers = new KernelLocal<Set<RuntimeStatusWatcher>>(() => new Set());

/**
 * Calls `fn` after every change of a device's runtime_status on `kernel`.
 * @returns the function that stops it
 */
export function watchRuntimeStatus(kernel: Kernel, fn: RuntimeStatusWatcher): () => void {
  const set = watchers.get(kernel);
  set.add(fn);
  return () => set.delete(fn);
}

/** @internal tells the watchers of `dev`'s kernel that its status changed */
export function runtimeStatusChanged(dev: Device): void {
  const set = watchers.peek(dev.kernel);
  if (set) for (const fn of set) fn(dev);
}
