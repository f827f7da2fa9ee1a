// Test machine for vfio-pci: a root port with an e1000e behind it, bound to vfio-pci through
// driver_override, a process's descriptor table and address space, and syscall helpers that
// drive the vfio device file as user space does.
import {
  FileTable,
  Kernel,
  MmStruct,
  PAGE_SHIFT,
  VmArea,
  handleMmFault,
  type File,
  type UserArg,
} from '@vfio-ts/kernel';
import {
  NoPlatform,
  PCI_D0,
  PciTopology,
  builtinModels,
  createModelHw,
  type EndpointOptions,
  type PciDev,
  type PciFunctionHw,
} from '@vfio-ts/pci-core';
import { VFIO, VfioCore, vfioDeviceFopsMmap, vfioGroupGetDeviceFd } from '@vfio-ts/vfio-core';
import {
  createVfioPciDriver,
  type VfioPciCoreDevice,
  type VfioPciDriver,
  type VfioPciDriverInit,
} from '@vfio-ts/vfio-pci';

export const BDF = '0000:01:00.0';

/** What {@link setup} builds. */
export interface M {
  k: Kernel;
  topo: PciTopology;
  core: VfioCore;
  drv: VfioPciDriver;
  ep: PciDev;
  vdev: VfioPciCoreDevice;
  files: FileTable;
  mm: MmStruct;
}

/** Options: vfio-pci module options, endpoint overrides, root port hotplug. */
export interface SetupOptions extends Partial<Omit<VfioPciDriverInit, 'core'>> {
  endpoint?: Partial<EndpointOptions>;
  hotplug?: boolean;
  /** Bind vfio-pci. @default true */
  bind?: boolean;
  /** The kernel to build on (explore() gives one). @default a new one */
  kernel?: Kernel;
}

/** A root port rp0 (00:04.0) with an e1000e at 01:00.0 bound to vfio-pci, settled. */
export async function setup(opts: SetupOptions = {}): Promise<M> {
  const k = opts.kernel ?? new Kernel();
  const topo = new PciTopology(k, new NoPlatform());
  topo.addRootPort({ name: 'rp0', bdf: '0000:00:04.0', hotplug: opts.hotplug ?? false });
  const ep = topo.addEndpoint({
    bdf: BDF,
    rootPort: 'rp0',
    model: 'e1000e',
    currentState: PCI_D0,
    ...opts.endpoint,
  });
  await k.run('boot', () => topo.busAddDevices());
  const core = new VfioCore(k);
  const { endpoint: _e, hotplug: _h, bind, kernel: _k, ...mod } = opts;
  const drv = createVfioPciDriver({ core, ...mod });
  ep.driverOverride = 'vfio-pci';
  if (bind ?? true) await k.run('bind', () => topo.registerDriver(drv));
  await k.settle();
  const files = new FileTable();
  const vdev = drv.devices.get(ep)!;
  return { k, topo, core, drv, ep, vdev, files, mm: new MmStruct(k) };
}

/** VFIO_GROUP_GET_DEVICE_FD. */
export function open(m: M, name = BDF): Promise<number> {
  return m.k.run('open', () => vfioGroupGetDeviceFd(m.core, m.files, name), m.files);
}

function file(m: M, fd: number): File {
  const f = m.files.fdget(fd);
  if (typeof f === 'number') throw new Error(`fd ${fd} not open`);
  return f;
}

/** ioctl(2) on a device fd. */
export function ioctl(m: M, fd: number, cmd: number, arg?: UserArg): Promise<number> {
  return m.k.run('ioctl', async () => file(m, fd).fops.ioctl!(file(m, fd), cmd, arg), m.files);
}

/** pread(2). */
export function pread(
  m: M,
  fd: number,
  buf: Uint8Array,
  count: number,
  off: number,
): Promise<number> {
  return m.k.run(
    'pread',
    async () => file(m, fd).fops.read!(file(m, fd), buf, count, off),
    m.files,
  );
}

