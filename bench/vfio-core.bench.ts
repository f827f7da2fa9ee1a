// A VFIO_DEVICE_FEATURE PROBE round trip through the device file with a fake driver:
// runtime PM get, header parsing, dispatch, vfio_check_feature, put.
import { bench, describe } from 'vitest';
import { FileTable, Kernel, type File } from '@vfio-ts/kernel';
import { Device, pmRuntimeEnable, pmRuntimeGetSync } from '@vfio-ts/runtime-pm';
import {
  VFIO,
  VfioCore,
  VfioDevice,
  vfioCheckFeature,
  vfioGroupGetDeviceFd,
} from '@vfio-ts/vfio-core';

const k = new Kernel();
const core = new VfioCore(k);
const dev = new Device(k, { name: '0000:01:00.0' });
dev.driver = { name: 'fake', pm: { runtimeSuspend: () => 0, runtimeResume: () => 0 } };
pmRuntimeEnable(dev);
const vdev = new VfioDevice(k, dev, {
  name: 'fake',
  deviceFeature: async (_v, flags, _data, datasz) =>
    vfioCheckFeature(flags, datasz, VFIO.DEVICE_FEATURE_SET, 0),
});
core.vfioRegisterGroupDev(vdev);
const files = new FileTable();
let file: File;
const probe = VFIO.feature({
  flags: VFIO.DEVICE_FEATURE_PROBE | VFIO.DEVICE_FEATURE_SET,
  feature: 3,
});

describe('vfio-core', () => {
  bench(
    'VFIO_DEVICE_FEATURE PROBE: 1000 round trips through the device file (device held active)',
    async () => {
      await k.run('user', async () => {
        for (let i = 0; i < 1000; i++) await file.fops.ioctl!(file, VFIO.DEVICE_FEATURE, probe);
      });
    },
    {
      async setup() {
        if (file) return;
        const fd = await k.run('open', () => vfioGroupGetDeviceFd(core, files, dev.name));
        file = files.fdget(fd) as File;
        await k.run('hold', () => pmRuntimeGetSync(dev));
      },
    },
  );
});
