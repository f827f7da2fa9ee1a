// Issue 7: the Linux 6.1 vfio-pci power-management rules (KERNEL.md D, with B and C
// underneath), one test per rule, driven only through the façade — idle devices, open and
// close, PM capability virtualisation, pm_save, PMCSR writes, resets, SR-IOV, platform.
import { describe, expect, it } from 'vitest';
import { createMachine, SigBus } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';
import { EAGAIN, EIO, ENOENT } from '@vfio-ts/kernel';
import {
  attr,
  BDF,
  BDF1,
  configRead,
  configWrite,
  counter,
  D3COLD,
  D3HOT,
  E1000E_PM,
  ENTRY,
  EXIT,
  feature,
  H100_PM,
  hostWord,
  machines,
  pm,
  TWO_FUNCTIONS,
  wakeup,
} from './helpers.js';

const PMCSR = E1000E_PM + 4;
const boot = machines();

describe('D.3 idle devices (registration allows runtime PM and drops the probe reference)', () => {
  it('D.3.2 an unused device below a D3cold-capable root port runtime-suspends to D3cold', async () => {
    const m = await boot(D3COLD);
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    expect(attr(m, 'power/control')).toBe('auto');
  });

  it('D.3.2 / B.8 without platform D3cold (no _PR3) the unused device ends in D3hot', async () => {
    const m = await boot(D3HOT);
    expect(pm(m)).toEqual(['D3hot', 'suspended', '0']);
  });

  it('D.2 / D.16.2 disable_idle_d3 keeps the unused device in D0 with usage 1, open and closed', async () => {
    const m = await boot({ ...D3COLD, vfioPci: { disable_idle_d3: true } });
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    expect(await p.close(fd)).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D0', 'active', '1']);
  });

  it('D.16.3 with disable_idle_d3 LOW_POWER_ENTRY still suspends the open device', async () => {
    const m = await boot({ ...D3COLD, vfioPci: { disable_idle_d3: true } });
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    await p.close(fd);
  });

  it('D.3.3 / D.16.1 unbinding a closed suspended device leaves it active with usage 1 and runtime PM forbidden', async () => {
    const m = await boot();
    expect(await m.sysfs.write('/sys/bus/pci/drivers/vfio-pci/unbind', BDF)).toBe(BDF.length);
    await m.settle();
    // pci_device_remove() marks a function left in D0 as PCI_UNKNOWN.
    expect(pm(m)).toEqual(['unknown', 'active', '1']);
    expect(attr(m, 'power/control')).toBe('on');
    // Bound again, it runtime-suspends as at boot (D.3.2).
    expect(await m.sysfs.write('/sys/bus/pci/drivers/vfio-pci/bind', BDF)).toBe(BDF.length);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
  });
});

describe('D.4 first open takes a runtime PM reference, last close drops it', () => {
  it('D.4.1 / D.4.3 first open resumes to D0 with usage 1, a second fd adds none, last close drops it', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    const fd2 = await p.openDevice(BDF);
    expect(fd2).toBeGreaterThanOrEqual(0);
    expect(attr(m, 'power/runtime_usage')).toBe('1');
    expect(await p.close(fd)).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    expect(await p.close(fd2)).toBe(0);
    expect(attr(m, 'power/runtime_usage')).toBe('0');
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
  });
});

