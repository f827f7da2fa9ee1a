// The text a scenario run prints: what happened when, the power timeline with energy, and
// each expectation with a tick or a cross.
import { renderTimelineText } from '../export/text.js';
import type { ScenarioRun } from './run.js';

/** Options of {@link formatRun}. */
export interface FormatRunOptions {
  /** Include the log of steps and guest events. @default true */
  log?: boolean;
  /** Columns of the timeline. @default 60 */
  columns?: number;
}

const ms = (ns: number): string => (ns / 1e6).toFixed(1).padStart(8);

/** @returns the report of a run, ending with `PASS` or `FAIL` and a newline */
export function formatRun(run: ScenarioRun, opts: FormatRunOptions = {}): string {
  const out: string[] = [`== ${run.scenario.name}`];
  if (run.scenario.description) out.push(run.scenario.description.trim());
  if (opts.log ?? true) {
    out.push('');
    const w = Math.max(4, ...run.log.map((l) => l.source.length));
    for (const l of run.log)
      out.push(`${ms(l.ts - run.zero)} ms  ${l.source.padEnd(w)}  ${l.text}`);
  }
  out.push(
    '',
    renderTimelineText(run.timeline, run.energy, { columns: opts.columns ?? 60 }).trimEnd(),
  );
  out.push('', 'expectations:');
  for (const c of run.checks) out.push(`  ${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
  const failed = run.checks.filter((c) => !c.ok).length;
  out.push(
    '',
    failed
      ? `FAIL (${failed} of ${run.checks.length} checks failed)`
      : `PASS (${run.checks.length} checks)`,
  );
  return `${out.join('\n')}\n`;
}
