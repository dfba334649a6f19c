/** Building blocks of the fast-check arbitraries in random-templates.ts and random-sessions.ts. */
import fc from 'fast-check';
import { plusDays } from './time-and-actors.js';

/** True with probability 1/k. */
export const chance = (k: number) => fc.integer({ min: 0, max: k - 1 }).map((x) => x === 0);

/** A value with probability 1/k, otherwise undefined. */
export const sometimes = <T>(arb: fc.Arbitrary<T>, k: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: k - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

export const dateArb = (from: number, to: number) => fc.integer({ min: from, max: to }).map((d) => plusDays('2000-01-01', d));
