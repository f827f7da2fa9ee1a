// Running one scenario step on a machine (and its VM): each answers the façade's number
// (>= 0 or -errno) and a short description for the run's log.
import { Errno, errnoName } from '@vfio-ts/kernel';
import type { Guest } from '../guest/guest.js';
import type { Fault, Machine } from '../machine/machine.js';
import type { Step } from './types.js';

const MIB = 1024 * 1024;

/** What a step runs against. */
export interface StepTarget {
  readonly m: Machine;
  readonly guest: Guest | undefined;
}

/** @returns a step's text for the log, e.g. `lspci 0000:01:00.0` */
export function describeStep(s: Step): string {
  const parts: string[] = [s.do];
  if (s.device) parts.push(s.device);
  if (s.do === 'wait') parts.push(`${s.for! / 1e6} ms`);
  if (s.do === 'guest-vram') parts.push(`${s.mib} MiB`);
  if (s.do === 'sysfs-write') parts.push(`${s.path} ← ${JSON.stringify(s.value)}`);
  if (s.do === 'fault') parts.push(String(s.fault!.kind));
  return parts.join(' ');
}

/** Runs one repetition of a step. @returns the façade's result */
export async function runStep(t: StepTarget, s: Step): Promise<number> {
  const { m, guest } = t;
  if (s.do.startsWith('guest-') || s.do === 'vm-stop')
    // Validation refuses guest steps without a guest; ENODEV as for a stopped VM.
    return guest ? guestStep(guest, s) : -Errno.ENODEV;
  switch (s.do) {
    case 'wait':
      await m.kernel.sched.runFor(s.for!);
      return 0;
    case 'lspci': {
      const r = await m.host.lspci(s.device!, { bytes: s.bytes ?? 64 });
      return typeof r === 'number' ? r : 0;
    }
    case 'sysfs-write':
      return m.sysfs.write(s.path!, s.value!);
    case 'fault':
      return m.inject(s.fault as unknown as Fault);
    default:
      await m.settle();
      return 0;
  }
}

function guestStep(g: Guest, s: Step): Promise<number> {
  switch (s.do) {
    case 'guest-idle':
      return g.idle(s.device);
    case 'guest-busy':
      return g.busy(s.device);
    case 'guest-access':
      return g.access(s.device!, s.bar, s.offset);
    case 'guest-vram':
      return g.allocate(s.device!, s.mib! * MIB);
    case 'guest-hot-reset':
      return g.hotReset(s.device!);
    default:
      return g.stop();
  }
}

/** Whether a result is what the step expects (`ok` unless it says otherwise). */
export function retMatches(s: Step, ret: number): boolean {
  const want = s.ret ?? 'ok';
  return want === 'ok' ? ret >= 0 : ret === -(Errno as Record<string, number>)[want]!;
}

/** @returns `ok` or the errno name of a result */
export function retText(ret: number): string {
  return ret >= 0 ? 'ok' : (errnoName(ret) ?? String(ret));
}
