// PCI addresses as dev_name() prints them: dddd:bb:dd.f.

/** A parsed PCI address. */
export interface Bdf {
  readonly domain: number;
  readonly bus: number;
  /** (device << 3) | function. */
  readonly devfn: number;
}

const BDF = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i;

/**
 * Parses `0000:01:00.0`.
 * @returns the address, or null when malformed (device > 31 included)
 */
export function parseBdf(text: string): Bdf | null {
  const m = BDF.exec(text);
  if (!m) return null;
  const dev = parseInt(m[3]!, 16);
  if (dev > 31) return null;
  return {
    domain: parseInt(m[1]!, 16),
    bus: parseInt(m[2]!, 16),
    devfn: (dev << 3) | Number(m[4]),
  };
}

/** PCI_SLOT(devfn). */
export function pciSlotOf(devfn: number): number {
  return devfn >> 3;
}
