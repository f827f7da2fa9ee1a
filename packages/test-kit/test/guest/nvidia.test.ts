// The NVIDIA guest driver on the nvidia-vfio-pci variant: self-refresh above the threshold,
// copy-out (full-off) below it, video memory never lost across guest-directed D3cold.
import { describe, expect, it } from 'vitest';
import { createMachine, type Machine } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';
import { VFIO_DEVICE_FEATURE_NVIDIA_RTD3, decodeNvidiaRtd3Info } from '@vfio-ts/variant-nvidia';

const GPU = '0000:01:00.0';
const MIB = 1 << 20;
const ms = (n: number) => n * 1e6;

const machine = () =>
  createMachine({
    rootPorts: [{ name: 'rp0', d3cold: true }],
    devices: [{ bdf: GPU, rootPort: 'rp0', config: 'nvidia-h100' }],
  });
const power = (m: Machine) =>
  String(m.sysfs.read(`/sys/bus/pci/devices/${GPU}/power_state`)).trim();
const gpuLog = (g: { log: { device: string; text: string }[] }) =>
  g.log.filter((l) => l.device === GPU).map((l) => l.text);

// What the variant says about the GPU, asked from a separate process.
async function rtd3(m: Machine) {
  const p = m.process();
  const fd = await p.openDevice(GPU);
  const buf = VFIO.feature({
    flags: VFIO.DEVICE_FEATURE_GET,
    feature: VFIO_DEVICE_FEATURE_NVIDIA_RTD3,
    data: new Uint8Array(24),
  });
  const ret = await p.ioctl(fd, VFIO.DEVICE_FEATURE, buf);
  await p.close(fd);
  return ret === 0 ? decodeNvidiaRtd3Info(buf.subarray(8)) : ret;
}

describe('the NVIDIA guest driver', () => {
  it('binds to a 10de device and reads the variant threshold at boot', async () => {
    const m = await machine();
    const g = await m.guest({ acpi: { pr3: true } });
    expect(g.state(GPU)?.driver).toBe('nvidia');
    expect(gpuLog(g)).toContain('RTD3 threshold 200 MiB');
  });

  it('engages self-refresh above the threshold: D3cold with video memory alive', async () => {
    const m = await machine();
    const g = await m.guest({ acpi: { pr3: true } });
    expect(await g.allocate(GPU, 300 * MIB)).toBe(0);
    expect(await rtd3(m)).toMatchObject({ usageBytes: 300 * MIB, mode: 'self-refresh' });
    await g.idle();
    await m.kernel.sched.runFor(ms(300));
    expect(power(m)).toBe('D3cold');
    expect(gpuLog(g)).toContain('video memory 300 MiB > threshold: self-refresh engaged');
    await m.host.lspci(GPU);
    await m.kernel.sched.runFor(ms(50));
    expect(gpuLog(g)).toContain('video memory intact');
    await m.kernel.sched.runFor(ms(300));
    expect(power(m)).toBe('D3cold');
    expect(g.state(GPU)).toMatchObject({ pmes: 1, suspends: 2, resumes: 1 });
    expect(m.invariants()).toEqual([]);
  });

  it('copies video memory out below the threshold and restores it after the wake', async () => {
    const m = await machine();
    const g = await m.guest({ acpi: { pr3: true } });
    expect(await g.allocate(GPU, 10 * MIB + 1)).toBe(0);
    await g.idle();
    await m.kernel.sched.runFor(ms(300));
    expect(power(m)).toBe('D3cold');
    expect(gpuLog(g)).toContain('video memory 11 MiB copied to system memory: full-off');
    expect(await g.access(GPU)).toBe(0);
    expect(gpuLog(g)).toContain('video memory restored from system memory');
    expect(await rtd3(m)).toMatchObject({ usageBytes: 11 * MIB, selfRefresh: false });
    expect(m.invariants()).toEqual([]);
  });

  it('sets the threshold it is given through the vendor feature', async () => {
    const m = await machine();
    const g = await m.guest({ acpi: { pr3: true }, nvidiaThresholdBytes: 512 * MIB });
    expect(gpuLog(g)).toContain('RTD3 threshold 512 MiB');
    expect(await g.allocate(GPU, 300 * MIB)).toBe(0);
    expect(await rtd3(m)).toMatchObject({ thresholdBytes: 512 * MIB, mode: 'full-off' });
    await g.idle();
    await m.kernel.sched.runFor(ms(300));
    expect(gpuLog(g)).toContain('video memory 300 MiB copied to system memory: full-off');
    expect(m.invariants()).toEqual([]);
  });

  it('refuses a bad allocation, and a GPU run by the generic driver has no video memory API', async () => {
    const m = await machine();
    const g = await m.guest({ devices: [{ bdf: GPU, driver: 'generic' }] });
    expect(g.state(GPU)?.driver).toBe('generic');
    expect(await g.allocate(GPU, MIB)).toBe(-22);
    const m2 = await machine();
    const g2 = await m2.guest({});
    expect(await g2.allocate(GPU, -1)).toBe(-22);
    expect(await g2.allocate(GPU, 2 * 1024 * MIB)).toBeLessThan(0);
  });
});
