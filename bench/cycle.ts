// One device's low-power cycle through the façade, as the benches measure it (issue 12,
// targets 2 and 3): LOW_POWER_ENTRY, the runtime suspend (to D3cold below a D3cold-capable root
// port), a config read that wakes the device, LOW_POWER_EXIT. Every step checks its answer.
import { createMachine, type Machine } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';

/** The function the benches drive: an e1000e below a D3cold-capable root port. */
export const BDF = '0000:01:00.0';
export const ONE_E1000E = {
  rootPorts: [{ name: 'rp0', d3cold: true }],
  devices: [{ bdf: BDF, rootPort: 'rp0', config: 'e1000e' }],
};

/** That machine without tracing or invariant checks, as a bench measures the stack alone. */
export function quietMachine(): Promise<Machine> {
  return createMachine({ ...ONE_E1000E, trace: false, invariants: false });
}

const entry = VFIO.feature({
  flags: VFIO.DEVICE_FEATURE_SET,
  feature: VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY,
});
const exit = VFIO.feature({
  flags: VFIO.DEVICE_FEATURE_SET,
  feature: VFIO.DEVICE_FEATURE_LOW_POWER_EXIT,
});

/**
 * Opens `bdf` and returns its cycle.
 * @param suspended the power_state the device must reach once entered (unchecked when absent)
 */
export async function lowPowerCycler(
  m: Machine,
  bdf: string,
  suspended?: 'D3cold' | 'D3hot',
): Promise<() => Promise<void>> {
  const p = m.process();
  const fd = await p.openDevice(bdf);
  if (fd < 0) throw new Error(`open ${bdf}: ${fd}`);
  const buf = new Uint8Array(4);
  const state = `/sys/bus/pci/devices/${bdf}/power_state`;
  return async () => {
    if ((await p.ioctl(fd, VFIO.DEVICE_FEATURE, entry)) !== 0) throw new Error('entry');
    await m.settle();
    if (suspended && m.sysfs.read(state) !== `${suspended}\n`) throw new Error(`not ${suspended}`);
    if ((await p.pread(fd, buf, 4, VFIO.pciConfigOffset(0))) !== 4) throw new Error('read');
    if ((await p.ioctl(fd, VFIO.DEVICE_FEATURE, exit)) !== 0) throw new Error('exit');
    if (suspended && m.sysfs.read(state) !== 'D0\n') throw new Error('not in D0');
  };
}
