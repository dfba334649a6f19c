import { DateTime, Duration } from 'luxon';
import { z } from 'zod';

/**
 * Calendar dates (YYYY-MM-DD) and ISO-8601 durations, the way treaty deadlines are counted:
 * "the 30th day after deposit" is deposit + P30D on the calendar, never milliseconds arithmetic.
 * All dates are UTC calendar days; luxon does the calendar work (month ends, leap years).
 */

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a calendar date YYYY-MM-DD')
  .refine((s) => DateTime.fromISO(s, { zone: 'utc' }).isValid, 'not a real calendar date');
export type IsoDate = z.infer<typeof isoDate>;

/**
 * Whole, non-negative components in ISO-8601 order, at least one, and a `T` only before time parts.
 * Luxon alone also accepts "P", "PT", "P1DT" and fractions ("P0.5M"), which have no calendar meaning.
 */
const durationPattern = /^P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/;

export const isoDuration = z.string().refine((s) => {
  const d = Duration.fromISO(s);
  return durationPattern.test(s) && d.isValid && Object.values(d.toObject()).every((v) => v === undefined || v >= 0);
}, 'expected a non-negative ISO-8601 duration such as P30D, P1Y or PT12H');
export type IsoDuration = z.infer<typeof isoDuration>;

function toDateTime(date: IsoDate): DateTime {
  return DateTime.fromISO(date, { zone: 'utc' });
}

function format(dt: DateTime): IsoDate {
  return dt.toISODate() ?? '';
}

export function addDuration(date: IsoDate, duration: IsoDuration): IsoDate {
  return format(toDateTime(date).plus(Duration.fromISO(duration)));
}

export function subtractDuration(date: IsoDate, duration: IsoDuration): IsoDate {
  return format(toDateTime(date).minus(Duration.fromISO(duration)));
}

/** Sums durations component-wise (P1Y + P6M = P1Y6M), so calendar semantics are kept. */
export function sumDurations(durations: IsoDuration[]): IsoDuration {
  const total = durations.reduce((acc, d) => acc.plus(Duration.fromISO(d)), Duration.fromObject({ days: 0 }));
  return total.toISO() ?? 'P0D';
}

/** True when `a` is longer than `b`, measured from a fixed reference date. */
export function durationExceeds(a: IsoDuration, b: IsoDuration, from: IsoDate = '2000-01-01'): boolean {
  return addDuration(from, a) > addDuration(from, b);
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

/** The UTC calendar day of an instant given in epoch milliseconds (workflow time is deterministic). */
export function dateOfInstant(epochMs: number): IsoDate {
  return format(DateTime.fromMillis(epochMs, { zone: 'utc' }));
}

/** Epoch milliseconds of the start (00:00 UTC) of a calendar day. */
export function startOfDay(date: IsoDate): number {
  return toDateTime(date).toMillis();
}

/** Whole calendar days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round(toDateTime(b).diff(toDateTime(a), 'days').days);
}