/** pwrite(2). */
export function pwrite(
  m: M,
  fd: number,
  buf: Uint8Array,
  count: number,
  off: number,
): Promise<number> {
  return m.k.run(
    'pwrite',
    async () => file(m, fd).fops.write!(file(m, fd), buf, count, off),
    m.files,
  );
}

/** close(2). */
export function close(m: M, fd: number): Promise<number> {
  return m.k.run('close', () => m.files.close(fd), m.files);
}

/** Reads `width` bytes of config space through the config region. */
export async function cfgRead(m: M, fd: number, off: number, width: 1 | 2 | 4): Promise<number> {
  const b = new Uint8Array(width);
  const r = await pread(m, fd, b, width, VFIO.pciConfigOffset(off));
  if (r !== width) return r;
  const v = new DataView(b.buffer);
  return width === 4 ? v.getUint32(0, true) : width === 2 ? v.getUint16(0, true) : b[0]!;
}

/** Writes `width` bytes of config space through the config region. @returns bytes or -errno */
export function cfgWrite(
  m: M,
  fd: number,
  off: number,
  width: 1 | 2 | 4,
  value: number,
): Promise<number> {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return pwrite(m, fd, b, width, VFIO.pciConfigOffset(off));
}

/** mmap(2) of a device fd: the VMA, or -errno. */
export async function mmap(
  m: M,
  fd: number,
  offset: number,
  length: number,
  shared = true,
): Promise<VmArea | number> {
  const vma = new VmArea(
    m.mm,
    file(m, fd),
    length,
    Math.floor(offset / 2 ** PAGE_SHIFT),
    { read: true, write: true },
    shared,
  );
  const ret = await m.k.run('mmap', () => vfioDeviceFopsMmap(vma), m.files);
  if (ret < 0) return ret;
  m.mm.vmas.add(vma);
  return vma;
}

/** Touches a mapping: faults it in if needed. @returns the VM_FAULT result, or 0 if mapped */
export async function touch(m: M, vma: VmArea): Promise<number> {
  if (vma.populated) return 0;
  return m.k.run('fault', () => handleMmFault(vma));
}

/** A u32 little-endian buffer. */
export function u32(...values: number[]): Uint8Array {
  const v = new DataView(new ArrayBuffer(4 * values.length));
  values.forEach((x, i) => v.setUint32(4 * i, x >>> 0, true));
  return new Uint8Array(v.buffer);
}

/** Reads u32 `i` of a buffer. */
export function rd32(b: Uint8Array, i: number): number {
  return new DataView(b.buffer, b.byteOffset).getUint32(4 * i, true);
}

/** An eventfd installed in the machine's table. */
export function eventfd(m: M): number {
  const f = m.k.eventfd(0, { nonblock: true });
  if (typeof f === 'number') throw new Error('eventfd');
  return m.files.install(f);
}

/** The counter of an eventfd. */
export function efdCount(m: M, fd: number): bigint {
  return (file(m, fd).privateData as { count: bigint }).count;
}

/** An e1000e whose config image `patch` edits before the hardware is built. */
export function e1000eHw(patch: (img: Uint8Array) => void): PciFunctionHw {
  const base = builtinModels.e1000e;
  const r = createModelHw({
    ...base,
    image: () => {
      const img = base.image();
      if (img.ok) patch(img.value);
      return img;
    },
  });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** Host-side (kernel) config read of the function, bypassing vfio. */
export function hostRead(m: M, off: number, width: 1 | 2 | 4): number {
  return m.ep.hw.configRead(off, width);
}

/** A VFIO_DEVICE_FEATURE buffer with no data. */
export function feature(flags: number, extra = 0): Uint8Array {
  const b = new Uint8Array(8 + extra);
  new DataView(b.buffer).setUint32(0, 8 + extra, true);
  new DataView(b.buffer).setUint32(4, flags >>> 0, true);
  return b;
}

/** LOW_POWER_ENTRY then settle: the open device runtime-suspends. */
export async function engage(m: M, fd: number): Promise<number> {
  const r = await ioctl(m, fd, VFIO.DEVICE_FEATURE, feature(VFIO.DEVICE_FEATURE_SET | 3));
  await m.k.settle();
  return r;
}
