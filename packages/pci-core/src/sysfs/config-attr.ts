// The binary `config` attribute (pci_read_config / pci_write_config in drivers/pci/pci-sysfs.c;
// KERNEL.md B.11.3, B.11.4): user config accesses bracketed by runtime PM.
import { EINVAL } from '@vfio-ts/kernel';
import {
  pmRuntimeBarrier,
  pmRuntimeGetNoresume,
  pmRuntimeGetSync,
  pmRuntimePut,
  pmRuntimePutSync,
  pmRuntimeResume,
} from '@vfio-ts/runtime-pm';
import { PCI_D3cold } from '../regs/power-state.js';
import {
  pciUserReadConfigByte,
  pciUserReadConfigDword,
  pciUserReadConfigWord,
  pciUserWriteConfigByte,
  pciUserWriteConfigDword,
  pciUserWriteConfigWord,
  type PciConfigValue,
} from '../pci/access.js';
import type { PciDev } from '../pci/pci-dev.js';

/**
 * Mirrors pci_config_pm_runtime_get(): resume the parent, reference the device without
 * resuming it, flush its runtime PM, and resume it only if it is in D3cold.
 */
export async function pciConfigPmRuntimeGet(dev: PciDev): Promise<void> {
  const parent = dev.parent;
  if (parent) await pmRuntimeGetSync(parent);
  pmRuntimeGetNoresume(dev);
  await pmRuntimeBarrier(dev);
  if (dev.currentState === PCI_D3cold) await pmRuntimeResume(dev);
}

/** Mirrors pci_config_pm_runtime_put(): async put of the device, sync put of the parent. */
export async function pciConfigPmRuntimePut(dev: PciDev): Promise<void> {
  pmRuntimePut(dev);
  if (dev.parent) await pmRuntimePutSync(dev.parent);
}

// The span [off, off + count) clamped to the config size, as both attributes do.
function clamp(dev: PciDev, off: number, count: number): number {
  if (off > dev.cfgSize) return 0;
  return off + count > dev.cfgSize ? dev.cfgSize - off : count;
}

function badSpan(off: number, count: number): boolean {
  return !Number.isInteger(off) || !Number.isInteger(count) || off < 0 || count < 0;
}

/**
 * Mirrors pci_read_config(): reads `count` bytes at `off` (root: the whole config space), in
 * byte/word/dword pieces by alignment, inside the runtime-PM bracket.
 * @returns the bytes (fewer at the end of config space, none past it), or -EINVAL for a
 * negative or fractional span
 */
export async function pciSysfsReadConfig(
  dev: PciDev,
  off: number,
  count: number,
): Promise<Uint8Array | number> {
  if (badSpan(off, count)) return -EINVAL;
  const size0 = clamp(dev, off, count);
  const data = new Uint8Array(size0);
  if (!size0) return data;
  await pciConfigPmRuntimeGet(dev);
  const val: PciConfigValue = { value: 0 };
  let pos = off;
  let size = size0;
  const put = (width: number): void => {
    for (let i = 0; i < width; i++) data[pos - off + i] = (val.value >>> (8 * i)) & 0xff;
    pos += width;
    size -= width;
  };
  if (pos & 1 && size) {
    await pciUserReadConfigByte(dev, pos, val);
    put(1);
  }
  if (pos & 3 && size > 2) {
    await pciUserReadConfigWord(dev, pos, val);
    put(2);
  }
  while (size > 3) {
    await pciUserReadConfigDword(dev, pos, val);
    put(4);
  }
  if (size >= 2) {
    await pciUserReadConfigWord(dev, pos, val);
    put(2);
  }
  if (size > 0) {
    await pciUserReadConfigByte(dev, pos, val);
    put(1);
  }
  await pciConfigPmRuntimePut(dev);
  return data;
}

/**
 * Mirrors pci_write_config(): writes `data` at `off`, clamped to the config size, straight to
 * the hardware, inside the same bracket.
 * @returns the number of bytes written, or -EINVAL for a negative or fractional offset
 */
export async function pciSysfsWriteConfig(
  dev: PciDev,
  off: number,
  data: Uint8Array,
): Promise<number> {
  if (badSpan(off, data.length)) return -EINVAL;
  const count = clamp(dev, off, data.length);
  if (!count) return 0;
  await pciConfigPmRuntimeGet(dev);
  let pos = off;
  let size = count;
  const take = (width: number): number => {
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = v * 256 + data[pos - off + i]!;
    return v;
  };
  const step = async (width: 1 | 2 | 4): Promise<void> => {
    const v = take(width);
    if (width === 1) await pciUserWriteConfigByte(dev, pos, v);
    else if (width === 2) await pciUserWriteConfigWord(dev, pos, v);
    else await pciUserWriteConfigDword(dev, pos, v);
    pos += width;
    size -= width;
  };
  if (pos & 1 && size) await step(1);
  if (pos & 3 && size > 2) await step(2);
  while (size > 3) await step(4);
  if (size >= 2) await step(2);
  if (size > 0) await step(1);
  await pciConfigPmRuntimePut(dev);
  return count;
}
