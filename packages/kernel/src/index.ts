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
} from './errno.js';
