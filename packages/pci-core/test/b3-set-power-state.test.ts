// KERNEL.md B.3: pci_set_power_state and its helpers, with a PM capability and no platform.
import { describe, expect, it } from 'vitest';
import { EINVAL, EIO, msecs } from '@vfio-ts/kernel';
import {
  PCI_D0,
  PCI_D1,
  PCI_D2,
  PCI_D3cold,
  PCI_D3hot,
  PCI_DEV_FLAGS_NO_D3,
  PCI_UNKNOWN,
  pciDevSetDisconnected,
  pciPowerName,
  pciPowerUp,
  pciSetFullPowerState,
  pciSetLowPowerState,
  pciSetPowerState,
  pciSetPowerStateLocked,
} from '@vfio-ts/pci-core';
import { machine, synthHw, type Machine } from './pci-machine.js';

/** A device with D1 and D2 (PMC 0x0603, NoSoftRst−) in D0 under a root port, no platform. */
async function d1d2(pmcsr = 0): Promise<Machine> {
  return machine({ endpoint: { model: undefined, hw: synthHw({ pmc: 0x0603, pmcsr }) } });
}

/** Puts `dev` into `state` the way the kernel gets there (D3cold: power cut from above). */
async function enter(m: Machine, state: number): Promise<void> {
  if (state === PCI_D3cold) {
    m.ep.hw.powerOff();
    m.ep.currentState = PCI_D3cold;
  } else if (state !== PCI_D0) {
    expect(await m.k.run('enter', () => pciSetPowerState(m.ep, state))).toBe(0);
  }
  expect(m.ep.currentState).toBe(state);
}

const [D0, D1, D2, D3h, D3c] = [PCI_D0, PCI_D1, PCI_D2, PCI_D3hot, PCI_D3cold];
// from, to, return, state after, virtual ms spent
const TABLE: [number, number, number, number, number][] = [
  [D0, D0, 0, D0, 0],
  [D0, D1, 0, D1, 0],
  [D0, D2, 0, D2, 0.2],
  [D0, D3h, 0, D3h, 10],
  [D0, D3c, 0, D3h, 10],
  [D1, D0, 0, D0, 0],
  [D1, D1, 0, D1, 0],
  [D1, D2, 0, D2, 0.2],
  [D1, D3h, 0, D3h, 10],
  [D1, D3c, 0, D3h, 10],
  [D2, D0, 0, D0, 0.2],
  [D2, D1, -EINVAL, D2, 0],
  [D2, D2, 0, D2, 0],
  [D2, D3h, 0, D3h, 10],
  [D2, D3c, 0, D3h, 10],
  [D3h, D0, 0, D0, 10],
  [D3h, D1, -EINVAL, D3h, 0],
  [D3h, D2, -EINVAL, D3h, 0],
  [D3h, D3h, 0, D3h, 0],
  [D3h, D3c, 0, D3h, 0],
  [D3c, D0, -EIO, D3c, 0],
  [D3c, D1, -EINVAL, D3c, 0],
  [D3c, D2, -EINVAL, D3c, 0],
  [D3c, D3h, -EINVAL, D3c, 0],
  [D3c, D3c, 0, D3c, 0],
];

describe('B.3.8 transition table (PM cap, no platform)', () => {
  it.each(TABLE)(
    'B.3.8 %s → %s returns %s, ends in %s after %s ms',
    async (from, to, ret, after, ms) => {
      const m = await d1d2();
      await enter(m, from);
      const t0 = m.k.clock.now();
      expect(await m.k.run('set', () => pciSetPowerState(m.ep, to))).toBe(ret);
      expect(pciPowerName(m.ep.currentState)).toBe(pciPowerName(after));
      expect(m.k.clock.now() - t0).toBe(msecs(ms));
    },
  );

  it('B.3.8 D1/D2 on a device without them: -EIO, nothing changes', async () => {
    const m = await machine();
    expect(await m.k.run('d1', () => pciSetPowerState(m.ep, PCI_D1))).toBe(-EIO);
    expect(await m.k.run('d2', () => pciSetPowerState(m.ep, PCI_D2))).toBe(-EIO);
    expect(m.ep.currentState).toBe(PCI_D0);
  });
});

