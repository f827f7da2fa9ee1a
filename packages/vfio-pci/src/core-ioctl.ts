// The device ioctls of vfio_pci_core.c (vfio_pci_core_ioctl): every bad input answered with
// Linux's errno and nothing changed.
import { EFAULT, EINVAL, ENOTTY, copyFromUser, copyToUser, type UserArg } from '@vfio-ts/kernel';
import { pciIsPcie } from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import { pciResourceLen, type VfioPciCoreDevice } from './internal.js';
import { vfioPciGetIrqCount } from './intrs-msi.js';
import { vfioPciSetIrqsIoctl } from './intrs.js';
import { vfioPciIoctlIoeventfd } from './ioeventfd.js';
import {
  vfioPciIoctlGetPciHotResetInfo,
  vfioPciIoctlPciHotReset,
  vfioPciIoctlReset,
} from './reset.js';

function u32s(values: readonly number[]): Uint8Array {
  const v = new DataView(new ArrayBuffer(4 * values.length));
  values.forEach((x, i) => v.setUint32(4 * i, x >>> 0, true));
  return new Uint8Array(v.buffer);
}

/** Mirrors vfio_pci_ioctl_get_info(). @returns 0 or -errno */
export function vfioPciIoctlGetInfo(vdev: VfioPciCoreDevice, arg: UserArg): number {
  const minsz = VFIO.deviceInfo.MINSZ;
  const hdr = copyFromUser(arg, 0, minsz);
  if (typeof hdr === 'number') return hdr;
  const argsz = hdr.getUint32(0, true);
  if (argsz < minsz) return -EINVAL;
  let flags = VFIO.DEVICE_FLAGS_PCI;
  if (vdev.resetWorks) flags |= VFIO.DEVICE_FLAGS_RESET;
  return copyToUser(arg, 0, u32s([argsz, flags, VFIO.PCI_NUM_REGIONS, VFIO.PCI_NUM_IRQS]));
}

/** Size of the MSI-X mappable capability (struct vfio_info_cap_header). */
const MSIX_MAPPABLE_CAP_SIZE = 8;

/** Mirrors vfio_pci_ioctl_get_region_info(). @returns 0 or -errno */
export function vfioPciIoctlGetRegionInfo(vdev: VfioPciCoreDevice, arg: UserArg): number {
  const L = VFIO.regionInfo;
  const hdr = copyFromUser(arg, 0, L.MINSZ);
  if (typeof hdr === 'number') return hdr;
  let argsz = hdr.getUint32(0, true);
  if (argsz < L.MINSZ) return -EINVAL;
  const index = hdr.getUint32(8, true);
  let flags = 0;
  let size: number;
  let capOffset = 0;
  let caps: Uint8Array | null = null;
  const R = VFIO;
  if (index === R.PCI_CONFIG_REGION_INDEX) {
    size = vdev.pdev.cfgSize;
    flags = R.REGION_INFO_FLAG_READ | R.REGION_INFO_FLAG_WRITE;
  } else if (index <= R.PCI_BAR5_REGION_INDEX) {
    size = pciResourceLen(vdev.pdev, index);
    if (size) {
      flags = R.REGION_INFO_FLAG_READ | R.REGION_INFO_FLAG_WRITE;
      if (vdev.barMmapSupported[index]) {
        flags |= R.REGION_INFO_FLAG_MMAP;
        if (index === vdev.msixBar) caps = u32s([R.REGION_INFO_CAP_MSIX_MAPPABLE | (1 << 16), 0]);
      }
    }
  } else if (index === R.PCI_ROM_REGION_INDEX) {
    size = 0; // No ROM resource and no shadow ROM in the model.
  } else return -EINVAL; // No VGA, no device-specific regions.
  if (caps) {
    flags |= R.REGION_INFO_FLAG_CAPS;
    if (argsz < L.SIZE + MSIX_MAPPABLE_CAP_SIZE) {
      argsz = L.SIZE + MSIX_MAPPABLE_CAP_SIZE;
      capOffset = 0;
    } else {
      const ret = copyToUser(arg, L.SIZE, caps);
      if (ret) return ret;
      capOffset = L.SIZE;
    }
  }
  const out = L.encode({ argsz, flags, index, capOffset, size, offset: VFIO.regionOffset(index) });
  return copyToUser(arg, 0, out.subarray(0, L.MINSZ));
}