describe('D.8 PM capability virtualisation', () => {
  it('D.8.1 / D.8.2 PME_Support reads 0 through vfio while the hardware has it set', async () => {
    // A copy of the e1000e whose hardware PMC advertises PME from every state.
    const probe = await createMachine(D3HOT);
    const bytes = await probe.host.configRead(BDF, 0, 4096);
    if (typeof bytes === 'number') throw new Error(`config: ${bytes}`);
    bytes[E1000E_PM + 3] = bytes[E1000E_PM + 3]! | 0xf8;
    const m = await boot({
      rootPorts: [{ name: 'rp0' }],
      devices: [{ bdf: BDF, rootPort: 'rp0', config: bytes }],
    });
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect((await hostWord(m, E1000E_PM + 2)) & 0xf800).toBe(0xf800);
    const pmc = await configRead(p, fd, E1000E_PM + 2, 2);
    expect(pmc & 0xf800).toBe(0);
    expect(pmc & 0x07ff).toBe((await hostWord(m, E1000E_PM + 2)) & 0x07ff);
    // PME_En and PME_Status are not writable and read 0.
    expect(await configWrite(p, fd, PMCSR, 0x8100, 2)).toBe(2);
    expect((await configRead(p, fd, PMCSR, 2)) & 0x8100).toBe(0);
    await p.close(fd);
  });

  it('D.8.2 NoSoftRst shows as the hardware has it: clear on e1000e, set on nvidia-h100', async () => {
    const m = await boot({
      rootPorts: [{ name: 'rp0' }, { name: 'rp1' }],
      devices: [
        { bdf: BDF, rootPort: 'rp0', config: 'e1000e' },
        { bdf: '0000:02:00.0', rootPort: 'rp1', config: 'nvidia-h100' },
      ],
    });
    const p = m.process();
    const e = await p.openDevice(BDF);
    const h = await p.openDevice('0000:02:00.0');
    expect(await configRead(p, e, E1000E_PM + 2, 2)).toBe(0x0022);
    expect(await configRead(p, e, PMCSR, 2)).toBe(0x0000);
    expect(await configRead(p, h, H100_PM + 2, 2)).toBe(0x0013);
    expect(await configRead(p, h, H100_PM + 4, 2)).toBe(0x0008);
    expect((await hostWord(m, H100_PM + 4, '0000:02:00.0')) & 0x8).toBe(0x8);
    await p.close(e);
    await p.close(h);
  });
});

describe('D.5 vfio_pci_set_power_state and pm_save', () => {
  const pmSaves = (m: Awaited<ReturnType<typeof boot>>) =>
    m.topology.kmem.allocations().filter((a) => a.trace.includes('vfio_pci_set_power_state'));

  it('D.5 a D3hot → D0 without the driver (sysfs reset) then D3hot again leaks no pm_save', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await configWrite(p, fd, PMCSR, 3, 2)).toBe(2);
    expect(attr(m, 'power_state')).toBe('D3hot');
    // The PCI core resets the function and powers it to D0: pm_save is not consumed.
    expect(await m.sysfs.write(`/sys/bus/pci/devices/${BDF}/reset`, '1')).toBe(1);
    expect(attr(m, 'power_state')).toBe('D0');
    expect(await configWrite(p, fd, PMCSR, 3, 2)).toBe(2);
    expect(attr(m, 'power_state')).toBe('D3hot');
    // Long after: kmemleak finds nothing, and one pm_save copy is live, still referenced.
    await m.settle();
    expect(m.topology.kmem.leaks(0)).toEqual([]);
    expect(pmSaves(m)).toHaveLength(1);
    expect(await configWrite(p, fd, PMCSR, 0, 2)).toBe(2);
    expect(attr(m, 'power_state')).toBe('D0');
    expect(pmSaves(m)).toHaveLength(0);
    await p.close(fd);
  });

  it('D.13.1 VFIO_DEVICE_RESET from a user-written D3hot returns to D0 and consumes pm_save', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await configWrite(p, fd, PMCSR, 3, 2)).toBe(2);
    expect(pmSaves(m)).toHaveLength(1);
    expect(await p.ioctl(fd, VFIO.DEVICE_RESET)).toBe(0);
    expect(attr(m, 'power_state')).toBe('D0');
    expect(pmSaves(m)).toEqual([]);
    await p.close(fd);
  });
});

