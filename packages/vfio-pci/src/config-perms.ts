// Permission bits of vfio_pci_config.c: per capability, which bits are virtualised (read from
// and written to vconfig) and which the user may write; plus the capability lengths.
import {
  PCI_BASE_ADDRESS_0,
  PCI_BIST,
  PCI_CACHE_LINE_SIZE,
  PCI_CAPABILITY_LIST,
  PCI_CAP_ID_AF,
  PCI_CAP_ID_EXP,
  PCI_CAP_ID_MSI,
  PCI_CAP_ID_MSIX,
  PCI_CAP_ID_PM,
  PCI_CAP_ID_VNDR,
  PCI_CAP_ID_VPD,
  PCI_CAP_LIST_NEXT,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_DEVICE_ID,
  PCI_ERR_CAP,
  PCI_ERR_COR_MASK,
  PCI_ERR_COR_STATUS,
  PCI_ERR_UNCOR_MASK,
  PCI_ERR_UNCOR_SEVER,
  PCI_ERR_UNCOR_STATUS,
  PCI_EXP_DEVCTL,
  PCI_EXP_DEVCTL2,
  PCI_EXP_DEVCTL_BCR_FLR,
  PCI_EXT_CAP_ID_ACS,
  PCI_EXT_CAP_ID_ARI,
  PCI_EXT_CAP_ID_ATS,
  PCI_EXT_CAP_ID_DSN,
  PCI_EXT_CAP_ID_ERR,
  PCI_EXT_CAP_ID_LTR,
  PCI_EXT_CAP_ID_PASID,
  PCI_EXT_CAP_ID_PWR,
  PCI_EXT_CAP_ID_SRIOV,
  PCI_EXT_CAP_ID_VNDR,
  PCI_INTERRUPT_LINE,
  PCI_INTERRUPT_PIN,
  PCI_LATENCY_TIMER,
  PCI_PM_CTRL,
  PCI_PM_DATA_REGISTER,
  PCI_PM_PMC,
  PCI_PM_PPB_EXTENSIONS,
  PCI_PM_SIZEOF,
  PCI_ROM_ADDRESS,
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
  PCI_STD_HEADER_SIZEOF,
  PCI_VENDOR_ID,
  PCI_MSI_FLAGS,
} from '@vfio-ts/pci-core';

/** What a capability's accesses do (struct perm_bits). */
export interface PermBits {
  /** Per byte: bits read from / written to vconfig. */
  readonly virt: Uint8Array;
  /** Per byte: bits the user may write. */
  readonly write: Uint8Array;
  /** How reads work: default (virt/hardware mix), direct (hardware, cap header from vconfig), raw, virt. */
  readonly read: 'default' | 'direct' | 'raw' | 'virt';
  /** How writes work: default, raw, virt, or dropped (null). A capability may add a hook. */
  readonly write_: 'default' | 'raw' | 'virt' | null;
}

const ALL = 0xffffffff;
/** MSI flags: Enable and Multiple Message Enable. */
const PCI_MSI_FLAGS_ENABLE_QSIZE = 0x0071;
/** DevCtl virtualised fields: FLR, Max_Payload_Size, Max_Read_Request_Size. */
const EXP_DEVCTL_VIRT = PCI_EXP_DEVCTL_BCR_FLR | 0x00e0 | 0x7000;
/** DevCtl Phantom Functions Enable: never writable. */
const PCI_EXP_DEVCTL_PHANTOM = 0x0200;
/** DevCtl2 ARI Forwarding: set at probe, never writable. */
const PCI_EXP_DEVCTL2_ARI = 0x0020;
/** AF control FLR bit and status TP bit. */
export const PCI_AF_CTRL = 4;
/** AF control: Initiate FLR. */
export const PCI_AF_CTRL_FLR = 0x01;
const PCI_AF_STATUS = 5;
const PCI_AF_STATUS_TP = 0x01;
/** Uncorrectable / correctable error bits the user may write in AER. */
const ERR_UNCOR_MASK = 0x001ff031;
const ERR_COR_MASK = 0x000031c1;
const ERR_CAP_ECRC = 0x00000140;
/** Power budgeting Data Select register. */
const PCI_PWR_DSR = 4;

