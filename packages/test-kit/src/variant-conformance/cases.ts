// The standard low-power cases every vfio-pci variant must pass (KERNEL.md D.6, D.7, D.13),
// driven through the façade on a fresh machine each. Rule numbers name what each step pins.
import { EAGAIN } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import type { CaseRun, PmState } from './case-run.js';
import type { VariantConformanceCaseName } from './types.js';

const ENTRY = VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY;
const EXIT = VFIO.DEVICE_FEATURE_LOW_POWER_EXIT;

/** Open and in use: D0, active, the open reference. */
export const ACTIVE: PmState = Object.freeze(['D0', 'active', '1'] as const);

const suspended = (r: CaseRun): PmState => [r.env.low, 'suspended', '0'];

async function settled(r: CaseRun, step: string, want: PmState): Promise<void> {
  await r.m.settle();
  r.expectState(`${step}, settled`, want);
}

/** D.6.4: EXIT answers 0 and takes the reference back at once. */
async function exit(r: CaseRun, step = 'LOW_POWER_EXIT'): Promise<void> {
  r.expectValue(`${step} returns`, await r.feature(EXIT), 0);
  r.expectState(step, ACTIVE);
}

/**
 * After a wake the user did not cause, a plain engagement either stays (the device suspends
 * again) or ends (D0 until a new ENTRY), as the variant's re-entry policy says.
 */
async function afterHostWake(r: CaseRun, step: string): Promise<void> {
  const want = r.env.options.expect?.hostReentry ?? r.vdev.variant?.hostReentry?.(r.vdev) ?? true;
  if (want) {
    await settled(r, `${step} (host re-entry)`, suspended(r));
    return exit(r);
  }
  await settled(r, `${step} (no host re-entry)`, ACTIVE);
  await exit(r, `${step}: LOW_POWER_EXIT`);
  await r.enter(`${step}: LOW_POWER_ENTRY again`);
  await settled(r, `${step}: LOW_POWER_ENTRY again`, suspended(r));
  await exit(r);
}

/** D.6.2: ENTRY lets the open device runtime-suspend to its low-power state. */
async function entry(r: CaseRun): Promise<void> {
  r.expectState('open', ACTIVE);
  await r.enter('LOW_POWER_ENTRY');
  await settled(r, 'LOW_POWER_ENTRY', suspended(r));
  await exit(r);
}

/** D.6.3 / D.7.2: a wake by any ioctl signals the eventfd once and ends the engagement. */
async function entryWithWakeup(r: CaseRun): Promise<void> {
  const efd = await r.eventfd();
  await r.enter('LOW_POWER_ENTRY_WITH_WAKEUP', efd);
  await settled(r, 'LOW_POWER_ENTRY_WITH_WAKEUP', suspended(r));
  await r.expectCounter('suspended', efd, -EAGAIN);
  r.expectValue('a PROBE ioctl (D.7.3 wake) returns', await r.feature(ENTRY, undefined, true), 0);
  await r.expectCounter('woken by an ioctl', efd, 1);
  await settled(r, 'woken by an ioctl', ACTIVE);
  await r.expectCounter('woken, settled (one notification)', efd, -EAGAIN);
  await r.enter('LOW_POWER_ENTRY after the wake-up');
  await settled(r, 'LOW_POWER_ENTRY after the wake-up', suspended(r));
  await exit(r);
}

/** D.6.4 / D.6.5: EXIT ends the engagement (idempotent); a new ENTRY is accepted. */
async function exitCase(r: CaseRun): Promise<void> {
  await r.enter('LOW_POWER_ENTRY');
  await settled(r, 'LOW_POWER_ENTRY', suspended(r));
  await exit(r);
  await settled(r, 'LOW_POWER_EXIT', ACTIVE);
  await exit(r, 'a second LOW_POWER_EXIT');
  await r.enter('LOW_POWER_ENTRY after LOW_POWER_EXIT');
  await settled(r, 'LOW_POWER_ENTRY after LOW_POWER_EXIT', suspended(r));
  await exit(r);
}

/** B.11.3 / B.11.6: a host lspci wakes a D3cold device (eventfd fired), not a D3hot one. */
async function hostWake(r: CaseRun): Promise<void> {
  const efd = await r.eventfd();
  await r.enter('LOW_POWER_ENTRY_WITH_WAKEUP', efd);
  await settled(r, 'LOW_POWER_ENTRY_WITH_WAKEUP', suspended(r));
  await r.m.host.lspci(r.env.bdf);
  if (r.env.low === 'D3cold') {
    await r.expectCounter('host lspci in D3cold', efd, 1);
    await settled(r, 'host lspci in D3cold', ACTIVE);
  } else {
    await r.expectCounter('host lspci in D3hot (no wake)', efd, -EAGAIN);
    await settled(r, 'host lspci in D3hot', suspended(r));
    await exit(r);
  }
  await r.enter('LOW_POWER_ENTRY');
  await settled(r, 'LOW_POWER_ENTRY', suspended(r));
  await r.m.host.lspci(r.env.bdf);
  if (r.env.low === 'D3cold') return afterHostWake(r, 'host lspci after a plain entry');
  await settled(r, 'host lspci in D3hot after a plain entry', suspended(r));
  await exit(r);
}

/** D.6.6 / D.4.3: the last close ends the engagement without signalling the eventfd. */
async function closeWhileEngaged(r: CaseRun): Promise<void> {
  const efd = await r.eventfd();
  await r.enter('LOW_POWER_ENTRY_WITH_WAKEUP', efd);
  await settled(r, 'LOW_POWER_ENTRY_WITH_WAKEUP', suspended(r));
  await r.close();
  await r.expectCounter('closed while engaged', efd, -EAGAIN);
  await settled(r, 'closed while engaged', r.env.idle);
}

/** D.13.2 / D.13.3: a hot reset resumes the engaged device (eventfd fired), then drops it. */
async function hotReset(r: CaseRun): Promise<void> {
  const reset = () =>
    r.p.ioctl(
      r.ctx.fd,
      VFIO.DEVICE_PCI_HOT_RESET,
      VFIO.pciHotReset.encode({ groupFds: [r.ctx.fd] }),
    );
  const efd = await r.eventfd();
  await r.enter('LOW_POWER_ENTRY_WITH_WAKEUP', efd);
  await settled(r, 'LOW_POWER_ENTRY_WITH_WAKEUP', suspended(r));
  r.expectValue('PCI_HOT_RESET returns', await reset(), 0);
  await r.expectCounter('hot reset', efd, 1);
  await settled(r, 'hot reset', ACTIVE);
  await r.enter('LOW_POWER_ENTRY');
  await settled(r, 'LOW_POWER_ENTRY', suspended(r));
  r.expectValue('PCI_HOT_RESET after a plain entry returns', await reset(), 0);
  await afterHostWake(r, 'hot reset after a plain entry');
}

/** Every standard case by name. */
export const CASES: Readonly<Record<VariantConformanceCaseName, (r: CaseRun) => Promise<void>>> =
  Object.freeze({
    entry,
    'entry-with-wakeup': entryWithWakeup,
    exit: exitCase,
    'host-wake': hostWake,
    'close-while-engaged': closeWhileEngaged,
    'hot-reset': hotReset,
  });
