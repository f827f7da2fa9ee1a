// The five races of issue 7 (KERNEL.md F.3, F.4) as machine scenarios: each runs two façade
// calls concurrently, lets the machine settle and checks what Linux guarantees for every
// interleaving. A failed check throws, which exploreMachine reports with a replay token.
import { SigBus, type Machine, type MachineScenario, type UserProcess } from '@vfio-ts/test-kit';
import { VFIO } from '@vfio-ts/vfio-core';
import { EAGAIN, EBUSY, EIO } from '@vfio-ts/kernel';
import {
  attr,
  BDF,
  BDF1,
  bytesOf,
  counter,
  E1000E_PM,
  ENTRY,
  feature,
  le,
  wakeup,
} from './helpers.js';

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

// After a with-wakeup entry has settled: a signalled eventfd means the engagement is over and
// the host did not re-enter low power (D.7.2, F.3.3); an unsignalled one means nothing resumed
// the device, which is suspended and still engaged.
async function oneShot(m: Machine, p: UserProcess, efd: number, bdf = BDF): Promise<void> {
  const n = await counter(p, efd);
  const status = attr(m, 'power/runtime_status', bdf);
  if (n === 1) check(status === 'active', `eventfd signalled but ${bdf} is ${String(status)}`);
  else
    check(
      n === -EAGAIN && status === 'suspended',
      `eventfd ${n} and ${bdf} ${String(status)}: a suspended device is engaged and unsignalled`,
    );
}

/** F.3.1: a config read from one thread racing LOW_POWER_ENTRY from another. */
export const configVersusEntry: MachineScenario = async (m) => {
  const p = m.process();
  const fd = await p.openDevice(BDF);
  const buf = new Uint8Array(4);
  const [read, entry] = await Promise.all([
    p.pread(fd, buf, 4, VFIO.pciConfigOffset(0)),
    p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY)),
  ]);
  check(read === 4 && le(buf) === 0x10d38086, `config read ${read} [${buf}]`);
  check(entry === 0, `entry ${entry}`);
  await m.settle();
  check(attr(m, 'power_state') === 'D3cold', `not in D3cold: ${String(attr(m, 'power_state'))}`);
  check((await p.close(fd)) === 0, 'close');
};

/** F.3.3 / B.11.3: a host config read (lspci) racing LOW_POWER_ENTRY_WITH_WAKEUP. */
export const hostReadVersusWakeupEntry: MachineScenario = async (m) => {
  const p = m.process();
  const fd = await p.openDevice(BDF);
  const efd = await p.eventfd(0, { nonblock: true });
  const [entry, first, second] = await Promise.all([
    p.ioctl(fd, VFIO.DEVICE_FEATURE, wakeup(efd)),
    m.host.configRead(BDF, 0, 4),
    m.host.configRead(BDF, 0, 4),
  ]);
  check(entry === 0, `entry ${entry}`);
  // The host read resumes a D3cold device first: it never sees all-ones.
  for (const r of [first, second])
    check(typeof r !== 'number' && le(r) === 0x10d38086, `host read ${String(r)}`);
  await m.settle();
  await oneShot(m, p, efd);
  check((await p.close(fd)) === 0, 'close');
};

/** F.3.7: the last close racing the runtime suspend that a with-wakeup entry started. */
export const closeVersusSuspend: MachineScenario = async (m) => {
  const p = m.process();
  const fd = await p.openDevice(BDF);
  const efd = await p.eventfd(0, { nonblock: true });
  const [entry, closed] = await Promise.all([
    p.ioctl(fd, VFIO.DEVICE_FEATURE, wakeup(efd)),
    p.close(fd),
  ]);
  check(entry === 0 && closed === 0, `entry ${entry} close ${closed}`);
  await m.settle();
  // Close drops the eventfd unsignalled (D.4.3 step 1) and the unused device suspends again.
  check((await counter(p, efd)) === -EAGAIN, 'close signalled the wake-up eventfd');
  const state = [attr(m, 'power_state'), attr(m, 'power/runtime_usage')].join(' ');
  check(state === 'D3cold 0', `after close: ${state}`);
};

/** D.13 / F.2: a hot reset of the set racing a with-wakeup entry on one of its members. */
export const hotResetVersusEntry: MachineScenario = async (m) => {
  const p = m.process();
  const fd0 = await p.openDevice(BDF);
  const fd1 = await p.openDevice(BDF1);
  const efd = await p.eventfd(0, { nonblock: true });
  const reset = VFIO.pciHotReset.encode({ groupFds: [fd0, fd1] });
  const [entry, hot] = await Promise.all([
    p.ioctl(fd0, VFIO.DEVICE_FEATURE, wakeup(efd)),
    p.ioctl(fd1, VFIO.DEVICE_PCI_HOT_RESET, reset),
  ]);
  check(entry === 0, `entry ${entry}`);
  // Contended vma_lock/memory_lock trylocks give -EBUSY (D.13.3); anything else is a bug.
  check(hot === 0 || hot === -EBUSY, `hot reset ${hot}`);
  await m.settle();
  await oneShot(m, p, efd);
  check(attr(m, 'power/runtime_status', BDF1) === 'active', '01:00.1 is open and not engaged');
  check((await p.close(fd0)) === 0 && (await p.close(fd1)) === 0, 'close');
};

/** D.8.4 / D.9 / D.11: a PMCSR write to D3hot racing a BAR read and an mmap access. */
export const pmcsrVersusBarRead: MachineScenario = async (m) => {
  const p = m.process();
  const fd = await p.openDevice(BDF);
  check((await p.pwrite(fd, bytesOf(2, 2), 2, VFIO.pciConfigOffset(4))) === 2, 'memory enable');
  const map = await p.mmap(fd, VFIO.regionOffset(0), 4096);
  if (typeof map === 'number') throw new Error(`mmap ${map}`);
  const buf = new Uint8Array(4);
  const [written, read, mapped] = await Promise.all([
    p.pwrite(fd, bytesOf(3, 2), 2, VFIO.pciConfigOffset(E1000E_PM + 4)),
    p.pread(fd, buf, 4, VFIO.regionOffset(0)),
    map.readU32(0).then(
      () => 'ok',
      (e: unknown) => (e instanceof SigBus ? 'sigbus' : String(e)),
    ),
  ]);
  check(written === 2, `PMCSR write ${written}`);
  check(read === 4 || read === -EIO, `BAR read ${read}`);
  check(mapped === 'ok' || mapped === 'sigbus', `mmap access: ${mapped}`);
  check(attr(m, 'power_state') === 'D3hot', 'PMCSR write did not reach D3hot');
  // Once in D3hot: the gate is closed and the mapping zapped.
  check((await p.pread(fd, buf, 4, VFIO.regionOffset(0))) === -EIO, 'BAR read in D3hot');
  const after = await map.readU32(0).then(
    () => 'ok',
    (e: unknown) => (e instanceof SigBus ? 'sigbus' : String(e)),
  );
  check(after === 'sigbus', `mmap access in D3hot: ${after}`);
  await p.munmap(map);
  check((await p.close(fd)) === 0, 'close');
};
