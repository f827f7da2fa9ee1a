// /sys/bus/pci as user space sees it: device attributes, the config file, power/, and the
// driver files (drivers/pci/pci-sysfs.c, drivers/base/{bus,power/sysfs}.c).
import { EACCES, EINVAL, ENOENT } from '@vfio-ts/kernel';
import { powerAttrRead, powerAttrs, powerAttrWrite } from '@vfio-ts/runtime-pm';
import type { PciDev } from '../pci/pci-dev.js';
import type { PciTopology } from '../topology/topology.js';
import { pciSysfsReadConfig, pciSysfsWriteConfig } from './config-attr.js';
import { PCI_DEV_ATTRS } from './device-attrs.js';
import {
  bindStore,
  driversProbeStore,
  newIdStore,
  removeIdStore,
  unbindStore,
} from './driver-attrs.js';
import { sysfsStreq } from './parse.js';

/** Where the PCI bus lives in sysfs. */
export const SYSFS_PCI = '/sys/bus/pci';

type Target =
  | { kind: 'dev'; dev: PciDev; attr: string }
  | { kind: 'power'; dev: PciDev; attr: string }
  | { kind: 'driver'; name: string; attr: string }
  | { kind: 'drivers_probe' }
  | { kind: 'none' };

const DRIVER_FILES = ['bind', 'unbind', 'new_id', 'remove_id'] as const;
const DEVICES = `${SYSFS_PCI}/devices/`;
const SLASH = 0x2f;

/**
 * The sysfs files of one topology. Reads of text files are synchronous; writes and the binary
 * `config` file may sleep (run them in a task). Results follow the syscall convention: text,
 * bytes or a byte count on success, -errno on failure; no input throws.
 */
export class PciSysfs {
  constructor(readonly topo: PciTopology) {}

  private resolve(path: string): Target {
    let end = path.length;
    while (end > 0 && path.charCodeAt(end - 1) === SLASH) end--;
    const p = end === path.length ? path : path.slice(0, end);
    if (p === `${SYSFS_PCI}/drivers_probe`) return { kind: 'drivers_probe' };
    // `…/devices/<bdf>/<attr>` or `…/devices/<bdf>/power/<attr>`, each part without a slash.
    if (p.startsWith(DEVICES)) {
      const at = p.indexOf('/', DEVICES.length);
      if (at <= DEVICES.length) return { kind: 'none' };
      const rest = p.slice(at + 1);
      const power = rest.startsWith('power/') && rest.length > 6 && !rest.includes('/', 6);
      if (!power && rest.includes('/')) return { kind: 'none' };
      const dev = this.topo.lookup(p.slice(DEVICES.length, at));
      if (!dev || !dev.registered) return { kind: 'none' };
      return power ? { kind: 'power', dev, attr: rest.slice(6) } : { kind: 'dev', dev, attr: rest };
    }
    const m = /^\/sys\/bus\/pci\/drivers\/([^/]+)\/([^/]+)$/.exec(p);
    if (m) return { kind: 'driver', name: m[1]!, attr: m[2]! };
    return { kind: 'none' };
  }

  /** Whether the file exists. */
  exists(path: string): boolean {
    const t = this.resolve(path);
    switch (t.kind) {
      case 'drivers_probe':
        return true;
      case 'dev':
        return t.attr === 'config' || visible(t.dev, t.attr);
      case 'power':
        return (
          (t.attr === 'wakeup' && t.dev.wakeupCapable) ||
          (powerAttrs(t.dev) as string[]).includes(t.attr)
        );
      case 'driver':
        return (
          this.topo.drivers.get(t.name) !== undefined &&
          (DRIVER_FILES as readonly string[]).includes(t.attr)
        );
      case 'none':
        return false;
    }
  }

  /** The files of a device directory (`…/devices/<bdf>`, `…/<bdf>/power`) or a driver. */
  list(dir: string): string[] | number {
    const p = dir.replace(/\/+$/, '');
    const m = /^\/sys\/bus\/pci\/devices\/([^/]+)(\/power)?$/.exec(p);
    const dev = m ? this.topo.lookup(m[1]!) : undefined;
    if (m && dev?.registered) {
      if (m[2]) return [...powerAttrs(dev), ...(dev.wakeupCapable ? ['wakeup'] : [])];
      return ['config', ...Object.keys(PCI_DEV_ATTRS).filter((a) => visible(dev, a))];
    }
    const d = /^\/sys\/bus\/pci\/drivers\/([^/]+)$/.exec(p);
    if (d && this.topo.drivers.get(d[1]!)) return [...DRIVER_FILES];
    if (p === `${SYSFS_PCI}/devices`) return this.topo.devices().map((x) => x.bdf);
    if (p === `${SYSFS_PCI}/drivers`) return this.topo.drivers.all().map((r) => r.drv.name);
    return -ENOENT;
  }