describe('B.3.1–B.3.5 pci_set_power_state', () => {
  it('B.3.1 requested states are clamped to D0…D3cold', async () => {
    const m = await d1d2();
    expect(await m.k.run('hi', () => pciSetPowerState(m.ep, 9))).toBe(0);
    expect(m.ep.currentState).toBe(PCI_D3hot);
    expect(await m.k.run('lo', () => pciSetPowerState(m.ep, -4))).toBe(0);
    expect(m.ep.currentState).toBe(PCI_D0);
  });

  it('B.3.1 D1/D2 with no_d1d2 (device or bridge above) return 0 and change nothing', async () => {
    const m = await d1d2();
    m.ep.noD1d2 = true;
    expect(await m.k.run('d1', () => pciSetPowerState(m.ep, PCI_D1))).toBe(0);
    m.ep.noD1d2 = false;
    m.rp.noD1d2 = true;
    expect(await m.k.run('d2', () => pciSetPowerState(m.ep, PCI_D2))).toBe(0);
    expect(m.ep.currentState).toBe(PCI_D0);
  });

  it('B.3.4 PCI_DEV_FLAGS_NO_D3: D3hot and D3cold return 0 without a change', async () => {
    const m = await d1d2();
    m.ep.devFlags |= PCI_DEV_FLAGS_NO_D3;
    expect(await m.k.run('d3', () => pciSetPowerState(m.ep, PCI_D3hot))).toBe(0);
    expect(await m.k.run('d3c', () => pciSetPowerStateLocked(m.ep, PCI_D3cold))).toBe(0);
    expect(m.ep.currentState).toBe(PCI_D0);
  });

  it('B.3.5 with no platform, a device without PM cap answers D3hot with -EIO and stays D0', async () => {
    const m = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: null }) } });
    expect(await m.k.run('d3', () => pciSetPowerState(m.ep, PCI_D3hot))).toBe(-EIO);
    expect(m.ep.currentState).toBe(PCI_D0);
  });
});

describe('B.3.6 full power (pci_power_up / pci_set_full_power_state)', () => {
  it('B.3.6 step 2: no PM cap, no platform: cur becomes D0, power-up -EIO, full power 0', async () => {
    const m = await machine({
      endpoint: { model: undefined, hw: synthHw({ pmc: null }), currentState: PCI_UNKNOWN },
    });
    expect(await m.k.run('up', () => pciPowerUp(m.ep))).toBe(-EIO);
    expect(m.ep.currentState).toBe(PCI_D0);
    expect(await m.k.run('full', () => pciSetFullPowerState(m.ep))).toBe(0);
  });

  it('B.3.6 step 3 [6.1.192]: a disconnected device becomes D3cold, -EIO', async () => {
    const m = await d1d2();
    await enter(m, PCI_D3hot);
    pciDevSetDisconnected(m.ep);
    expect(await m.k.run('up', () => pciSetPowerState(m.ep, PCI_D0))).toBe(-EIO);
    expect(m.ep.currentState).toBe(PCI_D3cold);
  });

  it('B.3.6 step 4: PMCSR all ones logs "device inaccessible" and leaves D3cold', async () => {
    const m = await d1d2();
    await enter(m, PCI_D3cold);
    await m.k.run('up', () => pciSetPowerState(m.ep, PCI_D0));
    expect(m.k.log.map((l) => l.text)).toContain(
      'pci 0000:01:00.0: Unable to change power state from D3cold to D0, device inaccessible',
    );
  });

  it('B.3.6 step 5–8: D3hot → D0 with NoSoftRst− returns 1 from power-up and restores BARs', async () => {
    const m = await machine();
    const bar0 = m.ep.hw.configRead(0x10, 4);
    const cmd = m.ep.hw.configRead(0x04, 2);
    await enter(m, PCI_D3hot);
    expect(await m.k.run('up', () => pciPowerUp(m.ep))).toBe(1);
    // The function reset itself: BARs and Command are back at reset values.
    expect(m.ep.hw.configRead(0x10, 4)).not.toBe(bar0);
    await enter(m, PCI_D3hot);
    expect(await m.k.run('full', () => pciSetPowerState(m.ep, PCI_D0))).toBe(0);
    expect(m.ep.hw.configRead(0x10, 4)).toBe(bar0);
    // B.6.2: only the BARs; Command stays as the reset left it.
    expect(m.ep.hw.configRead(0x04, 2)).not.toBe(cmd);
  });

  it('B.3.6 step 5: need_restore also when cur ≥ D3hot (UNKNOWN) and the device is in D0', async () => {
    const m = await machine({ endpoint: { currentState: PCI_UNKNOWN } });
    expect(await m.k.run('up', () => pciPowerUp(m.ep))).toBe(1);
    const h100 = await machine({ endpoint: { model: 'nvidia-h100', currentState: PCI_UNKNOWN } });
    expect(await h100.k.run('up', () => pciPowerUp(h100.ep))).toBe(0);
  });

  it('B.3.6 step 6 [6.1.192]: a NoSoftRst− device that never answers after D3hot ends D3cold, -EIO', async () => {
    const m = await d1d2();
    await enter(m, PCI_D3hot);
    m.ep.hw.subscribe((e) => {
      if (e.type === 'power-state' && e.to === PCI_D0) m.ep.hw.powerOff();
    });
    const t0 = m.k.clock.now();
    expect(await m.k.run('up', () => pciSetPowerState(m.ep, PCI_D0))).toBe(-EIO);
    expect(m.ep.currentState).toBe(PCI_D3cold);
    expect(m.k.clock.now() - t0).toBeGreaterThan(msecs(60000));
    expect(m.k.log.some((l) => l.text.includes('not ready') && l.text.includes('giving up'))).toBe(
      true,
    );
  });

  it('B.3.6 step 8: a device that stays in D3hot is "Refused", the call still returns 0', async () => {
    const m = await machine({ endpoint: { model: 'nvidia-h100' } });
    await enter(m, PCI_D3hot);
    m.ep.hw.subscribe((e) => {
      if (e.type === 'power-state' && e.to === PCI_D0) m.ep.hw.configWrite(m.ep.pmCap + 4, 2, 0x0b);
    });
    expect(await m.k.run('up', () => pciSetPowerState(m.ep, PCI_D0))).toBe(0);
    expect(m.ep.currentState).toBe(PCI_D3hot);
    expect(m.k.log.map((l) => l.text)).toContain(
      'pci 0000:01:00.0: Refused to change power state from D3hot to D0',
    );
  });
});

