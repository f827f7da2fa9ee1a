// Synthetic config images for tests.
import {
  PCI_CAPABILITY_LIST,
  PCI_COMMAND,
  PCI_HEADER_TYPE,
  PCI_INTERRUPT_PIN,
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
  createFunctionHw,
  type FunctionHwOptions,
  type PciFunctionHw,
} from '@vfio-ts/pci-core';

/** A capability placed in a synthetic image: its ID, offset and body after the 2-byte header. */
export interface CapSpec {
  id: number;
  offset: number;
  body?: number[];
}

/** Options of a synthetic image. */
export interface ImageSpec {
  size?: 256 | 4096;
  headerType?: number;
  pin?: number;
  command?: number;
  status?: number;
  caps?: CapSpec[];
  /** BAR slot → dword value. */
  bars?: Record<number, number>;
  /** Extra dwords: offset → value. */
  dwords?: Record<number, number>;
}

/** Builds a little-endian config image: vendor 0x1234, device 0x5678, caps chained in order. */
export function makeImage(spec: ImageSpec = {}): Uint8Array<ArrayBuffer> {
  const img = new Uint8Array(spec.size ?? 4096);
  const v = new DataView(img.buffer);
  v.setUint32(0, 0x56781234, true);
  img[PCI_HEADER_TYPE] = spec.headerType ?? 0;
  img[PCI_INTERRUPT_PIN] = spec.pin ?? 1;
  v.setUint16(PCI_COMMAND, spec.command ?? 0, true);
  const caps = spec.caps ?? [];
  v.setUint16(PCI_STATUS, (spec.status ?? 0) | (caps.length ? PCI_STATUS_CAP_LIST : 0), true);
  img[PCI_CAPABILITY_LIST] = caps[0]?.offset ?? 0;
  caps.forEach((c, i) => {
    img[c.offset] = c.id;
    img[c.offset + 1] = caps[i + 1]?.offset ?? 0;
    (c.body ?? []).forEach((b, j) => (img[c.offset + 2 + j] = b));
  });
  for (const [slot, value] of Object.entries(spec.bars ?? {}))
    v.setUint32(0x10 + 4 * Number(slot), value, true);
  for (const [off, value] of Object.entries(spec.dwords ?? {}))
    v.setUint32(Number(off), value, true);
  return img;
}

/** Builds hardware from a synthetic image, failing the test on error. */
export function makeHw(spec: ImageSpec = {}, options: FunctionHwOptions = {}): PciFunctionHw {
  const r = createFunctionHw(makeImage(spec), { name: 'test', ...options });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** Little-endian PM capability body (PMC, PMCSR) after the ID/next bytes. */
export function pmBody(pmc: number, pmcsr: number): number[] {
  return [pmc & 0xff, pmc >> 8, pmcsr & 0xff, pmcsr >> 8, 0, 0];
}

/** Hex of bytes, as FORMAT.md writes values. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bytes of a hex string. */
export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}
