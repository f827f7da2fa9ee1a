// Text attributes of /sys/bus/pci/devices/<bdf>/ (drivers/pci/pci-sysfs.c; KERNEL.md B.10.1,
// B.11.5, FORMAT.md section 5).
import { EBUSY, EINVAL, EIO, Errno } from '@vfio-ts/kernel';
import {
  deviceLock,
  deviceUnlock,
  pmRuntimeGetSync,
  pmRuntimePut,
  pmRuntimeResume,
} from '@vfio-ts/runtime-pm';
import { pciPowerName } from '../regs/power-state.js';
import { pciBridgeD3Update } from '../pci/bridge-d3.js';
import { PCI_NUM_RESET_METHODS, PCI_RESET_METHOD_NAMES } from '../pci/constants.js';
import { pciDisableDevice, pciEnableDevice, pciIsEnabled } from '../pci/enable.js';
import type { PciDev } from '../pci/pci-dev.js';
import { pciInitResetMethods, pciResetFunction, pciResetMethodProbe } from '../pci/reset.js';
import { pciSriovGetTotalvfs } from '../pci/sriov.js';
import { kstrtou16, kstrtoul, sysfsStreq } from './parse.js';

/** One attribute: show and/or store; absent when `visible` says so. */
export interface PciDevAttr {
  show?(dev: PciDev): string;
  /** @returns `count` or -errno */
  store?(dev: PciDev, text: string, count: number): Promise<number>;
  visible?(dev: PciDev): boolean;
}

const hex = (v: number, digits: number): string => `0x${v.toString(16).padStart(digits, '0')}\n`;
const PAGE_SIZE = 4096;

// Mirrors driver_set_override(): "" or "\n" clears; text up to the first newline is kept.
function driverOverrideStore(dev: PciDev, text: string, count: number): Promise<number> {
  if (count >= PAGE_SIZE - 1) return Promise.resolve(-EINVAL);
  const s = text.split('\0')[0]!;
  const nl = s.indexOf('\n');
  const value = nl >= 0 ? s.slice(0, nl) : s;
  dev.driverOverride = value.length ? value : null;
  return Promise.resolve(count);
}

// Mirrors reset_method_store(): "" disables all, "default" re-probes, else a list of names,
// each supported and not repeated; any bad name leaves the list unchanged.
function resetMethodStore(dev: PciDev, text: string, count: number): Promise<number> {
  if (sysfsStreq(text, '')) {
    dev.resetMethods = [];
    dev.kernel.printk('warn', `pci ${dev.bdf}: All device reset methods disabled by user`);
    return Promise.resolve(count);
  }
  if (sysfsStreq(text, 'default')) {
    pciInitResetMethods(dev);
    return Promise.resolve(count);
  }
  const methods: number[] = [];
  for (const token of text.split(' ')) {
    if (sysfsStreq(token, '')) continue;
    const name = token.trim();
    let m = 1;
    for (; m < PCI_NUM_RESET_METHODS; m++)
      if (sysfsStreq(name, PCI_RESET_METHOD_NAMES[m]!) && !pciResetMethodProbe(dev, m)) break;
    if (m === PCI_NUM_RESET_METHODS || methods.includes(m)) {
      dev.kernel.printk('err', `pci ${dev.bdf}: Invalid or duplicate reset method '${name}'`);
      return Promise.resolve(-EINVAL);
    }
    methods.push(m);
  }
  dev.resetMethods = methods;
  return Promise.resolve(count);
}

// Mirrors sriov_numvfs_store().
async function sriovNumvfsStore(dev: PciDev, text: string, count: number): Promise<number> {
  const n = kstrtou16(text);
  if (n === null) return -EINVAL;
  if (n > pciSriovGetTotalvfs(dev)) return -Errno.ERANGE;
  await deviceLock(dev);
  try {
    const iov = dev.sriov!;
    if (n === iov.numVFs) return count;
    const drv = dev.pciDriver;
    if (!drv?.sriovConfigure) return -Errno.ENOENT;
    if (n === 0) {
      const ret = await drv.sriovConfigure(dev, 0);
      return ret < 0 ? ret : count;
    }
    if (iov.numVFs) return -EBUSY;
    const ret = await drv.sriovConfigure(dev, n);
    if (ret < 0) return ret;
    if (ret !== n)
      dev.kernel.printk('warn', `pci ${dev.bdf}: ${n} VFs requested; only ${ret} enabled`);
    return count;
  } finally {
    deviceUnlock(dev);
  }
}

const isPf = (dev: PciDev): boolean => dev.sriov !== null;

/** The device attributes by file name. */
export const PCI_DEV_ATTRS: Readonly<Record<string, PciDevAttr>> = {
  vendor: { show: (d) => hex(d.vendor, 4) },
  device: { show: (d) => hex(d.device, 4) },
  subsystem_vendor: { show: (d) => hex(d.subsystemVendor, 4) },
  subsystem_device: { show: (d) => hex(d.subsystemDevice, 4) },
  class: { show: (d) => hex(d.classCode, 6) },
  revision: { show: (d) => hex(d.revision, 2) },
  power_state: { show: (d) => `${pciPowerName(d.currentState)}\n` },
  d3cold_allowed: {
    show: (d) => `${d.d3coldAllowed ? 1 : 0}\n`,
    // Mirrors d3cold_allowed_store(): set, update the bridge, then a synchronous resume.
    async store(d, text, count) {
      const v = kstrtoul(text);
      if (v === null) return -EINVAL;
      d.d3coldAllowed = v !== 0;
      pciBridgeD3Update(d);
      await pmRuntimeResume(d);
      return count;
    },
  },
  enable: {
    show: (d) => `${d.enableCnt}\n`,
    // Mirrors enable_store().
    async store(d, text, count) {
      const v = kstrtoul(text);
      if (v === null) return -EINVAL;
      await deviceLock(d);
      let result = 0;
      if (d.driver) result = -EBUSY;
      else if (v) result = await pciEnableDevice(d);
      else if (pciIsEnabled(d)) pciDisableDevice(d);
      else result = -EIO;
      deviceUnlock(d);
      return result < 0 ? result : count;
    },
  },
  driver_override: {
    show: (d) => `${d.driverOverride ?? '(null)'}\n`,
    store: driverOverrideStore,
  },
  reset: {
    visible: (d) => d.resetAttrsVisible,
    // Mirrors reset_store(): only "1"; the device is resumed around the reset.
    async store(d, text, count) {
      if (kstrtoul(text) !== 1) return -EINVAL;
      await pmRuntimeGetSync(d);
      const result = await pciResetFunction(d);
      pmRuntimePut(d);
      return result < 0 ? result : count;
    },
  },
  reset_method: {
    visible: (d) => d.resetAttrsVisible,
    show(d) {
      const names = d.resetMethods.map((m) => PCI_RESET_METHOD_NAMES[m]);
      return names.length ? `${names.join(' ')}\n` : '';
    },
    store: resetMethodStore,
  },
  sriov_totalvfs: { visible: isPf, show: (d) => `${pciSriovGetTotalvfs(d)}\n` },
  sriov_numvfs: { visible: isPf, show: (d) => `${d.sriov!.numVFs}\n`, store: sriovNumvfsStore },
  remove: {
    // Mirrors remove_store(): a nonzero value removes the device.
    async store(d, text, count) {
      const v = kstrtoul(text);
      if (v === null) return -EINVAL;
      if (v && d.registered) await d.ctx.removeDevice(d);
      return count;
    },
  },
};
