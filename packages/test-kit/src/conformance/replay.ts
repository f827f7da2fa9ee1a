// Replays a conformance file through the façade only, step by step, and reports every step
// as pass or fail (FORMAT.md §2). A step it cannot execute is a failure, never a skip.
import { readFileSync } from 'node:fs';
import { VFIO } from '@vfio-ts/vfio-core';
import type { Mapping } from '../process/mapping.js';
import { SigBus } from '../process/signals.js';
import type { EventfdOptions } from '../process/user-process.js';
import { compareStep, hex, type Mismatch, type StepActual } from './compare.js';
import {
  validateConformanceFile,
  type ConformanceFile,
  type ConformanceMachine,
  type Step,
} from './format.js';
import { buildIoctl } from './ioctl-args.js';
import { conformanceMachineOptions } from './machine-options.js';
import { createMachine } from '../machine/machine.js';

/** The façade calls the runner uses (what `m.process()` returns). */
export interface ReplayProcess {
  openDevice(bdf: string): Promise<number>;
  open(path: string): Promise<number>;
  close(fd: number): Promise<number>;
  ioctl(fd: number, request: number, arg?: Uint8Array | number): Promise<number>;
  read(fd: number, buf: Uint8Array, count: number): Promise<number>;
  pread(fd: number, buf: Uint8Array, count: number, offset: number): Promise<number>;
  pwrite(fd: number, buf: Uint8Array, count: number, offset: number): Promise<number>;
  eventfd(initval: number, opts?: EventfdOptions): Promise<number>;
  mmap(fd: number, offset: number, length: number): Promise<Mapping | number>;
  munmap(map: Mapping): Promise<number>;
}

/** The machine façade the runner uses (what `createMachine()` returns). */
export interface ReplayMachine {
  process(): ReplayProcess;
  settle(): Promise<void>;
  sysfs: {
    read(path: string): string | number;
    write(path: string, text: string): Promise<number>;
  };
  host: { configRead(bdf: string, offset: number, length: number): Promise<Uint8Array | number> };
}

/** How to replay. */
export interface ReplayOptions {
  /** Builds the machine from the file's `machine` block (createMachine() with {@link conformanceMachineOptions} by default). */
  createMachine?: (machine: ConformanceMachine) => Promise<ReplayMachine>;
}

/** One step's outcome. */
export interface StepResult {
  scenario: string;
  id: string;
  call: string;
  pass: boolean;
  mismatches: Mismatch[];
  /** Why the step could not be executed. */
  error?: string;
}

/** The whole replay. */
export interface ConformanceReport {
  steps: StepResult[];
  passed: number;
  failed: number;
  /** Problems with the file itself; nothing was replayed when present. */
  fileErrors?: string[];
}

const DEV_FIELDS = [
  'runtime_status',
  'power_state',
  'runtime_usage',
  'control',
  'd3cold_allowed',
] as const;
const RP_FIELDS = [
  'runtime_status',
  'power_state',
  'runtime_usage',
  'control',
  'runtime_active_kids',
] as const;
const NUMERIC = new Set([
  'runtime_usage',
  'd3cold_allowed',
  'runtime_active_kids',
  'runtime_active_time',
  'runtime_suspended_time',
]);
const POWER_DIR = new Set([
  'runtime_status',
  'runtime_usage',
  'control',
  'runtime_active_kids',
  'runtime_active_time',
  'runtime_suspended_time',
]);
const REGIONS: Record<string, number> = {
  config: VFIO.PCI_CONFIG_REGION_INDEX,
  bar0: VFIO.PCI_BAR0_REGION_INDEX,
};

function fromHex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
}

class Replayer {
  private readonly handles = new Map<string, number>();
  private readonly maps = new Map<string, Mapping>();
  private readonly times = new Map<string, { active: number; suspended: number }>();
  private readonly p: ReplayProcess;
  private readonly dev: string;
  private readonly rp: string | undefined;

  constructor(
    private readonly m: ReplayMachine,
    machine: ConformanceMachine,
  ) {
    this.p = m.process();
    this.dev = machine.devices[0]!.bdf;
    this.rp = machine.rootPorts[0]?.bdf;
  }

  async step(scenario: string, st: Step): Promise<StepResult> {
    const base = { scenario, id: st.id, call: st.call };
    let actual: StepActual;
    try {
      actual = await this.execute(st);
      if (st.expect.after) actual.after = this.observe(st);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      return { ...base, pass: false, mismatches: [], error };
    }
    const mismatches = compareStep(st.expect, actual);
    return { ...base, pass: mismatches.length === 0, mismatches };
  }

