// Linux x86-64 errno numbers (include/uapi/asm-generic/errno-base.h and errno.h).

/** errno values by name, as Linux numbers them on x86-64. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  ENOTBLK: 15,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENODATA: 61,
  EOVERFLOW: 75,
  EBADFD: 77,
  EOPNOTSUPP: 95,
  ETIMEDOUT: 110,
  EALREADY: 114,
  EINPROGRESS: 115,
  ENOTSUPP: 524,
} as const;

export type ErrnoName = keyof typeof Errno;

export const EPERM = Errno.EPERM;
export const ENOENT = Errno.ENOENT;
export const EIO = Errno.EIO;
export const EBADF = Errno.EBADF;
export const EAGAIN = Errno.EAGAIN;
export const ENOMEM = Errno.ENOMEM;
export const EACCES = Errno.EACCES;
export const EFAULT = Errno.EFAULT;
export const EBUSY = Errno.EBUSY;
export const EEXIST = Errno.EEXIST;
export const ENODEV = Errno.ENODEV;
export const EINVAL = Errno.EINVAL;
export const ENOTTY = Errno.ENOTTY;
export const ENOSPC = Errno.ENOSPC;
export const EMFILE = Errno.EMFILE;
export const ENOSYS = Errno.ENOSYS;
export const EOVERFLOW = Errno.EOVERFLOW;
export const EINPROGRESS = Errno.EINPROGRESS;
export const EDEADLK = Errno.EDEADLK;
export const ENXIO = Errno.ENXIO;
export const ESPIPE = Errno.ESPIPE;
export const ETIMEDOUT = Errno.ETIMEDOUT;
export const ENOTSUPP = Errno.ENOTSUPP;

const NAMES = new Map<number, ErrnoName>(
  (Object.entries(Errno) as [ErrnoName, number][]).map(([name, value]) => [value, name]),
);

/**
 * The name of an errno value, accepting the kernel's negative convention.
 * @param value `22` or `-22`
 * @returns `'EINVAL'`, or `undefined` for a number that is not an errno
 */
export function errnoName(value: number): ErrnoName | undefined {
  return NAMES.get(Math.abs(value));
}

/**
 * Formats a kernel return value for messages: `0`, `1`, or `-EINVAL (-22)`.
 * @param ret a kernel-convention return value
 */
export function formatRet(ret: number): string {
  if (ret >= 0) return String(ret);
  const name = errnoName(ret);
  return name ? `-${name} (${ret})` : String(ret);
}
