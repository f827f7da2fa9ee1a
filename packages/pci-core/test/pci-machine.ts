// Test fixtures for the PCI core: a kernel, a platform, a topology with a root port and an
// endpoint, sysfs, and drivers whose behaviour the test controls.
import { Kernel } from '@vfio-ts/kernel';
import {
  createFunctionHw,
  AcpiPlatform,
  type PciFunctionHw,
  type PciPlatform,
  NoPlatform,
  PCI_D0,
  PciSysfs,
  PciTopology,
  type EndpointOptions,
  type PciDev,
  type PciDeviceId,
  type PciDriver,
  type PciTopologyOptions,
  type RootPortOptions,
} from '@vfio-ts/pci-core';
import { pmRuntimeAllow, pmRuntimePutNoidle, type DevPmOps } from '@vfio-ts/runtime-pm';

/** What {@link machine} builds. */
export interface Machine {
  k: Kernel;
  topo: PciTopology;
  sysfs: PciSysfs;
  rp: PciDev;
  ep: PciDev;
  acpi: AcpiPlatform | null;
}

/** Options of {@link machine}. */
export interface MachineOptions {
  acpi?: boolean;
  rootPort?: Partial<RootPortOptions>;
  endpoint?: Partial<EndpointOptions> | null;
  topology?: PciTopologyOptions;
  biosYear?: number;
  /** A platform built by the test (wins over `acpi`). */
  platform?: (k: Kernel) => PciPlatform;
  /** Run busAddDevices (driver binding) before returning. @default true */
  boot?: boolean;
}

/** A root port `rp0` at 00:04.0 and an e1000e at 01:00.0 in D0, no driver bound. */
export async function machine(opts: MachineOptions = {}): Promise<Machine> {
  const k = new Kernel();
  const acpi = opts.acpi ? new AcpiPlatform(k, { biosYear: opts.biosYear ?? 2020 }) : null;
  const platform =
    opts.platform?.(k) ??
    acpi ??
    new NoPlatform(opts.biosYear !== undefined ? { biosYear: opts.biosYear } : {});
  const topo = new PciTopology(k, platform, opts.topology);
  const rp = topo.addRootPort({
    name: 'rp0',
    bdf: '0000:00:04.0',
    model: 'pcie-root-port-pm',
    hotplug: false,
    ...opts.rootPort,
  });
  const ep =
    opts.endpoint === null
      ? (null as unknown as PciDev)
      : topo.addEndpoint({
          bdf: '0000:01:00.0',
          rootPort: 'rp0',
          model: 'e1000e',
          currentState: PCI_D0,
          ...opts.endpoint,
        });
  if (opts.boot ?? true) await k.run('boot', () => topo.busAddDevices());
  return { k, topo, sysfs: new PciSysfs(topo), rp, ep, acpi };
}

/** Calls made to a {@link TestDriver}, in order. */
export type DriverCall = string;

/**
 * A trivial PCI driver: probe allows runtime PM and drops the probe reference (as vfio-pci
 * does); its callbacks record their calls and return what the test sets.
 */
export class TestDriver implements PciDriver {
  readonly calls: DriverCall[] = [];
  probeRet = 0;
  suspendRet = 0;
  resumeRet = 0;
  /** `null`: no runtime_idle callback. */
  idleRet: number | null = null;
  /** Leave the probe reference and runtime_auto alone. */
  keepReference = false;
  readonly pm?: DevPmOps;
  sriovConfigure?: (pdev: PciDev, n: number) => number | Promise<number>;

  constructor(
    readonly name = 'testdrv',
    readonly idTable: readonly PciDeviceId[] = [{ vendor: 0x8086, device: 0x10d3 }],
    withPm = true,
  ) {
    if (withPm) {
      const ops: DevPmOps = {
        runtimeSuspend: (d) => (this.calls.push(`suspend ${d.name}`), this.suspendRet),
        runtimeResume: (d) => (this.calls.push(`resume ${d.name}`), this.resumeRet),
      };
      Object.defineProperty(ops, 'runtimeIdle', {
        enumerable: true,
        get: () => {
          const ret = this.idleRet;
          return ret === null ? undefined : () => ret;
        },
      });
      this.pm = ops;
    }
  }

  probe(pdev: PciDev): number {
    this.calls.push(`probe ${pdev.name}`);
    if (this.probeRet) return this.probeRet;
    if (!this.keepReference) {
      pmRuntimeAllow(pdev);
      pmRuntimePutNoidle(pdev);
    }
    return 0;
  }

  remove(pdev: PciDev): void {
    this.calls.push(`remove ${pdev.name}`);
  }
}

