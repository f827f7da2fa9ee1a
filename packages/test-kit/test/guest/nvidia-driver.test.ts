// The NVIDIA guest driver's decisions on a fake device: which registers it writes before and
// after low power, what it saves and checks, and how it copes with failing accesses.
import { describe, expect, it } from 'vitest';
import { nvidiaGuestDriver, type GuestDeviceIo } from '@vfio-ts/test-kit';
import { NVSIM_FB_EVICT, NVSIM_RTD3_CTRL, NV_PMC_INTR_EN_0 } from '@vfio-ts/variant-nvidia';

const MIB = 1 << 20;

/** A device whose BARs are a map; `fail` makes reads, writes or features answer -EIO. */
function fakeIo(fail: { read?: boolean; write?: boolean; feature?: boolean } = {}) {
  const mem = new Map<string, Uint8Array>();
  const log: string[] = [];
  const writes: string[] = [];
  const io: GuestDeviceIo = {
    bdf: '0000:01:00.0',
    read: async (bar, offset, length) =>
      fail.read ? -5 : (mem.get(`${bar}:${offset}`)?.slice(0, length) ?? new Uint8Array(length)),
    write: async (bar, offset, data) => {
      writes.push(`${bar}:0x${offset.toString(16)}=${data[0]}`);
      if (fail.write) return -5;
      mem.set(`${bar}:${offset}`, data.slice());
      return data.length;
    },
    feature: async () => (fail.feature ? -25 : 0),
    log: (t) => void log.push(t),
  };
  return { io, mem, log, writes };
}

describe('nvidiaGuestDriver', () => {
  it('masks interrupts, engages self-refresh above the threshold, and undoes both after', async () => {
    const d = nvidiaGuestDriver({ thresholdBytes: 2 * MIB });
    const f = fakeIo();
    f.mem.set(`0:${NV_PMC_INTR_EN_0}`, new Uint8Array([7, 0, 0, 0]));
    expect(await d.allocate!(f.io, 3 * MIB)).toBe(0);
    await d.suspend!(f.io);
    expect(f.writes.slice(3)).toEqual([
      `0:0x${NV_PMC_INTR_EN_0.toString(16)}=0`,
      `0:0x${NVSIM_RTD3_CTRL.toString(16)}=1`,
    ]);
    await d.resume!(f.io);
    expect(f.log.at(-1)).toBe('video memory intact');
    expect(f.writes.slice(-2)).toEqual([
      `0:0x${NVSIM_RTD3_CTRL.toString(16)}=0`,
      `0:0x${NV_PMC_INTR_EN_0.toString(16)}=7`,
    ]);
  });

  it('says which chunks were lost when video memory did not survive', async () => {
    const d = nvidiaGuestDriver({ thresholdBytes: 0 });
    const f = fakeIo();
    await d.allocate!(f.io, 2 * MIB);
    await d.suspend!(f.io);
    f.mem.delete(`2:${MIB}`);
    await d.resume!(f.io);
    expect(f.log.at(-1)).toBe('video memory LOST: 1 chunks');
  });

  it('evicts at or below the threshold and writes the copy back after', async () => {
    const d = nvidiaGuestDriver();
    const f = fakeIo();
    await d.allocate!(f.io, 2 * MIB);
    await d.suspend!(f.io);
    expect(f.writes).toContain(`0:0x${NVSIM_FB_EVICT.toString(16)}=1`);
    const kept = f.mem.get(`2:${MIB}`)!;
    f.mem.clear();
    await d.resume!(f.io);
    expect(f.mem.get(`2:${MIB}`)).toEqual(kept);
    expect(f.log.at(-1)).toBe('video memory restored from system memory');
    // Nothing saved twice: a second resume restores nothing.
    await d.resume!(f.io);
    expect(f.log.at(-1)).toBe('video memory restored from system memory');
  });

  it('logs a threshold the VMM could not set and keeps its own', async () => {
    const f = fakeIo({ feature: true });
    await nvidiaGuestDriver({ thresholdBytes: 5 * MIB }).probe!(f.io);
    expect(f.log).toEqual(['RTD3 threshold not set: -25', 'RTD3 threshold 5 MiB']);
  });

  it('copes with failing accesses: allocation fails, save and restore go on', async () => {
    const d = nvidiaGuestDriver();
    const w = fakeIo({ write: true });
    expect(await d.allocate!(w.io, MIB)).toBe(-5);
    const r = fakeIo({ read: true });
    await d.suspend!(r.io);
    await d.resume!(r.io);
    expect(r.log).toContain('video memory restored from system memory');
    expect(await d.allocate!(r.io, 1.5)).toBe(-22);
  });
});
