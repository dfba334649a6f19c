import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from '../shared/config.js';
import { activePayloadKey, parsePayloadKeyEntries, PAYLOAD_KEY_HINT, type PayloadKeyEntry } from '../shared/payload-keys.js';

/** The payload-encryption keys of a process (infra/payload-codec.ts): all it can open, and the one that seals. */
export interface PayloadKeyring {
  activeId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** Key entries as keys; the active one must be among them. */
export function payloadKeyring(entries: readonly PayloadKeyEntry[], activeId: string): PayloadKeyring {
  const keys = new Map(entries.map((e) => [e.id, Buffer.from(e.base64, 'base64')]));
  if (!keys.has(activeId)) throw new Error(`the active payload key "${activeId}" is not among the keys`);
  return { activeId, keys };
}

/**
 * The keys of the configuration (PAYLOAD_KEYS or PAYLOAD_KEYS_FILE, and PAYLOAD_ACTIVE_KEY). Throws a
 * ConfigError naming the variable when there are none or they are malformed: no process may talk to
 * Temporal without encrypting.
 */
export function payloadKeyringFor(config: Pick<Config, 'PAYLOAD_KEYS' | 'PAYLOAD_KEYS_FILE' | 'PAYLOAD_ACTIVE_KEY'>): PayloadKeyring {
  let source: string;
  let listed: string;
  if (config.PAYLOAD_KEYS !== undefined) {
    source = 'PAYLOAD_KEYS';
    listed = config.PAYLOAD_KEYS;
  } else if (config.PAYLOAD_KEYS_FILE !== undefined) {
    source = `PAYLOAD_KEYS_FILE (${config.PAYLOAD_KEYS_FILE})`;
    try {
      listed = readFileSync(config.PAYLOAD_KEYS_FILE, 'utf8');
    } catch (err) {
      throw new ConfigError([`${source}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
    }
  } else {
    throw new ConfigError([
      'PAYLOAD_KEYS: not set. Workflow payloads (notes, evidence, inputs) are encrypted before they reach Temporal, ' +
        `and this process has no key: ${PAYLOAD_KEY_HINT}, then set PAYLOAD_KEYS=<id>:<key> (or PAYLOAD_KEYS_FILE=<file>) ` +
        'for every engine process: worker, API, CLI, bridge',
    ]);
  }
  const { entries, problems } = parsePayloadKeyEntries(listed);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${source}: ${p}`));
  const { activeId, problem } = activePayloadKey(entries, config.PAYLOAD_ACTIVE_KEY);
  if (problem || !activeId) throw new ConfigError([`PAYLOAD_ACTIVE_KEY: ${problem ?? 'no active key'}`]);
  return payloadKeyring(entries, activeId);
}

/** A new key-list entry `<id>:<base64 of 32 random bytes>`; the id defaults to `k<yyyymmdd>`. */
export function generatePayloadKey(id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
