// Per-bit write behaviour of config registers (read-only unless listed), in the style of QEMU's
// wmask/w1cmask; bit meanings from include/uapi/linux/pci_regs.h and the PCI/PCIe specs.
import type { AccessWidth } from '../config/access.js';
import { listCapabilities } from '../config/capabilities.js';
import type { ConfigSpace } from '../config/config-space.js';
import { PCI_CAP_ID_EXP, PCI_CAP_ID_MSI, PCI_CAP_ID_MSIX, PCI_CAP_ID_PM } from '../regs/caps.js';
import * as X from '../regs/exp.js';
import * as H from '../regs/header.js';
import * as M from '../regs/msi.js';
import {
  PCI_PM_CAP_PME_MASK,
  PCI_PM_CTRL,
  PCI_PM_CTRL_PME_ENABLE,
  PCI_PM_CTRL_PME_STATUS,
  PCI_PM_PMC,
} from '../regs/pm.js';
import { barOffset, barWriteMasks, type BarInfo } from './bar-layout.js';
import type { ConfigPatch, MaskOverride } from './types.js';

/** Write masks of a config space: bits not set in either are read-only. */
export interface RegisterMasks {
  /** Read-write bits, per byte. */
  readonly rw: Uint8Array;
  /** Write-1-to-clear bits, per byte. */
  readonly w1c: Uint8Array;
}

/** Writes the low `width` bytes of `value` into `bytes` at `offset`, little endian. */
export function putLe(bytes: Uint8Array, offset: number, width: AccessWidth, value: number): void {
  for (let i = 0; i < width; i++) bytes[offset + i] = (value >>> (8 * i)) & 0xff;
}

const COMMAND_RW =
  H.PCI_COMMAND_IO |
  H.PCI_COMMAND_MEMORY |
  H.PCI_COMMAND_MASTER |
  H.PCI_COMMAND_PARITY |
  H.PCI_COMMAND_SERR |
  H.PCI_COMMAND_INTX_DISABLE;
const STATUS_W1C =
  H.PCI_STATUS_PARITY |
  H.PCI_STATUS_SIG_TARGET_ABORT |
  H.PCI_STATUS_REC_TARGET_ABORT |
  H.PCI_STATUS_REC_MASTER_ABORT |
  H.PCI_STATUS_SIG_SYSTEM_ERROR |
  H.PCI_STATUS_DETECTED_PARITY;

/**
 * The default masks of a function: header registers by header type, BARs from their sizes,
 * and the writable registers of the PM, MSI, MSI-X and PCI Express capabilities. Extended
 * capabilities are read-only unless a model overrides them.
 */
export function defaultMasks(cfg: ConfigSpace, bars: readonly BarInfo[]): RegisterMasks {
  const m = { rw: new Uint8Array(cfg.cfgSize), w1c: new Uint8Array(cfg.cfgSize) };
  const rw = (o: number, w: AccessWidth, v: number): void => putLe(m.rw, o, w, v);
  const w1c = (o: number, w: AccessWidth, v: number): void => putLe(m.w1c, o, w, v);
  const caps = listCapabilities(cfg).entries;
  const isExpress = caps.some((c) => c.id === PCI_CAP_ID_EXP);
  const bridge =
    (cfg.readU8(H.PCI_HEADER_TYPE) & H.PCI_HEADER_TYPE_MASK) === H.PCI_HEADER_TYPE_BRIDGE;

  rw(H.PCI_COMMAND, 2, COMMAND_RW);
  w1c(H.PCI_STATUS, 2, STATUS_W1C);
  rw(H.PCI_CACHE_LINE_SIZE, 1, 0xff);
  if (!isExpress) rw(H.PCI_LATENCY_TIMER, 1, 0xff);
  rw(H.PCI_INTERRUPT_LINE, 1, 0xff);
  for (const bar of bars) {
    const [low, high] = barWriteMasks(bar.kind, bar.size);
    rw(barOffset(bar.index), 4, low);
    if (bar.kind === 'mem64') rw(barOffset(bar.index) + 4, 4, high);
  }
  if (bridge) {
    rw(H.PCI_PRIMARY_BUS, 4, 0xffffffff); // primary, secondary, subordinate, sec. latency
    rw(H.PCI_IO_BASE, 2, 0xf0f0);
    w1c(H.PCI_SEC_STATUS, 2, STATUS_W1C);
    rw(H.PCI_MEMORY_BASE, 4, 0xfff0fff0);
    rw(H.PCI_PREF_MEMORY_BASE, 4, 0xfff0fff0);
    rw(H.PCI_PREF_BASE_UPPER32, 4, 0xffffffff);
    rw(H.PCI_PREF_LIMIT_UPPER32, 4, 0xffffffff);
    rw(H.PCI_IO_BASE_UPPER16, 4, 0xffffffff);
    rw(H.PCI_BRIDGE_CONTROL, 2, 0x0bff);
    w1c(H.PCI_BRIDGE_CONTROL, 2, 0x0400);
  }
  for (const { id, offset: pos } of caps) {
    if (id === PCI_CAP_ID_PM) {
      // PME_En and PME_Status exist only with PME_Support (PCI PM 1.2, 3.2.4); PowerState is
      // driven by the state machine, never written through the mask.
      if (cfg.readU16(pos + PCI_PM_PMC) & PCI_PM_CAP_PME_MASK) {
        rw(pos + PCI_PM_CTRL, 2, PCI_PM_CTRL_PME_ENABLE);
        w1c(pos + PCI_PM_CTRL, 2, PCI_PM_CTRL_PME_STATUS);
      }
    } else if (id === PCI_CAP_ID_MSI) {
      const flags = cfg.readU16(pos + M.PCI_MSI_FLAGS);
      const is64 = (flags & M.PCI_MSI_FLAGS_64BIT) !== 0;
      rw(pos + M.PCI_MSI_FLAGS, 2, M.PCI_MSI_FLAGS_ENABLE | M.PCI_MSI_FLAGS_QSIZE);
      rw(pos + M.PCI_MSI_ADDRESS_LO, 4, 0xfffffffc);
      if (is64) rw(pos + M.PCI_MSI_ADDRESS_HI, 4, 0xffffffff);
      rw(pos + (is64 ? M.PCI_MSI_DATA_64 : M.PCI_MSI_DATA_32), 2, 0xffff);
      if (flags & M.PCI_MSI_FLAGS_MASKBIT)
        rw(pos + (is64 ? M.PCI_MSI_MASK_64 : M.PCI_MSI_MASK_32), 4, 0xffffffff);
    } else if (id === PCI_CAP_ID_MSIX) {
      rw(pos + M.PCI_MSIX_FLAGS, 2, M.PCI_MSIX_FLAGS_ENABLE | M.PCI_MSIX_FLAGS_MASKALL);
    } else if (id === PCI_CAP_ID_EXP) {
      expressMasks(cfg, pos, bridge, rw, w1c);
    }
  }
  return m;
}

