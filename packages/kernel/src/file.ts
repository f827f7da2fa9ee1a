// Open files and per-process descriptor tables (fs/file.c, fs/file_table.c).
import { EBADF, EMFILE } from './errno.js';
import type { UserArg } from './uaccess.js';

/** The operations of a file (struct file_operations); each returns a count or -errno. */
export interface FileOperations {
  read?(file: File, buf: Uint8Array, count: number, pos: number): Promise<number> | number;
  write?(file: File, buf: Uint8Array, count: number, pos: number): Promise<number> | number;
  /** `arg` is the user buffer, or a number for ioctls that take a plain argument. */
  ioctl?(file: File, cmd: number, arg: UserArg): Promise<number> | number;
  /** Called once, when the last reference is dropped. */
  release?(file: File): Promise<void> | void;
}

/** Open flags the simulator honours. */
export interface FileFlags {
  nonblock: boolean;
}

/** An open file (struct file) with a reference count. */
export class File {
  /** References: the descriptors and mappings that point at it (f_count). */
  refs = 1;
  flags: FileFlags;

  constructor(
    readonly fops: FileOperations,
    /** Driver data (file->private_data). */
    public privateData: unknown,
    flags: Partial<FileFlags> = {},
    /** What it is, for messages: `eventfd`, `vfio-device:0000:01:00.0`, `/dev/null`. */
    readonly kind = 'file',
  ) {
    this.flags = { nonblock: false, ...flags };
  }

  /** Takes a reference (get_file). */
  get(): this {
    if (this.refs <= 0) throw new Error(`get_file on released ${this.kind}`);
    this.refs++;
    return this;
  }

  /** Drops a reference (fput); the last one releases the file. */
  async put(): Promise<void> {
    await this.fput();
  }

  /**
   * Mirrors fput() for hot paths: drops a reference; only the last one, releasing the file,
   * may give a promise.
   * @throws Error for a file already released
   */
  fput(): Promise<void> | void {
    if (this.refs <= 0) throw new Error(`fput on released ${this.kind}`);
    if (--this.refs === 0) return this.fops.release?.(this);
  }

  /** Whether the last reference is gone. */
  get released(): boolean {
    return this.refs === 0;
  }
}

/** Most descriptors a process may hold (RLIMIT_NOFILE's usual soft limit). */
export const NR_OPEN_DEFAULT = 1024;

/** A process's descriptor table (struct files_struct). */
export class FileTable {
  private readonly fds: (File | undefined)[] = [];

  constructor(readonly limit = NR_OPEN_DEFAULT) {}

  /** Installs `file` at the lowest free descriptor (fd_install). @returns the fd or -EMFILE */
  install(file: File): number {
    let fd = this.fds.indexOf(undefined);
    if (fd < 0) fd = this.fds.length;
    if (fd >= this.limit) return -EMFILE;
    this.fds[fd] = file;
    return fd;
  }

  /** The file behind `fd` (fdget), or -EBADF. */
  fdget(fd: number): File | number {
    if (!Number.isInteger(fd) || fd < 0) return -EBADF;
    return this.fds[fd] ?? -EBADF;
  }

  /** Removes `fd` and drops its reference (close(2)). @returns 0 or -EBADF */
  async close(fd: number): Promise<number> {
    const f = this.fdget(fd);
    if (typeof f === 'number') return f;
    this.fds[fd] = undefined;
    while (this.fds.length && this.fds[this.fds.length - 1] === undefined) this.fds.pop();
    await f.put();
    return 0;
  }

  /** Open descriptors, ascending. */
  openFds(): number[] {
    return this.fds.flatMap((f, i) => (f ? [i] : []));
  }
}
