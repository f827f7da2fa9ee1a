// QEMU 7.2's e1000e (Intel 82574L, 8086:10d3), from the conformance recording's boot dump and
// hw/net/e1000e.c (e1000e_pci_realize, e1000e_add_pm_capability).
import { PCI_EXT_CAP_ID_DSN, PCI_EXT_CAP_ID_ERR } from '../regs/caps.js';
import { PCI_COMMAND } from '../regs/header.js';
import { PCI_MSIX_FLAGS } from '../regs/msi.js';
import {
  PCI_PM_CTRL,
  PCI_PM_CTRL_DATA_SEL_MASK,
  PCI_PM_CTRL_PME_ENABLE,
  PCI_PM_CTRL_PME_STATUS,
} from '../regs/pm.js';
import { loaded } from '../loaders/result.js';
import { bytesFromHex, extendedImage, putExtCapHeader, type PciFunctionModel } from './model.js';

/**
 * `source.configAtBoot.device` of conformance/linux-6.1.192-e1000e.json: 256 bytes read through
 * sysfs at boot, native e1000e driver bound.
 */
export const E1000E_CONFIG_AT_BOOT = bytesFromHex(
  '8680d310070510000000000200000000000060fe000062fe01c00000000064fe' +
    '0000000000000000000000008680000000000000c8000000000000000a010000' +
    '0000000000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000000000000000000000000000000000000' +
    '1100048003000000032000000000000000000000000000000000000000000000' +
    '000000000000000001d022000000000005e08000000000000000000000000000' +
    '10a0010000800000000000001104000000001100000000000000000000000000',
);

/** Offset of the PM capability. */
export const E1000E_PM_CAP = 0xc8;
const MSIX_CAP = 0xa0;
const AER_CAP = 0x100;
const DSN_CAP = 0x140;
/** Command after the native driver was unbound: I/O, Memory, SERR# (FORMAT.md section 7). */
const COMMAND_UNBOUND = 0x0103;
/** QEMU's default first MAC 52:54:00:12:34:56 through e1000e_gen_dsn(). */
const DSN = [0x56, 0x34, 0x12, 0xff, 0xff, 0x00, 0x54, 0x52];

function image(): Uint8Array {
  const img = extendedImage(E1000E_CONFIG_AT_BOOT);
  const view = new DataView(img.buffer);
  // The machine starts where the native driver's unbind left it: Bus Master, INTx Disable and
  // MSI-X Enable cleared again.
  view.setUint16(PCI_COMMAND, COMMAND_UNBOUND, true);
  view.setUint16(
    MSIX_CAP + PCI_MSIX_FLAGS,
    view.getUint16(MSIX_CAP + PCI_MSIX_FLAGS, true) & 0x07ff,
    true,
  );
  // Extended space is not in the 256-byte dump; reconstructed from e1000e_pci_realize().
  putExtCapHeader(img, AER_CAP, PCI_EXT_CAP_ID_ERR, 2, DSN_CAP);
  putExtCapHeader(img, DSN_CAP, PCI_EXT_CAP_ID_DSN, 1, 0);
  img.set(DSN, DSN_CAP + 4);
  return img;
}

/** MSI-X table of 5 vectors at BAR3 offset 0, every vector masked after reset. */
const MSIX_TABLE_INIT = Array.from({ length: 5 }, (_, i) => ({
  offset: 16 * i + 12,
  bytes: [1, 0, 0, 0],
}));

/**
 * Intel 82574L as QEMU 7.2 models it: PM at 0xc8 (PMC 0x0022, PMCSR 0x0000) → MSI 0xd0 →
 * PCIe 0xe0 → MSI-X 0xa0; BAR0 128 KiB MMIO whose CTRL register (offset 0) reads 0x18140245,
 * BAR1 128 KiB flash, BAR2 32-byte I/O, BAR3 16 KiB MSI-X; INTx pin A.
 */
export const e1000eModel: PciFunctionModel = {
  name: 'e1000e',
  vendorDevice: '8086:10d3',
  description: 'Intel 82574L (QEMU 7.2 e1000e), from the Linux 6.1.192 conformance boot dump',
  image: () => loaded(image()),
  options: {
    bars: [
      { index: 0, size: 0x20000, init: [{ offset: 0, bytes: [0x45, 0x02, 0x14, 0x18] }] },
      { index: 1, size: 0x20000 },
      { index: 2, size: 32 },
      { index: 3, size: 0x4000, init: MSIX_TABLE_INIT },
    ],
    // QEMU's wmask/w1cmask for PMCSR (PowerState itself is the state machine's).
    masks: [
      {
        offset: E1000E_PM_CAP + PCI_PM_CTRL,
        width: 2,
        rw: PCI_PM_CTRL_PME_ENABLE | PCI_PM_CTRL_DATA_SEL_MASK,
        w1c: PCI_PM_CTRL_PME_STATUS,
      },
    ],
  },
};
