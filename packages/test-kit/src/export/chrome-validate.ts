// Checks a Chrome trace-event JSON document against the parts of the format viewers rely on:
// known phases, required fields, numeric microsecond timestamps that never go back on a
// thread, and slices (B/E pairs and X) that nest strictly on each (pid, tid).

/** Phases of the trace-event format (duration, complete, instant, counter, async, flow, …). */
const PHASES = new Set([
  'B',
  'E',
  'X',
  'i',
  'I',
  'C',
  'M',
  'b',
  'n',
  'e',
  'S',
  'T',
  'p',
  'F',
  's',
  't',
  'f',
  'P',
  'O',
  'N',
  'D',
  'R',
  'c',
  '(',
  ')',
  'V',
  'v',
]);
const METADATA = new Set([
  'process_name',
  'process_labels',
  'process_sort_index',
  'thread_name',
  'thread_sort_index',
]);

interface Interval {
  start: number;
  end: number;
  what: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Checks that the intervals of one thread form a strict nesting (touching ends allowed). */
function checkNesting(thread: string, ivs: Interval[], problems: string[]): void {
  const sorted = [...ivs].sort((a, b) => a.start - b.start || b.end - a.end);
  const stack: Interval[] = [];
  for (const iv of sorted) {
    while (stack.length && stack[stack.length - 1]!.end <= iv.start) stack.pop();
    const top = stack[stack.length - 1];
    if (top && top.end < iv.end)
      problems.push(`${thread}: ${iv.what} overlaps ${top.what} without nesting in it`);
    stack.push(iv);
  }
}

/** Checks one event's own fields; @returns a label for later messages, or null if unusable. */
function checkFields(e: unknown, i: number, problems: string[]): string | null {
  if (!isObject(e)) {
    problems.push(`event #${i}: not an object`);
    return null;
  }
  const ph = e.ph;
  if (typeof ph !== 'string' || !PHASES.has(ph)) {
    problems.push(`event #${i}: unknown phase ${JSON.stringify(ph)}`);
    return null;
  }
  const label = `event #${i} (${ph} ${JSON.stringify(e.name ?? '')})`;
  const bad = (msg: string): null => (problems.push(`${label}: ${msg}`), null);
  if (ph !== 'E' && typeof e.name !== 'string') return bad('name must be a string');
  if (!isInt(e.pid)) return bad('pid must be an integer');
  if (e.args !== undefined && !isObject(e.args)) return bad('args must be an object');
  if (ph === 'M') {
    const name = String(e.name);
    if (!METADATA.has(name)) return bad('unknown metadata name');
    if (!isObject(e.args)) return bad('metadata needs args');
    if (name.endsWith('_name') && typeof e.args.name !== 'string')
      return bad('args.name must be a string');
    if (name.startsWith('thread') && !isInt(e.tid)) return bad('tid must be an integer');
    return label;
  }
  if (!isInt(e.tid)) return bad('tid must be an integer');
  if (!isTime(e.ts)) return bad('ts must be a finite number of microseconds >= 0');
  if (ph === 'X' && !isTime(e.dur)) return bad('dur must be a finite number >= 0');
  if ((ph === 'i' || ph === 'I') && e.s !== undefined && !['g', 'p', 't'].includes(e.s as string))
    return bad('instant scope must be g, p or t');
  if (ph === 'C') {
    const values = isObject(e.args) ? Object.values(e.args) : [];
    if (!values.length || values.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
      return bad('counter args must be one or more finite numbers');
  }
  return label;
}

/**
 * Validates a Chrome trace (object format `{ traceEvents }` or a bare array).
 *
 * @param json - the parsed JSON document
 * @returns problems found, each naming the event (index into traceEvents); empty when valid
 */
export function validateChromeTrace(json: unknown): string[] {
  const problems: string[] = [];
  const events = Array.isArray(json) ? json : isObject(json) ? json.traceEvents : undefined;
  if (!Array.isArray(events)) return ['traceEvents must be an array'];
  if (
    isObject(json) &&
    json.displayTimeUnit !== undefined &&
    !['ms', 'ns'].includes(json.displayTimeUnit as string)
  )
    problems.push('displayTimeUnit must be "ms" or "ns"');

  const lastTs = new Map<string, number>();
  const open = new Map<string, { ts: number; name: string; what: string }[]>();
  const intervals = new Map<string, Interval[]>();
  const addInterval = (thread: string, iv: Interval): void => {
    const l = intervals.get(thread);
    if (l) l.push(iv);
    else intervals.set(thread, [iv]);
  };
  events.forEach((e: unknown, i) => {
    const label = checkFields(e, i, problems);
    if (label === null || !isObject(e) || e.ph === 'M') return;
    const thread = `pid ${String(e.pid)} tid ${String(e.tid)}`;
    const ts = e.ts as number;
    const prev = lastTs.get(thread);
    if (prev !== undefined && ts < prev)
      problems.push(`${label}: ts ${ts} goes back on ${thread} (previous ${prev})`);
    lastTs.set(thread, Math.max(ts, prev ?? ts));
    if (e.ph === 'X') addInterval(thread, { start: ts, end: ts + (e.dur as number), what: label });
    if (e.ph === 'B') {
      const s = open.get(thread) ?? [];
      s.push({ ts, name: e.name as string, what: label });
      open.set(thread, s);
    }
    if (e.ph === 'E') {
      const b = open.get(thread)?.pop();
      if (!b) problems.push(`${label}: E without an open B on ${thread}`);
      else if (typeof e.name === 'string' && e.name !== '' && e.name !== b.name)
        problems.push(`${label}: E closes ${b.what}, whose name differs`);
      else addInterval(thread, { start: b.ts, end: Math.max(ts, b.ts), what: b.what });
    }
  });
  for (const [thread, s] of open)
    for (const b of s) problems.push(`${b.what}: B never closed on ${thread}`);
  for (const [thread, ivs] of intervals) checkNesting(thread, ivs, problems);
  return problems;
}
