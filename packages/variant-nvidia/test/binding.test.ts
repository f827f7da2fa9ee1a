// Binding: NVIDIA display/3D controllers bind to nvidia-vfio-pci through driver_override at
// boot; an explicit driver wins; the GPU model lives from probe to release.
import { describe, expect, it } from 'vitest';
import { pciMatchOneDevice } from '@vfio-ts/pci-core';
import { vfioPciMatchVariant } from '@vfio-ts/vfio-pci';
import {
  NVIDIA_VFIO_PCI_DRIVER_NAME,
  NVIDIA_VFIO_PCI_ID_TABLE,
  NvidiaVfioPciVariant,
  nvidiaGpuModel,
} from '@vfio-ts/variant-nvidia';
import { BDF, H100_D3COLD, attr, machines, openGpu, rtd3Get } from './helpers.js';

const { boot } = machines();

describe('binding', () => {
  it('matches NVIDIA class 0x03xxxx functions only, override-only like PCI_DRIVER_OVERRIDE_DEVICE_VFIO', () => {
    const dev = (vendor: number, classCode: number) => ({
      vendor,
      device: 0x2330,
      subsystemVendor: 0x10de,
      subsystemDevice: 0x16c1,
      classCode,
      driverOverride: null,
    });
    const [id] = NVIDIA_VFIO_PCI_ID_TABLE;
    expect(id!.overrideOnly).toBe(true);
    expect(pciMatchOneDevice(id!, dev(0x10de, 0x030200))).toBe(true); // 3D controller
    expect(pciMatchOneDevice(id!, dev(0x10de, 0x030000))).toBe(true); // VGA
    expect(pciMatchOneDevice(id!, dev(0x10de, 0x040300))).toBe(false); // HD audio function
    expect(pciMatchOneDevice(id!, dev(0x8086, 0x030000))).toBe(false);
    expect(vfioPciMatchVariant(dev(0x10de, 0x030200), [new NvidiaVfioPciVariant()])?.name).toBe(
      'nvidia-vfio-pci',
    );
  });

  it('binds the H100 (a 0x0302 3D controller) to nvidia-vfio-pci at boot', async () => {
    const m = await boot();
    const pdev = m.topology.lookup(BDF)!;
    expect(pdev.vendor).toBe(0x10de);
    expect(pdev.classCode >> 8).toBe(0x0302);
    expect(attr(m, 'driver_override')).toBe(NVIDIA_VFIO_PCI_DRIVER_NAME);
    const vdev = m.vfioPciDevice(BDF)!;
    expect(vdev.variant?.name).toBe('nvidia-vfio-pci');
    expect(nvidiaGpuModel(vdev)?.vdev).toBe(vdev);
    // Unused: runtime-suspended into D3cold like any vfio-pci device.
    expect(attr(m, 'power_state')).toBe('D3cold');
  });

  it("an explicit driver: 'vfio-pci' wins over the variant", async () => {
    const m = await boot({
      ...H100_D3COLD,
      devices: [{ bdf: BDF, rootPort: 'rp0', config: 'nvidia-h100', driver: 'vfio-pci' }],
    });
    const vdev = m.vfioPciDevice(BDF)!;
    expect(vdev.variant).toBeNull();
    expect(nvidiaGpuModel(vdev)).toBeUndefined();
    const p = m.process();
    const fd = await openGpu(p);
    expect(await rtd3Get(p, fd)).toBe(-25); // -ENOTTY: plain vfio-pci has no such feature
    await p.exit();
  });

  it('without the variant registered, the H100 binds to vfio-pci', async () => {
    const m = await boot({ ...H100_D3COLD, variants: [] });
    expect(m.vfioPciDevice(BDF)!.variant).toBeNull();
  });

  it('drops the GPU model (and its hardware listener) when the driver unbinds', async () => {
    const m = await boot();
    const vdev = m.vfioPciDevice(BDF)!;
    const model = nvidiaGpuModel(vdev)!;
    expect(await m.sysfs.write(`/sys/bus/pci/drivers/nvidia-vfio-pci/unbind`, BDF)).toBeGreaterThan(
      0,
    );
    await m.settle();
    expect(nvidiaGpuModel(vdev)).toBeUndefined();
    expect(m.vfioPciDevice(BDF)).toBeUndefined();
    // The hardware no longer feeds the old model.
    const hw = m.topology.lookup(BDF)!.hw;
    if (!hw.powered) hw.powerOn();
    expect(hw.powerState).toBe(0);
    hw.barWrite(2, 0, 4, 1);
    expect(hw.barRead(2, 0, 4)).toBe(1);
    expect(model.usageBytes).toBe(0);
  });
});