describe('D.8.4 / D.9 / D.11 PMCSR writes and the memory gate', () => {
  it('D.8.4 a PMCSR write to D3hot zaps mmaps (SIGBUS) and BAR pread fails -EIO; D0 restores both', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    // Memory Space on, so that the gate only depends on the power state.
    expect(await configWrite(p, fd, 4, 0x0002, 2)).toBe(2);
    const map = await p.mmap(fd, VFIO.regionOffset(0), 4096);
    if (typeof map === 'number') throw new Error(`mmap: ${map}`);
    const before = await map.readU32(0);
    const bar = new Uint8Array(4);
    expect(await p.pread(fd, bar, 4, VFIO.regionOffset(0))).toBe(4);
    expect(await configWrite(p, fd, PMCSR, 3, 2)).toBe(2);
    expect((await configRead(p, fd, PMCSR, 2)) & 3).toBe(3);
    expect(attr(m, 'power_state')).toBe('D3hot');
    await expect(map.readU32(0)).rejects.toBeInstanceOf(SigBus);
    expect(await p.pread(fd, bar, 4, VFIO.regionOffset(0))).toBe(-EIO);
    expect(await p.pwrite(fd, bar, 4, VFIO.regionOffset(0))).toBe(-EIO);
    expect(await configWrite(p, fd, PMCSR, 0, 2)).toBe(2);
    expect(attr(m, 'power_state')).toBe('D0');
    expect(await map.readU32(0)).toBe(before);
    expect(await p.pread(fd, bar, 4, VFIO.regionOffset(0))).toBe(4);
    await p.munmap(map);
    await p.close(fd);
  });

  it('D.8.4 only a write starting at PMCSR changes the power state; 1- and 4-byte writes count', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await configWrite(p, fd, PMCSR, 3, 4)).toBe(4);
    expect(attr(m, 'power_state')).toBe('D3hot');
    expect(await configWrite(p, fd, PMCSR, 0, 1)).toBe(1);
    expect(attr(m, 'power_state')).toBe('D0');
    // A byte at cap+5 (PMCSR's high byte) never changes the state.
    expect(await configWrite(p, fd, PMCSR + 1, 3, 1)).toBe(1);
    expect(attr(m, 'power_state')).toBe('D0');
    await p.close(fd);
  });

  it('D.8.5 a refused transition (D1 unsupported) still returns the byte count; PMCSR shows the truth', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await configWrite(p, fd, PMCSR, 1, 2)).toBe(2);
    expect(attr(m, 'power_state')).toBe('D0');
    expect((await configRead(p, fd, PMCSR, 2)) & 3).toBe(0);
    await p.close(fd);
  });

  it('D.8.6 / F.3.5 a user-written D3hot does not survive a runtime suspend/resume cycle', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await configWrite(p, fd, PMCSR, 3, 2)).toBe(2);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    expect((await configRead(p, fd, PMCSR, 2)) & 3).toBe(0);
    expect(attr(m, 'power_state')).toBe('D0');
    await p.close(fd);
  });
});

