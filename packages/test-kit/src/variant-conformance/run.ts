// runVariantConformance(): the standard low-power cases against a vfio-pci variant, each on a
// fresh machine, with a result per case — for variant authors what typescript-eslint's
// RuleTester is for rule authors. Nothing a variant does makes it throw.
import type { VariantSpec } from '../machine/variants.js';
import { CaseFailure, CaseRun, type CaseEnv } from './case-run.js';
import { ACTIVE, CASES } from './cases.js';
import {
  VARIANT_CONFORMANCE_CASES,
  type VariantConformanceCaseName,
  type VariantConformanceOptions,
  type VariantConformanceReport,
  type VariantConformanceResult,
} from './types.js';

function messageOf(e: unknown): string {
  if (e instanceof CaseFailure) return e.message;
  return `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
}

async function runCase(
  env: CaseEnv,
  name: VariantConformanceCaseName,
  seen: (variant: string) => void,
): Promise<VariantConformanceResult> {
  const fn = Object.hasOwn(CASES, name) ? CASES[name] : undefined;
  if (!fn) return { name, passed: false, message: `no standard case named "${String(name)}"` };
  try {
    const run = await CaseRun.boot(env, name);
    seen(run.m.variants[0]!.name);
    await fn(run);
    await run.finish();
    return { name, passed: true, message: 'ok' };
  } catch (e) {
    return { name, passed: false, message: messageOf(e) };
  }
}

/**
 * Runs the standard low-power cases (entry, entry with wake-up, exit, host wake, close while
 * engaged, hot reset) against a variant, each on a fresh machine with one function below one
 * root port, bound to the variant's driver. A case passes when every step gives what Linux
 * 6.1's vfio-pci gives (KERNEL.md D.6, D.7, D.13) under the expectations of `options`, the
 * closed device settles as an unused one does, and no invariant is broken.
 * @param variant a variant class (built by each machine's container) or instance
 * @param options the device model, the root port, the cases, a guest preparation hook and
 *   expectations that differ from the core's
 * @returns one result per case; never throws
 */
export async function runVariantConformance(
  variant: VariantSpec,
  options: VariantConformanceOptions = {},
): Promise<VariantConformanceReport> {
  const low = options.expect?.lowPowerState ?? ((options.d3cold ?? true) ? 'D3cold' : 'D3hot');
  const mod = options.machine;
  const noIdle = mod?.vfioPci?.disable_idle_d3 ?? mod?.disable_idle_d3 ?? false;
  const env: CaseEnv = {
    spec: variant,
    options,
    bdf: '0000:01:00.0',
    low,
    idle: noIdle ? ACTIVE : [low, 'suspended', '0'],
  };
  let name = String((variant as { name?: unknown } | null)?.name);
  const results: VariantConformanceResult[] = [];
  for (const c of options.cases ?? VARIANT_CONFORMANCE_CASES)
    results.push(await runCase(env, c, (n) => (name = n)));
  return { variant: name, passed: results.every((r) => r.passed), results };
}

/**
 * A report as text: a summary line, then one line per case (`PASS`/`FAIL`, the name and, for
 * a failure, what failed).
 */
export function formatVariantConformanceReport(report: VariantConformanceReport): string {
  const passed = report.results.filter((r) => r.passed).length;
  const width = Math.max(0, ...report.results.map((r) => r.name.length));
  return [
    `${report.variant}: ${passed}/${report.results.length} conformance cases passed`,
    ...report.results.map(
      (r) =>
        `  ${r.passed ? 'PASS' : 'FAIL'}  ${r.passed ? r.name : `${r.name.padEnd(width)}  ${r.message}`}`,
    ),
  ].join('\n');
}
