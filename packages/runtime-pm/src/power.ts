// struct dev_pm_info: the runtime PM fields of a device (include/linux/pm.h, A.2).
import { type Scheduler, type Task, type TimerHandle, type WaitQueue, Work } from '@vfio-ts/kernel';
import type { Device } from './device.js';
import {
  PM_QOS_RESUME_LATENCY_NO_CONSTRAINT,
  type RpmLastStatus,
  type RpmRequest,
  type RpmStatus,
} from './flags.js';
import { runtimeStatusChanged } from './status-watch.js';
import { pmRuntimeWork } from './work.js';

/**
 * dev->power.lock. Linux's is a spinlock; between cooperative tasks it can never be contended,
 * so this one checks what matters: no choice point is reached while it is held (the holder's
 * atomic depth makes the scheduler report a sleep), and it is never taken twice.
 */
export class PowerLock {
  /** Whether held. */
  held = false;
  private holder: Task | null = null;

  constructor(
    private readonly sched: Scheduler,
    readonly name: string,
  ) {}

  /** spin_lock_irq(&dev->power.lock). */
  lock(): void {
    if (this.held)
      throw new Error(
        `spin_lock(${this.name}) by ${this.sched.current ?? 'no task'}: already held by ${this.holder ?? 'no task'}`,
      );
    const t = this.sched.current;
    this.held = true;
    this.holder = t;
    if (t) t.atomicDepth++;
  }

  /** spin_unlock_irq(&dev->power.lock). */
  unlock(): void {
    if (!this.held) throw new Error(`spin_unlock(${this.name}) while not held`);
    const t = this.holder;
    this.held = false;
    this.holder = null;
    if (t) t.atomicDepth--;
  }
}

/** The runtime PM state of one device; field names are the kernel's in camelCase. */
export class DevPmInfo {
  /** References that keep the device active. */
  usageCount = 0;
  /** Number of active children. */
  childCount = 0;
  /** Runtime PM is enabled only at 0. */
  disableDepth = 1;
  private status: RpmStatus = 'suspended';
  /** runtime_status; every change is told to the kernel's status watchers. */
  get runtimeStatus(): RpmStatus {
    return this.status;
  }

  set runtimeStatus(s: RpmStatus) {
    if (s === this.status) return;
    this.status = s;
    runtimeStatusChanged(this.dev);
  }

  /** Status when runtime PM got disabled; `'invalid'` while enabled. */
  lastStatus: RpmLastStatus = 'invalid';
  /** Last callback error; nonzero blocks every rpm_* operation with -EINVAL. */
  runtimeError = 0;
  ignoreChildren = false;
  /** False when user space wrote "on" to power/control. */
  runtimeAuto = true;
  /** The work item is queued. */
  requestPending = false;
  request: RpmRequest = 'none';
  /** A synchronous idle callback is running. */
  idleNotification = false;
  /** Resume right after the suspend in progress. */
  deferredResume = false;
  noCallbacks = false;
  irqSafe = false;
  useAutosuspend = false;
  /** Milliseconds; negative prevents autosuspend. */
  autosuspendDelay = 0;
  /** Virtual ns of the last pm_runtime_mark_last_busy(). */
  lastBusy = 0;
  /** Virtual ns at which the suspend timer expires; 0 = not armed. */
  timerExpires = 0;
  timerAutosuspends = false;
  needsForceResume = false;
  linksCount = 0;
  /** Accounted virtual ns (only while enabled; suspending/resuming count as active). */
  activeTime = 0;
  suspendedTime = 0;
  accountingTimestamp = 0;
  /** The device's PM QoS resume latency in µs; 0 forbids runtime suspend (-EPERM, A.4.6). */
  qosResumeLatencyUs = PM_QOS_RESUME_LATENCY_NO_CONSTRAINT;
  readonly lock: PowerLock;
  /** Waiters for a transition in progress. */
  readonly waitQueue: WaitQueue;
  /** The device's single pm_wq work item (pm_runtime_work). */
  readonly work: Work;
  /** The armed suspend hrtimer, if any. */
  suspendTimer: TimerHandle | null = null;

  constructor(private readonly dev: Device) {
    const k = dev.kernel;
    this.lock = new PowerLock(k.sched, `${dev.name}.power.lock`);
    this.waitQueue = k.newWaitQueue(`${dev.name} runtime PM transition`);
    this.work = new Work(`rpm ${dev.name}`, () => pmRuntimeWork(dev));
  }
}
