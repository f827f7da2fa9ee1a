// From a config image (a dump) and model options to a PciFunctionHw, validating everything first.
import { checkAccess, hex, isAccessWidth } from '../config/access.js';
import { findCapability } from '../config/capabilities.js';
import { ConfigSpace, isConfigSpaceSize } from '../config/config-space.js';
import { PCI_CAP_ID_EXP, PCI_CAP_ID_PM } from '../regs/caps.js';
import * as H from '../regs/header.js';
import {
  alignmentOf,
  barAddress,
  barOffset,
  barSlots,
  checkBarSize,
  decodeBarFlags,
} from '../hw/bar-layout.js';
import type { ResolvedBar } from '../hw/bar-store.js';
import { PciFunctionHw, type ResolvedFunctionHw } from '../hw/function-hw.js';
import { applyMaskOverrides, defaultMasks, deriveResetImage } from '../hw/masks.js';
import type { BarOptions, ConfigPatch, FunctionHwOptions, MaskOverride } from '../hw/types.js';
import { parseConfigBinary } from './config-binary.js';
import { parseLspciText } from './lspci-text.js';
import { failed, loaded, type LoadResult } from './result.js';

/** Size given to a memory BAR found in a dump without a size (capped by its alignment). */
export const DEFAULT_MEM_BAR_SIZE = 4096;
/** Size given to an I/O BAR found in a dump without a size (capped by its alignment). */
export const DEFAULT_IO_BAR_SIZE = 32;

function resolveBars(cfg: ConfigSpace, options: readonly BarOptions[]): LoadResult<ResolvedBar[]> {
  const slots = barSlots(cfg.readU8(H.PCI_HEADER_TYPE) & H.PCI_HEADER_TYPE_MASK);
  const byIndex = new Map<number, BarOptions>();
  for (const o of options) {
    if (!Number.isInteger(o.index) || o.index < 0 || o.index >= slots)
      return failed(`BAR${String(o.index)}: no such BAR slot (this header has ${slots})`);
    if (byIndex.has(o.index)) return failed(`BAR${o.index}: given twice`);
    byIndex.set(o.index, o);
  }
  const bars: ResolvedBar[] = [];
  for (let index = 0; index < slots; index++) {
    const low = cfg.readU32(barOffset(index));
    const opt = byIndex.get(index);
    byIndex.delete(index);
    if (!opt && low === 0) continue;
    const flags = decodeBarFlags(low);
    if (!flags) return failed(`BAR${index}: ${hex(low, 8)} has the reserved memory type 11b`);
    const { kind, prefetchable } = flags;
    if (kind === 'mem64' && index === slots - 1)
      return failed(`BAR${index}: a 64-bit BAR cannot start in the last slot`);
    const high = kind === 'mem64' ? cfg.readU32(barOffset(index + 1)) : 0;
    const address = barAddress(kind, low, high);
    const cap = kind === 'io' ? DEFAULT_IO_BAR_SIZE : DEFAULT_MEM_BAR_SIZE;
    const size = opt?.size ?? alignmentOf(address, cap);
    const sizeError = checkBarSize(index, kind, size);
    if (sizeError) return failed(sizeError);
    if (address % size !== 0)
      return failed(
        `BAR${index}: address ${hex(address, 8)} is not aligned to its size ${hex(size)}`,
      );
    for (const init of opt?.init ?? []) {
      const ok = init.bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255);
      if (
        !ok ||
        !Number.isInteger(init.offset) ||
        init.offset < 0 ||
        init.offset + init.bytes.length > size
      )
        return failed(
          `BAR${index}: initial contents at ${String(init.offset)} do not fit in ${hex(size)} bytes`,
        );
    }
    const contents = opt?.contents ?? 'registers';
    bars.push({
      index,
      kind,
      prefetchable,
      size,
      contents,
      retained: opt?.retained ?? false,
      // A copy: the caller may change its arrays; the derived description is shared.
      init: (opt?.init ?? []).map((i) => ({ offset: i.offset, bytes: Uint8Array.from(i.bytes) })),
    });
    if (kind === 'mem64') {
      if (byIndex.has(index + 1))
        return failed(`BAR${index + 1}: it is the upper half of 64-bit BAR${index}`);
      index++;
    }
  }
  return loaded(bars);
}

