/**
 * Calendar arithmetic for treaty deadlines (shared/dates.ts): month ends, leap years, durations.
 */
import { describe, expect, it } from 'vitest';
import {
  addDuration,
  compareDates,
  dateOfInstant,
  daysBetween,
  durationExceeds,
  isoDate,
  isoDuration,
  maxDate,
  startOfDay,
  subtractDuration,
  sumDurations,
} from '../../shared/dates.js';

describe('addDuration', () => {
  it.each([
    // Treaty rules: "the 30th day after deposit" is deposit + 30 calendar days.
    ['2010-03-01', 'P30D', '2010-03-31'],
    ['2023-01-31', 'P30D', '2023-03-02'],
    ['2024-01-31', 'P30D', '2024-03-01'],
    // Month ends clamp to the last day of the shorter month.
    ['2024-01-31', 'P1M', '2024-02-29'],
    ['2023-01-31', 'P1M', '2023-02-28'],
    ['2024-03-31', 'P1M', '2024-04-30'],
    ['2024-08-31', 'P6M', '2025-02-28'],
    // Leap years: one year after 29 February is 28 February.
    ['2024-02-29', 'P1Y', '2025-02-28'],
    ['2024-02-29', 'P4Y', '2028-02-29'],
    ['2000-02-29', 'P1Y', '2001-02-28'],
    ['2023-02-28', 'P1D', '2023-03-01'],
    ['2024-02-28', 'P1D', '2024-02-29'],
    ['2024-12-31', 'P1D', '2025-01-01'],
    ['2024-01-01', 'P2W', '2024-01-15'],
    ['2024-01-01', 'P1Y2M3D', '2025-03-04'],
    ['2024-01-01', 'P0D', '2024-01-01'],
    // Time parts move the calendar day only when they add up to whole days.
    ['2024-01-01', 'PT12H', '2024-01-01'],
    ['2024-01-01', 'PT24H', '2024-01-02'],
  ])('%s + %s = %s', (date, duration, expected) => {
    expect(addDuration(date, duration)).toBe(expected);
  });
});

describe('subtractDuration', () => {
  it.each([
    ['2024-03-31', 'P1M', '2024-02-29'],
    ['2025-03-01', 'P1D', '2025-02-28'],
    ['2024-03-01', 'P1D', '2024-02-29'],
    ['2025-02-28', 'P1Y', '2024-02-28'],
    ['2024-03-01', 'P3M', '2023-12-01'],
    ['2024-01-07', 'P7D', '2023-12-31'],
  ])('%s - %s = %s', (date, duration, expected) => {
    expect(subtractDuration(date, duration)).toBe(expected);
  });
});

describe('sumDurations', () => {
  it('adds component-wise, keeping calendar units', () => {
    expect(sumDurations(['P1Y', 'P6M'])).toBe('P1Y6M');
    expect(sumDurations(['P1M', 'P1M'])).toBe('P2M');
    expect(sumDurations(['P3Y', 'P2Y'])).toBe('P5Y');
    expect(sumDurations(['P1M', 'P30D'])).toBe('P1M30D');
    // Nothing to add: a zero duration.
    expect(addDuration('2024-02-29', sumDurations([]))).toBe('2024-02-29');
    expect(addDuration('2024-02-29', sumDurations(['P0D']))).toBe('2024-02-29');
  });

  it('gives a duration the schema accepts', () => {
    for (const sum of [sumDurations(['P1Y', 'PT12H']), sumDurations(['P2W', 'P1D']), sumDurations([])])
      expect(isoDuration.safeParse(sum).success, sum).toBe(true);
  });

  it('adds a month to a month end differently from adding months one by one', () => {
    // Deadlines are computed as rule date + sum of extensions (see the state machine).
    expect(addDuration('2024-01-31', sumDurations(['P1M', 'P1M']))).toBe('2024-03-31');
    expect(addDuration(addDuration('2024-01-31', 'P1M'), 'P1M')).toBe('2024-03-29');
  });
});

describe('durationExceeds', () => {
  it('compares on the calendar from a reference date', () => {
    expect(durationExceeds('P2Y1D', 'P2Y')).toBe(true);
    expect(durationExceeds('P2Y', 'P2Y')).toBe(false);
    expect(durationExceeds('P1Y', 'P2Y')).toBe(false);
    expect(durationExceeds('P13M', 'P1Y')).toBe(true);
    // 30 days exceed one month from 31 January (3 March vs 29 February), not from 1 January.
    expect(durationExceeds('P30D', 'P1M', '2024-01-31')).toBe(true);
    expect(durationExceeds('P30D', 'P1M', '2024-01-01')).toBe(false);
  });
});

describe('dates and instants', () => {
  it('compares and picks dates', () => {
    expect(compareDates('2024-01-01', '2024-01-02')).toBe(-1);
    expect(compareDates('2024-01-02', '2024-01-01')).toBe(1);
    expect(compareDates('2024-01-01', '2024-01-01')).toBe(0);
    expect(['2024-03-01', '2023-12-31', '2024-02-29'].sort(compareDates)).toEqual(['2023-12-31', '2024-02-29', '2024-03-01']);
    expect(maxDate('2024-01-01', '2023-12-31')).toBe('2024-01-01');
    expect(maxDate('2023-12-31', '2024-01-01')).toBe('2024-01-01');
  });

  it('maps instants to UTC calendar days and back', () => {
    expect(dateOfInstant(Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toBe('2024-02-29');
    expect(dateOfInstant(Date.UTC(2024, 2, 1, 0, 0, 0, 0))).toBe('2024-03-01');
    expect(startOfDay('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(dateOfInstant(startOfDay('1987-06-26'))).toBe('1987-06-26');
  });

  it('counts whole days between dates', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2023-02-28', '2023-03-01')).toBe(1);
    expect(daysBetween('2024-03-01', '2024-02-28')).toBe(-2);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    // Across the European summer-time change: still calendar days, never 23 or 25 hours.
    expect(daysBetween('2024-03-30', '2024-04-01')).toBe(2);
  });
});

describe('schemas', () => {
  it('accepts real calendar dates only', () => {
    for (const ok of ['2024-02-29', '2023-12-31', '1984-12-10', '0001-01-01']) expect(isoDate.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['2023-02-29', '2024-13-01', '2024-04-31', '2024-2-1', '24-02-01', '2024-02-01T00:00:00Z', '', 'today'])
      expect(isoDate.safeParse(bad).success, bad).toBe(false);
  });

  it('accepts non-negative ISO-8601 durations with whole numbers', () => {
    for (const ok of ['P30D', 'P1Y', 'P6M', 'P2W', 'P0D', 'PT12H', 'PT0S', 'P1Y2M3DT4H5M6S', 'P3Y'])
      expect(isoDuration.safeParse(ok).success, ok).toBe(true);
  });

  it.each(['', 'P', 'PT', 'P1DT', '30D', 'p30d', 'P-1D', '-P1D', 'P1.5D', 'P0.5M', 'P1H', 'PT1D', 'P1D2Y', 'one year', 'P 1D'])(
    'rejects the duration %j',
    (bad) => {
      const result = isoDuration.safeParse(bad);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/ISO-8601 duration/);
    },
  );
});
