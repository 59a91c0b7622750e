/** Order statistics for benchmark samples, and the `meta.*` keys every results file starts with. */
import { cpus, loadavg } from 'node:os';

/** The q-quantile (0..1) of `samples` by nearest rank; NaN when empty. Does not modify `samples`. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);

/** p50 / p90 / p99 / max / mean / count of a sample set. */
export interface Summary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  readonly n: number;
}

export function summarize(samples: readonly number[]): Summary {
  const n = samples.length;
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (const s of samples) {
    sum += s;
    if (s > max) max = s;
  }
  return { p50: quantile(samples, 0.5), p90: quantile(samples, 0.9), p99: quantile(samples, 0.99), max, mean: n === 0 ? Number.NaN : sum / n, n };
}

/** Rounds to `digits` decimals (JSON stays readable; µs figures need no more than 0.1). */
export const round = (x: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** The `meta.*` keys every bench's results start with: when, on what, and the 1-minute load before and now. */
export function runMeta(loadAtStart: number): Record<string, number | string> {
  return {
    'meta.date': new Date().toISOString(),
    'meta.node_version': process.version,
    'meta.cpus': cpus().length,
    'meta.loadavg_1m_start': round(loadAtStart, 2),
    'meta.loadavg_1m_end': round(loadavg()[0]!, 2),
  };
}
