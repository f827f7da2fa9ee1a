import { describe, expect, it } from 'vitest';
import {
  exploreMachine,
  replayMachine,
  type MachineOptions,
  type MachineScenario,
} from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';

const OPTIONS: MachineOptions = {
  rootPorts: [{ name: 'rp0', d3cold: true }],
  devices: [{ bdf: '0000:01:00.0', rootPort: 'rp0', config: 'e1000e' }],
};
const ENTRY = VFIO.feature({
  flags: VFIO.DEVICE_FEATURE_SET,
  feature: VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY,
});

// A config read from one thread racing LOW_POWER_ENTRY from another (F.3.1).
const configVersusEntry: MachineScenario = async (m) => {
  const p = m.process();
  const fd = await p.openDevice('0000:01:00.0');
  const buf = new Uint8Array(4);
  const [read, entry] = await Promise.all([
    p.pread(fd, buf, 4, VFIO.pciConfigOffset(0)),
    p.ioctl(fd, VFIO.DEVICE_FEATURE, ENTRY),
  ]);
  if (read !== 4 || buf[0] !== 0x86 || entry !== 0)
    throw new Error(`read ${read} [${buf}] entry ${entry}`);
};

describe('exploreMachine', () => {
  it('finds no broken invariant when a config read races LOW_POWER_ENTRY', async () => {
    const r = await exploreMachine(OPTIONS, configVersusEntry, {
      mode: 'random',
      schedules: 100,
      seed: 1,
    });
    expect(r).toMatchObject({ ok: true, schedules: 100 });
    const ex = await exploreMachine(OPTIONS, configVersusEntry, {
      preemptionBound: 1,
      schedules: 200,
    });
    expect(ex.ok).toBe(true);
    expect(ex.schedules).toBeGreaterThan(1);
  });

  it('catches a hardware access made while the device is powered off, and replays it', async () => {
    const planted: MachineScenario = async (m) => {
      const p = m.process();
      const fd = await p.openDevice('0000:01:00.0');
      await p.ioctl(fd, VFIO.DEVICE_FEATURE, ENTRY);
      await m.settle();
      m.topology.lookup('0000:01:00.0')!.hw.barRead(0, 0, 4);
      await p.close(fd);
    };
    const r = await exploreMachine(OPTIONS, planted, { mode: 'random', schedules: 5 });
    expect(r.ok).toBe(false);
    expect(r.failure?.message).toMatch(/hardware access while powered off: 0000:01:00.0/);
    const again = await replayMachine(OPTIONS, planted, r.failure!.token);
    expect(again.failure?.message).toBe(r.failure?.message);
  });
});
