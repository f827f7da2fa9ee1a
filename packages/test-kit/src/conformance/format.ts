// The `vfio-ts-conformance/1` format (shared/conformance/FORMAT.md): types and validation.

/** Sysfs values observed right after a call (FORMAT.md §5). */
export interface SinceFlag {
  since: string;
  changed: boolean;
}

/** What a step expects; only the keys present are compared. */
export interface StepExpect {
  ret?: number;
  errno?: string | null;
  value?: string;
  mask?: string;
  counter?: number;
  sigbus?: boolean;
  out?: Record<string, unknown>;
  after?: { dev?: Record<string, unknown>; rp?: Record<string, unknown> };
}

/** One call of the recording. */
export interface Step {
  id: string;
  call: string;
  args?: Record<string, unknown> | null;
  expect: StepExpect;
  note?: string;
  inferred?: string;
}

export interface ConformanceScenario {
  name: string;
  description?: string;
  steps: Step[];
  continues?: string;
}

/** A conformance file. */
export interface ConformanceFile {
  format: 'vfio-ts-conformance/1';
  machine: ConformanceMachine;
  scenarios: ConformanceScenario[];
  prelude?: ConformanceScenario[];
  source?: unknown;
  omitted?: unknown;
}

/** The `machine` block: createMachine() options plus platform facts. */
export interface ConformanceMachine {
  seed?: number;
  rootPorts: {
    name: string;
    bdf?: string;
    d3cold?: boolean;
    pr3?: boolean;
    [k: string]: unknown;
  }[];
  devices: { bdf: string; rootPort: string; config: string; [k: string]: unknown }[];
  vfioPci?: Record<string, boolean>;
  [k: string]: unknown;
}

/** Every call the format defines (FORMAT.md §4). */
export const CALLS = [
  'open',
  'close',
  'ioctl',
  'pread',
  'pwrite',
  'mmap',
  'munmap',
  'load32',
  'eventfd',
  'eventfdRead',
  'sysfsRead',
  'sysfsWrite',
  'settle',
  'observe',
] as const;

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the shape of a parsed file.
 * @returns the file, or a list of problems naming where each is
 */
export function validateConformanceFile(data: unknown): ConformanceFile | string[] {
  const problems: string[] = [];
  if (!isObj(data)) return ['the file is not a JSON object'];
  if (data['format'] !== 'vfio-ts-conformance/1')
    problems.push(
      `format: expected "vfio-ts-conformance/1", got ${JSON.stringify(data['format'])}`,
    );
  const m = data['machine'];
  if (
    !isObj(m) ||
    !Array.isArray(m['rootPorts']) ||
    !Array.isArray(m['devices']) ||
    m['devices'].length === 0
  )
    problems.push('machine: needs rootPorts[] and a non-empty devices[]');
  const ids = new Set<string>();
  for (const key of ['prelude', 'scenarios'] as const) {
    const list = data[key];
    if (list === undefined && key === 'prelude') continue;
    if (!Array.isArray(list)) {
      problems.push(`${key}: expected an array`);
      continue;
    }
    list.forEach((s: unknown, i) => {
      if (!isObj(s) || typeof s['name'] !== 'string' || !Array.isArray(s['steps'])) {
        problems.push(`${key}[${i}]: needs a name and steps[]`);
        return;
      }
      (s['steps'] as unknown[]).forEach((st, j) => {
        const where = `${key}[${i}] (${s['name']}) step ${j}`;
        if (
          !isObj(st) ||
          typeof st['id'] !== 'string' ||
          typeof st['call'] !== 'string' ||
          !isObj(st['expect'])
        ) {
          problems.push(`${where}: needs id, call and expect`);
          return;
        }
        if (ids.has(st['id'])) problems.push(`${where}: duplicate id ${st['id']}`);
        ids.add(st['id']);
      });
    });
  }
  return problems.length ? problems : (data as unknown as ConformanceFile);
}
