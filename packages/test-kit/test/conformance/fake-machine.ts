// A tiny scripted machine behind the real UserProcess: enough to exercise the replay runner.
import {
  EINVAL,
  Kernel,
  VM_FAULT_NOPAGE,
  VM_FAULT_SIGBUS,
  eventfdCtxFdget,
  type EventfdCtx,
} from '@vfio-ts/kernel';
import { Device } from '@vfio-ts/runtime-pm';
import { VFIO, VfioCore, VfioDevice } from '@vfio-ts/vfio-core';
import { UserProcess, type ReplayMachine } from '@vfio-ts/test-kit';

export function fakeMachine(): ReplayMachine & { state: Record<string, string>; p: UserProcess } {
  const k = new Kernel();
  const core = new VfioCore(k);
  const p = new UserProcess(k, core);
  const state: Record<string, string> = {
    '/sys/bus/pci/devices/0000:01:00.0/power/runtime_status': 'active\n',
    '/sys/bus/pci/devices/0000:01:00.0/power_state': 'D0\n',
    '/sys/bus/pci/devices/0000:01:00.0/power/runtime_usage': '1\n',
    '/sys/bus/pci/devices/0000:01:00.0/power/control': 'auto\n',
    '/sys/bus/pci/devices/0000:01:00.0/d3cold_allowed': '1\n',
    '/sys/bus/pci/devices/0000:01:00.0/power/runtime_active_time': '5\n',
    '/sys/bus/pci/devices/0000:01:00.0/power/runtime_suspended_time': '0\n',
    '/sys/bus/pci/devices/0000:00:04.0/power/runtime_status': 'active\n',
    '/sys/bus/pci/devices/0000:00:04.0/power_state': 'D0\n',
    '/sys/bus/pci/devices/0000:00:04.0/power/runtime_usage': '2\n',
    '/sys/bus/pci/devices/0000:00:04.0/power/control': 'on\n',
    '/sys/bus/pci/devices/0000:00:04.0/power/runtime_active_kids': '1\n',
  };
  let engaged: EventfdCtx | null = null;
  let blocked = false;
  const dev = new Device(k, { name: '0000:01:00.0' });
  const vdev = new VfioDevice(k, dev, {
    name: 'fake',
    ioctl: async (_v, cmd, arg) => {
      if (!(arg instanceof Uint8Array)) return -25;
      const v = new DataView(arg.buffer, arg.byteOffset);
      if (cmd === VFIO.DEVICE_GET_INFO) {
        v.setUint32(4, 3, true);
        v.setUint32(8, 9, true);
        v.setUint32(12, 5, true);
        return 0;
      }
      if (cmd === VFIO.DEVICE_GET_REGION_INFO) {
        v.setUint32(4, 3, true);
        v.setBigUint64(16, 4096n, true);
        v.setBigUint64(24, BigInt(VFIO.regionOffset(v.getUint32(8, true))), true);
        return 0;
      }
      if (cmd === VFIO.DEVICE_GET_PCI_HOT_RESET_INFO) {
        v.setUint32(8, 1, true);
        if (arg.length < 20) return -28;
        v.setUint32(12, 3, true);
        v.setUint8(18, 1);
        return 0;
      }
      return -25;
    },
    deviceFeature: async (_v, flags, data) => {
      if ((flags & 0xffff) !== 4) return -25;
      const fd = new DataView(data.buffer, data.byteOffset).getInt32(0, true);
      if (fd < 0) return -EINVAL;
      const ctx = eventfdCtxFdget(p.files, fd);
      if (typeof ctx === 'number') return ctx;
      engaged = ctx;
      blocked = true;
      return 0;
    },
    read: async (_v, buf, count, pos) => {
      if (engaged) {
        engaged.signal(1);
        engaged = null;
      }
      for (let i = 0; i < count; i++) buf[i] = [0x86, 0x80, 0xd3, 0x10][(pos + i) % 4]!;
      return count;
    },
    write: async (_v, _b, count) => count,
    mmap: async (_v, vma) => {
      vma.ops = {
        fault: (x) => {
          if (blocked) return VM_FAULT_SIGBUS;
          x.populate({ read: () => 0x18140245, write: () => undefined });
          return VM_FAULT_NOPAGE;
        },
      };
      return 0;
    },
  });
  core.vfioRegisterGroupDev(vdev);
  return {
    state,
    p,
    process: () => p,
    settle: async () => {
      state['/sys/bus/pci/devices/0000:01:00.0/power/runtime_suspended_time'] = '7\n';
      await k.settle();
    },
    sysfs: {
      read: (path) => state[path] ?? -2,
      write: async (path, text) => {
        if (!(path in state) && !path.endsWith('bind') && !path.endsWith('driver_override'))
          return -2;
        state[path] = `${text}\n`;
        return text.length;
      },
    },
    host: {
      configRead: async (_bdf, offset, length) =>
        offset >= 4096
          ? -22
          : Uint8Array.from({ length }, (_, i) => (offset + i === 202 ? 0x22 : 0)),
    },
  };
}