describe('D.13 resets take runtime PM references on the whole device set', () => {
  const resumesOf = (m: Awaited<ReturnType<typeof boot>>, bdf: string) =>
    m.trace.filter((r) => r.name === 'rpm_resume' && JSON.stringify(r.payload).includes(bdf))
      .length;

  it('D.13.2 / D.13.3 a hot reset resumes every member of the set (both eventfds fire) and drops the references after', async () => {
    const m = await boot(TWO_FUNCTIONS);
    const p = m.process();
    const fd0 = await p.openDevice(BDF);
    const fd1 = await p.openDevice(BDF1);
    const e0 = await p.eventfd(0, { nonblock: true });
    const e1 = await p.eventfd(0, { nonblock: true });
    expect(await p.ioctl(fd0, VFIO.DEVICE_FEATURE, wakeup(e0))).toBe(0);
    expect(await p.ioctl(fd1, VFIO.DEVICE_FEATURE, wakeup(e1))).toBe(0);
    await m.settle();
    expect(pm(m, BDF)).toEqual(['D3cold', 'suspended', '0']);
    expect(pm(m, BDF1)).toEqual(['D3cold', 'suspended', '0']);
    const reset = VFIO.pciHotReset.encode({ groupFds: [fd0, fd1] });
    expect(await p.ioctl(fd0, VFIO.DEVICE_PCI_HOT_RESET, reset)).toBe(0);
    await m.settle();
    expect(pm(m, BDF)).toEqual(['D0', 'active', '1']);
    expect(pm(m, BDF1)).toEqual(['D0', 'active', '1']);
    expect(await counter(p, e0)).toBe(1);
    expect(await counter(p, e1)).toBe(1);
    await p.close(fd0);
    await p.close(fd1);
  });

  it('D.13.2 a hot reset also resumes a plain-engaged member, which re-suspends after the put', async () => {
    const m = await boot(TWO_FUNCTIONS);
    const p = m.process();
    const fd0 = await p.openDevice(BDF);
    const fd1 = await p.openDevice(BDF1);
    expect(await p.ioctl(fd1, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(pm(m, BDF1)).toEqual(['D3cold', 'suspended', '0']);
    const before = resumesOf(m, BDF1);
    const reset = VFIO.pciHotReset.encode({ groupFds: [fd0, fd1] });
    expect(await p.ioctl(fd0, VFIO.DEVICE_PCI_HOT_RESET, reset)).toBe(0);
    expect(resumesOf(m, BDF1)).toBeGreaterThan(before);
    await m.settle();
    expect(pm(m, BDF1)).toEqual(['D3cold', 'suspended', '0']);
    expect(pm(m, BDF)).toEqual(['D0', 'active', '1']);
    await p.close(fd0);
    await p.close(fd1);
  });

  it('D.13.4 the close-time bus reset resumes the closed member of the set too, then both suspend', async () => {
    const m = await boot(TWO_FUNCTIONS);
    const p = m.process();
    // No function reset method: the close leaves needs_reset set and tries a bus reset.
    expect(await m.sysfs.write(`/sys/bus/pci/devices/${BDF}/reset_method`, '')).toBe(0);
    const fd0 = await p.openDevice(BDF);
    await m.settle();
    expect(pm(m, BDF1)).toEqual(['D3cold', 'suspended', '0']);
    const before = resumesOf(m, BDF1);
    expect(await p.close(fd0)).toBe(0);
    expect(resumesOf(m, BDF1)).toBeGreaterThan(before);
    await m.settle();
    expect(pm(m, BDF)).toEqual(['D3cold', 'suspended', '0']);
    expect(pm(m, BDF1)).toEqual(['D3cold', 'suspended', '0']);
  });
});

describe('D.14 SR-IOV', () => {
  // No built-in model (e1000e, nvidia-h100) has an SR-IOV capability, so a PF with VFs cannot
  // be built through the façade; D.14 is pinned by packages/vfio-pci/test/sriov.test.ts.
  it('D.14 sriov_numvfs on a function without SR-IOV is refused and leaves the device suspended', async () => {
    const m = await boot({ ...D3COLD, vfioPci: { enable_sriov: true } });
    expect(await m.sysfs.write(`/sys/bus/pci/devices/${BDF}/sriov_numvfs`, '1')).toBe(-ENOENT);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
  });
});

describe('D.16.4 / B.10 platform and policy', () => {
  it('D.16.4 power/control = on keeps the device active while ENTRY still succeeds and SIGBUSes mmaps', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await m.sysfs.write(`/sys/bus/pci/devices/${BDF}/power/control`, 'on')).toBe(2);
    expect(attr(m, 'power/runtime_usage')).toBe('2');
    const map = await p.mmap(fd, VFIO.regionOffset(0), 4096);
    if (typeof map === 'number') throw new Error(`mmap: ${map}`);
    const efd = await p.eventfd(0, { nonblock: true });
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, wakeup(efd))).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    await expect(map.readU32(0)).rejects.toBeInstanceOf(SigBus);
    // No resume ever happens, so no wake-up either.
    expect(await p.pread(fd, new Uint8Array(4), 4, VFIO.pciConfigOffset(0))).toBe(4);
    expect(await counter(p, efd)).toBe(-EAGAIN);
    await p.munmap(map);
    await p.close(fd);
    expect(await m.sysfs.write(`/sys/bus/pci/devices/${BDF}/power/control`, 'auto')).toBe(4);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
  });

  it('B.10.1 d3cold_allowed = 0 makes the device below a D3cold root port end in D3hot', async () => {
    const m = await boot();
    expect(await m.sysfs.write(`/sys/bus/pci/devices/${BDF}/d3cold_allowed`, '0')).toBe(1);
    await m.settle();
    expect(pm(m)).toEqual(['D3hot', 'suspended', '0']);
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D3hot', 'suspended', '0']);
    await p.close(fd);
    await m.settle();
    expect(await m.sysfs.write(`/sys/bus/pci/devices/${BDF}/d3cold_allowed`, '1')).toBe(1);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
  });
});