function checkRegisterRefs(
  size: number,
  what: string,
  refs: readonly (MaskOverride | ConfigPatch)[],
): string | undefined {
  for (const r of refs) {
    if (!isAccessWidth(r.width) || checkAccess(size, r.offset, r.width) !== 0)
      return `${what}: ${String(r.width)}-byte register at ${String(r.offset)} is misaligned or outside ${size} bytes`;
  }
  return undefined;
}

/**
 * Builds the simulated hardware of a function from its config image, as found at start.
 * BARs without options are inferred from the image: a zero slot is not implemented; a
 * non-zero one gets a default size (4 KiB memory, 32 bytes I/O, capped by its alignment).
 * Never throws; invalid input gives `{ ok: false, error }`.
 * @param image 256 or 4096 config bytes (copied)
 * @param options BAR sizes and contents, mask overrides, reset values
 */
export function createFunctionHw(
  image: Uint8Array,
  options: FunctionHwOptions = {},
): LoadResult<PciFunctionHw> {
  const r = resolveFunctionHwShared(image, options);
  return r.ok ? loaded(new PciFunctionHw({ ...r.value, name: options.name ?? 'function' })) : r;
}

/**
 * What follows from a config image and options (see {@link createFunctionHw}), validated:
 * derived once per content and shared, never written afterwards (its `name` is whichever
 * caller derived it first; give each function its own).
 */
export function resolveFunctionHwShared(
  image: Uint8Array,
  options: FunctionHwOptions = {},
): LoadResult<ResolvedFunctionHw> {
  const name = options.name ?? 'function';
  if (!(image instanceof Uint8Array)) return failed(`${name}: config image must be a Uint8Array`);
  // Machines build many functions of the same model: what follows from the image and the
  // options is derived once (it is never written afterwards) and shared.
  const key = specKey(image, options);
  const hit = specs.get(key);
  if (hit && equalBytes(hit.image, image)) return loaded(hit);
  const r = resolveFunctionHw(image, options, name);
  if (r.ok) specs.set(key, r.value);
  return r;
}

// Derived hardware descriptions by content key (bounded: models and dumps are few).
const specs = new Map<string, ResolvedFunctionHw>();
const SPECS_MAX = 64;

// A key for (image, options without the name): an FNV-1a hash of the image (the bytes are
// compared on a hit) and every option field, BAR contents (`init`) by a hash of what they
// hold; strings JSON-encoded, so no crafted value reads as another field.
function specKey(image: Uint8Array, options: FunctionHwOptions): string {
  if (specs.size >= SPECS_MAX) specs.clear();
  let h = 0x811c9dc5;
  if (image.byteOffset % 4 === 0 && image.length % 4 === 0) {
    const words = new Int32Array(image.buffer, image.byteOffset, image.length / 4);
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  } else for (let i = 0; i < image.length; i++) h = Math.imul(h ^ image[i]!, 0x01000193);
  let key = `${image.length}:${h >>> 0}`;
  for (const b of options.bars ?? [])
    key += `|b${f(b.index)},${f(b.size)},${f(b.contents)},${f(b.retained)},${initKey(b.init)}`;
  for (const m of options.masks ?? [])
    key += `|m${f(m.offset)},${f(m.width)},${f(m.rw)},${f(m.w1c)}`;
  for (const p of options.resetPatches ?? []) key += `|p${f(p.offset)},${f(p.width)},${f(p.value)}`;
  return key;
}

