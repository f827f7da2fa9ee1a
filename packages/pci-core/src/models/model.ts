// A built-in device model: a config image plus the options a dump cannot carry.
import type { PciFunctionHw } from '../hw/function-hw.js';
import type { BarOptions, FunctionHwOptions } from '../hw/types.js';
import { createFunctionHw } from '../loaders/build.js';
import type { LoadResult } from '../loaders/result.js';
import { PCI_CFG_SPACE_EXP_SIZE } from '../regs/header.js';

/** A device model: where its config image comes from and how its hardware behaves. */
export interface PciFunctionModel {
  /** Registry name, e.g. `'e1000e'`. */
  readonly name: string;
  /** `vendor:device` in lspci's notation, e.g. `'8086:10d3'`. */
  readonly vendorDevice: string;
  /** One line on what it is and where its image comes from. */
  readonly description: string;
  /** The config image as the machine starts with it (a fresh copy each call). */
  image(): LoadResult<Uint8Array>;
  /** BAR sizes and contents, mask overrides, reset values. */
  readonly options: FunctionHwOptions;
}

/** Merges option sets: BARs by index (later wins), masks and reset patches appended. */
export function mergeOptions(
  base: FunctionHwOptions,
  extra: FunctionHwOptions = {},
): FunctionHwOptions {
  const bars = new Map<number, BarOptions>();
  for (const b of [...(base.bars ?? []), ...(extra.bars ?? [])]) bars.set(b.index, b);
  return {
    name: extra.name ?? base.name,
    bars: [...bars.values()],
    masks: [...(base.masks ?? []), ...(extra.masks ?? [])],
    resetPatches: [...(base.resetPatches ?? []), ...(extra.resetPatches ?? [])],
  };
}

/**
 * Builds a model's hardware.
 * @param overrides options merged over the model's (e.g. another BAR size, another name)
 */
export function createModelHw(
  model: PciFunctionModel,
  overrides?: FunctionHwOptions,
): LoadResult<PciFunctionHw> {
  const image = model.image();
  if (!image.ok) return image;
  return createFunctionHw(
    image.value,
    mergeOptions({ name: model.name, ...model.options }, overrides),
  );
}

/** Bytes from a hex string (two digits per byte, no separators). */
export function bytesFromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error(`bytesFromHex: malformed hex string`);
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** A 4 KiB image whose first bytes are `head` (a 256-byte dump of a PCIe function). */
export function extendedImage(head: Uint8Array): Uint8Array {
  const image = new Uint8Array(PCI_CFG_SPACE_EXP_SIZE);
  image.set(head);
  return image;
}

/** Writes an extended capability header (ID, version, next) at `offset`. */
export function putExtCapHeader(
  image: Uint8Array,
  offset: number,
  id: number,
  version: number,
  next: number,
): void {
  new DataView(image.buffer, image.byteOffset).setUint32(
    offset,
    ((next << 20) | (version << 16) | id) >>> 0,
    true,
  );
}

/** Fails with a message naming the model. */
