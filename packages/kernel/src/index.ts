// @vfio-ts/kernel: the primitives every layer uses.
export { Errno, errnoName, formatRet } from './errno.js';
export type { ErrnoName } from './errno.js';
export {
  EPERM,
  ENOENT,
  EIO,
  EBADF,
  EAGAIN,
  ENOMEM,
  EACCES,
  EFAULT,
  EBUSY,
  EEXIST,
  ENODEV,
  EINVAL,
  ENOTTY,
  ENOSPC,
  ENOSYS,
  EOVERFLOW,
  EINPROGRESS,
  EDEADLK,
  ENXIO,
  ESPIPE,
  ETIMEDOUT,
  ENOTSUPP,
  EMFILE,
} from './errno.js';
export { VirtualClock, msecs, NSEC_PER_MSEC, NSEC_PER_USEC, NSEC_PER_SEC } from './clock.js';
export {
  FifoPolicy,
  RandomPolicy,
  ReplayPolicy,
  RecordingPolicy,
  mulberry32,
  encodeReplayToken,
  decodeReplayToken,
} from './policy.js';
export type { Choice, SchedulePolicy } from './policy.js';
export { Task } from './task.js';
export { KernelLocal } from './kernel-local.js';
export type { TaskState, HeldLock } from './task.js';
export { TimerQueue } from './timers.js';
export type { TimerHandle } from './timers.js';
export { DeadlockError, LivelockError, TaskFailedError } from './errors.js';
export { Scheduler } from './scheduler.js';
export type { AtomicSleepHook } from './scheduler.js';
export { WaitQueue, Completion } from './waitqueue.js';
export {
  Work,
  DelayedWork,
  Workqueue,
  cancelWork,
  cancelWorkSync,
  flushWork,
} from './workqueue.js';
export { Lockdep } from './lockdep.js';
export type { LockdepReport } from './lockdep.js';
export { Mutex, RwSemaphore, SpinLock } from './locks.js';
export type { LockEnv } from './locks.js';
export { TraceBus, KERNEL_TRACE_EVENTS } from './trace.js';
export type {
  TraceRecord,
  TraceEventTable,
  TraceEventFields,
  TraceListener,
  KernelTraceEvents,
} from './trace.js';
export { File, FileTable, NR_OPEN_DEFAULT } from './file.js';
export type { FileOperations, FileFlags } from './file.js';
export { EventfdCtx, eventfdCreate, eventfdCtxFdget, isEventfd } from './eventfd.js';
export type { EventfdEnv, EventfdFlags } from './eventfd.js';
export { Kernel, InvariantError } from './kernel.js';
export type { KernelOptions, Defect, LogLine, InvariantCheck } from './kernel.js';
export { explore, replaySchedule } from './explore.js';
export type { Scenario, ExploreOptions, ExploreFailure, ExploreResult } from './explore.js';
export { container, inject, injectAll, injectable, singleton, Lifecycle, KERNEL } from './di.js';
export type { DependencyContainer, InjectionToken } from './di.js';
export {
  PAGE_SIZE,
  PAGE_SHIFT,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
  VM_FAULT_NOPAGE,
  VmArea,
  MmStruct,
  handleMmFault,
} from './mm.js';
export type { MappedMemory, VmOperations } from './mm.js';
export { copyFromUser, copyToUser } from './uaccess.js';
export type { UserArg } from './uaccess.js';