  private fd(v: unknown): number {
    if (typeof v === 'number') return v;
    const fd = this.handles.get(String(v));
    if (fd === undefined) throw new Error(`handle ${String(v)} was never created (or is closed)`);
    return fd;
  }

  private path(p: string, bdf = this.dev): string {
    return p.startsWith('/') ? p : `/sys/bus/pci/devices/${bdf}/${p}`;
  }

  private async execute(st: Step): Promise<StepActual> {
    const a = st.args ?? {};
    switch (st.call) {
      case 'settle':
        await this.m.settle();
        return { ret: 0 };
      case 'observe':
        return { ret: 0 };
      case 'open': {
        const fd = await this.p.openDevice(String(a['bdf']));
        if (fd >= 0) this.handles.set(String(a['handle']), fd);
        return { ret: fd >= 0 ? 0 : fd };
      }
      case 'close': {
        const ret = await this.p.close(this.fd(a['fd']));
        this.handles.delete(String(a['fd']));
        return { ret };
      }
      case 'eventfd': {
        const flags = (a['flags'] as string[] | undefined) ?? [];
        const fd = await this.p.eventfd(Number(a['initval'] ?? 0), {
          nonblock: flags.includes('EFD_NONBLOCK'),
          semaphore: flags.includes('EFD_SEMAPHORE'),
        });
        if (fd >= 0) this.handles.set(String(a['handle']), fd);
        return { ret: fd >= 0 ? 0 : fd };
      }
      case 'eventfdRead': {
        const buf = new Uint8Array(8);
        const ret = await this.p.read(this.fd(a['fd']), buf, Number(a['length'] ?? 8));
        return ret === 8
          ? { ret, counter: Number(new DataView(buf.buffer).getBigUint64(0, true)) }
          : { ret };
      }
      case 'ioctl':
        return this.ioctl(a);
      case 'pread':
      case 'pwrite': {
        const region = REGIONS[String(a['region'])];
        if (region === undefined) throw new Error(`unknown region ${String(a['region'])}`);
        const len = Number(a['length']);
        const off = VFIO.regionOffset(region) + Number(a['offset']);
        if (st.call === 'pwrite') {
          const data = fromHex(String(a['data']));
          return { ret: await this.p.pwrite(this.fd(a['fd']), data, len, off) };
        }
        const buf = new Uint8Array(len);
        const ret = await this.p.pread(this.fd(a['fd']), buf, len, off);
        return ret >= 0 ? { ret, value: hex(buf.subarray(0, ret)) } : { ret };
      }
      case 'mmap': {
        const region = REGIONS[String(a['region'])];
        if (region === undefined) throw new Error(`unknown region ${String(a['region'])}`);
        const map = await this.p.mmap(
          this.fd(a['fd']),
          VFIO.regionOffset(region) + Number(a['offset']),
          Number(a['length']),
        );
        if (typeof map === 'number') return { ret: map };
        this.maps.set(String(a['handle']), map);
        return { ret: 0 };
      }
      case 'munmap':
      case 'load32': {
        const map = this.maps.get(String(a['map']));
        if (!map) throw new Error(`mapping ${String(a['map'])} was never created (or is unmapped)`);
        if (st.call === 'munmap') {
          this.maps.delete(String(a['map']));
          return { ret: await this.p.munmap(map) };
        }
        try {
          const v = await map.readU32(Number(a['offset']));
          const b = new Uint8Array(4);
          new DataView(b.buffer).setUint32(0, v, true);
          return { ret: 0, sigbus: false, value: hex(b) };
        } catch (e) {
          if (e instanceof SigBus) return { ret: 0, sigbus: true };
          throw e;
        }
      }
      case 'sysfsRead': {
        if (a['path'] !== 'config')
          throw new Error(`sysfsRead of ${String(a['path'])} is not supported`);
        const r = await this.m.host.configRead(this.dev, Number(a['offset']), Number(a['length']));
        return typeof r === 'number' ? { ret: r } : { ret: r.length, value: hex(r) };
      }
      case 'sysfsWrite':
        return {
          ret: await this.m.sysfs.write(this.path(String(a['path'])), String(a['text'])),
        };
      default:
        throw new Error(`unknown call "${st.call}"`);
    }
  }

  private async ioctl(a: Record<string, unknown>): Promise<StepActual> {
    // Special descriptors of the wakeup payload (FORMAT.md §4).
    const payload = a['payload'] as Record<string, unknown> | null | undefined;
    let devnull = -1;
    const special = new Map<unknown, number>();
    const w = payload?.['wakeup_eventfd'];
    if (w === 'closed-fd') {
      const fd = await this.p.open('/dev/null');
      await this.p.close(fd);
      special.set(w, fd);
    } else if (w === 'devnull-fd') {
      devnull = await this.p.open('/dev/null');
      special.set(w, devnull);
    }
    try {
      const built = buildIoctl(a, (v) => special.get(v) ?? this.fd(v));
      const ret = await this.p.ioctl(this.fd(a['fd']), built.cmd, built.buf);
      return { ret, out: ret >= 0 && built.buf ? built.out(built.buf) : {} };
    } finally {
      if (devnull >= 0) await this.p.close(devnull);
    }
  }

