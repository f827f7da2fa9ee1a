// The power/ sysfs attributes of a device (drivers/base/power/sysfs.c, A.15), with
// CONFIG_PM_ADVANCED_DEBUG as the recorded kernel had it.
import { EACCES, EINVAL, EIO, ENOENT, NSEC_PER_MSEC } from '@vfio-ts/kernel';
import { pmRuntimeSetAutosuspendDelay } from './autosuspend.js';
import { pmRuntimeAllow, pmRuntimeForbid } from './control.js';
import { deviceLock, deviceUnlock, type Device } from './device.js';
import { pmRuntimeCallbacksPresent } from './predicates.js';
import { pmRuntimeActiveTime, pmRuntimeSuspendedTime } from './status.js';

/** Attributes of the always-present power group (runtime_* debug files). */
const POWER_GROUP = [
  'runtime_status',
  'runtime_usage',
  'runtime_active_kids',
  'runtime_enabled',
] as const;
/** Attributes of the runtime group, absent for no_callbacks devices. */
const RUNTIME_GROUP = [
  'control',
  'runtime_suspended_time',
  'runtime_active_time',
  'autosuspend_delay_ms',
] as const;

/** Every power/ attribute this package models. */
export const POWER_ATTRS = [...POWER_GROUP, ...RUNTIME_GROUP] as const;

/** The name of a power/ attribute. */
export type PowerAttr = (typeof POWER_ATTRS)[number];

/** The power/ attributes a device shows (the runtime group needs callbacks). */
export function powerAttrs(dev: Device): PowerAttr[] {
  return pmRuntimeCallbacksPresent(dev) ? [...POWER_ATTRS] : [...POWER_GROUP];
}

function exists(dev: Device, name: string): name is PowerAttr {
  return (powerAttrs(dev) as string[]).includes(name);
}

// Mirrors sysfs_streq(): equal up to one trailing newline on either side.
function sysfsStreq(a: string, b: string): boolean {
  const strip = (s: string): string => (s.endsWith('\n') ? s.slice(0, -1) : s);
  return strip(a) === strip(b);
}

// Mirrors kstrtol(buf, 10, ...) followed by the "fits in int" test of autosuspend_delay_ms_store.
function parseIntAttr(text: string): number | null {
  if (!/^(?:-\+?|\+)?[0-9]+\n?$/.test(text)) return null;
  const v = Number(text.replace('+', '').trim()) || 0;
  return v >= -0x80000000 && v <= 0x7fffffff ? v : null;
}

// Mirrors runtime_status_show().
function runtimeStatusShow(dev: Device): string {
  const p = dev.power;
  if (p.runtimeError) return 'error';
  if (p.disableDepth) return 'unsupported';
  return p.runtimeStatus;
}

// Mirrors runtime_enabled_show().
function runtimeEnabledShow(dev: Device): string {
  const p = dev.power;
  if (p.disableDepth && !p.runtimeAuto) return 'disabled & forbidden';
  if (p.disableDepth) return 'disabled';
  if (!p.runtimeAuto) return 'forbidden';
  return 'enabled';
}

/**
 * Reads `power/<name>` as Linux prints it (with the trailing newline).
 * @returns the text, or -errno: -ENOENT for a missing attribute, -EIO for
 * autosuspend_delay_ms without autosuspend
 */
export function powerAttrRead(dev: Device, name: string): string | number {
  if (!exists(dev, name)) return -ENOENT;
  const p = dev.power;
  switch (name) {
    case 'control':
      return p.runtimeAuto ? 'auto\n' : 'on\n';
    case 'runtime_status':
      return `${runtimeStatusShow(dev)}\n`;
    case 'runtime_usage':
      return `${p.usageCount}\n`;
    case 'runtime_active_kids':
      return `${p.ignoreChildren ? 0 : p.childCount}\n`;
    case 'runtime_enabled':
      return `${runtimeEnabledShow(dev)}\n`;
    case 'runtime_active_time':
      return `${Math.floor(pmRuntimeActiveTime(dev) / NSEC_PER_MSEC)}\n`;
    case 'runtime_suspended_time':
      return `${Math.floor(pmRuntimeSuspendedTime(dev) / NSEC_PER_MSEC)}\n`;
    case 'autosuspend_delay_ms':
      return p.useAutosuspend ? `${p.autosuspendDelay}\n` : -EIO;
  }
}

/**
 * Writes `power/<name>` (a sleeping call: run it in a task).
 * @returns the number of bytes written, or -errno: -ENOENT (no such attribute), -EACCES
 * (read-only), -EINVAL (bad value), -EIO (autosuspend_delay_ms without autosuspend)
 */
export async function powerAttrWrite(dev: Device, name: string, text: string): Promise<number> {
  if (!exists(dev, name)) return -ENOENT;
  const n = new TextEncoder().encode(text).length;
  if (name === 'control') {
    // Mirrors control_store().
    let ret = n;
    await deviceLock(dev);
    if (sysfsStreq(text, 'auto')) pmRuntimeAllow(dev);
    else if (sysfsStreq(text, 'on')) await pmRuntimeForbid(dev);
    else ret = -EINVAL;
    deviceUnlock(dev);
    return ret;
  }
  if (name === 'autosuspend_delay_ms') {
    // Mirrors autosuspend_delay_ms_store().
    if (!dev.power.useAutosuspend) return -EIO;
    const delay = parseIntAttr(text);
    if (delay === null) return -EINVAL;
    await deviceLock(dev);
    await pmRuntimeSetAutosuspendDelay(dev, delay);
    deviceUnlock(dev);
    return n;
  }
  return -EACCES;
}

/** The power/ attribute functions as one object (what a sysfs tree mounts under `power/`). */
export const powerSysfs = {
  attrs: powerAttrs,
  read: powerAttrRead,
  write: powerAttrWrite,
} as const;
