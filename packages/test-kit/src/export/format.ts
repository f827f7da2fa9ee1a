// Number and text formatting shared by the SVG and text renderers; fixed precision only, so
// output is the same on every run and platform.

/** @returns `ns` as milliseconds with up to 3 decimals (`12.5`) */
export function fmtMs(ns: number): string {
  return String(Number((ns / 1e6).toFixed(3)));
}

/** @returns joules with a unit scaled to stay readable (`1.234 J`, `56.0 mJ`, `12.0 µJ`) */
export function fmtJoules(j: number): string {
  const a = Math.abs(j);
  if (a >= 1 || a === 0) return `${j.toFixed(3)} J`;
  if (a >= 1e-3) return `${(j * 1e3).toFixed(1)} mJ`;
  return `${(j * 1e6).toFixed(1)} µJ`;
}

/** @returns a percentage with one decimal (`42.0%`) */
export function fmtPercent(p: number): string {
  return `${p.toFixed(1)}%`;
}

/** @returns `text` escaped for XML character data and attribute values */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * Picks a tick step of 1, 2 or 5 × 10^k giving at most `maxTicks` ticks over `span`.
 *
 * @returns the step, in the unit of `span`
 */
export function tickStep(span: number, maxTicks: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, maxTicks);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5]) if (m * p >= raw) return m * p;
  return 10 * p;
}
