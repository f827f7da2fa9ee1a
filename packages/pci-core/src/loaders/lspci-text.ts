// `lspci -x` / `-xxx` / `-xxxx` hex dumps (pciutils lspci.c show_hex_dump(): "%02x:" then
// 16 " %02x" bytes per line), optionally after the device line and `-v` details.
import { failed, loaded, type LoadResult } from './result.js';

/** A parsed lspci dump of one function. */
export interface LspciDump {
  /** The device line, when present: `01:00.0 Ethernet controller: …`. */
  readonly header?: { readonly slot: string; readonly description: string };
  /** Config bytes: 64 (`-x`), 128 (`-x` of a CardBus bridge), 256 (`-xxx`) or 4096 (`-xxxx`). */
  readonly bytes: Uint8Array;
}

const SIZES = [64, 128, 256, 4096];
const HEADER_RE = /^((?:[0-9a-f]{4,8}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\s+(.*)$/i;
const HEX_RE = /^([0-9a-f]{2,4}):((?: [0-9a-f]{2}){16})$/i;
const MAX_LINES = 4096 / 16 + 1024;

function quote(line: string): string {
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 57)}...` : line);
}

/**
 * Parses the text output of `lspci -x`, `-xxx` or `-xxxx` for one function. Never throws:
 * malformed input gives `{ ok: false, error }` naming the line.
 */
export function parseLspciText(text: unknown): LoadResult<LspciDump> {
  if (typeof text !== 'string') return failed(`lspci dump: expected text, got ${typeof text}`);
  const lines = text.split(/\r?\n/);
  if (lines.length > MAX_LINES)
    return failed(`lspci dump: ${lines.length} lines is too many for one function`);
  let header: LspciDump['header'];
  const bytes: number[] = [];
  let phase: 'before' | 'dump' | 'after' = 'before';
  for (const [i, raw] of lines.entries()) {
    const line = raw.trimEnd();
    const where = `lspci dump, line ${i + 1}`;
    if (line === '') {
      if (phase === 'dump') phase = 'after';
      continue;
    }
    const hexLine = HEX_RE.exec(line);
    if (phase === 'after')
      return failed(`${where}: unexpected ${quote(line)} after the dump (one function per input)`);
    if (!hexLine) {
      if (phase === 'dump')
        return failed(
          `${where}: expected "${bytes.length.toString(16).padStart(2, '0')}:" and 16 hex bytes, got ${quote(line)}`,
        );
      const dev = HEADER_RE.exec(line);
      if (dev && !header && bytes.length === 0) {
        header = { slot: dev[1]!, description: dev[2]! };
        continue;
      }
      if (header && /^\s/.test(raw)) continue; // `lspci -v` detail lines
      return failed(`${where}: not a device line or a hex dump line: ${quote(line)}`);
    }
    phase = 'dump';
    const offset = parseInt(hexLine[1]!, 16);
    if (offset !== bytes.length)
      return failed(
        `${where}: offset ${hexLine[1]} where ${bytes.length.toString(16)} was expected`,
      );
    if (offset >= 4096)
      return failed(`${where}: offset ${hexLine[1]} is past 4 KiB of config space`);
    for (const h of hexLine[2]!.trim().split(' ')) bytes.push(parseInt(h, 16));
  }
  if (bytes.length === 0) return failed('lspci dump: no hex dump lines found');
  if (!SIZES.includes(bytes.length))
    return failed(
      `lspci dump: ${bytes.length} bytes; expected 64 (-x), 256 (-xxx) or 4096 (-xxxx)`,
    );
  return loaded(
    header ? { header, bytes: Uint8Array.from(bytes) } : { bytes: Uint8Array.from(bytes) },
  );
}

/**
 * Formats config bytes as `lspci -x…` prints them, optionally after a device line.
 * @param bytes config space (any multiple of 16 bytes)
 * @param header the device line, e.g. `01:00.0 Ethernet controller: Intel Corporation …`
 */
export function formatLspciText(bytes: Uint8Array, header?: string): string {
  const out: string[] = header === undefined ? [] : [header];
  for (let o = 0; o < bytes.length; o += 16) {
    const row = Array.from(bytes.subarray(o, o + 16), (b) => ` ${b.toString(16).padStart(2, '0')}`);
    out.push(`${o.toString(16).padStart(2, '0')}:${row.join('')}`);
  }
  return `${out.join('\n')}\n`;
}
