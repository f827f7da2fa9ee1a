// m.guest() options: which assigned devices the VM gets, its virtual ACPI, its runtime PM.

/** Which guest driver runs a device. */
export type GuestDriverName = 'generic' | 'nvidia';

/** A device given to the VM. */
export interface GuestDeviceSpec {
  /** The host function, e.g. `0000:01:00.0` (bound to vfio-pci). */
  bdf: string;
  /** The guest driver. @default `nvidia` for vendor 0x10de, else `generic` */
  driver?: GuestDriverName;
}

/** The virtual ACPI the VMM exposes to its guest. */
export interface GuestAcpiOptions {
  /**
   * A virtual power resource (`_PR3`) on each virtual root port, or on those named (root
   * port name or bdf): its `_OFF` asks the host for low power, its `_ON` ends it. Without
   * one, a guest suspend stops at D3hot written to PMCSR. @default false
   */
  pr3?: boolean | string[];
  /**
   * `_OFF` maps to `LOW_POWER_ENTRY_WITH_WAKEUP` and a host wake raises a virtual PME in the
   * guest; `false` maps it to plain `LOW_POWER_ENTRY` (no notification). @default true
   */
  wakeup?: boolean;
}

/** Everything m.guest() takes. */
export interface GuestOptions {
  /** Devices of the VM (bdf or spec). @default every function bound to vfio-pci */
  devices?: (string | GuestDeviceSpec)[];
  acpi?: GuestAcpiOptions;
  /** The guest's runtime PM autosuspend delay once a device is idle, ms. @default 100 */
  autosuspendMs?: number;
  /**
   * NVIDIA devices: the video-memory threshold the VMM sets through the vendor feature
   * (bytes); above it an idle GPU keeps video memory in self-refresh. @default the variant's
   */
  nvidiaThresholdBytes?: number;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const isMs = (x: unknown): boolean =>
  typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 3.6e6;

/** @returns the problems of a set of guest options, each naming the field; empty when fine */
export function checkGuestOptions(o: unknown): string[] {
  if (o === undefined) return [];
  if (!isObj(o)) return ['guest options: an object'];
  const problems: string[] = [];
  if (o.devices !== undefined && !Array.isArray(o.devices))
    problems.push('devices: a list of bdfs or { bdf, driver }');
  const seen = new Set<string>();
  (Array.isArray(o.devices) ? (o.devices as unknown[]) : []).forEach((d, i) => {
    const bdf = typeof d === 'string' ? d : isObj(d) ? d.bdf : undefined;
    if (typeof bdf !== 'string') problems.push(`devices[${i}]: a bdf or { bdf, driver }`);
    else if (seen.has(bdf)) problems.push(`devices[${i}]: ${bdf} given twice`);
    else seen.add(bdf);
    const driver = isObj(d) ? d.driver : undefined;
    if (driver !== undefined && driver !== 'generic' && driver !== 'nvidia')
      problems.push(`devices[${i}].driver: "generic" or "nvidia"`);
  });
  if (o.acpi !== undefined) {
    if (!isObj(o.acpi)) problems.push('acpi: an object { pr3, wakeup }');
    else {
      const pr3 = o.acpi.pr3;
      if (
        pr3 !== undefined &&
        typeof pr3 !== 'boolean' &&
        !(Array.isArray(pr3) && pr3.every((p) => typeof p === 'string'))
      )
        problems.push('acpi.pr3: true, false or a list of root ports');
      if (o.acpi.wakeup !== undefined && typeof o.acpi.wakeup !== 'boolean')
        problems.push('acpi.wakeup: true or false');
    }
  }
  if (o.autosuspendMs !== undefined && !isMs(o.autosuspendMs))
    problems.push('autosuspendMs: a number of ms from 0 to 3600000');
  const t = o.nvidiaThresholdBytes;
  if (t !== undefined && !(Number.isSafeInteger(t) && (t as number) >= 0))
    problems.push('nvidiaThresholdBytes: a whole number of bytes');
  return problems;
}

/** m.guest() was given options it cannot start a VM with. */
export class GuestOptionsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`guest: ${problems.join('; ')}`);
    this.name = 'GuestOptionsError';
  }
}
