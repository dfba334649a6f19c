/**
 * Pure helpers for the benchmarks: percentiles, summaries, rates and a least-squares slope. No clocks,
 * no I/O, so tests/unit/bench-stats.test.ts checks them exactly.
 */

export interface Summary {
  /** Number of samples. */
  n: number;
  min: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/**
 * Nearest-rank percentile of samples sorted ascending: the smallest sample such that at least `p` per
 * cent of all samples are less than or equal to it. Always an observed value (never interpolated), so a
 * p99 of 100 samples is the 99th smallest, and of fewer than 100 samples it is the maximum.
 * `p` = 0 gives the minimum. Undefined for no samples.
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be between 0 and 100, got ${p}`);
  if (sorted.length === 0) return undefined;
  if (p === 0) return sorted[0];
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function sortedCopy(samples: readonly number[]): number[] {
  for (const s of samples) if (!Number.isFinite(s)) throw new RangeError(`sample is not a finite number: ${s}`);
  return [...samples].sort((a, b) => a - b);
}

/** Count, min, p50, p90, p99, max and mean of the samples (nulls when there are none). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = sortedCopy(samples);
  if (sorted.length === 0) return { n: 0, min: null, p50: null, p90: null, p99: null, max: null, mean: null };
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? null,
    p50: percentile(sorted, 50) ?? null,
    p90: percentile(sorted, 90) ?? null,
    p99: percentile(sorted, 99) ?? null,
    max: sorted[sorted.length - 1] ?? null,
    mean: sum / sorted.length,
  };
}

/** Operations per second; 0 when nothing was done, undefined-free. */
export function perSecond(count: number, elapsedMs: number): number {
  if (count < 0 || elapsedMs < 0) throw new RangeError('count and elapsed time must not be negative');
  if (count === 0) return 0;
  if (elapsedMs === 0) return Number.POSITIVE_INFINITY;
  return (count * 1000) / elapsedMs;
}

/** Least-squares slope and intercept of y over x (e.g. RSS over cached workflows). */
export function linearFit(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } | undefined {
  if (xs.length !== ys.length) throw new RangeError('xs and ys must have the same length');
  const n = xs.length;
  if (n < 2) return undefined;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    sxx += dx * dx;
    sxy += dx * ((ys[i] as number) - my);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** Rounds to `digits` significant digits, keeping integers >= 10^digits whole (for tables and JSON). */
export function roundSig(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  if (magnitude >= digits - 1) return Math.round(value);
  const factor = 10 ** (digits - 1 - magnitude);
  return Math.round(value * factor) / factor;
}

/** A summary with every figure rounded (`roundSig`), for printing and the results file. */
export function roundSummary(s: Summary, digits = 3): Summary {
  const r = (v: number | null) => (v === null ? null : roundSig(v, digits));
  return { n: s.n, min: r(s.min), p50: r(s.p50), p90: r(s.p90), p99: r(s.p99), max: r(s.max), mean: r(s.mean) };
}

/** `12.3 ms` style, or `-` when there is no figure. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  return `${roundSig(value, 3)} ms`;
}

/** `1 234/s` style (thousands separated by spaces), or `-` when there is no figure. */
export function formatRate(value: number | null | undefined, unit = '/s'): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  const rounded = roundSig(value, 3);
  const text = Number.isInteger(rounded) ? rounded.toLocaleString('en-US').replace(/,/g, ' ') : String(rounded);
  return `${text}${unit}`;
}
