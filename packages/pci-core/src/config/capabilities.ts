// Capability list walking, as drivers/pci/pci.c does it (pci_find_capability,
// pci_find_next_capability, pci_find_next_ext_capability), plus loop-safe listings.
import type { ConfigReader } from './access.js';
import {
  PCI_CAP_LIST_NEXT,
  PCI_EXT_CAP_ID,
  PCI_EXT_CAP_NEXT,
  PCI_EXT_CAP_VER,
  PCI_FIND_CAP_TTL,
} from '../regs/caps.js';
import {
  PCI_CAPABILITY_LIST,
  PCI_CB_CAPABILITY_LIST,
  PCI_CFG_SPACE_EXP_SIZE,
  PCI_CFG_SPACE_SIZE,
  PCI_HEADER_TYPE,
  PCI_HEADER_TYPE_BRIDGE,
  PCI_HEADER_TYPE_CARDBUS,
  PCI_HEADER_TYPE_MASK,
  PCI_HEADER_TYPE_NORMAL,
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
} from '../regs/header.js';

/** Extended list hop limit: minimum 8 bytes per capability. */
const EXT_CAP_TTL = (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8;

/** One entry of the standard capability list. */
export interface CapabilityEntry {
  /** Capability ID (`PCI_CAP_ID_*`). */
  readonly id: number;
  /** Config offset of the capability. */
  readonly offset: number;
  /** Raw next pointer as read. */
  readonly next: number;
}

/** One entry of the extended capability list. */
export interface ExtCapabilityEntry extends CapabilityEntry {
  /** Capability version (header bits 19:16). */
  readonly version: number;
  /** True for an ID-0 placeholder whose next pointer is still followed (vfio-pci hiding). */
  readonly hidden: boolean;
}

/**
 * How a listing ended: `end` (next pointer 0), `loop` (an offset came round again), `ttl`
 * (the kernel's hop limit), `invalid` (ID 0xff, all-ones header, a pointer into the header, or
 * a failed read).
 */
export type WalkEnd = 'end' | 'loop' | 'ttl' | 'invalid';

/** A listing of a capability chain. */
export interface CapabilityWalk<E extends CapabilityEntry> {
  /** Entries in chain order. */
  readonly entries: readonly E[];
  /** Why the walk stopped. */
  readonly end: WalkEnd;
}

function read(cfg: ConfigReader, offset: number, width: 1 | 2 | 4): number | undefined {
  const v = cfg.configRead(offset, width);
  return v < 0 ? undefined : v;
}

/** Mirrors __pci_bus_find_cap_start(): the pointer's offset, or 0 without a list. */
function capStart(cfg: ConfigReader): number {
  const status = read(cfg, PCI_STATUS, 2);
  if (status === undefined || (status & PCI_STATUS_CAP_LIST) === 0) return 0;
  switch ((read(cfg, PCI_HEADER_TYPE, 1) ?? 0xff) & PCI_HEADER_TYPE_MASK) {
    case PCI_HEADER_TYPE_NORMAL:
    case PCI_HEADER_TYPE_BRIDGE:
      return PCI_CAPABILITY_LIST;
    case PCI_HEADER_TYPE_CARDBUS:
      return PCI_CB_CAPABILITY_LIST;
    default:
      return 0;
  }
}

/** Mirrors __pci_find_next_cap_ttl(): follows the pointer stored at `ptrOffset`. */
function findFrom(cfg: ConfigReader, ptrOffset: number, cap: number): number {
  let pos = read(cfg, ptrOffset, 1) ?? 0;
  for (let ttl = PCI_FIND_CAP_TTL; ttl > 0; ttl--) {
    if (pos < 0x40) break;
    pos &= ~3;
    const ent = read(cfg, pos, 2);
    if (ent === undefined || (ent & 0xff) === 0xff) break;
    if ((ent & 0xff) === cap) return pos;
    pos = ent >> 8;
  }
  return 0;
}

/**
 * Finds a standard capability in a config image or straight in a function's registers, with
 * pci_find_capability()'s walk (for loaders, models, and enumeration before the device has
 * accessors). The kernel's run-time lookup through the config accessors is `pciFindCapability`.
 * @param cap a `PCI_CAP_ID_*`
 * @returns its config offset, or 0 when absent
 */
export function findCapability(cfg: ConfigReader, cap: number): number {
  const start = capStart(cfg);
  return start ? findFrom(cfg, start, cap) : 0;
}

/**
 * Finds the next capability with ID `cap` after the one at `pos`, as
 * pci_find_next_capability() does.
 * @returns its config offset, or 0
 */
export function findNextCapability(cfg: ConfigReader, pos: number, cap: number): number {
  return findFrom(cfg, pos + PCI_CAP_LIST_NEXT, cap);
}

/**
 * Lists the standard capability chain, stopping where the kernel would (pointer below 0x40,
 * ID 0xff, 48 hops) or at the first offset seen twice.
 */
export function listCapabilities(cfg: ConfigReader): CapabilityWalk<CapabilityEntry> {
  const entries: CapabilityEntry[] = [];
  const start = capStart(cfg);
  if (!start) return { entries, end: 'end' };
  const seen = new Set<number>();
  let pos = read(cfg, start, 1) ?? 0;
  for (let ttl = PCI_FIND_CAP_TTL; ttl > 0; ttl--) {
    if (pos === 0) return { entries, end: 'end' };
    if (pos < 0x40) return { entries, end: 'invalid' };
    pos &= ~3;
    if (seen.has(pos)) return { entries, end: 'loop' };
    seen.add(pos);
    const ent = read(cfg, pos, 2);
    if (ent === undefined || (ent & 0xff) === 0xff) return { entries, end: 'invalid' };
    entries.push({ id: ent & 0xff, offset: pos, next: ent >> 8 });
    pos = ent >> 8;
  }
  return { entries, end: 'ttl' };
}

/**
 * Finds the next extended capability with ID `cap` after `start` (0 = from the beginning), as
 * pci_find_next_ext_capability() does, hop limit included.
 * @returns its config offset, or 0
 */
export function findNextExtCapability(cfg: ConfigReader, start: number, cap: number): number {
  if (cfg.cfgSize <= PCI_CFG_SPACE_SIZE) return 0;
  let pos = start || PCI_CFG_SPACE_SIZE;
  let header = read(cfg, pos, 4);
  // No capabilities: ID, version and next pointer all zero.
  if (header === undefined || header === 0) return 0;
  for (let ttl = EXT_CAP_TTL; ttl > 0; ttl--) {
    if (PCI_EXT_CAP_ID(header) === cap && pos !== start) return pos;
    pos = PCI_EXT_CAP_NEXT(header);
    if (pos < PCI_CFG_SPACE_SIZE) break;
    header = read(cfg, pos, 4);
    if (header === undefined) break;
  }
  return 0;
}

/**
 * Finds an extended capability in a config image or a function's registers, with
 * pci_find_ext_capability()'s walk; the run-time lookup through the accessors is
 * `pciFindExtCapability`.
 * @param cap a `PCI_EXT_CAP_ID_*`
 * @returns its config offset, or 0 when absent (or when config space is 256 bytes)
 */
export function findExtCapability(cfg: ConfigReader, cap: number): number {
  return findNextExtCapability(cfg, 0, cap);
}

/**
 * Lists the extended capability chain from 0x100, ID-0 placeholders included (their next
 * pointer is followed), stopping at next 0, a pointer below 0x100, an all-ones header, the
 * kernel's hop limit, or the first offset seen twice.
 */
export function listExtCapabilities(cfg: ConfigReader): CapabilityWalk<ExtCapabilityEntry> {
  const entries: ExtCapabilityEntry[] = [];
  if (cfg.cfgSize <= PCI_CFG_SPACE_SIZE) return { entries, end: 'end' };
  const seen = new Set<number>();
  let pos = PCI_CFG_SPACE_SIZE;
  for (let ttl = EXT_CAP_TTL; ttl > 0; ttl--) {
    const header = read(cfg, pos, 4);
    if (header === undefined || header === 0xffffffff) return { entries, end: 'invalid' };
    if (header === 0 && pos === PCI_CFG_SPACE_SIZE) return { entries, end: 'end' };
    seen.add(pos);
    const id = PCI_EXT_CAP_ID(header);
    const next = PCI_EXT_CAP_NEXT(header);
    entries.push({ id, version: PCI_EXT_CAP_VER(header), offset: pos, next, hidden: id === 0 });
    if (next === 0) return { entries, end: 'end' };
    if (next < PCI_CFG_SPACE_SIZE) return { entries, end: 'invalid' };
    if (seen.has(next)) return { entries, end: 'loop' };
    pos = next;
  }
  return { entries, end: 'ttl' };
}