type Setter = (offset: number, width: AccessWidth, value: number) => void;

function expressMasks(
  cfg: ConfigSpace,
  pos: number,
  bridge: boolean,
  rw: Setter,
  w1c: Setter,
): void {
  const flags = cfg.readU16(pos + X.PCI_EXP_FLAGS);
  const type = (flags & X.PCI_EXP_FLAGS_TYPE) >> 4;
  // Bit 15 is Initiate FLR on endpoints (an action, reads 0), Bridge Config Retry on bridges.
  rw(pos + X.PCI_EXP_DEVCTL, 2, bridge ? 0xffff : 0x7fff);
  w1c(pos + X.PCI_EXP_DEVSTA, 2, 0x000f);
  rw(pos + X.PCI_EXP_LNKCTL, 2, 0x0fdb);
  w1c(pos + X.PCI_EXP_LNKSTA, 2, 0xc000);
  if (flags & X.PCI_EXP_FLAGS_SLOT) {
    rw(pos + X.PCI_EXP_SLTCTL, 2, 0x1fff);
    w1c(pos + X.PCI_EXP_SLTSTA, 2, 0x011f);
  }
  if (type === X.PCI_EXP_TYPE_ROOT_PORT || type === X.PCI_EXP_TYPE_RC_EC) {
    rw(pos + X.PCI_EXP_RTCTL, 2, 0x001f);
    w1c(pos + X.PCI_EXP_RTSTA, 4, X.PCI_EXP_RTSTA_PME);
  }
  if ((flags & X.PCI_EXP_FLAGS_VERS) >= 2) {
    rw(pos + X.PCI_EXP_DEVCTL2, 2, 0xffff);
    rw(pos + X.PCI_EXP_LNKCTL2, 2, 0xffff);
  }
}

/** Replaces the masks of the bytes each override covers. */
export function applyMaskOverrides(m: RegisterMasks, overrides: readonly MaskOverride[]): void {
  for (const o of overrides) {
    putLe(m.rw, o.offset, o.width, o.rw ?? 0);
    putLe(m.w1c, o.offset, o.width, o.w1c ?? 0);
  }
}

/**
 * Register values after a reset: the boot image with every writable bit cleared, Interrupt
 * Status clear, PowerState D0, then the model's patches.
 */
export function deriveResetImage(
  boot: Uint8Array,
  m: RegisterMasks,
  pmCap: number,
  patches: readonly ConfigPatch[],
): Uint8Array {
  const reset = new Uint8Array(boot.length);
  const { rw, w1c } = m;
  for (let i = 0; i < boot.length; i++) reset[i] = boot[i]! & ~(rw[i]! | w1c[i]!);
  reset[H.PCI_STATUS] = reset[H.PCI_STATUS]! & ~H.PCI_STATUS_INTERRUPT;
  if (pmCap) reset[pmCap + PCI_PM_CTRL] = reset[pmCap + PCI_PM_CTRL]! & ~0x03;
  for (const p of patches) putLe(reset, p.offset, p.width, p.value);
  return reset;
}