/** Mirrors vfio_pci_ioctl_get_irq_info(). @returns 0 or -errno */
export function vfioPciIoctlGetIrqInfo(vdev: VfioPciCoreDevice, arg: UserArg): number {
  const minsz = VFIO.irqInfo.MINSZ;
  const hdr = copyFromUser(arg, 0, minsz);
  if (typeof hdr === 'number') return hdr;
  const argsz = hdr.getUint32(0, true);
  const index = hdr.getUint32(8, true);
  if (argsz < minsz || index >= VFIO.PCI_NUM_IRQS) return -EINVAL;
  if (index === VFIO.PCI_ERR_IRQ_INDEX && !pciIsPcie(vdev.pdev)) return -EINVAL;
  let flags = VFIO.IRQ_INFO_EVENTFD;
  if (index === VFIO.PCI_INTX_IRQ_INDEX) flags |= VFIO.IRQ_INFO_MASKABLE | VFIO.IRQ_INFO_AUTOMASKED;
  else flags |= VFIO.IRQ_INFO_NORESIZE;
  return copyToUser(arg, 0, u32s([argsz, flags, index, vfioPciGetIrqCount(vdev, index)]));
}

/**
 * Mirrors vfio_pci_ioctl_set_irqs() with vfio_set_irqs_validate_and_prepare(): argsz, index,
 * data type, unknown flags, start/count against the vectors offered, data size; then the
 * handler under igate.
 * @returns 0 or -errno
 */
export async function vfioPciIoctlSetIrqs(vdev: VfioPciCoreDevice, arg: UserArg): Promise<number> {
  const minsz = VFIO.irqSet.MINSZ;
  const hdr = copyFromUser(arg, 0, minsz);
  if (typeof hdr === 'number') return hdr;
  const argsz = hdr.getUint32(0, true);
  const flags = hdr.getUint32(4, true);
  const index = hdr.getUint32(8, true);
  const start = hdr.getUint32(12, true);
  const count = hdr.getUint32(16, true);
  if (argsz < minsz || index >= VFIO.PCI_NUM_IRQS) return -EINVAL;
  const max = vfioPciGetIrqCount(vdev, index);
  let size: number;
  switch (flags & VFIO.IRQ_SET_DATA_TYPE_MASK) {
    case VFIO.IRQ_SET_DATA_NONE:
      size = 0;
      break;
    case VFIO.IRQ_SET_DATA_BOOL:
      size = 1;
      break;
    case VFIO.IRQ_SET_DATA_EVENTFD:
      size = 4;
      break;
    default:
      return -EINVAL;
  }
  if (flags & ~(VFIO.IRQ_SET_DATA_TYPE_MASK | VFIO.IRQ_SET_ACTION_TYPE_MASK)) return -EINVAL;
  if (start >= max || start + count > max) return -EINVAL;
  const data: number[] = [];
  if (size) {
    if (argsz - minsz < count * size) return -EINVAL;
    const d = copyFromUser(arg, minsz, count * size);
    if (typeof d === 'number') return -EFAULT;
    for (let i = 0; i < count; i++) data.push(size === 1 ? d.getUint8(i) : d.getInt32(4 * i, true));
  }
  await vdev.igate.lock();
  const ret = await vfioPciSetIrqsIoctl(vdev, { flags, index, start, count, data });
  vdev.igate.unlock();
  return ret;
}

/**
 * Mirrors vfio_pci_core_ioctl(): the device ioctls vfio-pci handles; -ENOTTY for the others.
 * @returns 0 or -errno
 */
export async function vfioPciCoreIoctl(
  vdev: VfioPciCoreDevice,
  cmd: number,
  arg: UserArg,
): Promise<number> {
  switch (cmd) {
    case VFIO.DEVICE_GET_INFO:
      return vfioPciIoctlGetInfo(vdev, arg);
    case VFIO.DEVICE_GET_REGION_INFO:
      return vfioPciIoctlGetRegionInfo(vdev, arg);
    case VFIO.DEVICE_GET_IRQ_INFO:
      return vfioPciIoctlGetIrqInfo(vdev, arg);
    case VFIO.DEVICE_SET_IRQS:
      return vfioPciIoctlSetIrqs(vdev, arg);
    case VFIO.DEVICE_RESET:
      return vfioPciIoctlReset(vdev);
    case VFIO.DEVICE_GET_PCI_HOT_RESET_INFO:
      return vfioPciIoctlGetPciHotResetInfo(vdev, arg);
    case VFIO.DEVICE_PCI_HOT_RESET:
      return vfioPciIoctlPciHotReset(vdev, arg);
    case VFIO.DEVICE_IOEVENTFD:
      return vfioPciIoctlIoeventfd(vdev, arg);
  }
  return -ENOTTY;
}
