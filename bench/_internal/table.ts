/** A plain-text table for the terminal. */

export type Row = readonly string[];

/** Left-aligns the first column, right-aligns the rest. */
export function table(header: Row, rows: readonly Row[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: Row): string =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** µs with a unit that fits: `85 µs`, `6.4 ms`, `0.78 s`. */
export function us(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x < 1000) return `${x.toFixed(x < 100 ? 1 : 0)} µs`;
  if (x < 1_000_000) return `${(x / 1000).toFixed(x < 10_000 ? 2 : 1)} ms`;
  return `${(x / 1_000_000).toFixed(2)} s`;
}

/** Bytes as `1.1 KB`, `105 KB`, `10.8 MB`. */
export function bytes(x: number): string {
  if (x < 1000) return `${x} B`;
  if (x < 1_000_000) return `${(x / 1000).toFixed(x < 10_000 ? 1 : 0)} KB`;
  return `${(x / 1_000_000).toFixed(1)} MB`;
}
