// Options of the topology builder: what a root port, switch port or endpoint is made of.
import type { PciFunctionHw } from '../hw/function-hw.js';
import type { BuiltinModelName } from '../models/registry.js';
import type { PciParams } from '../pci/context.js';
import type { PciDev } from '../pci/pci-dev.js';
import type { RootPortFirmware } from '../platform/types.js';
import type { PciPowerState } from '../regs/power-state.js';

/** How to build a `PciTopology`. */
export interface PciTopologyOptions {
  /** PCI core parameters (`pcie_port_pm=` …). */
  readonly params?: Partial<PciParams>;
  /** PCI domain. @default 0 */
  readonly domain?: number;
  /** Number of the root bus. @default 0 */
  readonly rootBus?: number;
  /** The host bridge is wakeup-capable. @default false */
  readonly hostBridgeWakeup?: boolean;
}

/** The hardware of a function: a built-in model or a ready PciFunctionHw. */
export interface FunctionSource {
  /** A built-in model (see `createBuiltinHw`). */
  readonly model?: BuiltinModelName;
  /** Hardware built by the caller (wins over `model`). */
  readonly hw?: PciFunctionHw;
}

/** A root port on the root bus, with its firmware description. */
export interface RootPortOptions extends FunctionSource, RootPortFirmware {
  /** A name to look it up by (e.g. `rp0`). @default its bdf */
  readonly name?: string;
  /** Its address, e.g. `0000:00:04.0`. */
  readonly bdf: string;
  /** Hotplug-capable slot (is_hotplug_bridge). @default Slot Capabilities' Hot-Plug Capable */
  readonly hotplug?: boolean;
  /** Number of the bus behind it. @default the next free number */
  readonly secondaryBus?: number;
}

/** A switch port (upstream or downstream) below another port. */
export interface SwitchPortOptions extends FunctionSource {
  readonly bdf: string;
  /** The port above, by name or bdf. */
  readonly parent: string | PciDev;
  readonly hotplug?: boolean;
  readonly secondaryBus?: number;
}

/** An endpoint function. */
export interface EndpointOptions extends FunctionSource {
  readonly bdf: string;
  /** The port above (root or downstream), by name, bdf or device; omitted: the root bus. */
  readonly rootPort?: string | PciDev;
  /** Its firmware node has `_PR0`/`_PR3`. @default the root port's `d3cold` */
  readonly companion?: boolean;
  /** current_state at start, e.g. D0 as a driver's unbind left it. @default PCI_UNKNOWN */
  readonly currentState?: PciPowerState;
  /** power/wakeup enabled by user space. @default false */
  readonly wakeupEnabled?: boolean;
  /** Builds each VF's hardware (SR-IOV PFs). @default a minimal endpoint with the PF's ids */
  readonly vfHw?: (pf: PciDev, index: number) => PciFunctionHw;
}