// A field in a key: numbers as they are, anything else JSON-encoded with its type.
function f(v: unknown): string {
  return typeof v === 'number' ? String(v) : `${typeof v}:${JSON.stringify(v) ?? ''}`;
}

// BAR contents in a key: each piece's offset, length and an FNV-1a hash of its bytes (input
// not validated yet: anything else is encoded as it is).
function initKey(init: unknown): string {
  if (init === undefined) return '-';
  if (!Array.isArray(init)) return f(init);
  return init
    .map((i: { offset?: unknown; bytes?: unknown } | null) => {
      const bytes = i?.bytes;
      if (!Array.isArray(bytes) && !(bytes instanceof Uint8Array)) return f(bytes);
      let h = 0x811c9dc5;
      for (let k = 0; k < bytes.length; k++) h = Math.imul(h ^ Number(bytes[k]), 0x01000193);
      return `${f(i?.offset)}+${bytes.length}#${h >>> 0}`;
    })
    .join(';');
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0 && a.length % 4 === 0) {
    const wa = new Int32Array(a.buffer, a.byteOffset, a.length / 4);
    const wb = new Int32Array(b.buffer, b.byteOffset, b.length / 4);
    for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return false;
    return true;
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Validates and derives everything of a function but its hardware state.
function resolveFunctionHw(
  image: Uint8Array,
  options: FunctionHwOptions,
  name: string,
): LoadResult<ResolvedFunctionHw> {
  const bad = (msg: string): LoadResult<ResolvedFunctionHw> => failed(`${name}: ${msg}`);
  if (!isConfigSpaceSize(image.length))
    return bad(
      `config image of ${image.length} bytes; expected 256 or 4096 (lspci -x shows too little)`,
    );
  const cfg = new ConfigSpace(image);
  const vendor = cfg.readU16(H.PCI_VENDOR_ID);
  if (vendor === 0xffff || vendor === 0)
    return bad(`vendor ID ${hex(vendor, 4)}: no function there`);
  const type = cfg.readU8(H.PCI_HEADER_TYPE) & H.PCI_HEADER_TYPE_MASK;
  if (type !== H.PCI_HEADER_TYPE_NORMAL && type !== H.PCI_HEADER_TYPE_BRIDGE)
    return bad(`header type ${type} is not supported (only 0, endpoint, and 1, bridge)`);
  const bars = resolveBars(cfg, options.bars ?? []);
  if (!bars.ok) return bad(bars.error);
  const refError =
    checkRegisterRefs(cfg.cfgSize, 'mask override', options.masks ?? []) ??
    checkRegisterRefs(cfg.cfgSize, 'reset patch', options.resetPatches ?? []);
  if (refError) return bad(refError);
  const masks = defaultMasks(cfg, bars.value);
  applyMaskOverrides(masks, options.masks ?? []);
  const pmCap = findCapability(cfg, PCI_CAP_ID_PM);
  const resetImage = deriveResetImage(cfg.bytes, masks, pmCap, options.resetPatches ?? []);
  const expCap = findCapability(cfg, PCI_CAP_ID_EXP);
  return loaded({ name, image: cfg.bytes, resetImage, masks, bars: bars.value, pmCap, expCap });
}

/** Parses `lspci -xxx`/`-xxxx` text and builds the function (see {@link createFunctionHw}). */
export function functionHwFromLspci(
  text: string,
  options: FunctionHwOptions = {},
): LoadResult<PciFunctionHw> {
  const dump = parseLspciText(text);
  return dump.ok ? createFunctionHw(dump.value.bytes, options) : dump;
}

/** Checks a binary `config` file and builds the function (see {@link createFunctionHw}). */
export function functionHwFromBinary(
  data: Uint8Array | ArrayBuffer,
  options: FunctionHwOptions = {},
): LoadResult<PciFunctionHw> {
  const bytes = parseConfigBinary(data);
  return bytes.ok ? createFunctionHw(bytes.value, options) : bytes;
}
