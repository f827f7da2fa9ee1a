// The README's "A VM on the machine" example, as written there, with what its comments claim.
import { expect, it } from 'vitest';
import { createMachine } from '@vfio-ts/test-kit';

it('runs the README example: self-refresh above the threshold, one PME per host wake', async () => {
  const m = await createMachine({
    rootPorts: [{ name: 'rp0', d3cold: true }],
    devices: [{ bdf: '0000:01:00.0', rootPort: 'rp0', config: 'nvidia-h100' }],
  });
  const g = await m.guest({ acpi: { pr3: true } });
  expect(await g.allocate('0000:01:00.0', 300 << 20)).toBe(0);
  expect(await g.idle()).toBe(0);
  await m.kernel.sched.runFor(500e6);
  expect(m.sysfs.read('/sys/bus/pci/devices/0000:01:00.0/power_state')).toBe('D3cold\n');
  expect(m.vfioPciDevice('0000:01:00.0')?.variant?.name).toBe('nvidia-vfio-pci');
  await m.host.lspci('0000:01:00.0');
  await m.kernel.sched.runFor(500e6);
  expect(g.state('0000:01:00.0')).toMatchObject({ pmes: 1 });
  expect(g.log.map((e) => e.text)).toContain(
    'video memory 300 MiB > threshold: self-refresh engaged',
  );
  expect(await g.stop()).toBe(0);
  await m.settle();
  expect(m.invariants()).toEqual([]);
});
