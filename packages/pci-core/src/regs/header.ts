// Configuration header registers and bits, named as in include/uapi/linux/pci_regs.h.

/** Size of conventional PCI config space. */
export const PCI_CFG_SPACE_SIZE = 256;
/** Size of PCI Express (extended) config space. */
export const PCI_CFG_SPACE_EXP_SIZE = 4096;
/** Size of the standard header common to all header types. */
export const PCI_STD_HEADER_SIZEOF = 64;
/** Number of BAR slots in a type-0 header. */
export const PCI_STD_NUM_BARS = 6;

/** Vendor ID (16 bit). */
export const PCI_VENDOR_ID = 0x00;
/** Device ID (16 bit). */
export const PCI_DEVICE_ID = 0x02;

/** Command register (16 bit). */
export const PCI_COMMAND = 0x04;
/** Enable response in I/O space. */
export const PCI_COMMAND_IO = 0x1;
/** Enable response in Memory space. */
export const PCI_COMMAND_MEMORY = 0x2;
/** Enable bus mastering. */
export const PCI_COMMAND_MASTER = 0x4;
/** Enable response to special cycles. */
export const PCI_COMMAND_SPECIAL = 0x8;
/** Use memory write and invalidate. */
export const PCI_COMMAND_INVALIDATE = 0x10;
/** Enable palette snooping. */
export const PCI_COMMAND_VGA_PALETTE = 0x20;
/** Enable parity checking. */
export const PCI_COMMAND_PARITY = 0x40;
/** Enable address/data stepping. */
export const PCI_COMMAND_WAIT = 0x80;
/** Enable SERR#. */
export const PCI_COMMAND_SERR = 0x100;
/** Enable back-to-back writes. */
export const PCI_COMMAND_FAST_BACK = 0x200;
/** INTx Emulation Disable. */
export const PCI_COMMAND_INTX_DISABLE = 0x400;

/** Status register (16 bit). */
export const PCI_STATUS = 0x06;
/** Immediate Readiness. */
export const PCI_STATUS_IMM_READY = 0x01;
/** Interrupt status: an INTx is pending in the function. */
export const PCI_STATUS_INTERRUPT = 0x08;
/** Capabilities List present (pointer at 0x34). */
export const PCI_STATUS_CAP_LIST = 0x10;
/** Support 66 MHz PCI 2.1 bus. */
export const PCI_STATUS_66MHZ = 0x20;
/** Support User Definable Features (obsolete). */
export const PCI_STATUS_UDF = 0x40;
/** Accept fast-back-to-back. */
export const PCI_STATUS_FAST_BACK = 0x80;
/** Detected parity error (master data parity). */
export const PCI_STATUS_PARITY = 0x100;
/** DEVSEL timing. */
export const PCI_STATUS_DEVSEL_MASK = 0x600;
/** Set on target abort. */
export const PCI_STATUS_SIG_TARGET_ABORT = 0x800;
/** Master ack of target abort. */
export const PCI_STATUS_REC_TARGET_ABORT = 0x1000;
/** Set on master abort. */
export const PCI_STATUS_REC_MASTER_ABORT = 0x2000;
/** Set when we drive SERR#. */
export const PCI_STATUS_SIG_SYSTEM_ERROR = 0x4000;
/** Set on parity error. */
export const PCI_STATUS_DETECTED_PARITY = 0x8000;

/** Revision ID (8 bit) and class code (24 bit) dword. */
export const PCI_CLASS_REVISION = 0x08;
/** Revision ID (8 bit). */
export const PCI_REVISION_ID = 0x08;
/** Programming interface (8 bit). */
export const PCI_CLASS_PROG = 0x09;
/** Base and sub class (16 bit). */
export const PCI_CLASS_DEVICE = 0x0a;
/** Cache line size, in dwords (8 bit). */
export const PCI_CACHE_LINE_SIZE = 0x0c;
/** Latency timer (8 bit). */
export const PCI_LATENCY_TIMER = 0x0d;
/** Header type (8 bit); bit 7 = multi-function. */
export const PCI_HEADER_TYPE = 0x0e;
/** Header layout field of the header type. */
export const PCI_HEADER_TYPE_MASK = 0x7f;
/** Type-0 header (endpoint). */
export const PCI_HEADER_TYPE_NORMAL = 0;
/** Type-1 header (PCI-to-PCI bridge). */
export const PCI_HEADER_TYPE_BRIDGE = 1;
/** Type-2 header (CardBus bridge). */
export const PCI_HEADER_TYPE_CARDBUS = 2;
/** Built-in self test (8 bit). */
export const PCI_BIST = 0x0f;

