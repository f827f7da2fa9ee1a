// Reading a scenario file: JSON (`.json`) or YAML (anything else), then validation. Every
// problem comes back as one line naming the file and where in it.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isBuiltinModelName } from '@vfio-ts/pci-core';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { Scenario } from './types.js';
import { validateScenario } from './validate.js';

/** A scenario, or the problems of its file. */
export type LoadResult = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

/**
 * Parses scenario text. Device dump paths are resolved against `baseDir`.
 * @param source - names the text in messages (a file name)
 */
export function parseScenario(text: string, source: string, baseDir = '.'): LoadResult {
  let data: unknown;
  const json = source.endsWith('.json');
  try {
    data = json ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
    const msg = (e as Error).message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return {
      ok: false,
      errors: [`${source}: ${json ? 'JSON' : 'YAML'} syntax error${where}: ${msg}`],
    };
  }
  const r = validateScenario(data);
  if (!r.ok) return { ok: false, errors: r.errors.map((x) => `${source}: ${x}`) };
  for (const d of r.scenario.machine.devices ?? [])
    if (typeof d.config === 'string' && !isBuiltinModelName(d.config))
      d.config = resolve(baseDir, d.config);
  return r;
}

/** Reads and validates a scenario file. Never throws. */
export function loadScenario(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, errors: [`${file}: cannot read (${code})`] };
  }
  return parseScenario(text, file, dirname(file));
}
