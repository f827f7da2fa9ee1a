// PCI hot-reset structures of include/uapi/linux/vfio.h: vfio_pci_dependent_device,
// vfio_pci_hot_reset_info (VFIO_DEVICE_GET_PCI_HOT_RESET_INFO) and vfio_pci_hot_reset
// (VFIO_DEVICE_PCI_HOT_RESET).

import {
  allocate,
  decodeFields,
  defineLayout,
  encodeFields,
  fixedStructCodec,
  layoutOffsets,
  recordOf,
  viewOf,
  writeScalar,
} from './codec.js';
import type { StructCodec } from './codec.js';

/** Layout of `struct vfio_pci_dependent_device`, one entry of the hot-reset info. */
export const PCI_DEPENDENT_DEVICE_LAYOUT = defineLayout({
  c: 'vfio_pci_dependent_device',
  size: 8,
  minsz: 8,
  minszField: 'devfn',
  fields: {
    groupId: { c: 'group_id', offset: 0, type: 'u32' },
    segment: { c: 'segment', offset: 4, type: 'u16' },
    bus: { c: 'bus', offset: 6, type: 'u8' },
    devfn: { c: 'devfn', offset: 7, type: 'u8' },
  },
});

/** `struct vfio_pci_dependent_device`: a function a hot reset would also reset. */
export interface PciDependentDevice {
  /** IOMMU group number (u32). */
  groupId: number;
  /** PCI segment (u16). */
  segment: number;
  /** Bus number (u8). */
  bus: number;
  /** Device and function, `slot << 3 | function` (u8). */
  devfn: number;
}

/** Codec of `struct vfio_pci_dependent_device` (8 bytes). */
export const pciDependentDevice: StructCodec<
  PciDependentDevice,
  Partial<PciDependentDevice>,
  { readonly [K in keyof PciDependentDevice]: number }
> = fixedStructCodec(PCI_DEPENDENT_DEVICE_LAYOUT);

const HEADER_FIELDS = {
  argsz: { c: 'argsz', offset: 0, type: 'u32' },
  flags: { c: 'flags', offset: 4, type: 'u32' },
  count: { c: 'count', offset: 8, type: 'u32' },
} as const;

/** Layout of `struct vfio_pci_hot_reset_info`: a header and `devices[]`. */
export const PCI_HOT_RESET_INFO_LAYOUT = defineLayout({
  c: 'vfio_pci_hot_reset_info',
  size: 12,
  minsz: 12,
  minszField: 'count',
  fields: HEADER_FIELDS,
  flex: { name: 'devices', c: 'devices', offset: 12, elem: PCI_DEPENDENT_DEVICE_LAYOUT },
});

/** A decoded `struct vfio_pci_hot_reset_info`. */
export interface PciHotResetInfo {
  argsz: number;
  flags: number;
  /** Number of dependent devices (the kernel fills it in, also when argsz is too small). */
  count: number;
  /** The entries the buffer holds, at most `count`. */
  devices: PciDependentDevice[];
}

/** Input of {@link pciHotResetInfo}.encode. */
export interface PciHotResetInfoInit {
  /** @defaultValue 12 + 8 × devices.length */
  argsz?: number;
  flags?: number;
  /** @defaultValue devices.length */
  count?: number;
  devices?: readonly Partial<PciDependentDevice>[];
}

/** `offsetof` of the fields of `struct vfio_pci_hot_reset_info`. */
export interface PciHotResetInfoOffsets {
  readonly argsz: number;
  readonly flags: number;
  readonly count: number;
  readonly devices: number;
}

/** Items of an array-valued field; anything else gives none. */
function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Codec of `struct vfio_pci_hot_reset_info`: the 12-byte header and 8-byte entries. */
export const pciHotResetInfo: StructCodec<
  PciHotResetInfo,
  PciHotResetInfoInit,
  PciHotResetInfoOffsets
