/**
 * The benchmarks' pure helpers (bench/stats.ts): nearest-rank percentiles, summaries, rates, the
 * least-squares slope used for memory per cached workflow, and the rounding used in tables.
 * No benchmark runs here and nothing is timed.
 */
import { describe, expect, it } from 'vitest';
import { formatMs, formatRate, linearFit, percentile, perSecond, roundSig, roundSummary, summarize } from '../../bench/stats.js';

const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe('percentile (nearest rank)', () => {
  it('returns observed values: p50 of 1..100 is 50, p99 is 99, p100 is 100', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 90)).toBe(90);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
  });

  it('p0 is the minimum; with fewer than 100 samples p99 is the maximum', () => {
    expect(percentile([3, 5, 8], 0)).toBe(3);
    expect(percentile([3, 5, 8], 99)).toBe(8);
    expect(percentile([3, 5, 8], 50)).toBe(5);
    expect(percentile([3, 5, 8, 13], 50)).toBe(5);
  });

  it('a single sample is every percentile; no samples give undefined', () => {
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('refuses percentiles outside 0..100', () => {
    expect(() => percentile([1], -1)).toThrow(new RangeError('percentile must be between 0 and 100, got -1'));
    expect(() => percentile([1], 101)).toThrow(new RangeError('percentile must be between 0 and 100, got 101'));
    expect(() => percentile([1], Number.NaN)).toThrow(new RangeError('percentile must be between 0 and 100, got NaN'));
  });
});

describe('summarize', () => {
  it('sorts a copy and reports count, extremes, percentiles and mean', () => {
    const samples = [...oneToHundred].reverse();
    const s = summarize(samples);
    expect(s).toEqual({ n: 100, min: 1, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
    expect(samples[0]).toBe(100); // the input is left as it was
  });

  it('gives nulls for no samples', () => {
    expect(summarize([])).toEqual({ n: 0, min: null, p50: null, p90: null, p99: null, max: null, mean: null });
  });

  it('refuses non-finite samples rather than sorting them somewhere', () => {
    expect(() => summarize([1, Number.NaN])).toThrow(new RangeError('sample is not a finite number: NaN'));
    expect(() => summarize([Number.POSITIVE_INFINITY])).toThrow(new RangeError('sample is not a finite number: Infinity'));
  });

  it('keeps negative samples (an event may arrive before the answer that caused it)', () => {
    expect(summarize([-2, 4, 1]).min).toBe(-2);
  });
});

describe('perSecond', () => {
  it('turns a count over milliseconds into a rate', () => {
    expect(perSecond(200, 10_000)).toBe(20);
    expect(perSecond(3, 1_500)).toBe(2);
  });

  it('is 0 when nothing was done and refuses negative inputs', () => {
    expect(perSecond(0, 0)).toBe(0);
    expect(perSecond(0, 1_000)).toBe(0);
    expect(() => perSecond(-1, 10)).toThrow(new RangeError('count and elapsed time must not be negative'));
    expect(() => perSecond(1, -10)).toThrow(new RangeError('count and elapsed time must not be negative'));
  });
});

describe('linearFit', () => {
  it('finds slope and intercept of points on a line', () => {
    const fit = linearFit([20, 120, 220, 320], [300, 500, 700, 900]);
    expect(fit?.slope).toBeCloseTo(2, 10);
    expect(fit?.intercept).toBeCloseTo(260, 10);
  });

  it('averages out noise: least squares over scattered points', () => {
    const fit = linearFit([0, 1, 2, 3], [1, 2, 2, 4]);
    expect(fit?.slope).toBeCloseTo(0.9, 10);
    expect(fit?.intercept).toBeCloseTo(0.9, 10);
  });

  it('has no answer for fewer than two points or a single x', () => {
    expect(linearFit([1], [1])).toBeUndefined();
    expect(linearFit([2, 2], [1, 5])).toBeUndefined();
    expect(() => linearFit([1, 2], [1])).toThrow(new RangeError('xs and ys must have the same length'));
  });
});

describe('rounding and formatting', () => {
  it('roundSig keeps three significant digits and whole numbers above them', () => {
    expect(roundSig(0.012345)).toBe(0.0123);
    expect(roundSig(12.345)).toBe(12.3);
    expect(roundSig(1234.5)).toBe(1235);
    expect(roundSig(-2.0049)).toBe(-2);
    expect(roundSig(0)).toBe(0);
  });

  it('roundSummary rounds every figure and keeps nulls', () => {
    expect(roundSummary({ n: 3, min: 1.23456, p50: 2.34567, p90: 3.45678, p99: 4.56789, max: 5.6789, mean: 3.3333 })).toEqual({
      n: 3,
      min: 1.23,
      p50: 2.35,
      p90: 3.46,
      p99: 4.57,
      max: 5.68,
      mean: 3.33,
    });
    expect(roundSummary(summarize([]))).toEqual(summarize([]));
  });

  it('formats milliseconds and rates, with a dash for missing figures', () => {
    expect(formatMs(12.345)).toBe('12.3 ms');
    expect(formatMs(null)).toBe('-');
    expect(formatRate(36_123)).toBe('36 123/s');
    expect(formatRate(7.254, ' msg/s')).toBe('7.25 msg/s');
    expect(formatRate(undefined)).toBe('-');
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe('-');
  });
});
