// Issue 10: a variant's runtime PM hooks — beforeSuspend refusing with -EBUSY/-EAGAIN (A.6.12:
// no retry without autosuspend, the next idle check suspends), afterResume, and the host
// re-entry policy after a host-initiated wake — through the façade.
import { describe, expect, it } from 'vitest';
import { EAGAIN, EBUSY } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import type { VfioPciCoreDevice } from '@vfio-ts/vfio-pci';
import { attr, BDF, counter, ENTRY, EXIT, feature, machines, pm, SET } from '../pm/helpers.js';
import { plainVariant, withVariants } from './helpers.js';

const boot = machines();
const PROBE = VFIO.DEVICE_FEATURE_PROBE;

/** A variant that refuses runtime suspend with `errno` while `busy`, counting attempts. */
function refusing(errno: number) {
  const s = { busy: true, attempts: 0 };
  const variant = plainVariant('v', {
    beforeSuspend: () => {
      s.attempts++;
      return Promise.resolve(s.busy ? -errno : 0);
    },
  });
  return { s, variant };
}

describe('beforeSuspend', () => {
  for (const errno of [EBUSY, EAGAIN]) {
    it(`A.6.12 refusing with -${errno === EBUSY ? 'EBUSY' : 'EAGAIN'} keeps the engaged device active in D0, with no retry until the next idle check`, async () => {
      const { s, variant } = refusing(errno);
      const m = await boot(withVariants([variant]));
      const p = m.process();
      const fd = await p.openDevice(BDF);
      const before = s.attempts;
      expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
      await m.settle();
      expect(s.attempts).toBe(before + 1);
      // Active, not an error: the refusal is non-fatal (runtime_error reset).
      expect(pm(m)).toEqual(['D0', 'active', '0']);
      expect(m.vfioPciDevice(BDF)!.pmRuntimeEngaged).toBe(true);
      // vfio-pci does not use autosuspend: nothing retries by itself.
      s.busy = false;
      await m.settle();
      expect(s.attempts).toBe(before + 1);
      expect(pm(m)).toEqual(['D0', 'active', '0']);
      // Any device ioctl ends with a put and an idle check, which now suspends it.
      expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY, PROBE | SET))).toBe(0);
      await m.settle();
      expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
      expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
      await p.close(fd);
    });
  }

  it('B.11.3 a refused unused device stays in D0; a host config read (its put) lets it suspend once allowed', async () => {
    const { s, variant } = refusing(EBUSY);
    const m = await boot(withVariants([variant]));
    expect(pm(m)).toEqual(['D0', 'active', '0']);
    expect(attr(m, 'power/runtime_status')).toBe('active');
    s.busy = false;
    expect(typeof (await m.host.lspci(BDF))).toBe('string');
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
  });

  it('runs before the core callback: while it refuses the core never masks or moves the device', async () => {
    const { variant } = refusing(EBUSY);
    const m = await boot(withVariants([variant]));
    expect(
      m.trace.some((r) => r.name === 'pci_power_state' && JSON.stringify(r.payload).includes('D3')),
    ).toBe(false);
  });
});

describe('afterResume', () => {
  it('runs after the core resume: the wake-up eventfd is already signalled and the engagement over', async () => {
    const seen: { engaged: boolean; ctx: boolean; state: number }[] = [];
    const variant = plainVariant('v', {
      afterResume: (vdev: VfioPciCoreDevice) => {
        seen.push({
          engaged: vdev.pmRuntimeEngaged,
          ctx: !!vdev.pmWakeEventfdCtx,
          state: vdev.pdev.currentState,
        });
        return Promise.resolve();
      },
    });
    const m = await boot(withVariants([variant]));
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(seen).toEqual([{ engaged: false, ctx: false, state: 0 }]);
    const efd = await p.eventfd(0, { nonblock: true });
    const data = VFIO.lowPowerEntryWithWakeup({ wakeupEventfd: efd });
    expect(
      await p.ioctl(
        fd,
        VFIO.DEVICE_FEATURE,
        feature(VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP, SET, data),
      ),
    ).toBe(0);
    await m.settle();
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual({ engaged: false, ctx: false, state: 0 });
    expect(await counter(p, efd)).toBe(1);
    await p.close(fd);
  });
});

describe('hostReentry after a host lspci wakes a plain-engaged D3cold device', () => {
  async function plainEngagedThenLspci(hostReentry?: (vdev: VfioPciCoreDevice) => boolean) {
    const calls: VfioPciCoreDevice[] = [];
    const variant = plainVariant(
      'v',
      hostReentry ? { hostReentry: (v) => (calls.push(v), hostReentry(v)) } : {},
    );
    const m = await boot(withVariants([variant]));
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    expect(typeof (await m.host.lspci(BDF))).toBe('string');
    await m.settle();
    return { m, p, fd, calls };
  }

  it('false ends the engagement: the device stays in D0, EXIT returns 0, a new ENTRY works', async () => {
    const { m, p, fd, calls } = await plainEngagedThenLspci(() => false);
    // Consulted at every runtime resume (the first open's too), with the function's device.
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(new Set(calls)).toEqual(new Set([m.vfioPciDevice(BDF)]));
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    expect(m.vfioPciDevice(BDF)!.pmRuntimeEngaged).toBe(false);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    await p.close(fd);
  });

  it('false also ends a plain engagement at a wake the user causes (an ioctl)', async () => {
    const m = await boot(withVariants([plainVariant('v', { hostReentry: () => false })]));
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY, PROBE | SET))).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D0', 'active', '1']);
    await p.close(fd);
  });

  for (const [what, hook] of [
    ['true', () => true],
    ['absent', undefined],
  ] as const) {
    it(`${what} keeps the core behaviour: the engagement stays and the device suspends again`, async () => {
      const { m, p, fd } = await plainEngagedThenLspci(hook);
      expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
      expect(m.vfioPciDevice(BDF)!.pmRuntimeEngaged).toBe(true);
      expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
      expect(pm(m)).toEqual(['D0', 'active', '1']);
      await p.close(fd);
    });
  }
});