  /** The target of the `driver` link of a device: `/sys/bus/pci/drivers/<name>`, or -ENOENT. */
  readlink(path: string): string | number {
    const m = /^\/sys\/bus\/pci\/devices\/([^/]+)\/driver\/?$/.exec(path);
    const dev = m ? this.topo.lookup(m[1]!) : undefined;
    return dev?.driver ? `${SYSFS_PCI}/drivers/${dev.driver.name}` : -ENOENT;
  }

  /** Reads a text file. @returns its text, or -ENOENT / -EACCES (write-only) / -EINVAL (binary) */
  read(path: string): string | number {
    const t = this.resolve(path);
    if (t.kind === 'power') {
      if (t.attr === 'wakeup') return wakeupShow(t.dev);
      return powerAttrRead(t.dev, t.attr);
    }
    if (t.kind === 'driver') return this.exists(path) ? -EACCES : -ENOENT;
    if (t.kind === 'drivers_probe') return -EACCES;
    if (t.kind !== 'dev') return -ENOENT;
    if (t.attr === 'config') return -EINVAL;
    if (!visible(t.dev, t.attr)) return -ENOENT;
    const attr = PCI_DEV_ATTRS[t.attr]!;
    return attr.show ? attr.show(t.dev) : -EACCES;
  }

  /** Writes a text file (sleeps: run it in a task). @returns the byte count written, or -errno */
  async write(path: string, text: string): Promise<number> {
    const t = this.resolve(path);
    const count = utf8Length(text);
    switch (t.kind) {
      case 'drivers_probe':
        return driversProbeStore(this.topo, text, count);
      case 'power':
        if (t.attr === 'wakeup') return wakeupStore(t.dev, text, count);
        return powerAttrWrite(t.dev, t.attr, text);
      case 'driver': {
        const reg = this.topo.drivers.get(t.name);
        if (!reg) return -ENOENT;
        if (t.attr === 'bind') return bindStore(this.topo, reg, text, count);
        if (t.attr === 'unbind') return unbindStore(this.topo, reg, text, count);
        if (t.attr === 'new_id') return newIdStore(this.topo, reg, text, count);
        if (t.attr === 'remove_id') return removeIdStore(reg, text, count);
        return -ENOENT;
      }
      case 'dev': {
        if (t.attr === 'config') return -EINVAL;
        if (!visible(t.dev, t.attr)) return -ENOENT;
        const attr = PCI_DEV_ATTRS[t.attr]!;
        return attr.store ? attr.store(t.dev, text, count) : -EACCES;
      }
      case 'none':
        return -ENOENT;
    }
  }

  /** Reads `count` bytes of `…/config` at `offset` (sleeps). @returns the bytes or -errno */
  async readBinary(path: string, offset: number, count: number): Promise<Uint8Array | number> {
    const t = this.resolve(path);
    if (t.kind !== 'dev' || t.attr !== 'config') return this.exists(path) ? -EINVAL : -ENOENT;
    return pciSysfsReadConfig(t.dev, offset, count);
  }

  /** Writes `data` to `…/config` at `offset` (sleeps). @returns bytes written or -errno */
  async writeBinary(path: string, offset: number, data: Uint8Array): Promise<number> {
    const t = this.resolve(path);
    if (t.kind !== 'dev' || t.attr !== 'config') return this.exists(path) ? -EINVAL : -ENOENT;
    return pciSysfsWriteConfig(t.dev, offset, data);
  }
}

// Bytes of `text` in UTF-8 (what write(2) counts), without encoding it.
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function visible(dev: PciDev, attr: string): boolean {
  const a = Object.hasOwn(PCI_DEV_ATTRS, attr) ? PCI_DEV_ATTRS[attr] : undefined;
  return a !== undefined && (a.visible?.(dev) ?? true);
}

// Mirrors wakeup_show() / wakeup_store() of drivers/base/power/sysfs.c.
function wakeupShow(dev: PciDev): string | number {
  if (!dev.wakeupCapable) return -ENOENT;
  return dev.wakeupEnabled ? 'enabled\n' : 'disabled\n';
}

function wakeupStore(dev: PciDev, text: string, count: number): Promise<number> {
  if (!dev.wakeupCapable) return Promise.resolve(-ENOENT);
  if (sysfsStreq(text, 'enabled')) dev.wakeupEnabled = true;
  else if (sysfsStreq(text, 'disabled')) dev.wakeupEnabled = false;
  else return Promise.resolve(-EINVAL);
  return Promise.resolve(count);
}
