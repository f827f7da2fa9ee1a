// A fake vfio driver over a runtime-PM device, for the core's table tests.
import { File, FileTable, Kernel, MmStruct, VmArea, type UserArg } from '@vfio-ts/kernel';
import { Device, pmRuntimeEnable } from '@vfio-ts/runtime-pm';
import { VfioCore, VfioDevice, vfioGroupGetDeviceFd, type VfioDeviceOps } from '@vfio-ts/vfio-core';

export interface FakeLog {
  calls: string[];
  suspends: number;
  resumes: number;
}

export interface Fake {
  k: Kernel;
  core: VfioCore;
  dev: Device;
  vdev: VfioDevice;
  files: FileTable;
  log: FakeLog;
  ops: VfioDeviceOps;
}

/** A registered device with runtime PM enabled, suspended, and a driver that records calls. */
export function fake(
  opts: { pm?: boolean; overrides?: Partial<VfioDeviceOps>; name?: string; core?: VfioCore } = {},
): Fake {
  const k = opts.core?.kernel ?? new Kernel();
  const core = opts.core ?? new VfioCore(k);
  const log: FakeLog = { calls: [], suspends: 0, resumes: 0 };
  const dev = new Device(k, { name: opts.name ?? '0000:01:00.0' });
  dev.driver = {
    name: 'fake',
    pm:
      opts.pm === false
        ? undefined
        : {
            runtimeSuspend: () => (log.suspends++, 0),
            runtimeResume: () => (log.resumes++, 0),
          },
  };
  pmRuntimeEnable(dev);
  const ops: VfioDeviceOps = {
    name: 'fake',
    openDevice: async () => (log.calls.push('open'), 0),
    closeDevice: async () => void log.calls.push('close'),
    ioctl: async (_v, cmd: number, _arg: UserArg) => (log.calls.push(`ioctl ${cmd}`), 7),
    read: async (_v, _b, count) => (log.calls.push('read'), count),
    write: async (_v, _b, count) => (log.calls.push('write'), count),
    mmap: async () => (log.calls.push('mmap'), 0),
    deviceFeature: async (_v, flags, data, datasz) => (
      log.calls.push(`feature ${flags.toString(16)} ${data.length} ${datasz}`),
      0
    ),
    ...opts.overrides,
  };
  const vdev = new VfioDevice(k, dev, ops);
  core.vfioRegisterGroupDev(vdev);
  return { k, core, dev, vdev, files: new FileTable(), log, ops };
}

/** Opens the fake's device through the group and returns the fd (or -errno). */
export function open(f: Fake, files = f.files): Promise<number> {
  return f.k.run('open', () => vfioGroupGetDeviceFd(f.core, files, f.dev.name));
}

/** An ioctl on an fd of the fake's table. */
export function ioctl(f: Fake, fd: number, cmd: number, arg?: UserArg): Promise<number> {
  return f.k.run('ioctl', async () => {
    const file = f.files.fdget(fd);
    if (typeof file === 'number') return file;
    return file.fops.ioctl!(file, cmd, arg);
  });
}

/** A VMA of the first fd's file, for mmap pass-through tests. */
export function vmaOf(f: Fake, file: File): VmArea {
  return new VmArea(new MmStruct(f.k), file, 4096, 0, { read: true, write: true }, true);
}
