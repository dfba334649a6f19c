import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Fields never written to a log, at the top level and up to two levels down (pino's paths are exact, so
 * each depth is listed): credentials in request and response headers, and anything named like a secret.
 * An API key, a session cookie or a webhook secret in a log line would let whoever reads the logs act as
 * its holder. The value is replaced, so the line still shows that the field was there.
 */
const secretNames = ['authorization', 'cookie', '"set-cookie"', '"x-api-key"', 'key', 'secret', 'token', 'password', 'passphrase'];
/** Configuration variables that hold secrets, should a config object be logged. */
const secretSettings = ['API_SESSION_SECRET', 'NATS_PASSWORD', 'NATS_TOKEN'];

export const redactPaths: readonly string[] = [
  ...[...secretNames, ...secretSettings].flatMap((name) => {
    const field = name.startsWith('"') ? `[${name}]` : `.${name}`;
    return [name.startsWith('"') ? `[${name}]` : name, `*${field}`, `*.*${field}`];
  }),
];

export const REDACTED = '[redacted]';

/** One JSON line per event. `name` tells which process or component wrote it. */
export function createLogger(name: string, level = 'info', destination?: DestinationStream): Logger {
  const options = { name, level, base: { pid: process.pid }, redact: { paths: [...redactPaths], censor: REDACTED } };
  return destination ? pino(options, destination) : pino(options);
}
