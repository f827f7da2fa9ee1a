// A user process: its descriptor table and address space, and the system calls the façade
// offers. Every call runs as a task on the machine's scheduler and answers with the syscall
// convention: a number >= 0, or -errno. No input makes a call throw.
import {
  EBADF,
  EFAULT,
  EINVAL,
  ENODEV,
  ENOENT,
  ENOTTY,
  File,
  FileTable,
  MmStruct,
  PAGE_SHIFT,
  PAGE_SIZE,
  VmArea,
  type Kernel,
  type UserArg,
} from '@vfio-ts/kernel';
import {
  isVfioDeviceFile,
  vfioDeviceFopsMmap,
  vfioGroupGetDeviceFd,
  type VfioCore,
} from '@vfio-ts/vfio-core';
import { Mapping } from './mapping.js';

/** eventfd(2) flags as the façade takes them. */
export interface EventfdOptions {
  nonblock?: boolean;
  semaphore?: boolean;
}

const devNullFops = {
  read: () => 0,
  write: (_f: File, _b: Uint8Array, count: number) => count,
};

const isCount = (n: unknown): n is number =>
  typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

// The fdput() at the end of a call; synchronous unless it was the last reference.
function putThen(f: File, ret: number): Promise<number> | number {
  const p = f.fput();
  return p ? p.then(() => ret) : ret;
}

function putThenThrow(f: File, e: unknown): Promise<never> {
  return Promise.resolve(f.fput()).then(() => {
    throw e;
  });
}

/** A process driving the simulated kernel through system calls. */
export class UserProcess {
  /** The descriptor table. */
  readonly files = new FileTable();
  /** The address space. */
  readonly mm: MmStruct;
  private readonly positions = new WeakMap<File, number>();
  private readonly mappings = new Set<Mapping>();
  private readonly taskNames = new Map<string, string>();

  constructor(
    private readonly kernel: Kernel,
    private readonly vfio: VfioCore,
    /** Task name prefix in traces. */
    readonly name = 'user',
  ) {
    this.mm = new MmStruct(kernel);
  }

  /** Opens a vfio device by its PCI name (VFIO_GROUP_GET_DEVICE_FD). @returns the fd or -errno */
  openDevice(bdf: string): Promise<number> {
    if (typeof bdf !== 'string') return Promise.resolve(-EINVAL);
    return this.syscall('open', () => vfioGroupGetDeviceFd(this.vfio, this.files, bdf));
  }

  /** Opens a plain file; only `/dev/null` exists here. @returns the fd or -ENOENT */
  open(path: string): Promise<number> {
    if (path !== '/dev/null') return Promise.resolve(-ENOENT);
    return Promise.resolve(this.files.install(new File(devNullFops, null, {}, '/dev/null')));
  }

  /** ioctl(2): `arg` is the user buffer the call reads and writes, or a plain value. */
  ioctl(fd: number, request: number, arg?: UserArg): Promise<number> {
    if (!isCount(request) || request > 0xffffffff) return Promise.resolve(-EINVAL);
    if (arg !== undefined && !(arg instanceof Uint8Array) && typeof arg !== 'number')
      return Promise.resolve(-EFAULT);
    return this.withFile(fd, 'ioctl', (f) =>
      f.fops.ioctl ? f.fops.ioctl(f, request >>> 0, arg) : -ENOTTY,
    );
  }

  /** read(2) at the file position, which advances by the bytes read. */
  read(fd: number, buf: Uint8Array, count: number): Promise<number> {
    return this.rw(fd, buf, count, undefined, 'read');
  }

  /** write(2) at the file position. */
  write(fd: number, buf: Uint8Array, count: number): Promise<number> {
    return this.rw(fd, buf, count, undefined, 'write');
  }

  /** pread(2) at `offset`. */
  pread(fd: number, buf: Uint8Array, count: number, offset: number): Promise<number> {
    return this.rw(fd, buf, count, offset, 'read');
  }

  /** pwrite(2) at `offset`. */
  pwrite(fd: number, buf: Uint8Array, count: number, offset: number): Promise<number> {
    return this.rw(fd, buf, count, offset, 'write');
  }

