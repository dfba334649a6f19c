import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApp, type App, type AppDeps } from '../../api/app.js';
import { ApiKeyStore, type ApiKeyInfo } from '../../infra/api-keys.js';
import { createLogger } from '../../infra/logger.js';
import { TemplateRegistry } from '../../infra/templates.js';
import { CampaignError } from '../../shared/errors.js';
import { parseConfig, type Config } from '../../shared/config.js';

/**
 * The HTTP app (API and dashboard) without an engine or servers, for what happens before and around the
 * campaign facade: access, sessions, failure limits, error answers. The facade is a stub (an empty list,
 * "no campaign" for anything else) unless the test gives its own functions; the keys are a real store in a
 * scratch directory (real scrypt); the log is kept, one JSON line per entry.
 */

export interface StubApp {
  app: App;
  keys: ApiKeyStore;
  config: Config;
  secrets: { staff: string; viewer: string };
  keyInfo: { staff: ApiKeyInfo; viewer: ApiKeyInfo };
  /** Every log line written so far. */
  log: string[];
  close(): Promise<void>;
}

export interface StubAppOptions {
  env?: Record<string, string>;
  campaigns?: Partial<AppDeps['campaigns']>;
  checkTemporal?: () => Promise<void>;
  /** Another process of the same deployment: a store of its own on the other app's key file, and its keys. */
  sharingKeysWith?: StubApp;
}

export async function startStubApp(options: StubAppOptions = {}): Promise<StubApp> {
  const dir = mkdtempSync(join(tmpdir(), 'http-app-'));
  const other = options.sharingKeysWith;
  const keys = new ApiKeyStore(other ? other.keys.path : join(dir, 'api-keys.json'));
  const [staff, viewer] = other
    ? [
        { key: other.keyInfo.staff, secret: other.secrets.staff },
        { key: other.keyInfo.viewer, secret: other.secrets.viewer },
      ]
    : [await keys.create({ label: 'Sari Wulandari', role: 'staff' }), await keys.create({ label: 'Guest reader', role: 'viewer' })];
  const log: string[] = [];
  const logger = createLogger(
    'api-test',
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    }),
  );
  const missing = (id: string) => Promise.reject(new CampaignError('not-found', `no campaign with id ${id}`));
  // A key of its own: the unit project has no global setup to share the run's.
  const config = parseConfig({ PAYLOAD_KEYS: `stub:${randomBytes(32).toString('base64')}`, ...options.env });
  const list = options.campaigns?.list ?? (() => Promise.resolve([]));
  const app = await buildApp({
    campaigns: {
      list,
      // A page of whatever the test's `list` answers, so a test stubbing `list` stubs the paged list too.
      listPage: async (filter, caller) => ({ campaigns: await list(filter, caller) }),
      workList: () => Promise.resolve([]),
      workReport: () => Promise.resolve({ items: [], unreadable: [] }),
      readView: () => Promise.resolve(undefined),
      view: missing,
      execute: missing,
      start: () => Promise.reject(new CampaignError('unavailable', 'no engine in this test')),
      startOnce: () => Promise.reject(new CampaignError('unavailable', 'no engine in this test')),
      ...options.campaigns,
    },
    templates: new TemplateRegistry([]),
    keys,
    config,
    logger,
    checkTemporal: options.checkTemporal ?? (() => Promise.resolve()),
  });
  return {
    app,
    keys,
    config,
    secrets: { staff: staff.secret, viewer: viewer.secret },
    keyInfo: { staff: staff.key, viewer: viewer.key },
    log,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A secret of the right shape for `keyId` that is not its key's (or, without an id, for a key that does not exist). */
export function wrongSecret(keyId = `key-${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`): string {
  return `adv.${keyId}.${'A'.repeat(43)}`;
}

/** The `name=value` of a response's session cookie, for the next request's Cookie header. */
export function sessionCookie(setCookie: string | string[] | undefined): string {
  return String(setCookie).split(';')[0] as string;
}
