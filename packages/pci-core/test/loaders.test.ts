import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_MEM_BAR_SIZE,
  createFunctionHw,
  formatLspciText,
  functionHwFromBinary,
  functionHwFromLspci,
  parseConfigBinary,
  parseLspciText,
  type LoadResult,
} from '@vfio-ts/pci-core';
import { makeImage } from './helpers.js';

const errorOf = (r: LoadResult<unknown>): string => (r.ok ? 'ok' : r.error);

describe('lspci text dumps', () => {
  const img = makeImage({ size: 256 });

  it('parses -xxx output after the device line', () => {
    const text = formatLspciText(img, '01:00.0 Ethernet controller: Intel Corporation 82574L');
    const r = parseLspciText(text);
    expect(r.ok && r.value.header).toEqual({
      slot: '01:00.0',
      description: 'Ethernet controller: Intel Corporation 82574L',
    });
    expect(r.ok && r.value.bytes).toEqual(img);
  });

  it('parses -xxxx output (3-digit offsets), -x output, CRLF, uppercase and -v detail lines', () => {
    const big = makeImage();
    const full = parseLspciText(formatLspciText(big, '0000:01:00.0 3D controller: NVIDIA'));
    expect(full.ok && full.value.bytes.length).toBe(4096);
    expect(formatLspciText(big).split('\n')[16]).toMatch(/^100: /);
    const short = parseLspciText(
      formatLspciText(img.subarray(0, 64)).toUpperCase().replace(/\n/g, '\r\n'),
    );
    expect(short.ok && short.value.bytes).toEqual(img.subarray(0, 64));
    const verbose = `01:00.0 Ethernet controller: X\n\tSubsystem: Y\n\tFlags: fast devsel\n${formatLspciText(img)}\n`;
    expect(parseLspciText(verbose).ok).toBe(true);
  });

  it.each([
    ['', /no hex dump lines/],
    ['01:00.0 Ethernet controller: X\n', /no hex dump lines/],
    [42, /expected text, got number/],
    ['00: 86 80 d3 10\n', /line 1: not a device line or a hex dump line: "00: 86 80 d3 10"/],
    ['hello world\n', /line 1: not a device line/],
    [formatLspciText(new Uint8Array(32)) + '20: zz\n', /line 3: expected "20:" and 16 hex bytes/],
    [
      formatLspciText(new Uint8Array(16)).replace('00:', '10:'),
      /line 1: offset 10 where 0 was expected/,
    ],
    [formatLspciText(new Uint8Array(48)), /48 bytes; expected 64 \(-x\), 256 \(-xxx\) or 4096/],
    [
      formatLspciText(new Uint8Array(64)) + '\n01:00.1 Other\n',
      /line 6: unexpected .* after the dump/,
    ],
    [formatLspciText(new Uint8Array(4112)), /offset 1000 is past 4 KiB/],
    ['01:00.0 A\n01:00.1 B\n', /line 2: not a device line/],
    ['\tdetail before any device\n', /line 1: not a device line/],
    ['\n'.repeat(2000), /too many/],
  ])('rejects malformed input %# with a clear message', (input, message) => {
    expect(errorOf(parseLspciText(input))).toMatch(message);
  });

  it('never throws on random input, and never returns bytes of another size', () => {
    const hexLine = fc
      .tuple(fc.integer({ min: 0, max: 0x110 }), fc.uint8Array({ minLength: 0, maxLength: 18 }))
      .map(
        ([o, b]) =>
          `${(o * 16).toString(16).padStart(2, '0')}:${Array.from(b, (x) => ` ${x.toString(16).padStart(2, '0')}`).join('')}`,
      );
    const text = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc
        .array(fc.oneof(hexLine, fc.string({ maxLength: 30 }), fc.constant('')), { maxLength: 40 })
        .map((l) => l.join('\n')),
      fc.uint8Array({ maxLength: 300 }).map((b) => formatLspciText(b)),
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = parseLspciText(t);
        if (r.ok) expect([64, 128, 256, 4096]).toContain(r.value.bytes.length);
        else expect(r.error.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('binary config files', () => {
  it('accepts 256 and 4096 bytes (copied) and ArrayBuffers', () => {
    const img = makeImage({ size: 256 });
    const r = parseConfigBinary(img);
    expect(r.ok && r.value).toEqual(img);
    expect(r.ok && r.value).not.toBe(img);
    expect(parseConfigBinary(new ArrayBuffer(4096)).ok).toBe(true);
  });
  it('rejects other sizes and non-bytes', () => {
    expect(errorOf(parseConfigBinary(new Uint8Array(255)))).toMatch(/255 bytes; expected 256/);
    expect(errorOf(parseConfigBinary(new Uint8Array(8192)))).toMatch(/8192 bytes/);
    expect(errorOf(parseConfigBinary('00 11'))).toMatch(/expected bytes/);
  });
});

describe('building hardware from a config image', () => {
  it('builds from lspci text and from binary files', () => {
    const img = makeImage();
    const fromText = functionHwFromLspci(formatLspciText(img), { name: 'x' });
    expect(fromText.ok && fromText.value.configRead(0, 4)).toBe(0x56781234);
    expect(functionHwFromBinary(img.buffer).ok).toBe(true);
    expect(errorOf(functionHwFromBinary(new Uint8Array(10)))).toMatch(/10 bytes/);
    expect(errorOf(functionHwFromLspci('nonsense'))).toMatch(/line 1/);
    expect(errorOf(functionHwFromLspci(formatLspciText(img.subarray(0, 64))))).toMatch(
      /64 bytes; expected 256 or 4096/,
    );
  });

  it('builds the same image again from bytes at any alignment, each function its own', () => {
    const img = makeImage();
    const buf = new Uint8Array(img.length + 1);
    buf.set(img, 1);
    const odd = buf.subarray(1);
    const a = createFunctionHw(img, { name: 'a' });
    const b = createFunctionHw(odd, { name: 'b' });
    const c = createFunctionHw(img.slice(), { name: 'c' });
    if (!a.ok || !b.ok || !c.ok) throw new Error('not built');
    expect([a.value.name, b.value.name, c.value.name]).toEqual(['a', 'b', 'c']);
    b.value.configWrite(4, 2, 0);
    expect(a.value.configRead(0, 4)).toBe(0x56781234);
    expect(b.value.configRead(0, 4)).toBe(0x56781234);
    expect(c.value.snapshot().bytes).toEqual(a.value.snapshot().bytes);
  });

  it('infers sizes of BARs the options do not give', () => {
    const r = createFunctionHw(
      makeImage({ bars: { 0: 0xfe600000, 1: 0x0000c001, 2: 0xfe601000 } }),
    );
    expect(r.ok && r.value.bars.map((b) => [b.index, b.kind, b.size])).toEqual([
      [0, 'mem32', DEFAULT_MEM_BAR_SIZE],
      [1, 'io', 32],
      [2, 'mem32', 4096],
    ]);
    const packed = createFunctionHw(makeImage({ bars: { 0: 0xfe600010, 1: 0xc005 } }));
    expect(packed.ok && packed.value.bars.map((b) => b.size)).toEqual([16, 4]);
  });

  it.each([
    [makeImage({ size: 256 }).subarray(0, 64), {}, /config image of 64 bytes/],
    ['not bytes', {}, /must be a Uint8Array/],
    [makeImage({ dwords: { 0: 0xffffffff } }), {}, /vendor ID 0xffff: no function there/],
    [makeImage({ headerType: 2 }), {}, /header type 2 is not supported/],
    [makeImage(), { bars: [{ index: 0, size: 3000 }] }, /BAR0: size 3000 is not a power of two/],
    [makeImage(), { bars: [{ index: 0, size: 8 }] }, /below 0x10/],
    [makeImage({ bars: { 0: 1 } }), { bars: [{ index: 0, size: 512 }] }, /I\/O BAR size 0x200/],
    [
      makeImage(),
      { bars: [{ index: 0, size: 2 ** 32 }] },
      /32-bit memory BAR size 0x100000000 is above 2 GiB/,
    ],
    [
      makeImage({ bars: { 0: 0xfe601000 } }),
      { bars: [{ index: 0, size: 0x10000 }] },
      /address 0xfe601000 is not aligned to its size 0x10000/,
    ],
    [
      makeImage({ bars: { 5: 4 } }),
      { bars: [{ index: 5, size: 4096 }] },
      /BAR5: a 64-bit BAR cannot start in the last slot/,
    ],
    [
      makeImage({ bars: { 0: 4 } }),
      { bars: [{ index: 1, size: 4096 }] },
      /BAR1: it is the upper half of 64-bit BAR0/,
    ],
    [makeImage({ bars: { 0: 6 } }), {}, /reserved memory type/],
    [
      makeImage(),
      { bars: [{ index: 6, size: 4096 }] },
      /BAR6: no such BAR slot \(this header has 6\)/,
    ],
    [
      makeImage({ headerType: 1 }),
      { bars: [{ index: 2, size: 4096 }] },
      /BAR2: no such BAR slot \(this header has 2\)/,
    ],
    [
      makeImage(),
      {
        bars: [
          { index: 0, size: 16 },
          { index: 0, size: 32 },
        ],
      },
      /BAR0: given twice/,
    ],
    [
      makeImage(),
      { bars: [{ index: 0, size: 16, init: [{ offset: 12, bytes: [1, 2, 3, 4, 5] }] }] },
      /do not fit/,
    ],
    [
      makeImage(),
      { bars: [{ index: 0, size: 16, init: [{ offset: 0, bytes: [256] }] }] },
      /do not fit/,
    ],
    [
      makeImage(),
      { masks: [{ offset: 3, width: 2 as const }] },
      /mask override: 2-byte register at 3 is misaligned/,
    ],
    [
      makeImage({ size: 256 }),
      { resetPatches: [{ offset: 256, width: 4 as const, value: 0 }] },
      /reset patch: .* outside 256 bytes/,
    ],
  ])('rejects invalid images and options %#', (image, options, message) => {
    const r = createFunctionHw(image as Uint8Array, { name: 'dev', ...options });
    expect(errorOf(r)).toMatch(message);
    expect(errorOf(r)).toMatch(/^dev: /);
  });
});
