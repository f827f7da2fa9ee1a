import { describe, expect, it } from 'vitest';
import { explore, handleMmFault, type Kernel, type VmArea } from '@vfio-ts/kernel';
import type { HwAccess } from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import { cfgWrite, mmap, open, setup, touch } from './machine.js';

const SCHEDULES = 300;

// Records every BAR access the hardware saw while its decode was disabled.
function watchDisabledBarAccess(m: Awaited<ReturnType<typeof setup>>): HwAccess[] {
  const bad: HwAccess[] = [];
  m.ep.hw.subscribe((e) => {
    if (e.type === 'access' && e.kind.startsWith('bar') && e.decodeEnabled === false) bad.push(e);
  });
  return bad;
}

describe('F.4 races explored', () => {
  it('D.9.2 a BAR read racing a Command write that disables memory never reads a disabled BAR', async () => {
    const scenario = async (k: Kernel): Promise<void> => {
      const m = await setup({ kernel: k });
      const fd = await open(m);
      const bad = watchDisabledBarAccess(m);
      const f = m.files.fdget(fd);
      if (typeof f === 'number') throw new Error('fd');
      const buf = new Uint8Array(4);
      const [r] = await Promise.all([
        k.run('reader', () => f.fops.read!(f, buf, 4, VFIO.regionOffset(0))),
        cfgWrite(m, fd, 0x04, 2, 0x0101),
      ]);
      if (bad.length)
        throw new Error(`BAR accessed with decode disabled: ${JSON.stringify(bad[0])}`);
      if (r !== 4 && r !== -5) throw new Error(`read returned ${r}`);
    };
    const r = await explore(scenario, { mode: 'random', schedules: SCHEDULES, seed: 11 });
    expect(r.failure?.message).toBeUndefined();
    expect(r.ok).toBe(true);
  });

  it('D.11.2/D.11.3 a fault racing the zap of a memory disable never leaves a live mapping', async () => {
    const scenario = async (k: Kernel): Promise<void> => {
      const m = await setup({ kernel: k });
      const fd = await open(m);
      const vma = (await mmap(m, fd, 0, 4096)) as VmArea;
      await Promise.all([
        k.run('fault', () => handleMmFault(vma)),
        cfgWrite(m, fd, 0x04, 2, 0x0101),
      ]);
      if (vma.populated) throw new Error('live mapping on a device with memory disabled');
      if ((await touch(m, vma)) !== 2) throw new Error('fault after disable did not SIGBUS');
    };
    const r = await explore(scenario, { mode: 'random', schedules: SCHEDULES, seed: 7 });
    expect(r.failure?.message).toBeUndefined();
    expect(r.ok).toBe(true);
  });

  it('the race test has teeth: without memory_lock in the fault path a live mapping survives', async () => {
    const scenario = async (k: Kernel): Promise<void> => {
      const m = await setup({ kernel: k });
      const fd = await open(m);
      const vma = (await mmap(m, fd, 0, 4096)) as VmArea;
      const broken = vma.ops!;
      // A fault handler that checks the gate, yields, and maps without holding any lock.
      vma.ops = {
        ...broken,
        fault: async (v) => {
          const ok = (m.vdev.virtCommand & 2) !== 0;
          await k.sched.yield();
          await k.sched.yield();
          if (!ok) return 2;
          v.populate({ read: () => 0, write: () => undefined });
          return 0x100;
        },
      };
      await Promise.all([
        k.run('fault', () => handleMmFault(vma)),
        cfgWrite(m, fd, 0x04, 2, 0x0101),
      ]);
      if (vma.populated) throw new Error('live mapping on a device with memory disabled');
    };
    const r = await explore(scenario, { mode: 'random', schedules: SCHEDULES, seed: 7 });
    expect(r.ok).toBe(false);
    expect(r.failure?.message).toContain('live mapping');
  });
});
