// System calls made by a VMM thread that is already running as a task (a vCPU thread or an
// event-loop thread of QEMU): the call's kernel side runs inline in that task, in the context
// of the VMM's descriptor table, as a real syscall runs on the calling thread.
import { EBADF, EINVAL, type File, type FileTable, type UserArg } from '@vfio-ts/kernel';

/** The calls a VMM thread makes; each answers a number >= 0 or -errno, never throws. */
export class ThreadSyscalls {
  constructor(
    /** The VMM's descriptor table (the task must run with it as current->files). */
    readonly files: FileTable,
  ) {}

  /** ioctl(2) on `fd`. */
  ioctl(fd: number, request: number, arg?: UserArg): Promise<number> {
    return this.withFile(fd, (f) => (f.fops.ioctl ? f.fops.ioctl(f, request >>> 0, arg) : -EINVAL));
  }

  /** pread(2), or read(2) when `offset` is 0 on a stream such as an eventfd. */
  pread(fd: number, buf: Uint8Array, offset: number): Promise<number> {
    return this.withFile(fd, (f) =>
      f.fops.read ? f.fops.read(f, buf, buf.length, offset) : -EINVAL,
    );
  }

  /** pwrite(2), or write(2) on a stream. */
  pwrite(fd: number, buf: Uint8Array, offset: number): Promise<number> {
    return this.withFile(fd, (f) =>
      f.fops.write ? f.fops.write(f, buf, buf.length, offset) : -EINVAL,
    );
  }

  // fdget() takes a reference for the call, so a concurrent close cannot release the file.
  private async withFile(fd: number, fn: (f: File) => Promise<number> | number): Promise<number> {
    const f = this.files.fdget(fd);
    if (typeof f === 'number') return -EBADF;
    f.get();
    try {
      return await fn(f);
    } finally {
      await f.put();
    }
  }
}
