// The proof that VFIO is byte-exact: a C program generated from the TypeScript tables includes
// <linux/vfio.h>, prints every constant, sizeof, offsetof, field width and signedness, and dumps
// the bytes of each structure filled with sample values; the TS side must agree on all of it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VFIO } from '@vfio-ts/vfio-core';
import type { ScalarType, StructLayout } from '@vfio-ts/vfio-core';

const HEADER = '/usr/include/linux/vfio.h';

/** VFIO keys that mirror drivers/vfio/pci/vfio_pci_priv.h, not vfio.h: they must be absent. */
const NOT_IN_UAPI = ['PCI_OFFSET_SHIFT', 'PCI_OFFSET_MASK'];

/** A codec seen through the generic shape the test drives it with. */
interface AnyCodec {
  readonly LAYOUT: StructLayout;
  readonly SIZE: number;
  readonly MINSZ: number;
  readonly OFFSETS: Readonly<Record<string, number>>;
  encode(init: Record<string, unknown>): Uint8Array;
  decode(buf: Uint8Array): Record<string, unknown> | null;
}

function isCodec(value: unknown): value is AnyCodec {
  return typeof value === 'object' && value !== null && 'LAYOUT' in value;
}

const vfioEntries: [string, unknown][] = Object.entries(VFIO);
const constants = vfioEntries.filter(
  (entry): entry is [string, number | string] =>
    typeof entry[1] === 'number' || typeof entry[1] === 'string',
);
const codecs = vfioEntries.filter((entry): entry is [string, AnyCodec] => isCodec(entry[1]));

const WIDTH: Record<ScalarType, number> = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8 };

/** A value for field number `i` that fills every byte of its type and differs per field. */
function sampleValue(type: ScalarType, i: number): number | bigint {
  switch (type) {
    case 'u8':
      return 0xd0 + i;
    case 'u16':
      return 0xb1c0 + i;
    case 'u32':
      return 0xa1b2c3d0 + i;
    case 's32':
      return -0x12345670 - i;
    case 'u64':
      return 0xf1e2d3c4b5a69780n + BigInt(i);
  }
}

function cLiteral(type: ScalarType, value: number | bigint): string {
  if (type === 'u64') return `${value}ULL`;
  if (type === 's32') return `(${value})`;
  return `${value}U`;
}

function sampleFields(layout: StructLayout, seed: number): Record<string, number | bigint> {
  return Object.fromEntries(
    Object.entries(layout.fields).map(([name, f], i) => [name, sampleValue(f.type, seed + i)]),
  );
}

const FLEX_COUNT = 2;

/** Sample content of a flexible array: TS value, and C statements that store it via `p`. */
function sampleFlex(layout: StructLayout): { value: unknown; c: string[] } {
  const flex = layout.flex;
  if (!flex) return { value: undefined, c: [] };
  const elem = flex.elem;
  if (elem === 'u8') {
    const bytes = Uint8Array.from({ length: FLEX_COUNT }, (_, j) => 0xe0 + j);
    return { value: bytes, c: [...bytes].map((b, j) => `p->${flex.c}[${j}] = ${b}U;`) };
  }
  if (typeof elem === 'string') {
    const values = Array.from({ length: FLEX_COUNT }, (_, j) => sampleValue(elem, 40 + j));
    return {
      value: values,
      c: values.map((v, j) => `p->${flex.c}[${j}] = ${cLiteral(elem, v)};`),
    };
  }
  const entries = Array.from({ length: FLEX_COUNT }, (_, j) => sampleFields(elem, 10 * (j + 1)));
  return {
    value: entries,
    c: entries.flatMap((entry, j) =>
      Object.entries(elem.fields).map(
        ([name, f]) => `p->${flex.c}[${j}].${f.c} = ${cLiteral(f.type, entry[name]!)};`,
      ),
    ),
  };
}

