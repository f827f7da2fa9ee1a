// Trace events of the PCI core, declared in one table (DESIGN.md, "Tracing and pictures").
import type { TraceBus, TraceEventFields, TraceEventTable } from '@vfio-ts/kernel';

/** Events of the pci-core package. */
export interface PciCoreTraceEvents extends TraceEventTable {
  /** pdev->current_state changed (names as pci_power_name()). */
  pci_power_state: { device: string; from: string; to: string };
  /** An access reached a function's hardware; `violation` = it was powered off. */
  hw_access: {
    device: string;
    kind: string;
    offset: number;
    width: number;
    value: number;
    /** BAR index, -1 for config space. */
    bar: number;
    violation: boolean;
  };
  /** A platform power resource was turned on or off (`refs`: references after the change). */
  pci_power_resource: { resource: string; on: boolean; refs: number };
}

/** The pci-core events and their fields. */
export const PCI_CORE_TRACE_EVENTS: TraceEventFields<PciCoreTraceEvents> = {
  pci_power_state: ['device', 'from', 'to'],
  hw_access: ['device', 'kind', 'offset', 'width', 'value', 'bar', 'violation'],
  pci_power_resource: ['resource', 'on', 'refs'],
};

/** Declares the pci-core events on a bus (idempotent). */
export function declarePciTraceEvents(bus: TraceBus): void {
  if (!bus.events().has('pci_power_state')) bus.declare(PCI_CORE_TRACE_EVENTS);
}