/** BAR 0 (32 bit). */
export const PCI_BASE_ADDRESS_0 = 0x10;
/** BAR 1 (32 bit). */
export const PCI_BASE_ADDRESS_1 = 0x14;
/** BAR 2 (32 bit). */
export const PCI_BASE_ADDRESS_2 = 0x18;
/** BAR 3 (32 bit). */
export const PCI_BASE_ADDRESS_3 = 0x1c;
/** BAR 4 (32 bit). */
export const PCI_BASE_ADDRESS_4 = 0x20;
/** BAR 5 (32 bit). */
export const PCI_BASE_ADDRESS_5 = 0x24;
/** BAR space bit: 0 = memory, 1 = I/O. */
export const PCI_BASE_ADDRESS_SPACE = 0x01;
/** BAR space: I/O. */
export const PCI_BASE_ADDRESS_SPACE_IO = 0x01;
/** BAR space: memory. */
export const PCI_BASE_ADDRESS_SPACE_MEMORY = 0x00;
/** Memory BAR type field. */
export const PCI_BASE_ADDRESS_MEM_TYPE_MASK = 0x06;
/** Memory BAR type: 32-bit decoder. */
export const PCI_BASE_ADDRESS_MEM_TYPE_32 = 0x00;
/** Memory BAR type: below 1M (obsolete). */
export const PCI_BASE_ADDRESS_MEM_TYPE_1M = 0x02;
/** Memory BAR type: 64-bit decoder (uses the next slot too). */
export const PCI_BASE_ADDRESS_MEM_TYPE_64 = 0x04;
/** Memory BAR prefetchable. */
export const PCI_BASE_ADDRESS_MEM_PREFETCH = 0x08;
/** Address bits of a memory BAR (`~0x0f` as a u32). */
export const PCI_BASE_ADDRESS_MEM_MASK = 0xfffffff0;
/** Address bits of an I/O BAR (`~0x03` as a u32). */
export const PCI_BASE_ADDRESS_IO_MASK = 0xfffffffc;

/** Subsystem vendor ID (16 bit). */
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
/** Subsystem ID (16 bit). */
export const PCI_SUBSYSTEM_ID = 0x2e;
/** Expansion ROM BAR of a type-0 header. */
export const PCI_ROM_ADDRESS = 0x30;
/** Expansion ROM decode enable. */
export const PCI_ROM_ADDRESS_ENABLE = 0x01;
/** Address bits of the expansion ROM BAR. */
export const PCI_ROM_ADDRESS_MASK = 0xfffff800;
/** Offset of the first capability pointer (8 bit). */
export const PCI_CAPABILITY_LIST = 0x34;
/** CardBus capability pointer. */
export const PCI_CB_CAPABILITY_LIST = 0x14;
/** Interrupt line (8 bit, written by firmware). */
export const PCI_INTERRUPT_LINE = 0x3c;
/** Interrupt pin (8 bit): 0 none, 1..4 = INTA..INTD. */
export const PCI_INTERRUPT_PIN = 0x3d;
/** Min grant (8 bit, type 0). */
export const PCI_MIN_GNT = 0x3e;
/** Max latency (8 bit, type 0). */
export const PCI_MAX_LAT = 0x3f;

/** Type 1: primary bus number. */
export const PCI_PRIMARY_BUS = 0x18;
/** Type 1: secondary bus number. */
export const PCI_SECONDARY_BUS = 0x19;
/** Type 1: highest bus number behind the bridge. */
export const PCI_SUBORDINATE_BUS = 0x1a;
/** Type 1: latency timer for the secondary interface. */
export const PCI_SEC_LATENCY_TIMER = 0x1b;
/** Type 1: I/O range base (8 bit). */
export const PCI_IO_BASE = 0x1c;
/** Type 1: I/O range limit (8 bit). */
export const PCI_IO_LIMIT = 0x1d;
/** Type 1: secondary status register (16 bit). */
export const PCI_SEC_STATUS = 0x1e;
/** Type 1: memory range base (16 bit). */
export const PCI_MEMORY_BASE = 0x20;
/** Type 1: memory range limit (16 bit). */
export const PCI_MEMORY_LIMIT = 0x22;
/** Type 1: prefetchable memory range base (16 bit). */
export const PCI_PREF_MEMORY_BASE = 0x24;
/** Type 1: prefetchable memory range limit (16 bit). */
export const PCI_PREF_MEMORY_LIMIT = 0x26;
/** Type 1: upper half of the prefetchable base. */
export const PCI_PREF_BASE_UPPER32 = 0x28;
/** Type 1: upper half of the prefetchable limit. */
export const PCI_PREF_LIMIT_UPPER32 = 0x2c;
/** Type 1: upper half of the I/O base. */
export const PCI_IO_BASE_UPPER16 = 0x30;
/** Type 1: upper half of the I/O limit. */
export const PCI_IO_LIMIT_UPPER16 = 0x32;
/** Type 1: expansion ROM BAR. */
export const PCI_ROM_ADDRESS1 = 0x38;
/** Type 1: bridge control register (16 bit). */
export const PCI_BRIDGE_CONTROL = 0x3e;
/** Bridge control: secondary bus reset. */
export const PCI_BRIDGE_CTL_BUS_RESET = 0x40;
