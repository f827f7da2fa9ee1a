// Region read/write (vfio_pci_rdwr.c and vfio_pci_rw in vfio_pci_core.c; D.9, D.10): the
// runtime-PM bracket, then config, BAR and ROM accesses; memory BARs gated per chunk.
import { EINVAL, EIO, copyFromUser, copyToUser } from '@vfio-ts/kernel';
import { pmRuntimePut, pmRuntimeResumeAndGet } from '@vfio-ts/runtime-pm';
import { VFIO } from '@vfio-ts/vfio-core';
import { vfioPciConfigRw } from './config.js';
import {
  __vfioPciMemoryEnabled,
  pciResourceIsMem,
  pciResourceLen,
  type VfioPciCoreDevice,
} from './internal.js';

type Chunk = 1 | 2 | 4;

// Mirrors vfio_pci_ioread/iowrite##size: with test_mem, one chunk under memory_lock (read),
// refused with -EIO while the gate is closed (D.9.2).
async function vfioPciIoChunk(
  vdev: VfioPciCoreDevice,
  testMem: boolean,
  bar: number,
  off: number,
  size: Chunk,
  buf: Uint8Array,
  done: number,
  iswrite: boolean,
): Promise<number> {
  const hw = vdev.pdev.hw;
  let val = 0;
  if (iswrite) {
    const d = copyFromUser(buf, done, size);
    if (typeof d === 'number') return d;
    val = size === 4 ? d.getUint32(0, true) : size === 2 ? d.getUint16(0, true) : d.getUint8(0);
  }
  if (testMem) {
    await vdev.memoryLock.downRead();
    if (!__vfioPciMemoryEnabled(vdev)) {
      vdev.memoryLock.upRead();
      return -EIO;
    }
  }
  if (iswrite) hw.barWrite(bar, off, size, val);
  else val = hw.barRead(bar, off, size);
  if (testMem) vdev.memoryLock.upRead();
  if (iswrite) return 0;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (val >>> (8 * i)) & 0xff;
  return copyToUser(buf, done, out);
}

/**
 * Mirrors vfio_pci_core_do_io_rw(): naturally aligned chunks; the excluded range (the MSI-X
 * table) reads 0xff and drops writes.
 * @returns the bytes done, or -errno (-EIO from the gate even after earlier chunks)
 */
async function vfioPciDoIoRw(
  vdev: VfioPciCoreDevice,
  testMem: boolean,
  bar: number,
  off: number,
  buf: Uint8Array,
  count: number,
  xStart: number,
  xEnd: number,
  iswrite: boolean,
): Promise<number> {
  let done = 0;
  while (count) {
    let fillable: number;
    let filled: number;
    if (off >= xStart && off < xEnd) fillable = 0;
    else fillable = off < xStart ? Math.min(count, xStart - off) : count;
    if (fillable >= 4 && !(off % 4)) filled = 4;
    else if (fillable >= 2 && !(off % 2)) filled = 2;
    else if (fillable) filled = 1;
    else {
      filled = Math.min(count, xEnd - off);
      if (!iswrite) {
        const ret = copyToUser(buf, done, new Uint8Array(filled).fill(0xff));
        if (ret) return ret;
      }
    }
    if (fillable) {
      const ret = await vfioPciIoChunk(
        vdev,
        testMem,
        bar,
        off,
        filled as Chunk,
        buf,
        done,
        iswrite,
      );
      if (ret) return ret;
    }
    count -= filled;
    done += filled;
    off += filled;
  }
  return done;
}

/**
 * Mirrors vfio_pci_bar_rw(): BARs 0–5 and the ROM (read-only; absent here, so -EINVAL).
 * @returns the bytes done, or -errno
 */
export async function vfioPciBarRw(
  vdev: VfioPciCoreDevice,
  buf: Uint8Array,
  count: number,
  pos: number,
  iswrite: boolean,
): Promise<number> {
  const bar = VFIO.offsetToIndex(pos);
  const off = VFIO.offsetToOffset(pos);
  const end = pciResourceLen(vdev.pdev, bar);
  if (!end) return -EINVAL;
  if (off >= end) return -EINVAL;
  count = Math.min(count, end - off);
  let xStart = end;
  let xEnd = end;
  if (bar === vdev.msixBar) {
    xStart = vdev.msixOffset;
    xEnd = vdev.msixOffset + vdev.msixSize;
  }
  const testMem = pciResourceIsMem(vdev.pdev, bar);
  return vfioPciDoIoRw(vdev, testMem, bar, off, buf, count, xStart, xEnd, iswrite);
}

/**
 * Mirrors vfio_pci_rw() (D.10): no PM action for an empty access or a bad index; otherwise
 * the device is resumed for the access (-EIO if that fails) and put afterwards.
 * @returns the bytes done, or -errno
 */
export async function vfioPciRw(
  vdev: VfioPciCoreDevice,
  buf: Uint8Array,
  count: number,
  pos: number,
  iswrite: boolean,
): Promise<number> {
  const index = VFIO.offsetToIndex(pos);
  if (!count) return 0;
  if (index >= VFIO.PCI_NUM_REGIONS) return -EINVAL;
  const dev = vdev.pdev;
  const rc = await pmRuntimeResumeAndGet(dev);
  if (rc < 0) {
    vdev.kernel.printk('err', `vfio-pci ${dev.bdf}: runtime resume failed ${rc}`);
    return -EIO;
  }
  let ret: number;
  switch (index) {
    case VFIO.PCI_CONFIG_REGION_INDEX:
      ret = await vfioPciConfigRw(vdev, buf, count, VFIO.offsetToOffset(pos), iswrite);
      break;
    case VFIO.PCI_ROM_REGION_INDEX:
      ret = iswrite ? -EINVAL : await vfioPciBarRw(vdev, buf, count, pos, false);
      break;
    case VFIO.PCI_VGA_REGION_INDEX:
      ret = -EINVAL;
      break;
    default:
      ret = await vfioPciBarRw(vdev, buf, count, pos, iswrite);
  }
  pmRuntimePut(dev);
  return ret;
}
