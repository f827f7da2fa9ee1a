// Teeth for the race tests: a deliberately broken copy of D.7.2, installed on one machine's
// device through its driver's pm ops (production code untouched), must be found by the
// exploration, and its replay token must reproduce the failure.
import { describe, expect, it } from 'vitest';
import {
  exploreMachine,
  replayMachine,
  type Machine,
  type MachineScenario,
} from '@vfio-ts/test-kit';
import { vfioPciCoreRuntimeResume } from '@vfio-ts/vfio-pci';
import { pciSaveState, pciStoreSavedState } from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import type { Device } from '@vfio-ts/runtime-pm';
import { BDF, bytesOf, D3COLD, E1000E_PM, machine } from './helpers.js';
import { hostReadVersusWakeupEntry } from './races.js';

// The broken rule: the resume callback signals and drops the wake-up eventfd but leaves the
// engagement (and the dropped usage reference) in place, so the host re-enters low power on
// its own after a wake-up — what F.3.3's one-shot eventfd exists to prevent.
function reenterAfterWakeup(m: Machine): void {
  const pdev = m.topology.lookup(BDF)!;
  const vdev = m.vfioPci.devices.get(pdev)!;
  const driver = pdev.driver!;
  pdev.driver = {
    ...driver,
    pm: {
      ...driver.pm,
      runtimeResume: async (dev: Device) => {
        const ctx = vdev.pmWakeEventfdCtx;
        if (ctx) {
          ctx.signal(1);
          ctx.put();
          vdev.pmWakeEventfdCtx = null;
        }
        return vfioPciCoreRuntimeResume(dev);
      },
    },
  };
}

const broken: MachineScenario = async (m) => {
  reenterAfterWakeup(m);
  await hostReadVersusWakeupEntry(m);
};

describe('teeth', () => {
  it('F.3.3 / D.7.2 a resume that re-enters low power after a wake-up is found by exploration and replays', async () => {
    const r = await exploreMachine(D3COLD, broken, { preemptionBound: 1, schedules: 1_000 });
    expect(r.ok).toBe(false);
    expect(r.failure?.message).toMatch(/eventfd signalled but 0000:01:00\.0 is suspended/);
    const again = await replayMachine(D3COLD, broken, r.failure!.token);
    expect(again.ok).toBe(false);
    expect(again.failure?.message).toBe(r.failure?.message);
    // The same schedule passes with the real callback.
    const fixed = await replayMachine(D3COLD, hostReadVersusWakeupEntry, r.failure!.token);
    expect(fixed.ok).toBe(true);
  });

  it('D.5 what the pm_save leak looks like: overwriting it without the free is reported by kmemleak', async () => {
    const m = await machine(D3COLD);
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await p.pwrite(fd, bytesOf(3, 2), 2, VFIO.pciConfigOffset(E1000E_PM + 4))).toBe(2);
    expect(m.invariants()).toEqual([]);
    // The pre-fix vfio_pci_set_power_state(): a second D3hot entry stores over pm_save.
    const pdev = m.topology.lookup(BDF)!;
    const vdev = m.vfioPci.devices.get(pdev)!;
    pciSaveState(pdev);
    vdev.pmSave.set(pciStoreSavedState(pdev, 'vfio_pci_set_power_state'));
    expect(m.topology.kmem.leaks(0)).toHaveLength(1);
    expect(m.invariants()).toEqual([
      expect.stringMatching(/^kmemleak: unreferenced object .*pci_saved_state .*0000:01:00\.0/),
    ]);
  });
});
