// Hand-built trace records for the exporter tests: builders named after the events.
import type { TraceRecord } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';

export const NIC = '0000:01:00.0';
export const GPU = '0000:02:00.0';
export const MS = 1_000_000;

const rec = (
  ts: number,
  name: string,
  task: string,
  payload: Record<string, unknown>,
): TraceRecord => ({
  ts,
  name,
  task,
  payload,
});

const rpmFields = {
  flags: 0,
  usage_count: 0,
  disable_depth: 0,
  runtime_auto: 1,
  request_pending: 0,
  irq_safe: 0,
  child_count: 0,
};

export const ioctl = (
  ts: number,
  task: string,
  device: string,
  phase: 'begin' | 'end',
  cmd: number = VFIO.DEVICE_FEATURE,
  ret: number | null = phase === 'end' ? 0 : null,
): TraceRecord => rec(ts, 'vfio_ioctl', task, { device, cmd, phase, ret });
export const feature = (ts: number, task: string, device: string, f: number): TraceRecord =>
  rec(ts, 'vfio_feature', task, {
    device,
    flags: VFIO.DEVICE_FEATURE_SET,
    feature: f,
    argsz: 8,
    ret: 0,
  });
export const rpm = (
  ts: number,
  task: string,
  device: string,
  ev: 'rpm_suspend' | 'rpm_resume' | 'rpm_idle',
): TraceRecord => rec(ts, ev, task, { name: device, ...rpmFields });
export const rpmRet = (
  ts: number,
  task: string,
  device: string,
  ip: string,
  ret = 0,
): TraceRecord => rec(ts, 'rpm_return_int', task, { name: device, ip, ret });
export const power = (
  ts: number,
  task: string,
  device: string,
  from: string,
  to: string,
): TraceRecord => rec(ts, 'pci_power_state', task, { device, from, to });
export const signal = (ts: number, task: string, ctx = 3): TraceRecord =>
  rec(ts, 'eventfd_signal', task, { ctx, n: 1, count: '1' });
export const fault = (ts: number, device: string, kind: string): TraceRecord =>
  rec(ts, 'fault', '-', { device, kind, detail: `${kind} injected` });
export const hw = (ts: number, device: string, violation: boolean): TraceRecord =>
  rec(ts, 'hw_access', 'qemu#2', {
    device,
    kind: 'cfg_read',
    offset: 0,
    width: 4,
    value: 0,
    bar: -1,
    violation,
  });
export const lock = (ts: number, task: string, lockName: string): TraceRecord =>
  rec(ts, 'lock_acquire', task, { lock: lockName, read: false, trylock: false });

/**
 * A run like the demo: the NIC enters low power with wake-up (D3hot then D3cold), is woken at
 * 300 ms by a host config read that signals the eventfd; the GPU goes to D3hot and back.
 */
export function lowPowerRun(): TraceRecord[] {
  const q = 'qemu#2';
  return [
    ioctl(1 * MS, q, NIC, 'begin'),
    feature(1 * MS, q, NIC, VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP),
    ioctl(1 * MS, q, NIC, 'end'),
    rpm(2 * MS, 'kworker#5', NIC, 'rpm_suspend'),
    power(2 * MS, 'kworker#5', NIC, 'D0', 'D3hot'),
    power(12 * MS, 'kworker#5', NIC, 'D3hot', 'D3cold'),
    rpmRet(112 * MS, 'kworker#5', NIC, 'rpm_suspend'),
    power(50 * MS, q, GPU, 'D0', 'D3hot'),
    rpm(300 * MS, 'lspci#7', NIC, 'rpm_resume'),
    power(300 * MS, 'lspci#7', NIC, 'D3cold', 'D0'),
    signal(400 * MS, 'lspci#7'),
    rpmRet(400 * MS, 'lspci#7', NIC, 'rpm_resume'),
    power(450 * MS, q, GPU, 'D3hot', 'D0'),
    fault(480 * MS, GPU, 'link_down'),
    rec(500 * MS, 'lock_release', q, { lock: 'memory_lock' }),
  ].sort((a, b) => a.ts - b.ts);
}
