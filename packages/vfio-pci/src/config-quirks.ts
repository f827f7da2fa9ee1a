// Config-space quirks of a variant driver (the plug-in API's extra virtualised bits): the bits
// a variant replaces, applied to every config read of the user.
import type { VfioPciCoreDevice } from './internal.js';

/** A variant's quirks as replaced bits per config byte, built at config init (open). */
export function vfioInitConfigQuirks(vdev: VfioPciCoreDevice, size: number): void {
  const quirks = vdev.variant?.configQuirks?.(vdev) ?? [];
  if (!quirks.length) return;
  const mask = (vdev.quirkMask = new Uint8Array(size));
  const value = (vdev.quirkValue = new Uint8Array(size));
  for (const q of quirks) {
    if (
      (q.width !== 1 && q.width !== 2 && q.width !== 4) ||
      !Number.isInteger(q.offset) ||
      q.offset < 0 ||
      q.offset % q.width ||
      q.offset + q.width > size
    ) {
      vdev.kernel.defect('warn', `vfio-pci ${vdev.pdev.bdf}: config quirk at ${q.offset} ignored`);
      continue;
    }
    for (let i = 0; i < q.width; i++) {
      const m = (q.mask >>> (8 * i)) & 0xff;
      mask[q.offset + i]! |= m;
      value[q.offset + i] = (value[q.offset + i]! & ~m) | ((q.value >>> (8 * i)) & m);
    }
  }
}

/** Replaces the quirked bits of the bytes read at `pos`. */
export function vfioApplyConfigQuirks(vdev: VfioPciCoreDevice, out: Uint8Array, pos: number): void {
  const mask = vdev.quirkMask!;
  const value = vdev.quirkValue!;
  for (let i = 0; i < out.length; i++) {
    const m = mask[pos + i]!;
    if (m) out[i] = (out[i]! & ~m) | value[pos + i]!;
  }
}