> = Object.freeze({
  LAYOUT: PCI_HOT_RESET_INFO_LAYOUT,
  SIZE: PCI_HOT_RESET_INFO_LAYOUT.size,
  MINSZ: PCI_HOT_RESET_INFO_LAYOUT.minsz,
  OFFSETS: layoutOffsets(PCI_HOT_RESET_INFO_LAYOUT) as PciHotResetInfoOffsets,
  encode(init: PciHotResetInfoInit): Uint8Array {
    const given = recordOf(init);
    const devices = listOf(given['devices']);
    const entrySize = PCI_DEPENDENT_DEVICE_LAYOUT.size;
    const { bytes, view } = allocate(PCI_HOT_RESET_INFO_LAYOUT.size + devices.length * entrySize);
    encodeFields(view, HEADER_FIELDS, {
      ...given,
      argsz: given['argsz'] ?? bytes.length,
      count: given['count'] ?? devices.length,
    });
    devices.forEach((device, i) => {
      const base = PCI_HOT_RESET_INFO_LAYOUT.size + i * entrySize;
      encodeFields(view, PCI_DEPENDENT_DEVICE_LAYOUT.fields, device, base);
    });
    return bytes;
  },
  decode(buf: Uint8Array): PciHotResetInfo | null {
    const view = viewOf(buf, PCI_HOT_RESET_INFO_LAYOUT.minsz);
    if (view === null) return null;
    const header = decodeFields(view, HEADER_FIELDS);
    const entrySize = PCI_DEPENDENT_DEVICE_LAYOUT.size;
    const held = Math.floor((buf.length - PCI_HOT_RESET_INFO_LAYOUT.size) / entrySize);
    const devices = Array.from({ length: Math.min(header.count, held) }, (_, i) =>
      decodeFields(
        view,
        PCI_DEPENDENT_DEVICE_LAYOUT.fields,
        PCI_HOT_RESET_INFO_LAYOUT.size + i * entrySize,
      ),
    );
    return { ...header, devices };
  },
});

/** Layout of `struct vfio_pci_hot_reset`: a header and `__s32 group_fds[]`. */
export const PCI_HOT_RESET_LAYOUT = defineLayout({
  c: 'vfio_pci_hot_reset',
  size: 12,
  minsz: 12,
  minszField: 'count',
  fields: HEADER_FIELDS,
  flex: { name: 'groupFds', c: 'group_fds', offset: 12, elem: 's32' },
});

/** A decoded `struct vfio_pci_hot_reset`. */
export interface PciHotReset {
  argsz: number;
  flags: number;
  /** Number of group fds. */
  count: number;
  /** The group fds the buffer holds, at most `count`. */
  groupFds: number[];
}

/** Input of {@link pciHotReset}.encode. */
export interface PciHotResetInit {
  /** @defaultValue 12 + 4 × groupFds.length */
  argsz?: number;
  flags?: number;
  /** @defaultValue groupFds.length */
  count?: number;
  groupFds?: readonly number[];
}

/** `offsetof` of the fields of `struct vfio_pci_hot_reset`. */
export interface PciHotResetOffsets {
  readonly argsz: number;
  readonly flags: number;
  readonly count: number;
  readonly groupFds: number;
}

/** Codec of `struct vfio_pci_hot_reset`: the 12-byte header and s32 group fds. */
export const pciHotReset: StructCodec<PciHotReset, PciHotResetInit, PciHotResetOffsets> =
  Object.freeze({
    LAYOUT: PCI_HOT_RESET_LAYOUT,
    SIZE: PCI_HOT_RESET_LAYOUT.size,
    MINSZ: PCI_HOT_RESET_LAYOUT.minsz,
    OFFSETS: layoutOffsets(PCI_HOT_RESET_LAYOUT) as PciHotResetOffsets,
    encode(init: PciHotResetInit): Uint8Array {
      const given = recordOf(init);
      const fds = listOf(given['groupFds']);
      const { bytes, view } = allocate(PCI_HOT_RESET_LAYOUT.size + fds.length * 4);
      encodeFields(view, HEADER_FIELDS, {
        ...given,
        argsz: given['argsz'] ?? bytes.length,
        count: given['count'] ?? fds.length,
      });
      fds.forEach((fd, i) => writeScalar(view, PCI_HOT_RESET_LAYOUT.size + i * 4, 's32', fd));
      return bytes;
    },
    decode(buf: Uint8Array): PciHotReset | null {
      const view = viewOf(buf, PCI_HOT_RESET_LAYOUT.minsz);
      if (view === null) return null;
      const header = decodeFields(view, HEADER_FIELDS);
      const held = Math.floor((buf.length - PCI_HOT_RESET_LAYOUT.size) / 4);
      const groupFds = Array.from({ length: Math.min(header.count, held) }, (_, i) =>
        view.getInt32(PCI_HOT_RESET_LAYOUT.size + i * 4, true),
      );
      return { ...header, groupFds };
    },
  });
