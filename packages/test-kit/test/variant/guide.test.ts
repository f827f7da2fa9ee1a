// docs/writing-a-variant.md must not drift from compiling code: every ```ts block is either a
// verbatim excerpt of the example variant, or usage code type-checked (with the example, by
// the compiler API, sources through the @vfio-ts/source condition) as a module beside it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { formatVariantConformanceReport, runVariantConformance } from '@vfio-ts/test-kit';
import { EXAMPLE_PATH, loadAcme } from './example.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const GUIDE = join(ROOT, 'docs/writing-a-variant.md');
/** Where the guide's usage code is type-checked: beside the example, importing it. */
const USAGE_PATH = join(dirname(EXAMPLE_PATH), 'writing-a-variant.guide.ts');

const FENCE = '`'.repeat(3);

/** The blocks of a markdown text fenced as `lang`. */
function blocks(markdown: string, lang = 'ts'): string[] {
  const fence = new RegExp(`^${FENCE}${lang}\n([\\s\\S]*?)^${FENCE}$`, 'gm');
  return [...markdown.matchAll(fence)].map((m) => m[1]!);
}

/** Type-checks `files` (path → text, or null to read it) under the repository's options. */
function typeCheck(files: ReadonlyMap<string, string | null>): string[] {
  const base = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), (f) => ts.sys.readFile(f));
  const { options } = ts.parseJsonConfigFileContent(
    {
      compilerOptions: {
        ...(base.config as { compilerOptions: object }).compilerOptions,
        composite: false,
        declaration: false,
        declarationMap: false,
        noEmit: true,
        customConditions: ['@vfio-ts/source'],
      },
    },
    ts.sys,
    ROOT,
  );
  const host = ts.createCompilerHost(options);
  const text = (f: string) => files.get(f) ?? undefined;
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (f, lang, ...rest) => {
    const t = text(f);
    return t !== undefined ? ts.createSourceFile(f, t, lang) : getSourceFile(f, lang, ...rest);
  };
  host.fileExists = (f) => text(f) !== undefined || fileExists(f);
  host.readFile = (f) => text(f) ?? readFile(f);
  const program = ts.createProgram([...files.keys()], options, host);
  return [...files.keys()].flatMap((f) => {
    const sf = program.getSourceFile(f)!;
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    return diags.map((d) => {
      const at =
        d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
      const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      return `${f}:${at ? at.line + 1 : 0}: TS${d.code}: ${msg}`;
    });
  });
}

describe('docs/writing-a-variant.md', () => {
  const guide = readFileSync(GUIDE, 'utf8');
  const example = readFileSync(EXAMPLE_PATH, 'utf8');
  const code = blocks(guide);
  const excerpts = code.filter((b) => example.includes(b));
  const usage = code.filter((b) => !example.includes(b));

  it('shows the example through verbatim excerpts: the id table, the class, init, the hooks, the handler', () => {
    expect(excerpts.length).toBeGreaterThanOrEqual(5);
    for (const needle of [
      'ACME_ID_TABLE',
      "name = 'acme-vfio-pci'",
      'init(',
      'afterResume(',
      'resumeCount(',
    ])
      expect(excerpts.some((b) => b.includes(needle))).toBe(true);
  });

  it('has usage code that type-checks, together with the example it imports', () => {
    expect(usage.length).toBeGreaterThanOrEqual(3);
    const files = new Map([
      [EXAMPLE_PATH, null],
      [USAGE_PATH, usage.join('\n')],
    ]);
    expect(typeCheck(files)).toEqual([]);
  }, 60_000);

  it("shows the harness's real report for the example", async () => {
    const { AcmeVfioPci } = await loadAcme();
    const report = await runVariantConformance(AcmeVfioPci, {
      config: 'e1000e',
      d3cold: true,
      expect: { lowPowerState: 'D3hot' },
    });
    expect(blocks(guide, 'text')[0]).toBe(`${formatVariantConformanceReport(report)}\n`);
  });

  it('has teeth: a drifted usage block, an excerpt no longer in the example, a broken example all fail', () => {
    const drifted = usage.join('\n').replace('ACME_FEATURE_RESUME_COUNT', 'ACME_FEATURE_RESUMES');
    const broken = example.replace('return 0;\n  }', "return '0';\n  }");
    expect(broken).not.toBe(example);
    const errors = typeCheck(
      new Map([
        [EXAMPLE_PATH, broken],
        [USAGE_PATH, `${drifted}\n${excerpts[2]!}`],
      ]),
    );
    expect(errors.join('\n')).toMatch(/ACME_FEATURE_RESUMES/);
    expect(errors.some((e) => e.startsWith(EXAMPLE_PATH))).toBe(true);
    expect(errors.filter((e) => e.startsWith(USAGE_PATH)).length).toBeGreaterThan(1);
  }, 60_000);
});