  private read(path: string): string {
    const v = this.m.sysfs.read(path);
    if (typeof v === 'number') throw new Error(`reading ${path} failed with ${v}`);
    return v.replace(/\n$/, '');
  }

  private state(bdf: string, fields: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const file = POWER_DIR.has(f) ? `power/${f}` : f;
      const v = this.read(this.path(file, bdf));
      out[f] = NUMERIC.has(f) ? parseInt(v, 10) : v;
    }
    return out;
  }

  private observe(st: Step): NonNullable<StepActual['after']> {
    const dev = this.state(this.dev, DEV_FIELDS);
    const t = this.state(this.dev, ['runtime_active_time', 'runtime_suspended_time']);
    const now = {
      active: Number(t['runtime_active_time']),
      suspended: Number(t['runtime_suspended_time']),
    };
    for (const [key, field] of [
      ['runtime_active_time', 'active'],
      ['runtime_suspended_time', 'suspended'],
    ] as const) {
      const flag = st.expect.after?.dev?.[key] as { since?: string } | undefined;
      if (!flag?.since) continue;
      const then = this.times.get(flag.since);
      if (!then) throw new Error(`${key}: no reading was taken at step ${flag.since}`);
      dev[key] = { since: flag.since, changed: then[field] !== now[field] };
    }
    this.times.set(st.id, now);
    const after: NonNullable<StepActual['after']> = { dev };
    if (this.rp) after.rp = this.state(this.rp, RP_FIELDS);
    return after;
  }
}

/**
 * Replays a conformance file (a path, or the parsed object) through the façade.
 * @returns a report with every step's result; never throws for a bad file
 */
export async function replayConformance(
  file: string | unknown,
  options: ReplayOptions = {},
): Promise<ConformanceReport> {
  let data: unknown = file;
  if (typeof file === 'string') {
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      return {
        steps: [],
        passed: 0,
        failed: 0,
        fileErrors: [`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`],
      };
    }
  }
  const parsed = validateConformanceFile(data);
  if (Array.isArray(parsed)) return { steps: [], passed: 0, failed: 0, fileErrors: parsed };
  const cf: ConformanceFile = parsed;
  const build =
    options.createMachine ??
    ((mb: ConformanceMachine) => createMachine(conformanceMachineOptions(mb)));
  let m: ReplayMachine;
  try {
    m = await build(cf.machine);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { steps: [], passed: 0, failed: 0, fileErrors: [`cannot build the machine: ${why}`] };
  }
  const r = new Replayer(m, cf.machine);
  const steps: StepResult[] = [];
  for (const sc of [...(cf.prelude ?? []), ...cf.scenarios]) {
    for (const st of sc.steps) steps.push(await r.step(sc.name, st));
  }
  const passed = steps.filter((s) => s.pass).length;
  return { steps, passed, failed: steps.length - passed };
}

/** A per-scenario table (steps passed / total) and the first mismatches in full. */
export function formatConformanceReport(report: ConformanceReport, firstMismatches = 5): string {
  if (report.fileErrors)
    return `bad conformance file:\n${report.fileErrors.map((e) => `  ${e}`).join('\n')}\n`;
  const rows = new Map<string, [number, number]>();
  for (const s of report.steps) {
    const r = rows.get(s.scenario) ?? [0, 0];
    rows.set(s.scenario, [r[0] + (s.pass ? 1 : 0), r[1] + 1]);
  }
  const w = Math.max(8, ...[...rows.keys()].map((k) => k.length));
  let out = `${'scenario'.padEnd(w)}  passed/total\n`;
  for (const [k, [p, t]] of rows)
    out += `${k.padEnd(w)}  ${String(p).padStart(6)}/${t}${p === t ? '' : '  FAIL'}\n`;
  out += `${'total'.padEnd(w)}  ${String(report.passed).padStart(6)}/${report.steps.length}\n`;
  const bad = report.steps.filter((s) => !s.pass).slice(0, firstMismatches);
  for (const s of bad) {
    out += `\n${s.id} (${s.call}): ${s.error ? `could not execute: ${s.error}` : 'mismatch'}\n`;
    for (const mm of s.mismatches)
      out += `  ${mm.key}: expected ${JSON.stringify(mm.expected)}, got ${JSON.stringify(mm.actual)}\n`;
  }
  return out;
}
