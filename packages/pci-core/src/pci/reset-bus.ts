// Bus and slot resets (pci_reset_bus, pci_probe_reset_slot/bus and their lock, save and restore
// walks in drivers/pci/pci.c; KERNEL.md B.12.3).
import { EAGAIN, ENOTTY } from '@vfio-ts/kernel';
import type { PciBus, PciSlot } from './bus.js';
import { PCI_DEV_FLAGS_NO_BUS_RESET } from './constants.js';
import type { PciDev } from './pci-dev.js';
import {
  pciBridgeSecondaryBusReset,
  pciDevLock,
  pciDevRestore,
  pciDevSaveAndDisable,
  pciDevTrylock,
  pciDevUnlock,
  pciResetHotplugSlot,
} from './reset.js';

/** The devices of a slot: those on its bus whose slot it is. */
function slotDevices(slot: PciSlot): PciDev[] {
  return slot.bus.devices.filter((d) => d.slot === slot);
}

/** Mirrors pci_bus_resetable(): no device below refuses a bus reset. */
export function pciBusResetable(bus: PciBus): boolean {
  if (bus.self && bus.self.devFlags & PCI_DEV_FLAGS_NO_BUS_RESET) return false;
  return bus.devices.every(
    (d) =>
      !(d.devFlags & PCI_DEV_FLAGS_NO_BUS_RESET) &&
      (!d.subordinate || pciBusResetable(d.subordinate)),
  );
}

/** Mirrors pci_slot_resetable(). */
export function pciSlotResetable(slot: PciSlot): boolean {
  if (slot.bus.self && slot.bus.self.devFlags & PCI_DEV_FLAGS_NO_BUS_RESET) return false;
  return slotDevices(slot).every(
    (d) =>
      !(d.devFlags & PCI_DEV_FLAGS_NO_BUS_RESET) &&
      (!d.subordinate || pciBusResetable(d.subordinate)),
  );
}

/** Mirrors pci_bus_lock(): every device below, depth first. */
export async function pciBusLock(bus: PciBus): Promise<void> {
  for (const d of bus.devices) {
    await pciDevLock(d);
    if (d.subordinate) await pciBusLock(d.subordinate);
  }
}

/** Mirrors pci_bus_unlock(). */
export function pciBusUnlock(bus: PciBus): void {
  for (const d of bus.devices) {
    if (d.subordinate) pciBusUnlock(d.subordinate);
    pciDevUnlock(d);
  }
}

// Mirrors pci_bus_trylock() over a list of devices, undoing on failure.
function trylockAll(devs: readonly PciDev[]): boolean {
  const taken: PciDev[] = [];
  for (const d of devs) {
    if (!pciDevTrylock(d)) break;
    if (d.subordinate && !pciBusTrylock(d.subordinate)) {
      pciDevUnlock(d);
      break;
    }
    taken.push(d);
  }
  if (taken.length === devs.length) return true;
  for (const d of taken.reverse()) {
    if (d.subordinate) pciBusUnlock(d.subordinate);
    pciDevUnlock(d);
  }
  return false;
}

/** Mirrors pci_bus_trylock(). */
export function pciBusTrylock(bus: PciBus): boolean {
  return trylockAll(bus.devices);
}

/** Mirrors pci_bus_save_and_disable_locked(). */
export async function pciBusSaveAndDisableLocked(bus: PciBus): Promise<void> {
  for (const d of bus.devices) {
    await pciDevSaveAndDisable(d);
    if (d.subordinate) await pciBusSaveAndDisableLocked(d.subordinate);
  }
}

/** Mirrors pci_bus_restore_locked(). */
export async function pciBusRestoreLocked(bus: PciBus): Promise<void> {
  for (const d of bus.devices) {
    await pciDevRestore(d);
    if (d.subordinate) await pciBusRestoreLocked(d.subordinate);
  }
}

/**
 * Mirrors pci_bus_reset(): a secondary bus reset of the bridge above `bus`, under the bus lock
 * (no save/restore).
 * @returns 0, -ENOTTY (root bus or a device refusing), or the wait's error
 */
export async function pciBusReset(bus: PciBus, probe: boolean): Promise<number> {
  if (!bus.self || !pciBusResetable(bus)) return -ENOTTY;
  if (probe) return 0;
  await pciBusLock(bus);
  const ret = await pciBridgeSecondaryBusReset(bus.self);
  pciBusUnlock(bus);
  return ret;
}

/** Mirrors pci_probe_reset_bus(). */
export function pciProbeResetBus(bus: PciBus): number {
  if (!bus.self || !pciBusResetable(bus)) return -ENOTTY;
  return 0;
}

/** Mirrors pci_probe_reset_slot(): 0 when the slot can be reset through its hotplug driver. */
export function pciProbeResetSlot(slot: PciSlot | null): number {
  if (!slot || !pciSlotResetable(slot)) return -ENOTTY;
  return pciResetHotplugSlot(slot.bus.self, slot.hotplug, true) as number;
}

/** Mirrors __pci_reset_slot(): trylock, save and disable, hotplug reset, restore. */
export async function __pciResetSlot(slot: PciSlot): Promise<number> {
  const rc = pciProbeResetSlot(slot);
  if (rc) return rc;
  const devs = slotDevices(slot);
  if (!trylockAll(devs)) return -EAGAIN;
  for (const d of devs) {
    await pciDevSaveAndDisable(d);
    if (d.subordinate) await pciBusSaveAndDisableLocked(d.subordinate);
  }
  const ret = await pciResetHotplugSlot(slot.bus.self, slot.hotplug, false);
  for (const d of devs) {
    await pciDevRestore(d);
    if (d.subordinate) await pciBusRestoreLocked(d.subordinate);
  }
  for (const d of devs) {
    if (d.subordinate) pciBusUnlock(d.subordinate);
    pciDevUnlock(d);
  }
  return ret;
}

/** Mirrors __pci_reset_bus(): trylock, save and disable, bus reset, restore. */
export async function __pciResetBus(bus: PciBus): Promise<number> {
  const rc = pciProbeResetBus(bus);
  if (rc) return rc;
  if (!pciBusTrylock(bus)) return -EAGAIN;
  await pciBusSaveAndDisableLocked(bus);
  const ret = await pciBridgeSecondaryBusReset(bus.self!);
  await pciBusRestoreLocked(bus);
  pciBusUnlock(bus);
  return ret;
}

/**
 * Mirrors pci_reset_bus(): the slot of `dev` if it can be reset, else the whole bus `dev` sits
 * on; every affected device is saved (which brings it to D0) and restored.
 * @returns 0, -ENOTTY, -EAGAIN (a device is locked) or a wait error
 */
export function pciResetBus(dev: PciDev): Promise<number> {
  return !pciProbeResetSlot(dev.slot) ? __pciResetSlot(dev.slot!) : __pciResetBus(dev.pciBus);
}