class PermBuilder {
  readonly virt: Uint8Array;
  readonly write: Uint8Array;
  // Three spare bytes: a dword access may run past a capability's last byte.
  constructor(size: number) {
    this.virt = new Uint8Array(size + 3);
    this.write = new Uint8Array(size + 3);
  }
  /** p_setb / p_setw / p_setd. */
  set(off: number, width: 1 | 2 | 4, virt: number, write: number): this {
    for (let i = 0; i < width; i++) {
      this.virt[off + i] = (virt >>> (8 * i)) & 0xff;
      this.write[off + i] = (write >>> (8 * i)) & 0xff;
    }
    return this;
  }
  build(read: PermBits['read'] = 'default', w: PermBits['write_'] = 'default'): PermBits {
    return { virt: this.virt, write: this.write, read, write_: w };
  }
}

// Mirrors init_pci_cap_basic_perm().
function basicPerm(): PermBits {
  const p = new PermBuilder(PCI_STD_HEADER_SIZEOF)
    .set(PCI_VENDOR_ID, 2, 0xffff, 0)
    .set(PCI_DEVICE_ID, 2, 0xffff, 0)
    .set(PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE, 0xffff)
    .set(PCI_STATUS, 2, PCI_STATUS_CAP_LIST, 0)
    .set(PCI_CACHE_LINE_SIZE, 1, 0, 0xff)
    .set(PCI_LATENCY_TIMER, 1, 0, 0xff)
    .set(PCI_BIST, 1, 0, 0xff)
    .set(PCI_ROM_ADDRESS, 4, ALL, ALL)
    .set(PCI_CAPABILITY_LIST, 1, 0xff, 0)
    .set(PCI_INTERRUPT_LINE, 1, 0xff, 0xff)
    .set(PCI_INTERRUPT_PIN, 1, 0xff, 0);
  for (let i = 0; i < 6; i++) p.set(PCI_BASE_ADDRESS_0 + 4 * i, 4, ALL, ALL);
  return p.build();
}

// Mirrors init_pci_cap_pm_perm() (D.8.2).
function pmPerm(): PermBits {
  return new PermBuilder(PCI_PM_SIZEOF)
    .set(PCI_CAP_LIST_NEXT, 1, 0xff, 0)
    .set(PCI_PM_PMC, 2, 0xf800, 0)
    .set(PCI_PM_CTRL, 2, 0x8100, 0x7efc)
    .set(PCI_PM_PPB_EXTENSIONS, 1, 0, 0xff)
    .set(PCI_PM_DATA_REGISTER, 1, 0, 0xff)
    .build();
}

// Mirrors init_pci_cap_exp_perm(): FLR, MPS and MRRS virtualised; Phantom and ARI not writable.
function expPerm(): PermBits {
  return new PermBuilder(0x3c)
    .set(PCI_CAP_LIST_NEXT, 1, 0xff, 0)
    .set(PCI_EXP_DEVCTL, 2, EXP_DEVCTL_VIRT, ~PCI_EXP_DEVCTL_PHANTOM & 0xffff)
    .set(PCI_EXP_DEVCTL2, 2, 0, ~PCI_EXP_DEVCTL2_ARI & 0xffff)
    .build();
}

// Mirrors init_pci_cap_af_perm().
function afPerm(): PermBits {
  return new PermBuilder(6)
    .set(PCI_CAP_LIST_NEXT, 1, 0xff, 0)
    .set(PCI_AF_CTRL, 1, PCI_AF_CTRL_FLR, PCI_AF_CTRL_FLR)
    .set(PCI_AF_STATUS, 1, PCI_AF_STATUS_TP, 0)
    .build();
}

/**
 * Mirrors vfio_msi_cap_len() + init_pci_cap_msi_perm(): the whole MSI capability lives in
 * vconfig; Enable/QSIZE, address, data and mask are writable.
 */
export function msiPerm(len: number, is64: boolean, maskbit: boolean): PermBits {
  const p = new PermBuilder(len)
    .set(PCI_CAP_LIST_NEXT, 1, 0xff, 0)
    .set(PCI_MSI_FLAGS, 2, 0xffff, PCI_MSI_FLAGS_ENABLE_QSIZE)
    .set(4, 4, ALL, ALL);
  let off = 8;
  if (is64) {
    p.set(off, 4, ALL, ALL);
    off += 4;
  }
  p.set(off, 2, 0xffff, 0xffff);
  off += 4;
  if (maskbit) p.set(off, 4, ALL, ALL).set(off + 4, 4, ALL, 0);
  return p.build();
}

// The first dword of an extended capability (header with the next pointer) is virtual.
function ecapPerm(size: number, fill?: (p: PermBuilder) => void): PermBits {
  const p = new PermBuilder(size).set(0, 4, ALL, 0);
  fill?.(p);
  return p.build();
}

