// Issue 10: a variant's INTx mask/unmask hooks (D.15, through SET_IRQS and runtime suspend),
// its config-space quirks (what the user reads through the config region), and init/release
// around bind and unbind.
import { describe, expect, it } from 'vitest';
import { ENODEV } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import type { VfioPciConfigQuirk, VfioPciCoreDevice, VfioPciVariant } from '@vfio-ts/vfio-pci';
import { BDF, configRead, ENTRY, EXIT, feature, hostWord, machines, pm } from '../pm/helpers.js';
import { driverOf, plainVariant, withVariants } from './helpers.js';

const boot = machines();
const DISINTX = 0x400;

function intx(flags: number, eventfds?: number[]): Uint8Array {
  return VFIO.irqSet.encode({
    flags,
    index: VFIO.PCI_INTX_IRQ_INDEX,
    start: 0,
    count: 1,
    ...(eventfds ? { eventfds } : {}),
  });
}
const TRIGGER = VFIO.IRQ_SET_DATA_EVENTFD | VFIO.IRQ_SET_ACTION_TRIGGER;
const MASK = VFIO.IRQ_SET_DATA_NONE | VFIO.IRQ_SET_ACTION_MASK;
const UNMASK = VFIO.IRQ_SET_DATA_NONE | VFIO.IRQ_SET_ACTION_UNMASK;

/** A variant whose INTx hooks log each call and then run the core's (unless `swallow`). */
function intxLogger(swallow = false) {
  const log: string[] = [];
  const hook =
    (what: string) =>
    (_vdev: VfioPciCoreDevice, core: () => boolean): boolean => {
      log.push(what);
      return swallow ? false : core();
    };
  return {
    log,
    variant: plainVariant('v', { intxMask: hook('mask'), intxUnmask: hook('unmask') }),
  };
}

/** A machine with `variant` bound, the device open and its INTx triggering an eventfd. */
async function openWithIntx(variant: VfioPciVariant) {
  const m = await boot(withVariants([variant]));
  const p = m.process();
  const fd = await p.openDevice(BDF);
  const efd = await p.eventfd(0, { nonblock: true });
  expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, intx(TRIGGER, [efd]))).toBe(0);
  return { m, p, fd };
}

describe('intxMask / intxUnmask', () => {
  it('D.15.6 SET_IRQS MASK and UNMASK on INTx go through the hooks, which run the core', async () => {
    const { log, variant } = intxLogger();
    const { m, p, fd } = await openWithIntx(variant);
    const hw = m.topology.lookup(BDF)!.hw;
    expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, intx(MASK))).toBe(0);
    expect(log).toEqual(['mask']);
    expect(hw.configRead(4, 2) & DISINTX).toBe(DISINTX);
    expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, intx(UNMASK))).toBe(0);
    expect(log).toEqual(['mask', 'unmask']);
    expect(hw.configRead(4, 2) & DISINTX).toBe(0);
    await p.close(fd);
  });

  it('a hook that does not call the core leaves INTx as it was', async () => {
    const { log, variant } = intxLogger(true);
    const { m, p, fd } = await openWithIntx(variant);
    expect(await p.ioctl(fd, VFIO.DEVICE_SET_IRQS, intx(MASK))).toBe(0);
    expect(log).toEqual(['mask']);
    expect(m.topology.lookup(BDF)!.hw.configRead(4, 2) & DISINTX).toBe(0);
    await p.close(fd);
  });

  it('D.7.1 / D.7.2 runtime suspend with INTx enabled masks through the hook, the resume unmasks through it', async () => {
    const { log, variant } = intxLogger();
    const { m, p, fd } = await openWithIntx(variant);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    expect(log).toEqual(['mask']);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    expect(log).toEqual(['mask', 'unmask']);
    expect(m.topology.lookup(BDF)!.hw.configRead(4, 2) & DISINTX).toBe(0);
    await p.close(fd);
  });
});

describe('configQuirks', () => {
  const quirked = (quirks: VfioPciConfigQuirk[], calls: VfioPciCoreDevice[] = []) =>
    withVariants([plainVariant('v', { configQuirks: (vdev) => (calls.push(vdev), quirks) })]);

  it('changes the bits the user reads through the config region, not the hardware', async () => {
    const calls: VfioPciCoreDevice[] = [];
    const m = await boot(
      quirked(
        [
          { offset: 0x2e, width: 2, mask: 0xffff, value: 0xac3e },
          { offset: 0x08, width: 1, mask: 0x0f, value: 0x05 },
        ],
        calls,
      ),
    );
    expect(calls).toEqual([]);
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(calls).toEqual([m.vfioPciDevice(BDF)]);
    expect(await configRead(p, fd, 0x2e, 2)).toBe(0xac3e);
    expect(await hostWord(m, 0x2e)).not.toBe(0xac3e);
    const rev = (await hostWord(m, 0x08)) & 0xff;
    expect(await configRead(p, fd, 0x08, 1)).toBe((rev & 0xf0) | 0x05);
    // A dword read covering the quirked word sees it too.
    expect((await configRead(p, fd, 0x2c, 4)) >>> 16).toBe(0xac3e);
    await p.close(fd);
  });

  it('ignores a bad quirk with a warning, applies the others, and throws nothing', async () => {
    const m = await boot(
      quirked([
        { offset: 0x2f, width: 2, mask: 0xffff, value: 0 },
        { offset: 4096, width: 4, mask: 0xffffffff, value: 0 },
        { offset: 0x30, width: 3 as never, mask: 0xffffff, value: 0 },
        { offset: 0x2e, width: 2, mask: 0xffff, value: 0xac3e },
      ]),
    );
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(await configRead(p, fd, 0x2e, 2)).toBe(0xac3e);
    expect(m.kernel.defects.filter((d) => d.kind === 'warn').map((d) => d.message)).toEqual([
      `vfio-pci ${BDF}: config quirk at 47 ignored`,
      `vfio-pci ${BDF}: config quirk at 4096 ignored`,
      `vfio-pci ${BDF}: config quirk at 48 ignored`,
    ]);
    await p.close(fd);
  });
});

describe('init and release', () => {
  it('init returning -errno fails the bind: the function is left unbound, with no vfio device', async () => {
    const released: VfioPciCoreDevice[] = [];
    const variant: VfioPciVariant = plainVariant('v', {
      init: () => -ENODEV,
      release: (vdev) => void released.push(vdev),
    });
    const m = await boot(withVariants([variant]));
    expect(driverOf(m)).toBeNull();
    expect(m.vfioPciDevice(BDF)).toBeUndefined();
    expect(await m.process().openDevice(BDF)).toBeLessThan(0);
    expect(released).toEqual([]);
  });

  it('init runs at probe with the new device; release runs at unbind with the same one', async () => {
    const log: [string, VfioPciCoreDevice][] = [];
    const variant = plainVariant('v', {
      init: (vdev) => (log.push(['init', vdev]), 0),
      release: (vdev) => void log.push(['release', vdev]),
    });
    const m = await boot(withVariants([variant]));
    const vdev = m.vfioPciDevice(BDF)!;
    expect(log).toEqual([['init', vdev]]);
    expect(await m.sysfs.write('/sys/bus/pci/drivers/v/unbind', BDF)).toBe(BDF.length);
    expect(log).toEqual([
      ['init', vdev],
      ['release', vdev],
    ]);
    expect(m.vfioPciDevice(BDF)).toBeUndefined();
  });
});
