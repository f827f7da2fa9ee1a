// Issue 10: which driver a function binds to at boot — the variants' id tables (vendor, device,
// subsystem ids, class with mask; the first match wins), an explicit driver in the device spec
// or driver_override written through sysfs — and the variants createMachine() refuses.
import { describe, expect, it } from 'vitest';
import {
  createMachine,
  MachineOptionsError,
  PCI_TOPOLOGY,
  type MachineOptions,
} from '@vfio-ts/test-kit';
import { inject, injectable, KERNEL, type Kernel } from '@vfio-ts/kernel';
import type { PciDeviceId, PciTopology } from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import type { VfioPciVariant } from '@vfio-ts/vfio-pci';
import { attr, BDF, machines, pm } from '../pm/helpers.js';
import { driverOf, E1000E, plainVariant, withVariants } from './helpers.js';

const boot = machines();
const BDF2 = '0000:02:00.0';

/** The driver an e1000e binds to when the only variant has this id table. */
async function boundWith(idTable: PciDeviceId[]): Promise<string | null> {
  const m = await boot(withVariants([{ name: 'v', idTable }]));
  return driverOf(m);
}

describe('id-table matching at boot', () => {
  it('binds a function whose vendor and device match to the variant driver, which drives it', async () => {
    const m = await boot(withVariants([plainVariant()]));
    expect(driverOf(m)).toBe('test-vfio-pci');
    expect(m.vfioPciDevice(BDF)?.variant?.name).toBe('test-vfio-pci');
    expect(m.vfioPciDrivers.map((d) => d.name)).toEqual(['vfio-pci', 'test-vfio-pci']);
    expect(m.variants.map((v) => v.name)).toEqual(['test-vfio-pci']);
    // Bound and unused, it runtime-suspends like a vfio-pci device (D.3.2).
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
  });

  it('matches on class with a mask: the class bits the mask keeps must agree', async () => {
    expect(await boundWith([{ classCode: 0x020000, classMask: 0xffff00 }])).toBe('v');
    expect(await boundWith([{ classCode: 0x02ffff, classMask: 0xff0000 }])).toBe('v');
    expect(await boundWith([{ classCode: 0x030000, classMask: 0xff0000 }])).toBe('vfio-pci');
  });

  it('matches on subsystem vendor and device', async () => {
    const probe = await createMachine(withVariants([]));
    const sv = Number(attr(probe, 'subsystem_vendor'));
    const sd = Number(attr(probe, 'subsystem_device'));
    const id = { ...E1000E, classCode: undefined, subvendor: sv, subdevice: sd };
    expect(await boundWith([id])).toBe('v');
    expect(await boundWith([{ ...id, subdevice: sd ^ 1 }])).toBe('vfio-pci');
    expect(await boundWith([{ ...id, subvendor: sv ^ 1 }])).toBe('vfio-pci');
  });

  it('leaves a function no variant matches to vfio-pci, and any entry of the table may match', async () => {
    expect(await boundWith([{ vendor: 0x10de }])).toBe('vfio-pci');
    expect(await boundWith([{ vendor: 0x10de }, { device: E1000E.device }])).toBe('v');
  });

  it('gives each function the variant its own ids match', async () => {
    const m = await boot({
      rootPorts: [{ name: 'rp0', d3cold: true }, { name: 'rp1' }],
      devices: [
        { bdf: BDF, rootPort: 'rp0', config: 'e1000e' },
        { bdf: BDF2, rootPort: 'rp1', config: 'nvidia-h100' },
      ],
      variants: [{ name: 'nv', idTable: [{ vendor: 0x10de }] }],
    });
    expect([driverOf(m), driverOf(m, BDF2)]).toEqual(['vfio-pci', 'nv']);
    expect(m.vfioPciDevice(BDF)?.variant).toBeNull();
  });

  it('the first variant that matches wins, even when a later one is more specific', async () => {
    const m = await boot(
      withVariants([
        { name: 'any-intel', idTable: [{ vendor: E1000E.vendor }] },
        { name: 'e1000e-only', idTable: [{ vendor: E1000E.vendor, device: E1000E.device }] },
      ]),
    );
    expect(driverOf(m)).toBe('any-intel');
  });
});

describe('an explicit driver wins over the id tables', () => {
  it("driver: 'vfio-pci' in the device spec binds plain vfio-pci to a matching function", async () => {
    const m = await boot(withVariants([plainVariant()], { driver: 'vfio-pci' }));
    expect(driverOf(m)).toBe('vfio-pci');
    expect(m.vfioPciDevice(BDF)?.variant).toBeNull();
    expect(attr(m, 'driver_override')).toBe('vfio-pci');
  });

  it('a variant named in the spec drives a function its id table does not match', async () => {
    const m = await boot(
      withVariants([plainVariant('nv', { idTable: [{ vendor: 0x10de }] })], { driver: 'nv' }),
    );
    expect(driverOf(m)).toBe('nv');
  });

  it('driver: null leaves a function a variant matches unbound', async () => {
    const m = await boot(withVariants([plainVariant()], { driver: null }));
    expect(driverOf(m)).toBeNull();
    expect(m.vfioPciDevice(BDF)).toBeUndefined();
  });

  it('driver_override written through sysfs, then bind, moves a function from the variant to vfio-pci and back', async () => {
    const m = await boot(withVariants([plainVariant()]));
    const dev = `/sys/bus/pci/devices/${BDF}`;
    expect(await m.sysfs.write('/sys/bus/pci/drivers/test-vfio-pci/unbind', BDF)).toBe(BDF.length);
    expect(await m.sysfs.write(`${dev}/driver_override`, 'vfio-pci')).toBe(8);
    // The variant no longer matches: driver_override names another driver.
    expect(await m.sysfs.write('/sys/bus/pci/drivers/test-vfio-pci/bind', BDF)).toBeLessThan(0);
    expect(await m.sysfs.write('/sys/bus/pci/drivers/vfio-pci/bind', BDF)).toBe(BDF.length);
    expect(driverOf(m)).toBe('vfio-pci');
    expect(await m.sysfs.write('/sys/bus/pci/drivers/vfio-pci/unbind', BDF)).toBe(BDF.length);
    expect(await m.sysfs.write(`${dev}/driver_override`, '\n')).toBe(1);
    expect(await m.sysfs.write('/sys/bus/pci/drivers/test-vfio-pci/bind', BDF)).toBe(BDF.length);
    expect(driverOf(m)).toBe('test-vfio-pci');
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
  });
});

