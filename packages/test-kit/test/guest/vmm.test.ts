// The VMM's system calls and failure paths: whatever the host answers, nothing throws; a
// failed low-power request is logged and leaves no eventfd behind.
import { describe, expect, it } from 'vitest';
import { createMachine, type Machine } from '@vfio-ts/test-kit';
import { ThreadSyscalls } from '../../src/guest/syscalls.js';
import { Vmm, type VmmDevice } from '../../src/guest/vmm.js';

const A = '0000:01:00.0';
const machine = () =>
  createMachine({
    rootPorts: [{ name: 'rp0', d3cold: true }],
    devices: [{ bdf: A, rootPort: 'rp0', config: 'e1000e' }],
  });

function vmm(m: Machine, wakeup: boolean) {
  const errors: string[] = [];
  const p = m.process();
  const v = new Vmm(m.kernel, p, wakeup, {
    pme: () => errors.push('pme'),
    unplug: async () => void errors.push('unplug'),
    error: (d, what, ret) => void errors.push(`${d.bdf} ${what} ${ret}`),
  });
  return { v, p, errors };
}
const bogus = (fd: number): VmmDevice => ({ bdf: A, fd, engagement: null, req: -1, gone: false });

describe('ThreadSyscalls', () => {
  it('answers -EBADF for a closed fd and -EINVAL for an operation the file lacks', async () => {
    const m = await machine();
    const p = m.process();
    const sys = new ThreadSyscalls(p.files);
    const devnull = await p.open('/dev/null');
    const buf = new Uint8Array(8);
    const r = await m.kernel.run(
      't',
      async () => [
        await sys.ioctl(9, 1),
        await sys.pread(9, buf, 0),
        await sys.ioctl(devnull, 1),
        await sys.pwrite(devnull, buf, 0),
        await sys.pread(devnull, buf, 0),
      ],
      p.files,
    );
    expect(r).toEqual([-9, -9, -22, 8, 0]);
  });
});

describe('Vmm failure paths', () => {
  it('logs a low-power entry the host refuses and closes the eventfd it made', async () => {
    const m = await machine();
    for (const wakeup of [true, false]) {
      const { v, p, errors } = vmm(m, wakeup);
      await v.thread('t', () => v.powerOff([bogus(42)]));
      await v.thread('t', () => v.powerOn([bogus(42)]));
      await v.thread('t', () => v.watchRemoval(bogus(42)));
      expect(errors).toEqual([
        `${A} ${wakeup ? 'LOW_POWER_ENTRY_WITH_WAKEUP' : 'LOW_POWER_ENTRY'} -9`,
        `${A} LOW_POWER_EXIT -9`,
        `${A} SET_IRQS (REQ) -9`,
      ]);
      expect(p.files.openFds()).toEqual([]);
      expect(await v.thread('t', () => v.configRead(bogus(42), 0, 2))).toBe(-9);
    }
  });

  it('does nothing for unplugged devices or once stopped', async () => {
    const m = await machine();
    const { v, errors } = vmm(m, true);
    const gone = { ...bogus(42), gone: true };
    await v.thread('t', () => v.powerOff([gone]));
    await v.thread('t', () => v.powerOn([gone]));
    await v.stop([]);
    await v.thread('t', () => v.powerOff([bogus(42)]));
    expect(errors).toEqual([]);
  });
});
