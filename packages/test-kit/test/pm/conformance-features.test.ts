// Issue 7: the Linux 6.1 vfio-pci power-management rules (KERNEL.md D, with B and C
// underneath), one test per rule, driven only through the façade — the low-power features,
// the runtime PM callbacks and INTx, what wakes a device, host reads, close while engaged.
import { describe, expect, it } from 'vitest';
import { SigBus, type Machine, type UserProcess } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';
import { EAGAIN, EBADF, EINVAL, ENOTTY } from '@vfio-ts/kernel';
import {
  attr,
  BDF,
  counter,
  D3COLD,
  D3HOT,
  engagedWithWakeup,
  ENTRY,
  EXIT,
  feature,
  hostWord,
  le,
  machines,
  pm,
  SET,
  wakeup,
} from './helpers.js';

const GET = VFIO.DEVICE_FEATURE_GET;
const PROBE = VFIO.DEVICE_FEATURE_PROBE;
const WITH_WAKEUP = VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP;
const COMMAND_INTX_DISABLE = 1 << 10;
const boot = machines();

describe('D.6 low-power features', () => {
  it.each([
    ['LOW_POWER_ENTRY', ENTRY],
    ['LOW_POWER_ENTRY_WITH_WAKEUP', WITH_WAKEUP],
    ['LOW_POWER_EXIT', EXIT],
  ])(
    'D.6.1 / C.3 %s is SET-only: GET -EINVAL, PROBE 0, PROBE|GET -EINVAL, no op -EINVAL',
    async (_, id) => {
      const m = await boot();
      const p = m.process();
      const fd = await p.openDevice(BDF);
      expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(id, GET))).toBe(-EINVAL);
      expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(id, PROBE))).toBe(0);
      expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(id, PROBE | SET))).toBe(0);
      expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(id, PROBE | GET))).toBe(-EINVAL);
      expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(id, 0))).toBe(-EINVAL);
      // A probe has no effect: the device is still open-active.
      await m.settle();
      expect(pm(m)).toEqual(['D0', 'active', '1']);
      await p.close(fd);
    },
  );

  it('D.6.2 LOW_POWER_ENTRY zaps mmaps, drops the open reference, a second entry is -EINVAL', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    await p.pwrite(fd, Uint8Array.of(2, 0), 2, VFIO.pciConfigOffset(4));
    const map = await p.mmap(fd, VFIO.regionOffset(0), 4096);
    if (typeof map === 'number') throw new Error(`mmap: ${map}`);
    await map.readU32(0);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    expect(attr(m, 'power/runtime_usage')).toBe('0');
    await expect(map.readU32(0)).rejects.toBeInstanceOf(SigBus);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(-EINVAL);
    const efd = await p.eventfd(0, { nonblock: true });
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, wakeup(efd))).toBe(-EINVAL);
    expect(await counter(p, efd)).toBe(-EAGAIN);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    expect(typeof (await map.readU32(0))).toBe('number');
    await p.munmap(map);
    await p.close(fd);
  });

  it('D.6.3 ENTRY_WITH_WAKEUP: fd -1 → -EINVAL, a closed fd → -EBADF, not an eventfd → -EINVAL, argsz < 16 → -EINVAL', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    const efd = await p.eventfd(0, { nonblock: true });
    const nul = await p.open('/dev/null');
    const closed = await p.eventfd(0);
    await p.close(closed);
    const ioctl = (b: Uint8Array) => p.ioctl(fd, VFIO.DEVICE_FEATURE, b);
    expect(await ioctl(wakeup(-1))).toBe(-EINVAL);
    expect(await ioctl(wakeup(closed))).toBe(-EBADF);
    expect(await ioctl(wakeup(nul))).toBe(-EINVAL);
    expect(await ioctl(wakeup(efd, 15))).toBe(-EINVAL);
    expect(await ioctl(wakeup(efd, 8))).toBe(-EINVAL);
    // None of them engaged anything.
    await m.settle();
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    expect(await ioctl(wakeup(efd))).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    await p.close(fd);
  });

  it('D.6.3 the reserved field of the wake-up struct is not checked', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    const efd = await p.eventfd(0, { nonblock: true });
    const data = VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: efd });
    data.set([0xff, 0xff, 0xff, 0xff], 4);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(WITH_WAKEUP, SET, data))).toBe(0);
    await p.close(fd);
  });

  it('D.6.3 a second entry after a with-wakeup entry whose device suspended succeeds (the ioctl resume fired the eventfd)', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    const efd = await p.eventfd(0, { nonblock: true });
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, wakeup(efd))).toBe(0);
    // Not suspended yet (the async suspend has not run): still engaged → -EINVAL.
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, wakeup(efd))).toBe(-EINVAL);
    await m.settle();
    const efd2 = await p.eventfd(0, { nonblock: true });
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, wakeup(efd2))).toBe(0);
    expect(await counter(p, efd)).toBe(1);
    expect(await counter(p, efd2)).toBe(-EAGAIN);
    await p.close(fd);
  });

  it('D.6.4 LOW_POWER_EXIT always succeeds: not engaged, plain, and wake-engaged (unsignalled)', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    const exit = () => p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT));
    expect(await exit()).toBe(0);
    expect(attr(m, 'power/runtime_usage')).toBe('1');
    const efd = await p.eventfd(0, { nonblock: true });
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, wakeup(efd))).toBe(0);
    // Exit before the device suspended: the eventfd is dropped without a signal.
    expect(await exit()).toBe(0);
    expect(await counter(p, efd)).toBe(-EAGAIN);
    await m.settle();
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    expect(await exit()).toBe(0);
    expect(attr(m, 'power/runtime_usage')).toBe('1');
    await p.close(fd);
  });

  it('D.6.4 LOW_POWER_EXIT on a suspended wake-engaged device fires the eventfd through its own resume', async () => {
    const m = await boot();
    const { p, fd, efd } = await engagedWithWakeup(m);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    expect(await counter(p, efd)).toBe(1);
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    await p.close(fd);
  });
});

