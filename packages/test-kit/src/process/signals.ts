// Signals a mapping access can raise, thrown where Linux would deliver them.

/** SIGBUS: the driver's fault handler refused the page (e.g. vfio-pci in low power). */
export class SigBus extends Error {
  constructor(
    /** Offset of the access within the mapping. */
    readonly offset: number,
  ) {
    super(`SIGBUS: access at offset 0x${offset.toString(16)} of the mapping`);
    this.name = 'SigBus';
  }
}

/** SIGSEGV: an access outside the mapping, or to a mapping already unmapped. */
export class SigSegv extends Error {
  constructor(
    readonly offset: number,
    reason: string,
  ) {
    super(`SIGSEGV: access at offset 0x${offset.toString(16)}: ${reason}`);
    this.name = 'SigSegv';
  }
}
