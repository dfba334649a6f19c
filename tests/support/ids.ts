import { randomBytes } from 'node:crypto';

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
