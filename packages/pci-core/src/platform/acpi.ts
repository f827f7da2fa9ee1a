// An ACPI-like platform: `_PR0`/`_PR3` power resources at root-port level, shared by every
// function below the port (drivers/acpi/device_pm.c, power.c; pci-acpi.c; KERNEL.md B.4).
import { EINVAL, ENODEV, type Kernel } from '@vfio-ts/kernel';
import {
  PCI_D0,
  PCI_D3cold,
  PCI_D3hot,
  PCI_UNKNOWN,
  type PciPowerState,
} from '../regs/power-state.js';
import type { PciFunctionHw } from '../hw/function-hw.js';
import { pciWalkBus, type PciBus } from '../pci/bus.js';
import type { PciDev } from '../pci/pci-dev.js';
import { AcpiPowerResource } from './power-resource.js';
import type { PciPlatform, RootPortFirmware } from './types.js';

// The hardware of every function below a root port, depth first.
function busFunctions(bus: PciBus | null): PciFunctionHw[] {
  const out: PciFunctionHw[] = [];
  pciWalkBus(bus, (d) => void out.push(d.hw));
  return out;
}

/** A device's ACPI node with `_PR0`/`_PR3` on one power resource (its "companion"). */
export class AcpiCompanion {
  /** adev->power.state as a PCI state (D0…D3cold, PCI_UNKNOWN after a failed transition). */
  state: PciPowerState = PCI_D0;
  /** Inject: `_PS3` fails, so acpi_device_set_power() to D3hot/D3cold fails (-ENODEV). */
  failPs3 = false;
  /** Wakeup armed through the firmware (`_DSW`). */
  wakeEnabled = false;

  constructor(
    readonly dev: PciDev,
    readonly resource: AcpiPowerResource,
  ) {}
}

/** Options of {@link AcpiPlatform}. */
export interface AcpiPlatformOptions {
  /** dmi_get_bios_year(). @default 2020 */
  readonly biosYear?: number;
}

/** The ACPI-like platform. Fault injection: {@link powerResource} and {@link companion}. */
export class AcpiPlatform implements PciPlatform {
  readonly name = 'acpi';
  readonly biosYear: number;
  private readonly resources = new Map<PciDev, AcpiPowerResource>();
  private readonly companions = new Map<PciDev, AcpiCompanion>();

  constructor(
    readonly kernel: Kernel,
    opts: AcpiPlatformOptions = {},
  ) {
    this.biosYear = opts.biosYear ?? 2020;
  }

  /** The power resource of a root port (by device or bdf), if its firmware has one. */
  powerResource(port: PciDev | string): AcpiPowerResource | undefined {
    for (const [p, r] of this.resources) if (p === port || p.bdf === port) return r;
    return undefined;
  }

  /** The ACPI node of a device (by device or bdf), if it has `_PR0`/`_PR3`. */
  companion(dev: PciDev | string): AcpiCompanion | undefined {
    for (const [d, c] of this.companions) if (d === dev || d.bdf === dev) return c;
    return undefined;
  }

  addRootPort(port: PciDev, fw: RootPortFirmware): void {
    if (!fw.d3cold && !fw.pr3) return;
    const res = new AcpiPowerResource(
      this.kernel,
      `PR_${port.bdf}`,
      () => busFunctions(port.subordinate),
      fw.onDelayMs ?? 0,
      fw.offDelayMs ?? 0,
    );
    this.resources.set(port, res);
    if (fw.pr3) this.attach(port, res);
  }

  addFunction(dev: PciDev, port: PciDev, companion: boolean): void {
    const res = this.resources.get(port);
    if (companion && res) this.attach(dev, res);
  }

  removeFunction(dev: PciDev): void {
    const c = this.companions.get(dev);
    if (c && c.state < PCI_D3cold) c.resource.refCount--;
    this.companions.delete(dev);
  }

  // acpi_bus_init_power(): a node found in D0 references its resources.
  private attach(dev: PciDev, res: AcpiPowerResource): void {
    const c = new AcpiCompanion(dev, res);
    c.state = res.on ? PCI_D0 : PCI_D3cold;
    if (res.on) res.refCount++;
    this.companions.set(dev, c);
  }

  /** acpi_pci_power_manageable(). */
  isManageable(dev: PciDev): boolean {
    return this.companions.has(dev);
  }

  /**
   * Mirrors acpi_pci_set_power_state() → acpi_device_set_power() → acpi_power_transition():
   * references for the new state first, then the old state's are dropped (an `_OFF` failure
   * there is ignored, as the kernel does); D1/D2 are not valid states.
   */
  async setState(dev: PciDev, state: PciPowerState): Promise<number> {
    const c = this.companions.get(dev);
    if (!c) return -ENODEV;
    if (state < PCI_D0 || state > PCI_D3cold) return -EINVAL;
    if (state !== PCI_D0 && state === c.state) return 0;
    if (state !== PCI_D0 && state !== PCI_D3hot && state !== PCI_D3cold) return -ENODEV;
    if (state > PCI_D0) {
      if (state < c.state) return -ENODEV;
      if (c.state < PCI_D3hot && c.failPs3) return -ENODEV;
    }
    return this.transition(c, state);
  }

  // Mirrors acpi_power_transition().
  private async transition(c: AcpiCompanion, state: PciPowerState): Promise<number> {
    if (state === c.state) return 0;
    if (c.state === PCI_UNKNOWN) return -ENODEV;
    if (state < PCI_D3cold) {
      const ret = await c.resource.acquire();
      if (ret) {
        c.state = PCI_UNKNOWN;
        return ret;
      }
    }
    if (c.state < PCI_D3cold) await c.resource.release();
    c.state = state;
    return 0;
  }

  /** acpi_pci_get_power_state(): the state last set, PCI_UNKNOWN without a node. */
  getState(dev: PciDev): PciPowerState {
    return this.companions.get(dev)?.state ?? PCI_UNKNOWN;
  }

  /**
   * Mirrors acpi_pci_refresh_power_state() → acpi_device_update_power(): infer the state from
   * the resource (on → D0, off → D3cold) and move the node's reference accordingly.
   */
  refreshState(dev: PciDev): void {
    const c = this.companions.get(dev);
    if (!c) return;
    const inferred = c.resource.on ? PCI_D0 : PCI_D3cold;
    const held = c.state !== PCI_UNKNOWN && c.state < PCI_D3cold;
    if (held && inferred === PCI_D3cold) c.resource.refCount--;
    if (!held && inferred === PCI_D0) c.resource.refCount++;
    c.state = inferred;
  }

  /** Mirrors acpi_pci_choose_state(): D3cold unless the driver or the user forbids it. */
  chooseState(dev: PciDev): PciPowerState {
    if (!this.companions.has(dev)) return PCI_UNKNOWN;
    return dev.noD3cold || !dev.d3coldAllowed ? PCI_D3hot : PCI_D3cold;
  }

  /** Mirrors acpi_pci_wakeup(): the node's wakeup is armed or disarmed. */
  setWakeup(dev: PciDev, enable: boolean): number {
    const c = this.companions.get(dev);
    if (c) c.wakeEnabled = enable;
    return 0;
  }

  /** Mirrors acpi_pci_bridge_d3(): a hotplug bridge the firmware can power-manage. */
  bridgeD3(dev: PciDev): boolean {
    return dev.isHotplugBridge && this.companions.has(dev);
  }

  /** A node exists to deliver the wake GPE. */
  wakeGpe(dev: PciDev): boolean {
    return this.companions.has(dev);
  }
}
