// VFIO_DEVICE_FEATURE: `struct vfio_device_feature` (8-byte header + data), feature indices,
// and the payload of LOW_POWER_ENTRY_WITH_WAKEUP (include/uapi/linux/vfio.h).

import {
  allocate,
  decodeFields,
  defineLayout,
  encodeFields,
  fixedStructCodec,
  layoutOffsets,
  recordOf,
  viewOf,
} from './codec.js';
import type { StructCodec } from './codec.js';

/** `struct vfio_device_feature` flags, feature indices and the migration feature's values. */
export const FEATURE = {
  DEVICE_FEATURE_MASK: 0xffff,
  DEVICE_FEATURE_GET: 1 << 16,
  DEVICE_FEATURE_SET: 1 << 17,
  DEVICE_FEATURE_PROBE: 1 << 18,
  DEVICE_FEATURE_PCI_VF_TOKEN: 0,
  DEVICE_FEATURE_MIGRATION: 1,
  DEVICE_FEATURE_MIG_DEVICE_STATE: 2,
  DEVICE_FEATURE_LOW_POWER_ENTRY: 3,
  DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP: 4,
  DEVICE_FEATURE_LOW_POWER_EXIT: 5,
  DEVICE_FEATURE_DMA_LOGGING_START: 6,
  DEVICE_FEATURE_DMA_LOGGING_STOP: 7,
  DEVICE_FEATURE_DMA_LOGGING_REPORT: 8,
  // struct vfio_device_feature_migration flags.
  MIGRATION_STOP_COPY: 1 << 0,
  MIGRATION_P2P: 1 << 1,
  // enum vfio_device_mig_state.
  DEVICE_STATE_ERROR: 0,
  DEVICE_STATE_STOP: 1,
  DEVICE_STATE_RUNNING: 2,
  DEVICE_STATE_STOP_COPY: 3,
  DEVICE_STATE_RESUMING: 4,
  DEVICE_STATE_RUNNING_P2P: 5,
} as const;

/** Layout of `struct vfio_device_feature`. */
export const DEVICE_FEATURE_LAYOUT = defineLayout({
  c: 'vfio_device_feature',
  size: 8,
  minsz: 8,
  minszField: 'flags',
  fields: {
    argsz: { c: 'argsz', offset: 0, type: 'u32' },
    flags: { c: 'flags', offset: 4, type: 'u32' },
  },
  flex: { name: 'data', c: 'data', offset: 8, elem: 'u8' },
});

/** A decoded `struct vfio_device_feature`. */
export interface DeviceFeature {
  /** Size the caller claims for header + data. */
  argsz: number;
  /** The whole flags word: feature index in bits 15:0, GET/SET/PROBE in bits 16–18. */
  flags: number;
  /** `flags & VFIO_DEVICE_FEATURE_MASK`, the feature index. */
  feature: number;
  /** A copy of every byte after the header that the buffer holds (argsz is not applied). */
  data: Uint8Array;
}

/** Input of {@link deviceFeature}.encode (`VFIO.feature`). */
export interface DeviceFeatureInit {
  /** GET/SET/PROBE and any other bits, written as given. @defaultValue 0 */
  flags?: number;
  /** Feature index, OR-ed into bits 15:0 of the flags word. @defaultValue 0 */
  feature?: number;
  /** Written as given, even when wrong. @defaultValue 8 + data.length */
  argsz?: number;
  /** The feature's payload. @defaultValue no bytes */
  data?: Uint8Array;
}

/** `offsetof` of the fields of `struct vfio_device_feature`. */
export interface DeviceFeatureOffsets {
  readonly argsz: number;
  readonly flags: number;
  readonly data: number;
}

function bytesOf(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : new Uint8Array(0);
}

/** Codec of `struct vfio_device_feature`: the 8-byte header followed by the payload. */
export const deviceFeature: StructCodec<DeviceFeature, DeviceFeatureInit, DeviceFeatureOffsets> =
  Object.freeze({
    LAYOUT: DEVICE_FEATURE_LAYOUT,
    SIZE: DEVICE_FEATURE_LAYOUT.size,
    MINSZ: DEVICE_FEATURE_LAYOUT.minsz,
    OFFSETS: layoutOffsets(DEVICE_FEATURE_LAYOUT) as DeviceFeatureOffsets,
    encode(init: DeviceFeatureInit): Uint8Array {
      const given = recordOf(init);
      const data = bytesOf(given['data']);
      const feature = typeof given['feature'] === 'number' ? given['feature'] : 0;
      const flags = typeof given['flags'] === 'number' ? given['flags'] : 0;
      const { bytes, view } = allocate(DEVICE_FEATURE_LAYOUT.size + data.length);
      encodeFields(view, DEVICE_FEATURE_LAYOUT.fields, {
        argsz: given['argsz'] ?? bytes.length,
        flags: (flags | (feature & FEATURE.DEVICE_FEATURE_MASK)) >>> 0,
      });
      bytes.set(data, DEVICE_FEATURE_LAYOUT.size);
      return bytes;
    },
    decode(buf: Uint8Array): DeviceFeature | null {
      const view = viewOf(buf, DEVICE_FEATURE_LAYOUT.minsz);
      if (view === null) return null;
      const { argsz, flags } = decodeFields(view, DEVICE_FEATURE_LAYOUT.fields);
      return {
        argsz,
        flags,
        feature: flags & FEATURE.DEVICE_FEATURE_MASK,
        data: buf.slice(DEVICE_FEATURE_LAYOUT.size),
      };
    },
  });

/** Layout of `struct vfio_device_low_power_entry_with_wakeup`. */
export const LOW_POWER_ENTRY_WITH_WAKEUP_LAYOUT = defineLayout({
  c: 'vfio_device_low_power_entry_with_wakeup',
  size: 8,
  minsz: 8,
  minszField: 'reserved',
  fields: {
    wakeupEventfd: { c: 'wakeup_eventfd', offset: 0, type: 's32' },
    reserved: { c: 'reserved', offset: 4, type: 'u32' },
  },
});

/** `struct vfio_device_low_power_entry_with_wakeup`, the payload of feature 4. */
export interface LowPowerEntryWithWakeup {
  /** The eventfd signalled when the device wakes (s32). */
  wakeupEventfd: number;
  /** Not checked by the kernel (u32). */
  reserved: number;
}

/** Input of {@link deviceLowPowerEntryWithWakeup}.encode; `reserved` defaults to 0. */
export interface LowPowerEntryWithWakeupInit {
  wakeupEventfd?: number;
  reserved?: number;
}

/** Codec of `struct vfio_device_low_power_entry_with_wakeup` (8 bytes: s32, u32). */
export const deviceLowPowerEntryWithWakeup: StructCodec<
  LowPowerEntryWithWakeup,
  LowPowerEntryWithWakeupInit,
  { readonly wakeupEventfd: number; readonly reserved: number }
> = fixedStructCodec(LOW_POWER_ENTRY_WITH_WAKEUP_LAYOUT);
