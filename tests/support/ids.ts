import { randomBytes } from 'node:crypto';
import { parseConfig, type Config } from '../../shared/config.js';
import { testPayloadEnv } from './payload.js';

/**
 * A name unique to this test and run: isolates task queues, workflow ids, stream names, subjects and
 * consumers between tests that share the servers. Only letters, digits and '-' (valid for all of them).
 */
export function uniqueId(prefix: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9-]/g, '-');
  return `${safe}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Variant for NATS subject tokens and stream names that also avoids '-' in the tail: `prefix_xxxx`. */
export function uniqueToken(prefix: string): string {
  return uniqueId(prefix).replace(/-/g, '_');
}

/**
 * Configuration with a stream and subject prefix of this test's own, so test files never see each
 * other's events; short retention and duplicate window, as tests need no more. With the run's payload key.
 */
export function isolatedEventsConfig(env: Record<string, string> = {}): Config {
  return parseConfig({
    ...testPayloadEnv(),
    EVENTS_STREAM: uniqueToken('T'),
    EVENTS_SUBJECT_PREFIX: uniqueToken('t').toLowerCase(),
    EVENTS_DUPLICATE_WINDOW: 'PT10M',
    EVENTS_MAX_AGE: 'P1D',
    ...env,
  });
}