/** The C program, generated from VFIO's constants and every codec's layout. */
function cProgram(): string {
  const out: string[] = [
    '#include <stddef.h>',
    '#include <stdio.h>',
    '#include <string.h>',
    '#include <linux/vfio.h>',
    '#define IS_SIGNED(x) ((__typeof__(x))-1 < 0)',
    'static void dump(const char *name, const unsigned char *b, size_t n) {',
    '  printf("B %s ", name);',
    '  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);',
    '  printf("\\n");',
    '}',
    'int main(void) {',
  ];
  for (const [name, value] of constants) {
    if (NOT_IN_UAPI.includes(name)) {
      out.push(`#ifdef VFIO_${name}`, `  printf("P ${name}\\n");`, '#else');
      out.push(`  printf("A ${name}\\n");`, '#endif');
    } else if (typeof value === 'string') {
      out.push(`  printf("T ${name} %s\\n", VFIO_${name});`);
    } else {
      out.push(`  printf("K ${name} %lld\\n", (long long)(VFIO_${name}));`);
    }
  }
  const seen = new Set<string>();
  const layouts = codecs.map(([, codec]) => codec.LAYOUT);
  for (const layout of layouts) {
    if (seen.has(layout.c)) continue;
    seen.add(layout.c);
    const s = `struct ${layout.c}`;
    const member = (c: string) => `((${s} *)0)->${c}`;
    out.push(`  printf("Z ${layout.c} %zu\\n", sizeof(${s}));`);
    for (const f of Object.values(layout.fields)) {
      out.push(
        `  printf("F ${layout.c} ${f.c} %zu %zu %d\\n", offsetof(${s}, ${f.c}), ` +
          `sizeof(${member(f.c)}), IS_SIGNED(${member(f.c)}));`,
      );
    }
    const end = layout.fields[layout.minszField]!.c;
    out.push(`  printf("M ${layout.c} %zu\\n", offsetof(${s}, ${end}) + sizeof(${member(end)}));`);
    const flex = layout.flex;
    if (flex) {
      out.push(
        `  printf("X ${layout.c} ${flex.c} %zu %zu\\n", offsetof(${s}, ${flex.c}), ` +
          `sizeof(${member(flex.c)}[0]));`,
      );
      if (typeof flex.elem !== 'string') {
        out.push(
          `  printf("Y ${layout.c} %d\\n", __builtin_types_compatible_p(` +
            `__typeof__(${member(flex.c)}[0]), struct ${flex.elem.c}));`,
        );
      }
    }
    const length = flex
      ? `sizeof(${s}) + ${FLEX_COUNT} * sizeof(${member(flex.c)}[0])`
      : `sizeof(${s})`;
    const fields = sampleFields(layout, 0);
    out.push('  {', `    static unsigned char b[${length}] __attribute__((aligned(16)));`);
    out.push(`    ${s} *p = (${s} *)b;`, '    memset(b, 0, sizeof b);');
    for (const [name, f] of Object.entries(layout.fields)) {
      out.push(`    p->${f.c} = ${cLiteral(f.type, fields[name]!)};`);
    }
    for (const line of sampleFlex(layout).c) out.push(`    ${line}`);
    out.push(`    dump("${layout.c}", b, sizeof b);`, '  }');
  }
  out.push('  return 0;', '}', '');
  return out.join('\n');
}

function toolsMissing(): string[] {
  const missing: string[] = [];
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
  } catch {
    missing.push('a C compiler (cc)');
  }
  if (!existsSync(HEADER)) missing.push(HEADER);
  return missing;
}

const missing = toolsMissing();
const inCi = Boolean(process.env['CI']);
const title =
  missing.length === 0 || inCi
    ? 'vfio uAPI against <linux/vfio.h> compiled by cc'
    : `vfio uAPI against <linux/vfio.h> — SKIPPED: ${missing.join(' and ')} missing ` +
      '(install gcc and linux-libc-dev; with CI set this fails instead)';

/** The program's output lines, by kind letter. */
type Report = Map<string, string[][]>;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

const skip = missing.length > 0 && !inCi;
if (skip) console.warn(title);