/** Hex of bytes. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What a synthetic function has. */
export interface SynthOptions {
  /** PMC; null = no PM capability. @default 0x0003 (PM 1.2, no D1/D2, no PME) */
  pmc?: number | null;
  /** PMCSR at start. @default 0 */
  pmcsr?: number;
  /** PCIe Device/Port type; null = conventional PCI. @default 0 (endpoint) */
  pcieType?: number | null;
  /** DevCap.FLR. */
  flr?: boolean;
  /** Type-1 header. */
  bridge?: boolean;
  /** Slot implemented, with SltCap.HPC. */
  slot?: { hpc: boolean };
  /** Advanced Features capability with TP and FLR. */
  af?: boolean;
  /** Status.IMM_READY. */
  immReady?: boolean;
  /** An AER extended capability. */
  aer?: boolean;
  /** An MSI (64-bit, maskable) capability. */
  msi?: boolean;
  /** A PCI-X capability at 0x98 (Command writable). */
  pcix?: boolean;
  /** An LTR extended capability (Max Snoop/No-Snoop Latency writable). */
  ltr?: boolean;
  /** An SR-IOV capability. */
  sriov?: {
    total: number;
    initial?: number;
    offset?: number;
    stride?: number;
    vfDevice?: number;
    vfm?: boolean;
  };
  /** Class code. @default 0x020000 (Ethernet) */
  classCode?: number;
  /** Header type byte has the multifunction bit. */
  multifunction?: boolean;
  /** BAR0 as a 4 KiB memory BAR. @default true */
  bar0?: boolean;
  name?: string;
}

/**
 * A synthetic function (vendor 0x1234, device 0x5678): PM 0x40, PCIe 0x50, MSI 0x70, AF 0x88,
 * PCI-X 0x98; extended: AER, LTR, SR-IOV from 0x100 in that order.
 */
export function synthHw(o: SynthOptions = {}): PciFunctionHw {
  const img = new Uint8Array(4096);
  const v = new DataView(img.buffer);
  v.setUint32(0, 0x56781234, true);
  v.setUint32(8, ((o.classCode ?? 0x020000) << 8) | 0x01, true);
  img[0x0e] = (o.bridge ? 1 : 0) | (o.multifunction ? 0x80 : 0);
  img[0x3d] = 1;
  if (o.bar0 ?? !o.bridge) v.setUint32(0x10, 0xfe000000, true);
  v.setUint16(6, 0x0010 | (o.immReady ? 0x0001 : 0), true);
  const caps: [number, number][] = [];
  if (o.pmc !== null) caps.push([0x01, 0x40]);
  if (o.pcieType !== null) caps.push([0x10, 0x50]);
  if (o.msi) caps.push([0x05, 0x70]);
  if (o.af) caps.push([0x13, 0x88]);
  if (o.pcix) caps.push([0x07, 0x98]);
  img[0x34] = caps[0]?.[1] ?? 0;
  if (!caps.length) v.setUint16(6, v.getUint16(6, true) & ~0x10, true);
  caps.forEach(([id, at], i) => {
    img[at] = id;
    img[at + 1] = caps[i + 1]?.[1] ?? 0;
  });
  if (o.pmc !== null) {
    v.setUint16(0x42, o.pmc ?? 0x0003, true);
    v.setUint16(0x44, o.pmcsr ?? 0, true);
  }
  if (o.pcieType !== null) {
    const type = o.pcieType ?? 0;
    v.setUint16(0x52, 0x0002 | (type << 4) | (o.slot ? 0x0100 : 0), true);
    v.setUint32(0x54, o.flr ? 0x10000000 : 0, true);
    if (o.slot) v.setUint32(0x50 + 20, o.slot.hpc ? 0x40 : 0, true);
  }
  if (o.msi) v.setUint16(0x72, 0x0180, true);
  if (o.af) {
    img[0x8a] = 6;
    img[0x8b] = 0x03;
  }
  let next = 0x100;
  const ext: [number, number][] = [];
  if (o.aer) {
    ext.push([0x0001, next]);
    next += 0x48;
  }
  if (o.ltr) {
    ext.push([0x0018, next]);
    next += 0x08;
  }
  if (o.sriov) ext.push([0x0010, next]);
  ext.forEach(([id, at], i) =>
    v.setUint32(at, (((ext[i + 1]?.[1] ?? 0) << 20) | (1 << 16) | id) >>> 0, true),
  );
  if (o.sriov) {
    const at = ext[ext.length - 1]![1];
    const s = o.sriov;
    v.setUint32(at + 4, s.vfm ? 1 : 0, true);
    v.setUint16(at + 0x0c, s.initial ?? s.total, true);
    v.setUint16(at + 0x0e, s.total, true);
    v.setUint16(at + 0x14, s.offset ?? 1, true);
    v.setUint16(at + 0x16, s.stride ?? 1, true);
    v.setUint16(at + 0x1a, s.vfDevice ?? 0x5679, true);
  }
  const sriovAt = o.sriov ? ext[ext.length - 1]![1] : 0;
  const ltrAt = ext.find(([id]) => id === 0x0018)?.[1] ?? 0;
  const masks = [
    ...(o.sriov
      ? [
          { offset: sriovAt + 8, width: 2 as const, rw: 0x0019 },
          { offset: sriovAt + 0x10, width: 2 as const, rw: 0xffff },
        ]
      : []),
    ...(o.pcix ? [{ offset: 0x98 + 2, width: 2 as const, rw: 0x007f }] : []),
    ...(o.ltr ? [{ offset: ltrAt + 4, width: 4 as const, rw: 0x1fff1fff }] : []),
  ];
  const r = createFunctionHw(img, { name: o.name ?? 'synth', masks });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** A synthetic PCIe root port (type-1 header, PCIe type 4) with a PM capability. */
export function synthPort(o: SynthOptions = {}): PciFunctionHw {
  return synthHw({ bridge: true, pcieType: 4, classCode: 0x060400, bar0: false, ...o });
}
