// The runtime PM brackets the driver core puts around probe and unbind (drivers/base/dd.c,
// A.16.1–A.16.2).
import { EBUSY, ENODEV, ENXIO } from '@vfio-ts/kernel';
import { pmRequestIdle, pmRuntimeGetSync, pmRuntimePut, pmRuntimePutSync } from './api.js';
import { deviceLock, deviceUnlock, type Device, type DeviceDriver } from './device.js';
import { pmRuntimeBarrier } from './enable.js';
import { pmRuntimeReinit, pmRuntimeRemove } from './lifecycle.js';

// Mirrors call_driver_probe(): the bus's probe wins over the driver's.
async function callDriverProbe(dev: Device, drv: DeviceDriver): Promise<number> {
  let ret = 0;
  if (dev.bus?.probe) ret = await dev.bus.probe(dev);
  else if (drv.probe) ret = await drv.probe(dev);
  if (ret === -ENODEV || ret === -ENXIO)
    dev.kernel.printk('debug', `${drv.name}: probe of ${dev.name} rejects match ${ret}`);
  else if (ret !== 0)
    dev.kernel.printk('warn', `${drv.name}: probe of ${dev.name} failed with error ${ret}`);
  return ret;
}

// Mirrors device_unbind_cleanup(): forget the driver, reinit runtime PM.
function deviceUnbindCleanup(dev: Device): void {
  dev.driver = null;
  dev.driverData = undefined;
  pmRuntimeReinit(dev);
}

// Mirrors really_probe(): bind, probe, clean up on failure. Any nonzero probe result fails.
async function reallyProbe(dev: Device, drv: DeviceDriver): Promise<number> {
  dev.driver = drv;
  const ret = await callDriverProbe(dev, drv);
  if (ret) deviceUnbindCleanup(dev);
  return ret;
}

/**
 * Mirrors __driver_probe_device(): parent resumed and held, barrier, probe, then an async idle
 * of the device whatever the probe returned, and the parent's reference dropped (A.16.1).
 * Errors come back negative, as device_driver_attach() reports them.
 * @returns 0, -|probe error|, -ENODEV if unregistered, -EBUSY if already bound
 */
export async function driverProbeDevice(drv: DeviceDriver, dev: Device): Promise<number> {
  if (!dev.registered) return -ENODEV;
  if (dev.driver) return -EBUSY;
  if (dev.parent) await pmRuntimeGetSync(dev.parent);
  await pmRuntimeBarrier(dev);
  const ret = await reallyProbe(dev, drv);
  pmRequestIdle(dev);
  if (dev.parent) pmRuntimePut(dev.parent);
  return ret ? -Math.abs(ret) : 0;
}

/** Mirrors device_driver_attach(): probe under the device lock. */
export async function deviceDriverAttach(drv: DeviceDriver, dev: Device): Promise<number> {
  await deviceLock(dev);
  try {
    return await driverProbeDevice(drv, dev);
  } finally {
    deviceUnlock(dev);
  }
}

/**
 * Mirrors __device_release_driver(): resume for the unbind, put_sync (which may suspend the
 * device again), the bus's or driver's remove, then the unbind clean-up (A.16.2).
 */
export async function __deviceReleaseDriver(dev: Device): Promise<void> {
  const drv = dev.driver;
  if (!drv) return;
  await pmRuntimeGetSync(dev);
  await pmRuntimePutSync(dev);
  // Mirrors device_remove().
  if (dev.bus?.remove) await dev.bus.remove(dev);
  else if (drv.remove) await drv.remove(dev);
  deviceUnbindCleanup(dev);
}

/** Mirrors device_release_driver(): unbind under the device lock. */
export async function deviceReleaseDriver(dev: Device): Promise<void> {
  await deviceLock(dev);
  try {
    await __deviceReleaseDriver(dev);
  } finally {
    deviceUnlock(dev);
  }
}

/**
 * Mirrors device_del() (drivers/base/core.c): unbind the driver, tear down runtime PM
 * (pm_runtime_remove() from device_pm_remove()), and leave the parent's list of children.
 */
export async function deviceDel(dev: Device): Promise<void> {
  await deviceReleaseDriver(dev);
  await pmRuntimeRemove(dev);
  dev.registered = false;
  const siblings = dev.parent?.children;
  const i = siblings ? siblings.indexOf(dev) : -1;
  if (siblings && i >= 0) siblings.splice(i, 1);
}
