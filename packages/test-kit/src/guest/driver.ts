// Guest drivers: what a guest OS driver does around runtime PM of its device. The generic one
// does nothing special; a GPU driver saves video memory (guest/nvidia-driver.ts).

/** What a guest driver can do to its device (through the VMM's device fd). */
export interface GuestDeviceIo {
  readonly bdf: string;
  /** MMIO read of `length` bytes of BAR `bar` at `offset`: the bytes, or -errno. */
  read(bar: number, offset: number, length: number): Promise<Uint8Array | number>;
  /** MMIO write: bytes written or -errno. */
  write(bar: number, offset: number, data: Uint8Array): Promise<number>;
  /** A VFIO_DEVICE_FEATURE call made for the guest by the VMM (a virtual firmware method). */
  feature(buf: Uint8Array): Promise<number>;
  /** Adds a line to the guest log. */
  log(text: string): void;
}

/** A guest driver's runtime PM callbacks. */
export interface GuestDriver {
  readonly name: string;
  /** At guest boot, the device in D0. */
  probe?(io: GuestDeviceIo): Promise<void>;
  /** Before the guest writes D3hot to PMCSR (the driver's runtime_suspend). */
  suspend?(io: GuestDeviceIo): Promise<void>;
  /** After the guest wrote D0 to PMCSR (the driver's runtime_resume). */
  resume?(io: GuestDeviceIo): Promise<void>;
  /** The workload writes `bytes` of device memory (a GPU's video memory): 0 or -errno. */
  allocate?(io: GuestDeviceIo, bytes: number): Promise<number>;
}

/** A driver with nothing to save: its device can lose power at any time it is suspended. */
export function genericDriver(): GuestDriver {
  return { name: 'generic' };
}
