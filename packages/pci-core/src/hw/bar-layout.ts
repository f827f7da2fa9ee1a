// BAR decoding and sizing (PCI Local Bus spec 6.2.5.1; __pci_read_base() in drivers/pci/probe.c).
import { hex } from '../config/access.js';
import {
  PCI_BASE_ADDRESS_0,
  PCI_BASE_ADDRESS_IO_MASK,
  PCI_BASE_ADDRESS_MEM_MASK,
  PCI_BASE_ADDRESS_MEM_PREFETCH,
  PCI_BASE_ADDRESS_MEM_TYPE_64,
  PCI_BASE_ADDRESS_MEM_TYPE_MASK,
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_HEADER_TYPE_BRIDGE,
  PCI_STD_NUM_BARS,
} from '../regs/header.js';
import type { BarContents } from './types.js';

/** Decoder kind of a BAR. */
export type BarKind = 'mem32' | 'mem64' | 'io';

/** An implemented BAR of a function. */
export interface BarInfo {
  /** BAR index (first slot for 64-bit). */
  readonly index: number;
  readonly kind: BarKind;
  readonly prefetchable: boolean;
  /** Size in bytes. */
  readonly size: number;
  readonly contents: BarContents;
}

const TWO32 = 0x1_0000_0000;

/** Number of BAR slots of a header type (6 for type 0, 2 for type 1). */
export function barSlots(headerType: number): number {
  return headerType === PCI_HEADER_TYPE_BRIDGE ? 2 : PCI_STD_NUM_BARS;
}

/** Config offset of BAR slot `index`. */
export function barOffset(index: number): number {
  return PCI_BASE_ADDRESS_0 + 4 * index;
}

/** Decodes the flag bits of a BAR slot value; `undefined` for the reserved memory type. */
export function decodeBarFlags(
  value: number,
): { kind: BarKind; prefetchable: boolean } | undefined {
  if (value & PCI_BASE_ADDRESS_SPACE_IO) return { kind: 'io', prefetchable: false };
  const type = value & PCI_BASE_ADDRESS_MEM_TYPE_MASK;
  if (type === 0x06) return undefined;
  return {
    kind: type === PCI_BASE_ADDRESS_MEM_TYPE_64 ? 'mem64' : 'mem32',
    prefetchable: (value & PCI_BASE_ADDRESS_MEM_PREFETCH) !== 0,
  };
}

/** Read-write masks of the BAR's slot(s): writing all ones then reads back the size. */
export function barWriteMasks(kind: BarKind, size: number): [number, number] {
  if (kind === 'io') return [(PCI_BASE_ADDRESS_IO_MASK & ~(size - 1)) >>> 0, 0];
  const low = size >= TWO32 ? 0 : (PCI_BASE_ADDRESS_MEM_MASK & ~(size - 1)) >>> 0;
  const high = size > TWO32 ? (~(size / TWO32 - 1) & 0xffffffff) >>> 0 : 0xffffffff;
  return [low, kind === 'mem64' ? high : 0];
}

/** The 64-bit address held by a BAR (flag bits removed). */
export function barAddress(kind: BarKind, low: number, high: number): number {
  const mask = kind === 'io' ? PCI_BASE_ADDRESS_IO_MASK : PCI_BASE_ADDRESS_MEM_MASK;
  return ((low & mask) >>> 0) + (kind === 'mem64' ? high * TWO32 : 0);
}

/** Checks a BAR size against its kind; returns an error message or `undefined`. */
export function checkBarSize(index: number, kind: BarKind, size: number): string | undefined {
  const isPow2 =
    Number.isSafeInteger(size) && size > 0 && 2 ** Math.round(Math.log2(size)) === size;
  if (!isPow2) return `BAR${index}: size ${String(size)} is not a power of two`;
  if (kind === 'io' && (size < 4 || size > 256))
    return `BAR${index}: I/O BAR size ${hex(size)} is outside 0x04…0x100`;
  if (kind !== 'io' && size < 16) return `BAR${index}: memory BAR size ${hex(size)} is below 0x10`;
  if (kind === 'mem32' && size > 0x8000_0000)
    return `BAR${index}: 32-bit memory BAR size ${hex(size)} is above 2 GiB`;
  return undefined;
}

/** Largest power of two dividing `address` (capped at `cap`); `cap` for address 0. */
export function alignmentOf(address: number, cap: number): number {
  let a = 1;
  while (a < cap && address % (a * 2) === 0) a *= 2;
  return a;
}