describe.skipIf(skip)(title, () => {
  let dir = '';
  let report: Report = new Map();

  beforeAll(() => {
    if (missing.length > 0) return;
    dir = mkdtempSync(join(tmpdir(), 'vfio-uapi-'));
    const source = join(dir, 'uapi.c');
    const binary = join(dir, 'uapi');
    writeFileSync(source, cProgram());
    try {
      execFileSync('cc', ['-std=gnu11', '-Wall', '-fno-strict-aliasing', '-o', binary, source], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
      throw new Error(`cc failed on the generated program ${source}:\n${stderr}`, {
        cause: error,
      });
    }
    const output = execFileSync(binary, { encoding: 'utf8' });
    for (const line of output.trim().split('\n')) {
      const [kind = '', ...rest] = line.split(' ');
      report.set(kind, [...(report.get(kind) ?? []), rest]);
    }
  });

  /** The program's lines of one kind; fails clearly when the program could not run. */
  function lines(kind: string): string[][] {
    if (missing.length > 0) throw new Error(`no C report: ${missing.join(' and ')} missing`);
    return report.get(kind) ?? [];
  }

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    report = new Map();
  });

  it('has a C compiler and linux/vfio.h (CI installs gcc and linux-libc-dev)', () => {
    expect(missing, `missing: ${missing.join(', ')}`).toEqual([]);
  });

  it('gives every numeric constant the value vfio.h gives it', () => {
    const fromC = new Map(lines('K').map(([name, value]) => [name!, Number(value)]));
    expect(fromC.size).toBe(
      constants.filter(([k, v]) => typeof v === 'number' && !NOT_IN_UAPI.includes(k)).length,
    );
    for (const [name, value] of constants) {
      if (typeof value !== 'number' || NOT_IN_UAPI.includes(name)) continue;
      const c = fromC.get(name)!;
      // (1 << 31) is a negative int in C; TS holds it as the __u32 it is stored in.
      const asU32 = c < 0 && c >= -(2 ** 31) ? c + 2 ** 32 : c;
      expect({ name, value: c === value ? c : asU32 }).toEqual({ name, value });
    }
  });

  it('gives every string constant the text vfio.h gives it', () => {
    const fromC = new Map(lines('T').map(([name, value]) => [name!, value]));
    const strings = constants.filter(([, v]) => typeof v === 'string');
    expect(strings.length).toBeGreaterThan(0);
    for (const [name, value] of strings)
      expect({ name, value: fromC.get(name) }).toEqual({ name, value });
  });

  it('keeps the vfio-pci private offset encoding out of the uAPI names', () => {
    expect(lines('A').map(([name]) => name)).toEqual(NOT_IN_UAPI);
    expect(lines('P')).toEqual([]);
  });

  it('matches sizeof, offsetof, field width and signedness of every structure', () => {
    const sizes = new Map(lines('Z').map(([c, size]) => [c!, Number(size)]));
    const fields = new Map(lines('F').map(([c, f, ...rest]) => [`${c}.${f}`, rest.map(Number)]));
    const minsz = new Map(lines('M').map(([c, size]) => [c!, Number(size)]));
    const flexes = new Map(lines('X').map(([c, f, ...rest]) => [`${c}.${f}`, rest.map(Number)]));
    for (const [key, codec] of codecs) {
      const layout = codec.LAYOUT;
      expect({ key, size: sizes.get(layout.c) }).toEqual({ key, size: layout.size });
      expect(codec.SIZE).toBe(layout.size);
      expect({ key, minsz: minsz.get(layout.c) }).toEqual({ key, minsz: codec.MINSZ });
      for (const [name, f] of Object.entries(layout.fields)) {
        const where = `${layout.c}.${f.c}`;
        const [offset, width, signed] = fields.get(where)!;
        expect({ where, offset, width, signed }).toEqual({
          where,
          offset: f.offset,
          width: WIDTH[f.type],
          signed: f.type === 's32' ? 1 : 0,
        });
        expect(codec.OFFSETS[name]).toBe(f.offset);
      }
      if (layout.flex) {
        const where = `${layout.c}.${layout.flex.c}`;
        const elem = layout.flex.elem;
        const size = typeof elem === 'string' ? WIDTH[elem] : elem.size;
        expect({ where, at: flexes.get(where) }).toEqual({ where, at: [layout.flex.offset, size] });
        expect(codec.OFFSETS[layout.flex.name]).toBe(layout.flex.offset);
      }
    }
    // Nested element types: `devices[]` of vfio_pci_hot_reset_info.
    expect(lines('Y')).toEqual([['vfio_pci_hot_reset_info', '1']]);
  });

  it('encodes each structure to the bytes C lays out, and decodes them back', () => {
    const dumps = new Map(lines('B').map(([c, bytes]) => [c!, bytes!]));
    for (const [key, codec] of codecs) {
      const layout = codec.LAYOUT;
      const fields = sampleFields(layout, 0);
      const flex = sampleFlex(layout);
      const init = layout.flex ? { ...fields, [layout.flex.name]: flex.value } : fields;
      const bytes = dumps.get(layout.c)!;
      expect({ key, bytes: hex(codec.encode(init)) }).toEqual({ key, bytes });
      expect(codec.decode(Uint8Array.from(Buffer.from(bytes, 'hex')))).toMatchObject(init);
    }
  });

  it('names every constant that vfio.h defines', () => {
    const text = readFileSync(HEADER, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, ' ')
      .replace(/\/\/.*$/gm, ' ');
    const macros = [...text.matchAll(/^\s*#\s*define\s+(VFIO_\w+)(\(?)/gm)]
      .filter((m) => m[2] === '' && m[1] !== 'VFIO_H')
      .map((m) => m[1]!);
    const enums = [...text.matchAll(/\benum\b[^{;]*\{([^}]*)\}/g)].flatMap((m) =>
      [...m[1]!.matchAll(/(?:^|,)\s*(VFIO_\w+)/g)].map((e) => e[1]!),
    );
    expect(macros.length).toBeGreaterThan(100);
    expect(enums).toContain('VFIO_PCI_CONFIG_REGION_INDEX');
    const names = new Set(constants.map(([name]) => `VFIO_${name}`));
    expect([...macros, ...enums].filter((name) => !names.has(name))).toEqual([]);
  });
});