describe('B.3.7 native low-power step (pci_set_low_power_state)', () => {
  it('B.3.7 step 1: no PM capability → -EIO', async () => {
    const m = await machine({ endpoint: { model: undefined, hw: synthHw({ pmc: null }) } });
    expect(await m.k.run('lp', () => pciSetLowPowerState(m.ep, PCI_D3hot))).toBe(-EIO);
  });

  it('B.3.7 step 2: PCI_UNKNOWN is not an invalid transition', async () => {
    const m = await d1d2();
    m.ep.currentState = PCI_UNKNOWN;
    expect(await m.k.run('lp', () => pciSetLowPowerState(m.ep, PCI_D1))).toBe(0);
    expect(m.ep.currentState).toBe(PCI_D1);
  });

  it('B.3.7 step 5: an unreachable device becomes D3cold, -EIO', async () => {
    const m = await d1d2();
    m.ep.hw.powerOff();
    expect(await m.k.run('lp', () => pciSetPowerState(m.ep, PCI_D3hot))).toBe(-EIO);
    expect(m.ep.currentState).toBe(PCI_D3cold);
  });

  it('B.3.7 step 8: a device refusing the state is logged; the call returns 0', async () => {
    const m = await machine({ endpoint: { model: 'nvidia-h100' } });
    m.ep.hw.subscribe((e) => {
      if (e.type === 'power-state' && e.to === PCI_D3hot)
        m.ep.hw.configWrite(m.ep.pmCap + 4, 2, 0x08);
    });
    expect(await m.k.run('lp', () => pciSetPowerState(m.ep, PCI_D3hot))).toBe(0);
    expect(m.ep.currentState).toBe(PCI_D0);
    expect(m.k.log.map((l) => l.text)).toContain(
      'pci 0000:01:00.0: Refused to change power state from D0 to D3hot',
    );
  });

  it('B.3.7 step 2: a shallower low-power state is an invalid transition (logged)', async () => {
    const m = await d1d2();
    await enter(m, PCI_D3hot);
    expect(await m.k.run('lp', () => pciSetLowPowerState(m.ep, PCI_D1))).toBe(-EINVAL);
    expect(m.k.log.map((l) => l.text)).toContain(
      'pci 0000:01:00.0: Invalid power transition (from D3hot to D1)',
    );
  });
});