describe('D.7 runtime PM callbacks and INTx', () => {
  async function intx(m: Machine, p: UserProcess, fd: number) {
    const trigger = await p.eventfd(0, { nonblock: true });
    const set = VFIO.irqSet.encode({
      flags: VFIO.IRQ_SET_DATA_EVENTFD | VFIO.IRQ_SET_ACTION_TRIGGER,
      index: VFIO.PCI_INTX_IRQ_INDEX,
      start: 0,
      eventfds: [trigger],
    });
    expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, set)).toBe(0);
    expect((await hostWord(m, 4)) & COMMAND_INTX_DISABLE).toBe(0);
  }

  it('D.7.1 / D.7.2 runtime suspend masks INTx in use (DisINTx set); resume unmasks it', async () => {
    const m = await boot(D3HOT);
    const p = m.process();
    const fd = await p.openDevice(BDF);
    await intx(m, p, fd);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D3hot', 'suspended', '0']);
    // Config space is readable in D3hot and a host read does not wake it (B.11.3).
    expect((await hostWord(m, 4)) & COMMAND_INTX_DISABLE).toBe(COMMAND_INTX_DISABLE);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    expect((await hostWord(m, 4)) & COMMAND_INTX_DISABLE).toBe(0);
    await p.close(fd);
  });

  it('D.15.4 INTx already masked by the user stays masked across suspend and resume', async () => {
    const m = await boot(D3HOT);
    const p = m.process();
    const fd = await p.openDevice(BDF);
    await intx(m, p, fd);
    const mask = VFIO.irqSet.encode({
      flags: VFIO.IRQ_SET_DATA_NONE | VFIO.IRQ_SET_ACTION_MASK,
      index: VFIO.PCI_INTX_IRQ_INDEX,
      start: 0,
      count: 1,
    });
    expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, mask)).toBe(0);
    expect((await hostWord(m, 4)) & COMMAND_INTX_DISABLE).toBe(COMMAND_INTX_DISABLE);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(attr(m, 'power_state')).toBe('D3hot');
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    expect((await hostWord(m, 4)) & COMMAND_INTX_DISABLE).toBe(COMMAND_INTX_DISABLE);
    await p.close(fd);
  });
});

