// A guest device's window on its hardware: MMIO and config accesses forwarded by the VMM.
import type { GuestDeviceIo } from './driver.js';
import type { Vmm, VmmDevice } from './vmm.js';

/** A device's accesses as its guest driver makes them: through the VMM's device fd. */
export function deviceIo(vmm: Vmm, v: VmmDevice, log: (text: string) => void): GuestDeviceIo {
  return {
    bdf: v.bdf,
    read: async (bar, offset, length) => {
      const b = new Uint8Array(length);
      const n = await vmm.mmio(v, bar, offset, b, false);
      return n < 0 ? n : b.subarray(0, n);
    },
    write: (bar, offset, data) => vmm.mmio(v, bar, offset, data, true),
    feature: (buf) => vmm.feature(v, buf),
    log,
  };
}

// The guest's capability walk (pci_find_capability) through the config region.
/** @returns the PM capability's offset (0 when there is none or config reads fail) */
export async function findPmCap(vmm: Vmm, v: VmmDevice): Promise<number> {
  let at = await vmm.configRead(v, 0x34, 1);
  for (let n = 0; n < 48 && at >= 0x40; n++) {
    const hdr = await vmm.configRead(v, at & 0xfc, 2);
    if (hdr < 0) return 0;
    if ((hdr & 0xff) === 0x01) return at & 0xfc;
    at = hdr >> 8;
  }
  return 0;
}
