// PCI core: config dword read and write through the kernel accessors, and a full
// D0 → D3cold → D0 cycle through pci_set_power_state with the ACPI-like platform.
import { bench, describe } from 'vitest';
import { Kernel } from '@vfio-ts/kernel';
import {
  AcpiPlatform,
  PCI_D0,
  PCI_D3cold,
  PciTopology,
  pciReadConfigDword,
  pciSetPowerState,
  pciWriteConfigDword,
  type PciConfigValue,
} from '@vfio-ts/pci-core';

const OPS = 1000;

function machine() {
  const k = new Kernel();
  const topo = new PciTopology(k, new AcpiPlatform(k));
  topo.addRootPort({ bdf: '0000:00:04.0', model: 'pcie-root-port-pm', d3cold: true });
  const ep = topo.addEndpoint({ bdf: '0000:01:00.0', rootPort: '0000:00:04.0', model: 'e1000e' });
  ep.currentState = PCI_D0;
  return { k, ep };
}

describe('pci-core', () => {
  const { ep } = machine();
  const val: PciConfigValue = { value: 0 };
  bench(`config: ${OPS} pci_read_config_dword`, () => {
    for (let i = 0; i < OPS; i++) pciReadConfigDword(ep, (i & 15) * 4, val);
  });

  bench(`config: ${OPS} pci_write_config_dword (Latency/Cache Line dword)`, () => {
    for (let i = 0; i < OPS; i++) pciWriteConfigDword(ep, 0x0c, i & 0xff);
  });

  const m = machine();
  bench(
    'power: D0 → D3cold → D0 via pci_set_power_state (ACPI power resource off/on)',
    async () => {
      await m.k.run('cycle', async () => {
        if ((await pciSetPowerState(m.ep, PCI_D3cold)) !== 0) throw new Error('D3cold failed');
        if ((await pciSetPowerState(m.ep, PCI_D0)) !== 0) throw new Error('D0 failed');
      });
      if (m.ep.hw.powered !== true || m.ep.currentState !== PCI_D0)
        throw new Error('not back in D0');
    },
  );
});