describe('C.1 / D.10 / D.11.2 / D.7.3 what resumes a low-power device', () => {
  const accesses: [string, (p: UserProcess, fd: number) => Promise<number>][] = [
    [
      'VFIO_DEVICE_GET_INFO',
      (p, fd) => p.ioctl(fd, VFIO.DEVICE_GET_INFO, VFIO.deviceInfo.encode({})),
    ],
    [
      'VFIO_DEVICE_GET_REGION_INFO',
      (p, fd) => p.ioctl(fd, VFIO.DEVICE_GET_REGION_INFO, VFIO.regionInfo.encode({ index: 0 })),
    ],
    ['config pread', (p, fd) => p.pread(fd, new Uint8Array(4), 4, VFIO.pciConfigOffset(0))],
    ['config pwrite', (p, fd) => p.pwrite(fd, new Uint8Array(1), 1, VFIO.pciConfigOffset(0x3c))],
    ['BAR0 pread', (p, fd) => p.pread(fd, new Uint8Array(4), 4, VFIO.regionOffset(0))],
  ];

  it.each(accesses)(
    'C.1 / D.10 %s resumes a wake-engaged device and fires its eventfd once',
    async (_, access) => {
      const m = await boot();
      const { p, fd, efd } = await engagedWithWakeup(m);
      expect(await access(p, fd)).toBeGreaterThanOrEqual(0);
      await m.settle();
      // The engagement is over: no re-entry by the host.
      expect(pm(m)).toEqual(['D0', 'active', '1']);
      expect(await counter(p, efd)).toBe(1);
      await p.close(fd);
    },
  );

  it('C.1.5 an unknown ioctl (-ENOTTY) still resumes the device and fires the wake-up eventfd', async () => {
    const m = await boot();
    const { p, fd, efd } = await engagedWithWakeup(m);
    expect(await p.ioctl(fd, VFIO.DEVICE_GET_INFO + 0x40, 0)).toBe(-ENOTTY);
    expect(await counter(p, efd)).toBe(1);
    await m.settle();
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    await p.close(fd);
  });

  it('D.10 a region access resumes a plain-engaged device, which re-suspends afterwards', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    const out = new Uint8Array(4);
    expect(await p.pread(fd, out, 4, VFIO.pciConfigOffset(0))).toBe(4);
    expect(le(out)).toBe(0x10d38086);
    expect(attr(m, 'power_state')).toBe('D0');
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    await p.close(fd);
  });

  it('D.10.1 / D.10.2 a zero-length access or a bad region index does not resume the device', async () => {
    const m = await boot();
    const { p, fd, efd } = await engagedWithWakeup(m);
    expect(await p.pread(fd, new Uint8Array(4), 0, VFIO.pciConfigOffset(0))).toBe(0);
    expect(await p.pread(fd, new Uint8Array(4), 4, VFIO.regionOffset(20))).toBe(-EINVAL);
    expect(await p.pwrite(fd, new Uint8Array(4), 4, VFIO.regionOffset(20))).toBe(-EINVAL);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    expect(await counter(p, efd)).toBe(-EAGAIN);
    await p.close(fd);
  });

  it('D.11.2 an mmap access never resumes: SIGBUS, no eventfd, still suspended', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await p.openDevice(BDF);
    const map = await p.mmap(fd, VFIO.regionOffset(0), 4096);
    if (typeof map === 'number') throw new Error(`mmap: ${map}`);
    const efd = await p.eventfd(0, { nonblock: true });
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, wakeup(efd))).toBe(0);
    await m.settle();
    await expect(map.readU32(0)).rejects.toBeInstanceOf(SigBus);
    await expect(map.writeU32(0, 1)).rejects.toBeInstanceOf(SigBus);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    expect(await counter(p, efd)).toBe(-EAGAIN);
    await p.munmap(map);
    await p.close(fd);
  });

  it('D.7.3 / B.10.1 writing d3cold_allowed resumes the device and fires a wake-up eventfd', async () => {
    const m = await boot();
    const { p, fd, efd } = await engagedWithWakeup(m);
    expect(await m.sysfs.write(`/sys/bus/pci/devices/${BDF}/d3cold_allowed`, '1')).toBe(1);
    expect(await counter(p, efd)).toBe(1);
    await m.settle();
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    await p.close(fd);
  });

  it('D.7.3 / A.11 power/control = on resumes a wake-engaged device and fires its eventfd', async () => {
    const m = await boot();
    const { p, fd, efd } = await engagedWithWakeup(m);
    expect(await m.sysfs.write(`/sys/bus/pci/devices/${BDF}/power/control`, 'on')).toBe(2);
    expect(await counter(p, efd)).toBe(1);
    expect(pm(m)).toEqual(['D0', 'active', '2']);
    await p.close(fd);
    expect(await m.sysfs.write(`/sys/bus/pci/devices/${BDF}/power/control`, 'auto')).toBe(4);
  });
});

describe('B.11.3 / F.3.3 host config reads (lspci)', () => {
  it('B.11.3 lspci wakes a D3cold device and fires the wake-up eventfd', async () => {
    const m = await boot(D3COLD);
    const { p, fd, efd } = await engagedWithWakeup(m);
    expect(await m.host.lspci(BDF)).toMatch(
      /^01:00\.0 Class 0200: Device 8086:10d3\n00: 86 80 d3 10/,
    );
    await m.settle();
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    expect(await counter(p, efd)).toBe(1);
    await p.close(fd);
  });

  it('B.11.3 lspci only references a D3hot device: no wake, no eventfd', async () => {
    const m = await boot(D3HOT);
    const p = m.process();
    const fd = await p.openDevice(BDF);
    const efd = await p.eventfd(0, { nonblock: true });
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, wakeup(efd))).toBe(0);
    await m.settle();
    expect(await m.host.lspci(BDF)).toMatch(
      /^01:00\.0 Class 0200: Device 8086:10d3\n00: 86 80 d3 10/,
    );
    await m.settle();
    expect(pm(m)).toEqual(['D3hot', 'suspended', '0']);
    expect(await counter(p, efd)).toBe(-EAGAIN);
    await p.close(fd);
  });

  it('B.11.3 lspci of an unused D3cold device wakes it, then it suspends again', async () => {
    const m = await boot(D3COLD);
    expect(await m.host.lspci(BDF)).toMatch(
      /^01:00\.0 Class 0200: Device 8086:10d3\n00: 86 80 d3 10/,
    );
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
  });
});

describe('D.4.3 / F.3.7 close while engaged', () => {
  it('D.4.3 closing a wake-engaged suspended device exits low power unsignalled, resumes, then re-suspends unused', async () => {
    const m = await boot();
    const { p, fd, efd } = await engagedWithWakeup(m);
    expect(await p.close(fd)).toBe(0);
    expect(attr(m, 'power/runtime_usage')).toBe('0');
    expect(await counter(p, efd)).toBe(-EAGAIN);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    // The device is usable again.
    const again = await p.openDevice(BDF);
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    await p.close(again);
  });
});
