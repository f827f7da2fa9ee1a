// The DESIGN.md façade example, as written, and the states Linux would show for it.
import { expect, it } from 'vitest';
import { createMachine, SigBus } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';

it('runs the DESIGN.md example as written', async () => {
  const m = await createMachine({
    seed: 1,
    rootPorts: [{ name: 'rp0', d3cold: true }], // platform can cut power below rp0
    devices: [{ bdf: '0000:01:00.0', rootPort: 'rp0', config: 'e1000e' }], // built-in model, or a dump path/bytes
  });
  // An unused device bound to vfio-pci runtime-suspends, to D3cold where the platform allows it (D.3.2).
  expect(m.sysfs.read('/sys/bus/pci/devices/0000:01:00.0/power_state')).toBe('D3cold\n');
  const p = m.process(); // a user process with an fd table
  const fd = await p.openDevice('0000:01:00.0'); // like VFIO_GROUP_GET_DEVICE_FD
  expect(fd).toBeGreaterThanOrEqual(0);
  expect(m.sysfs.read('/sys/bus/pci/devices/0000:01:00.0/power_state')).toBe('D0\n');
  const buf = VFIO.feature({
    flags: VFIO.DEVICE_FEATURE_SET,
    feature: VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY,
  });
  const rc = await p.ioctl(fd, VFIO.DEVICE_FEATURE, buf); // 0 or -errno; buf is a Uint8Array
  expect(rc).toBe(0);
  await m.settle(); // run pending async work and timers
  const efd = await p.eventfd(0, { nonblock: true });
  const wake = VFIO.feature({
    flags: VFIO.DEVICE_FEATURE_SET,
    feature: VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
    data: VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: efd }),
  }); // argsz computed: 8 + data
  expect(new DataView(wake.buffer).getUint32(0, true)).toBe(16);
  expect(m.sysfs.read('/sys/bus/pci/devices/0000:01:00.0/power/runtime_status')).toBe(
    'suspended\n',
  );
  expect(m.sysfs.read('/sys/bus/pci/devices/0000:01:00.0/power_state')).toBe('D3cold\n');
  const out = new Uint8Array(8);
  // A config read resumes the device for the access (D.10); plain entry re-suspends it later.
  expect(await p.pread(fd, out, 4, VFIO.pciConfigOffset(0))).toBe(4);
  expect([...out.subarray(0, 4)]).toEqual([0x86, 0x80, 0xd3, 0x10]);
  expect(await p.read(efd, out, 8)).toBe(-11); // EAGAIN when not signalled
  const map = await p.mmap(fd, VFIO.regionOffset(0), 4096);
  if (typeof map === 'number') throw new Error(`mmap failed: ${map}`);
  await expect(map.readU32(0)).rejects.toBeInstanceOf(SigBus); // engaged: SIGBUS (D.11.2)
  const lspci = await m.host.lspci('0000:01:00.0'); // host config read: wakes a D3cold device only
  expect(lspci).toMatch(/^01:00\.0 Class 0200: Device 8086:10d3\n00: 86 80 d3 10/);
  await p.munmap(map);
  expect(await p.close(fd)).toBe(0);
  await m.settle();
  expect(m.sysfs.read('/sys/bus/pci/devices/0000:01:00.0/power_state')).toBe('D3cold\n');
  expect(m.invariants()).toEqual([]);
});
