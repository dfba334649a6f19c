import { nkeys } from '@nats-io/nats-core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CampaignClient } from '../../clients/campaign-client.js';
import { connectNats, type NatsConnection } from '../../infra/nats.js';
import { startNatsServer, type NatsServer } from '../../infra/servers/index.js';
import { parseConfig } from '../../shared/config.js';
import { parseTemplate } from '../../shared/template/validate.js';
import { startEngineProcess } from '../../workers/engine-process.js';
import { lookupOf } from '../support/engine.js';
import {
  connectTemporal,
  isolatedEventsConfig,
  testLogger,
  testPayloadEnv,
  uniqueId,
  type TemporalTestConnection,
} from '../support/index.js';
import { readStream } from '../support/stream.js';
import { makeTestPki, type TestPki } from '../support/tls.js';

/**
 * The engine against a TLS-only nats-server with certificates made here (tests/support/tls.ts): the
 * engine worker process, configured by its environment alone, publishes a campaign's events over TLS;
 * a client without the CA, a plaintext one, one without a client certificate where the server verifies
 * clients, and wrong or missing credentials (user/password, token, nkey) are refused.
 */
const template = parseTemplate({ id: 'tls-one-step', version: 1, title: 'TLS', milestones: [{ id: 'only', title: 'only' }] });
const lead = { actor: { id: 'lead', role: 'programme-lead' as const } };

/** A nats-server configuration file: TLS with `tls` (and client verification if `verify`), `auth` as written. */
function serverConfig(dir: string, name: string, pki: TestPki, verify: boolean, auth: string): string {
  const path = join(dir, `${name}.conf`);
  writeFileSync(
    path,
    `tls {\n  cert_file: "${pki.serverCertFile}"\n  key_file: "${pki.serverKeyFile}"\n  ca_file: "${pki.caFile}"\n` +
      `  verify: ${verify}\n  timeout: 2\n}\nauthorization {\n${auth}\n}\n`,
  );
  return path;
}

function seedFile(dir: string, name: string, seed: Uint8Array): string {
  const path = join(dir, `${name}.nk`);
  writeFileSync(path, `${new TextDecoder().decode(seed)}\n`);
  return path;
}