describe('createMachine refuses bad variants with a MachineOptionsError naming each problem', () => {
  async function problems(opts: MachineOptions): Promise<readonly string[]> {
    const e: unknown = await createMachine(opts).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MachineOptionsError);
    return (e as MachineOptionsError).problems;
  }

  it('an empty id table', async () => {
    expect(await problems(withVariants([{ name: 'v', idTable: [] }]))).toEqual([
      'variants[0]: variant v: empty id table',
    ]);
  });

  it('a name taken by an earlier variant, by vfio-pci or by pcieport, and a malformed name', async () => {
    const p = await problems(
      withVariants([
        plainVariant('dup'),
        plainVariant('dup'),
        plainVariant('vfio-pci'),
        plainVariant('pcieport'),
        plainVariant('has space'),
      ]),
    );
    expect(p).toEqual([
      'variants[1]: variant name "dup": already a driver',
      'variants[2]: variant name "vfio-pci": already a driver',
      'variants[3]: variant name "pcieport": already a driver',
      `variants[4]: variant name "has space": letters, digits, '_', '-', '.'`,
    ]);
  });

  it('a feature index outside 16 bits, or one vfio core answers itself', async () => {
    const handler = () => Promise.resolve(0);
    const p = await problems(
      withVariants([
        plainVariant('v', {
          features: new Map([
            [0x10000, handler],
            [VFIO.DEVICE_FEATURE_MIGRATION, handler],
            [0x8000, handler],
          ]),
        }),
      ]),
    );
    expect(p).toEqual([
      'variants[0]: variant v: feature index 65536 is not 0..0xffff',
      'variants[0]: variant v: feature index 1 is answered by vfio core, never by a driver',
    ]);
  });

  it('a class the container cannot build', async () => {
    @injectable()
    class NeedsUnknown implements VfioPciVariant {
      readonly name = 'needs-unknown';
      readonly idTable = [{ vendor: E1000E.vendor }];
      constructor(@inject(Symbol('nowhere')) readonly x: unknown) {}
    }
    const p = await problems(withVariants([NeedsUnknown]));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^variants: cannot be built: .*nowhere/s);
  });

  it("a device whose address is not on its root port's bus", async () => {
    const p = await problems({
      rootPorts: [{ name: 'rp0' }],
      devices: [{ bdf: '0000:05:00.0', rootPort: 'rp0', config: 'e1000e' }],
    });
    expect(p).toEqual([`devices[0].bdf: PciTopology: 0000:05:00.0 is not on bus 01`]);
  });

  it('a device spec naming a driver that does not exist lists the ones that do', async () => {
    const e = (await createMachine(withVariants([plainVariant()], { driver: 'nope' })).catch(
      (x: unknown) => x,
    )) as Error;
    expect(e).toBeInstanceOf(MachineOptionsError);
    expect(e.message).toBe(
      'createMachine: devices[0].driver: no driver "nope" (vfio-pci, test-vfio-pci)',
    );
  });
});

describe('variants built by the machine container', () => {
  @injectable()
  class KernelAware implements VfioPciVariant {
    readonly name = 'kernel-aware';
    readonly idTable = [{ vendor: E1000E.vendor }];
    constructor(@inject(KERNEL) readonly kernel: Kernel) {}
  }

  it('a class gets the machine kernel injected, one instance per machine', async () => {
    const m1 = await createMachine(withVariants([KernelAware]));
    const m = await boot(withVariants([KernelAware]));
    const v = m.variants[0] as KernelAware;
    expect(v).toBeInstanceOf(KernelAware);
    expect(v.kernel).toBe(m.kernel);
    expect(m1.variants[0]).not.toBe(v);
    expect(driverOf(m)).toBe('kernel-aware');
  });

  @injectable()
  class TopologyAware implements VfioPciVariant {
    readonly name = 'topology-aware';
    readonly idTable = [{ vendor: E1000E.vendor }];
    constructor(@inject(PCI_TOPOLOGY) readonly topology: PciTopology) {}
  }

  it("a class can inject the machine's other seams (PCI_TOPOLOGY)", async () => {
    const m = await boot(withVariants([TopologyAware]));
    expect((m.variants[0] as TopologyAware).topology).toBe(m.topology);
  });

  it('an instance is registered as it is', async () => {
    const v = plainVariant();
    const m = await boot(withVariants([v]));
    expect(m.variants[0]).toBe(v);
    expect(m.vfioPciDevice(BDF)?.variant).toBe(v);
  });
});
