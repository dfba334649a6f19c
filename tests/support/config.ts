import { expect } from 'vitest';
import { ConfigError } from '../../shared/config.js';

/** The problems of a ConfigError thrown by `fn` (fails the test when nothing or something else is thrown). */
export function configProblemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