  /** eventfd(2). @returns the fd or -errno */
  eventfd(initval: number, opts: EventfdOptions = {}): Promise<number> {
    const f = this.kernel.eventfd(initval, {
      nonblock: !!opts?.nonblock,
      semaphore: !!opts?.semaphore,
    });
    return Promise.resolve(typeof f === 'number' ? f : this.files.install(f));
  }

  /** close(2). @returns 0 or -EBADF */
  close(fd: number): Promise<number> {
    if (typeof this.files.fdget(fd) === 'number') return Promise.resolve(-EBADF);
    return this.syscall('close', () => this.files.close(fd));
  }

  /** mmap(2) of `length` bytes at file `offset`, shared, read-write. @returns the mapping or -errno */
  async mmap(fd: number, offset: number, length: number): Promise<Mapping | number> {
    const f = this.files.fdget(fd);
    if (typeof f === 'number') return f;
    if (!isCount(length) || length === 0 || !isCount(offset) || offset % PAGE_SIZE !== 0)
      return -EINVAL;
    if (!isVfioDeviceFile(f)) return -ENODEV;
    const pages = Math.ceil(length / PAGE_SIZE);
    const vma = new VmArea(
      this.mm,
      f,
      pages * PAGE_SIZE,
      Math.floor(offset / 2 ** PAGE_SHIFT),
      { read: true, write: true },
      true,
    );
    const ret = await this.syscall('mmap', () => vfioDeviceFopsMmap(vma));
    if (ret < 0) return ret;
    f.get();
    this.mm.vmas.add(vma);
    const map = new Mapping(this.kernel, vma);
    this.mappings.add(map);
    return map;
  }

  /** munmap(2) of a whole mapping. @returns 0, or -EINVAL for a mapping not of this process */
  async munmap(map: Mapping): Promise<number> {
    if (!this.mappings.has(map)) return -EINVAL;
    this.mappings.delete(map);
    map.unmapped = true;
    const vma = map.vma;
    return this.syscall('munmap', async () => {
      this.mm.vmas.delete(vma);
      await vma.ops?.close?.(vma);
      vma.zap();
      await vma.file.put();
      return 0;
    });
  }

  /** Closes every descriptor and mapping (process exit). */
  async exit(): Promise<void> {
    for (const m of [...this.mappings]) await this.munmap(m);
    for (const fd of this.files.openFds()) await this.close(fd);
  }

  private rw(
    fd: number,
    buf: Uint8Array,
    count: number,
    offset: number | undefined,
    op: 'read' | 'write',
  ): Promise<number> {
    if (!(buf instanceof Uint8Array)) return Promise.resolve(-EFAULT);
    if (!isCount(count)) return Promise.resolve(-EINVAL);
    if (count > buf.length) return Promise.resolve(-EFAULT);
    if (offset !== undefined && !isCount(offset)) return Promise.resolve(-EINVAL);
    return this.withFile(fd, op, (f) => {
      const fn = op === 'read' ? f.fops.read : f.fops.write;
      if (!fn) return -EINVAL;
      const pos = offset ?? this.positions.get(f) ?? 0;
      const n = fn(f, buf, count, pos);
      if (offset !== undefined) return n;
      const advance = (k: number): number => {
        if (k > 0) this.positions.set(f, pos + k);
        return k;
      };
      return typeof n === 'number' ? advance(n) : n.then(advance);
    });
  }

  private withFile(
    fd: number,
    what: string,
    fn: (f: File) => Promise<number> | number,
  ): Promise<number> {
    const f = this.files.fdget(fd);
    if (typeof f === 'number') return Promise.resolve(f);
    // The call holds a file reference, as fdget() does, so a concurrent close cannot release it.
    f.get();
    return this.syscall(what, () => {
      let ret: Promise<number> | number;
      try {
        ret = fn(f);
      } catch (e) {
        return putThenThrow(f, e);
      }
      return typeof ret === 'number'
        ? putThen(f, ret)
        : ret.then(
            (r) => putThen(f, r),
            (e: unknown) => putThenThrow(f, e),
          );
    });
  }

  private syscall(what: string, fn: () => Promise<number> | number): Promise<number> {
    let name = this.taskNames.get(what);
    if (name === undefined) this.taskNames.set(what, (name = `${this.name}:${what}`));
    return this.kernel.run(name, fn, this.files);
  }
}