/** Header and standard capability permissions (cap_perms[]), indexed by capability id. */
export const CAP_PERMS: ReadonlyMap<number, PermBits> = new Map([
  [0, basicPerm()],
  [PCI_CAP_ID_PM, pmPerm()],
  [PCI_CAP_ID_EXP, expPerm()],
  [PCI_CAP_ID_AF, afPerm()],
]);

/** Extended capability permissions (ecap_perms[]), indexed by capability id. */
export const ECAP_PERMS: ReadonlyMap<number, PermBits> = new Map([
  [
    PCI_EXT_CAP_ID_ERR,
    ecapPerm(0x2c, (p) =>
      p
        .set(PCI_ERR_UNCOR_STATUS, 4, 0, ERR_UNCOR_MASK)
        .set(PCI_ERR_UNCOR_MASK, 4, 0, ERR_UNCOR_MASK)
        .set(PCI_ERR_UNCOR_SEVER, 4, 0, ERR_UNCOR_MASK)
        .set(PCI_ERR_COR_STATUS, 4, 0, ERR_COR_MASK)
        .set(PCI_ERR_COR_MASK, 4, 0, ERR_COR_MASK)
        .set(PCI_ERR_CAP, 4, 0, ERR_CAP_ECRC),
    ),
  ],
  [PCI_EXT_CAP_ID_PWR, ecapPerm(16, (p) => p.set(PCI_PWR_DSR, 1, 0, 0xff))],
]);

const EMPTY = new Uint8Array(0);
/** Standard capabilities without a table: hardware reads (header from vconfig), writes dropped. */
export const DIRECT_PERM: PermBits = { virt: EMPTY, write: EMPTY, read: 'direct', write_: null };
/** Vendor-specific capabilities: direct reads, raw writes. */
export const VENDOR_PERM: PermBits = { virt: EMPTY, write: EMPTY, read: 'direct', write_: 'raw' };
/** Bytes outside any capability (unassigned_perms). */
export const UNASSIGNED_PERM: PermBits = { virt: EMPTY, write: EMPTY, read: 'raw', write_: 'raw' };
/** Bytes kept in vconfig only (virt_perms). */
export const VIRT_PERM: PermBits = { virt: EMPTY, write: EMPTY, read: 'virt', write_: 'virt' };

/** The permission bits of a standard capability (MSI's are per device). */
export function capPerm(cap: number, msi: PermBits | null): PermBits {
  if (cap === PCI_CAP_ID_MSI && msi) return msi;
  if (cap === PCI_CAP_ID_VNDR) return VENDOR_PERM;
  return CAP_PERMS.get(cap) ?? DIRECT_PERM;
}

/** The permission bits of an extended capability. */
export function ecapPermOf(ecap: number): PermBits {
  if (ecap === PCI_EXT_CAP_ID_VNDR || ecap === 0x23) return VENDOR_PERM;
  return ECAP_PERMS.get(ecap) ?? DIRECT_PERM;
}

/**
 * Fixed lengths of standard capabilities (pci_cap_length[]): 0 hides the capability, 0xff
 * means "computed" (MSI, PCI Express, vendor-specific).
 */
export const PCI_CAP_LENGTH: ReadonlyMap<number, number> = new Map([
  [PCI_CAP_ID_PM, PCI_PM_SIZEOF],
  [PCI_CAP_ID_VPD, 8],
  [PCI_CAP_ID_MSI, 0xff],
  [PCI_CAP_ID_VNDR, 0xff],
  [PCI_CAP_ID_EXP, 0xff],
  [PCI_CAP_ID_MSIX, 12],
  [PCI_CAP_ID_AF, 6],
]);

/** Fixed lengths of extended capabilities (pci_ext_cap_length[]); missing ones are hidden. */
export const PCI_EXT_CAP_LENGTH: ReadonlyMap<number, number> = new Map([
  [PCI_EXT_CAP_ID_ERR, 0x2c],
  [PCI_EXT_CAP_ID_PWR, 16],
  [PCI_EXT_CAP_ID_DSN, 12],
  [PCI_EXT_CAP_ID_ARI, 8],
  [PCI_EXT_CAP_ID_ATS, 8],
  [PCI_EXT_CAP_ID_SRIOV, 0x40],
  [PCI_EXT_CAP_ID_LTR, 8],
  [PCI_EXT_CAP_ID_PASID, 8],
  [PCI_EXT_CAP_ID_ACS, 8],
  [PCI_EXT_CAP_ID_VNDR, 0xff],
]);
