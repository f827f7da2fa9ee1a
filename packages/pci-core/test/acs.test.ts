// Access Control Services at enumeration and restore (pci_acs_init, pci_enable_acs,
// pci_std_enable_acs; pci_restore_state calls pci_enable_acs after MSI).
import { describe, expect, it } from 'vitest';
import { pciRestoreState, pciSaveState, type PciDev } from '@vfio-ts/pci-core';
import { machine } from './pci-machine.js';

const ACS = 0x148;

// ACS register accesses of `dev` while `fn` runs.
function acsAccesses(dev: PciDev, fn: () => void): string[] {
  const seen: string[] = [];
  const off = dev.hw.subscribe(
    (e) => {
      if (e.type === 'access' && e.offset >= ACS + 4 && e.offset < ACS + 8)
        seen.push(
          `${e.kind === 'config-read' ? 'R' : 'W'} ${e.offset.toString(16)}=${e.value.toString(16)}`,
        );
    },
    { types: ['access'] },
  );
  fn();
  off();
  return seen;
}

describe('B.5.2 ACS (IOMMU present: pci_acs_enable)', () => {
  it('pci_acs_init finds the root port ACS capability and enables SV, RR, CR and UF, not TB', async () => {
    const m = await machine();
    expect(m.rp.acsCap).toBe(ACS);
    expect(m.ep.acsCap).toBe(0);
    expect(m.rp.hw.configRead(ACS + 6, 2)).toBe(0x1d);
  });

  it('pci_restore_state re-enables ACS after the port lost it: Capability and Control read, Control written', async () => {
    const m = await machine();
    pciSaveState(m.rp);
    m.rp.hw.powerOff();
    m.rp.hw.powerOn();
    expect(m.rp.hw.configRead(ACS + 6, 2)).toBe(0);
    expect(acsAccesses(m.rp, () => pciRestoreState(m.rp))).toEqual([
      'R 14c=1f',
      'R 14e=0',
      'W 14e=1d',
    ]);
    expect(m.rp.hw.configRead(ACS + 6, 2)).toBe(0x1d);
  });

  it('without an IOMMU asking for ACS, neither enumeration nor restore touches it', async () => {
    const m = await machine({ topology: { params: { pciAcsEnable: false } } });
    expect(m.rp.acsCap).toBe(ACS);
    expect(m.rp.hw.configRead(ACS + 6, 2)).toBe(0);
    pciSaveState(m.rp);
    expect(acsAccesses(m.rp, () => pciRestoreState(m.rp))).toEqual([]);
  });
});