describe('NATS over TLS', () => {
  let dir: string;
  let pki: TestPki;
  let users: NatsServer; // TLS, users with passwords and nkeys
  let verifying: NatsServer; // TLS with client certificates required, token
  let listedSeed: string;
  let strangerSeed: string;
  const opened: NatsConnection[] = [];

  /** Connects as a tool does (no waiting for the server): 'connected', or why it was refused. */
  async function attempt(env: Record<string, string>): Promise<string> {
    try {
      const nc = await connectNats(parseConfig(env), { name: uniqueId('tls-attempt'), logger: testLogger('nats') });
      opened.push(nc);
      await nc.flush();
      return 'connected';
    } catch (err) {
      return `refused: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  beforeAll(async () => {
    dir = join(inject('runDir'), uniqueId('nats-tls'));
    pki = makeTestPki(join(dir, 'pki'));
    const listed = nkeys.createUser();
    listedSeed = seedFile(dir, 'listed', listed.getSeed());
    strangerSeed = seedFile(dir, 'stranger', nkeys.createUser().getSeed());
    const userAuth = `  users: [\n    { user: "engine", password: "engine-pw" }\n    { nkey: "${listed.getPublicKey()}" }\n  ]`;
    [users, verifying] = await Promise.all([
      startNatsServer({
        storeDir: join(dir, 'users-store'),
        logDir: dir,
        extraArgs: ['-c', serverConfig(dir, 'users', pki, false, userAuth)],
      }),
      startNatsServer({
        storeDir: join(dir, 'verifying-store'),
        logDir: dir,
        extraArgs: ['-c', serverConfig(dir, 'verifying', pki, true, '  token: "s3cret-token"')],
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.allSettled(opened.map((nc) => nc.close()));
    await Promise.allSettled([users?.stop(), verifying?.stop()]);
  });

  it('runs the engine worker over TLS: a campaign started in Temporal publishes its events', { timeout: 180_000 }, async () => {
    const natsEnv = { NATS_URL: users.url, NATS_TLS_CA_FILE: pki.caFile, NATS_USER: 'engine', NATS_PASSWORD: 'engine-pw' };
    const config = isolatedEventsConfig({ TEMPORAL_TASK_QUEUE: uniqueId('nats-tls'), ...natsEnv });
    let temporal: TemporalTestConnection | undefined;
    const worker = await startEngineProcess({
      env: {
        ...testPayloadEnv(),
        ...natsEnv,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_NAMESPACE: inject('temporalNamespace'),
        TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
        EVENTS_STREAM: config.EVENTS_STREAM,
        EVENTS_SUBJECT_PREFIX: config.EVENTS_SUBJECT_PREFIX,
        EVENTS_DUPLICATE_WINDOW: config.EVENTS_DUPLICATE_WINDOW,
        EVENTS_MAX_AGE: config.EVENTS_MAX_AGE,
        LOG_LEVEL: 'warn',
      },
      bundlePath: inject('workflowBundlePath') ?? undefined,
      logFile: join(dir, 'engine-worker.log'),
      startTimeoutMs: 120_000,
    });
    try {
      temporal = await connectTemporal();
      const campaigns = new CampaignClient({
        client: temporal.client,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        templates: lookupOf([template]),
      });
      const campaignId = uniqueId('tls');
      await campaigns.start({ template: 'tls-one-step', country: 'FJ', campaignId }, lead);
      // Read back over TLS as well, as another user (an nkey) of the same server.
      const reader = await connectNats(
        parseConfig({ NATS_URL: users.url, NATS_TLS_CA_FILE: pki.caFile, NATS_NKEY_SEED_FILE: listedSeed }),
        {
          name: 'tls-reader',
          logger: testLogger('nats'),
        },
      );
      opened.push(reader);
      expect(reader.info?.tls_required).toBe(true);
      await expect
        .poll(
          async () => (await readStream(reader, config.EVENTS_STREAM).catch(() => [])).map((e) => `${e.data.sequence} ${e.data.type}`),
          {
            timeout: 90_000,
            interval: 500,
          },
        )
        .toEqual(['1 campaign-started', '2 milestone-opened']);
      await campaigns.signal(campaignId, { type: 'cancel', reason: 'test over' }, lead);
    } finally {
      await worker.stop();
      await temporal?.close();
    }
  });

  it('refuses a client without the CA, and a plaintext one', async () => {
    expect(await attempt({ NATS_URL: users.url, NATS_USER: 'engine', NATS_PASSWORD: 'engine-pw' })).toMatch(/^refused: .*certificate/i);
    expect(await attempt({ NATS_URL: users.url, NATS_TLS: 'false', NATS_USER: 'engine', NATS_PASSWORD: 'engine-pw' })).toMatch(/^refused/);
    // The same client with the CA gets in.
    expect(await attempt({ NATS_URL: users.url, NATS_TLS_CA_FILE: pki.caFile, NATS_USER: 'engine', NATS_PASSWORD: 'engine-pw' })).toBe(
      'connected',
    );
  });

  it('accepts the configured user/password and nkey, and refuses others', async () => {
    const tls = { NATS_URL: users.url, NATS_TLS_CA_FILE: pki.caFile };
    expect(await attempt({ ...tls, NATS_NKEY_SEED_FILE: listedSeed })).toBe('connected');
    expect(await attempt({ ...tls, NATS_NKEY_SEED_FILE: strangerSeed })).toMatch(/^refused: .*authorization/i);
    expect(await attempt({ ...tls, NATS_USER: 'engine', NATS_PASSWORD: 'wrong' })).toMatch(/^refused: .*authorization/i);
    expect(await attempt(tls)).toMatch(/^refused: .*authorization/i);
  });

  // A refused handshake shows as the client's connect timeout (20 s) on some runs: time for two of them.
  it('with client certificates required, refuses a client without one or with a stranger CA’s', { timeout: 120_000 }, async () => {
    const tls = { NATS_URL: verifying.url, NATS_TLS_CA_FILE: pki.caFile, NATS_TOKEN: 's3cret-token' };
    const cert = { NATS_TLS_CERT_FILE: pki.clientCertFile, NATS_TLS_KEY_FILE: pki.clientKeyFile };
    expect(await attempt(tls)).toMatch(/^refused/);
    expect(await attempt({ ...tls, NATS_TLS_CERT_FILE: pki.strangerCertFile, NATS_TLS_KEY_FILE: pki.strangerKeyFile })).toMatch(/^refused/);
    expect(await attempt({ ...tls, ...cert })).toBe('connected');
    // The token is still checked on top of the certificate.
    expect(await attempt({ ...tls, ...cert, NATS_TOKEN: 'wrong' })).toMatch(/^refused: .*authorization/i);
  });
});
