// The string parsers sysfs stores use (lib/kstrtox.c, lib/vsprintf.c vsscanf, lib/string.c).

/** Mirrors sysfs_streq(): equal up to one trailing newline on either side. */
export function sysfsStreq(a: string, b: string): boolean {
  const strip = (s: string): string => (s.endsWith('\n') ? s.slice(0, -1) : s);
  return strip(a) === strip(b);
}

// Mirrors _parse_integer_fixup_radix(): base 0 means 0x… hex, 0… octal, else decimal.
function fixupRadix(s: string, base: number): [string, number] {
  if (base === 0) {
    if (s[0] === '0') {
      if ((s[1] === 'x' || s[1] === 'X') && /^[0-9a-f]$/i.test(s[2] ?? '')) return [s.slice(2), 16];
      return [s, 8];
    }
    return [s, 10];
  }
  if (base === 16 && s[0] === '0' && (s[1] === 'x' || s[1] === 'X')) return [s.slice(2), 16];
  return [s, base];
}

/**
 * Mirrors kstrtoull(): optional '+', digits in `base` (0 = auto), one optional trailing newline,
 * nothing else; the value must fit in `bits` bits.
 * @returns the value, or null for a malformed or out-of-range string (the kernel's -EINVAL or
 * -ERANGE; sysfs stores turn both into -EINVAL)
 */
export function kstrtoull(text: string, base = 0, bits = 64): bigint | null {
  let s = text.split('\0')[0]!;
  if (s[0] === '+') s = s.slice(1);
  const [digits, radix] = fixupRadix(s, base);
  let i = 0;
  let v = 0n;
  for (; i < digits.length; i++) {
    const d = parseInt(digits[i]!, 36);
    if (Number.isNaN(d) || d >= radix) break;
    v = v * BigInt(radix) + BigInt(d);
  }
  if (i === 0) return null;
  let rest = digits.slice(i);
  if (rest[0] === '\n') rest = rest.slice(1);
  if (rest.length) return null;
  return v < 1n << BigInt(bits) ? v : null;
}

/** Mirrors kstrtoul(buf, base): an unsigned long (64 bits). @returns the value or null */
export function kstrtoul(text: string, base = 0): number | null {
  const v = kstrtoull(text, base, 64);
  return v === null ? null : Number(v);
}

/** Mirrors kstrtou16(buf, base). @returns the value or null */
export function kstrtou16(text: string, base = 0): number | null {
  const v = kstrtoull(text, base, 16);
  return v === null ? null : Number(v);
}

/**
 * Mirrors vsscanf(buf, "%x %x …") with `max` conversions: each skips white space, takes an
 * optional 0x, then hex digits; the count stops at the first conversion that finds none.
 * @returns the values converted (truncated to 64 bits), in order
 */
export function sscanfHex(text: string, max: number): bigint[] {
  const out: bigint[] = [];
  let i = 0;
  const s = text.split('\0')[0]!;
  while (out.length < max) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-f]/i.test(s[i + 2] ?? ''))
      i += 2;
    const start = i;
    while (i < s.length && /[0-9a-f]/i.test(s[i]!)) i++;
    if (i === start) break;
    out.push(BigInt(`0x${s.slice(start, i)}`) & 0xffffffffffffffffn);
  }
  return out;
}
