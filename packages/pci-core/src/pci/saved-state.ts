// Opaque copies of a device's saved state (pci_store_saved_state, pci_load_saved_state,
// pci_load_and_free_saved_state; KERNEL.md B.5.3, B.5.4), each a tracked allocation.
import { EINVAL } from '@vfio-ts/kernel';
import type { KmemAllocation, KmemPtr, KmemRegistry, KmemTracked } from './kmem.js';
import type { PciCapSavedState, PciDev } from './pci-dev.js';
import { pciFindSavedCap } from './save-restore.js';

/** sizeof(struct pci_cap_saved_data) without its data. */
const CAP_SAVED_DATA_HEADER = 8;

/** struct pci_saved_state: the header dwords and one record per capability buffer. */
export class PciSavedState implements KmemTracked {
  /** The tracked allocation (id, owner, when, where). */
  readonly alloc: KmemAllocation;
  readonly configSpace: Uint32Array;
  /** Capability records, in the device's buffer order. */
  readonly caps: readonly PciCapSavedState[];

  /** @internal use {@link pciStoreSavedState} */
  constructor(
    readonly registry: KmemRegistry,
    owner: string,
    configSpace: Uint32Array,
    caps: readonly PciCapSavedState[],
    caller: string,
  ) {
    this.configSpace = new Uint32Array(configSpace);
    const copies: PciCapSavedState[] = [];
    let size = 64 + CAP_SAVED_DATA_HEADER;
    for (const c of caps) {
      copies.push({ ...c, data: new Uint8Array(c.data) });
      size += CAP_SAVED_DATA_HEADER + c.data.length;
    }
    this.caps = copies;
    this.alloc = registry.track('pci_saved_state', owner, size, ['pci_store_saved_state', caller]);
  }
}

/**
 * Mirrors pci_store_saved_state(): a new tracked copy of the saved state.
 * @param caller a note for leak reports (who asked), e.g. `vfio_pci_set_power_state`
 * @returns the copy, or null when no state is saved
 */
export function pciStoreSavedState(dev: PciDev, caller = '?'): PciSavedState | null {
  if (!dev.stateSaved) return null;
  return new PciSavedState(dev.ctx.kmem, dev.bdf, dev.savedConfigSpace, dev.savedCapSpace, caller);
}

/**
 * Mirrors pci_load_saved_state(): `state_saved` is cleared first; null loads nothing.
 * @returns 0, or -EINVAL when a record has no matching buffer or another size
 */
export function pciLoadSavedState(dev: PciDev, state: PciSavedState | null): number {
  dev.stateSaved = false;
  if (!state) return 0;
  state.registry.checkUse(state, 'pci_load_saved_state');
  dev.savedConfigSpace.set(state.configSpace);
  for (const cap of state.caps) {
    const tmp = pciFindSavedCap(dev, cap.capNr, cap.extended);
    if (!tmp || tmp.data.length !== cap.data.length) return -EINVAL;
    tmp.data.set(cap.data);
  }
  dev.stateSaved = true;
  return 0;
}

/** kfree() of a saved state; null is ignored, a double free is reported as a defect. */
export function pciFreeSavedState(state: PciSavedState | null): void {
  state?.registry.kfree(state);
}

/**
 * Mirrors pci_load_and_free_saved_state(dev, &ptr): load, then free and clear the pointer
 * whatever the result.
 * @returns the load result
 */
export function pciLoadAndFreeSavedState(dev: PciDev, ptr: KmemPtr<PciSavedState>): number {
  const state = ptr.get();
  const ret = pciLoadSavedState(dev, state);
  ptr.take();
  pciFreeSavedState(state);
  return ret;
}
