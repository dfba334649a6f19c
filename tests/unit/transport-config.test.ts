/**
 * TLS and credentials for Temporal and NATS (shared/config.ts, infra/temporal-connection.ts,
 * infra/nats.ts, infra/transport-files.ts): the exact options each connection gets, the files read, and
 * every refusal naming its variable. The NATS side also runs against a real TLS-only nats-server
 * (tests/integration/nats-tls.test.ts); Temporal TLS is only checked here and through a TLS proxy
 * (tests/integration/temporal-tls.test.ts), as the dev server does not serve TLS itself.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/nats-core';
import { afterAll, describe, expect, it } from 'vitest';
import { natsConnectionOptions } from '../../infra/nats.js';
import { temporalConnectionOptions } from '../../infra/temporal-connection.js';
import { transportFileProblems } from '../../infra/transport-files.js';
import { parseConfig } from '../../shared/config.js';
import { configProblemsOf as problemsOf } from '../support/config.js';

const dir = mkdtempSync(join(tmpdir(), 'advocacy-transport-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const caPem = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
const certPem = '-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n';
const keyPem = '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n';
const ca = file('ca.pem', caPem);
const cert = file('client.pem', certPem);
const key = file('client-key.pem', keyPem);
const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
const seedFile = file('user.nk', `${seed}\n`);
const creds = file(
  'user.creds',
  '-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.sig\n------END NATS USER JWT------\n\n' +
    `-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`,
);

describe('Temporal connection options', () => {
  it('are plaintext with the address alone by default', () => {
    expect(temporalConnectionOptions(parseConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }))).toEqual({ address: 'temporal:7233', tls: false });
  });

  it('use the system CAs with TEMPORAL_TLS=true', () => {
    expect(temporalConnectionOptions(parseConfig({ TEMPORAL_TLS: 'true' }))).toEqual({ address: '127.0.0.1:7233', tls: {} });
  });

  it('carry the CA, the client certificate pair and the server name, read from the files', () => {
    const options = temporalConnectionOptions(
      parseConfig({
        TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
        TEMPORAL_TLS_CA_FILE: ca,
        TEMPORAL_TLS_CERT_FILE: cert,
        TEMPORAL_TLS_KEY_FILE: key,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      }),
    );
    expect(options).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: {
        serverRootCACertificate: Buffer.from(caPem),
        clientCertPair: { crt: Buffer.from(certPem), key: Buffer.from(keyPem) },
        serverNameOverride: 'temporal.internal',
      },
    });
  });

  it('send an API key over TLS (on by default with a key, as Temporal Cloud needs)', () => {
    expect(temporalConnectionOptions(parseConfig({ TEMPORAL_API_KEY: 'secret-key' }))).toEqual({
      address: '127.0.0.1:7233',
      tls: {},
      apiKey: 'secret-key',
    });
  });

  it('refuse an API key or TLS files with TEMPORAL_TLS=false', () => {
    const problems = problemsOf(() => parseConfig({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS_CA_FILE: ca }));
    expect(problems).toEqual([
      expect.stringMatching(/^TEMPORAL_TLS: false, but TEMPORAL_TLS_CA_FILE is set: unset TEMPORAL_TLS/),
      expect.stringMatching(/^TEMPORAL_TLS: false, but TEMPORAL_API_KEY is set \(an API key is never sent in clear\)/),
    ]);
  });

  it('refuse a certificate without its key and a key without its certificate', () => {
    expect(problemsOf(() => parseConfig({ TEMPORAL_TLS_CERT_FILE: cert }))).toEqual([
      expect.stringMatching(/^TEMPORAL_TLS_KEY_FILE: not set, but TEMPORAL_TLS_CERT_FILE is/),
    ]);
    expect(problemsOf(() => parseConfig({ TEMPORAL_TLS_KEY_FILE: key }))).toEqual([
      expect.stringMatching(/^TEMPORAL_TLS_CERT_FILE: not set, but TEMPORAL_TLS_KEY_FILE is/),
    ]);
  });

  it('refuse TEMPORAL_TLS other than true or false', () => {
    expect(problemsOf(() => parseConfig({ TEMPORAL_TLS: 'yes' }))).toEqual(['TEMPORAL_TLS: use true or false']);
  });

  it('name the variable of a missing or wrong file', () => {
    expect(problemsOf(() => temporalConnectionOptions(parseConfig({ TEMPORAL_TLS_CA_FILE: join(dir, 'missing.pem') })))).toEqual([
      `TEMPORAL_TLS_CA_FILE: cannot read ${join(dir, 'missing.pem')} (ENOENT); point it at a readable file or unset it`,
    ]);
    expect(problemsOf(() => temporalConnectionOptions(parseConfig({ TEMPORAL_TLS_CERT_FILE: key, TEMPORAL_TLS_KEY_FILE: cert })))).toEqual([
      `TEMPORAL_TLS_CERT_FILE: ${key} is not a certificate in PEM form (no "-----BEGIN ...-----" block)`,
    ]);
  });
});

describe('NATS connection options', () => {
  const name = { name: 'test' };

  it('leave TLS to the server and send no credentials by default', () => {
    const options = natsConnectionOptions(parseConfig({}), name);
    expect(options).not.toHaveProperty('tls');
    expect(options).not.toHaveProperty('authenticator');
  });

  it('require TLS with the CA and client certificate contents', () => {
    const options = natsConnectionOptions(parseConfig({ NATS_TLS_CA_FILE: ca, NATS_TLS_CERT_FILE: cert, NATS_TLS_KEY_FILE: key }), name);
    expect(options.tls).toEqual({ ca: caPem, cert: certPem, key: keyPem });
    expect(natsConnectionOptions(parseConfig({ NATS_TLS: 'true' }), name).tls).toEqual({});
    expect(natsConnectionOptions(parseConfig({ NATS_TLS: 'false' }), name).tls).toBeNull();
  });

  it('authenticate the one configured way', () => {
    const options = (env: Record<string, string>) => natsConnectionOptions(parseConfig(env), name);
    expect(options({ NATS_USER: 'engine', NATS_PASSWORD: 'pw' })).toMatchObject({ user: 'engine', pass: 'pw' });
    expect(options({ NATS_TOKEN: 't0ken' })).toMatchObject({ token: 't0ken' });
    const auth = (env: Record<string, string>) => options(env).authenticator;
    const call = (a: ReturnType<typeof auth>) => (typeof a === 'function' ? a('nonce') : a);
    // The seed's public key, and a signature of the server's nonce made with it.
    const publicKey = nkeys.fromSeed(new TextEncoder().encode(seed)).getPublicKey();
    const nkey = call(auth({ NATS_NKEY_SEED_FILE: seedFile })) as { nkey?: string; sig?: string };
    expect(nkey.nkey).toBe(publicKey);
    expect(typeof nkey.sig).toBe('string');
    const jwt = call(auth({ NATS_CREDS_FILE: creds })) as { jwt?: string; sig?: string };
    expect(jwt.jwt).toBe('eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.sig');
    expect(typeof jwt.sig).toBe('string');
  });

  it('refuse more than one way to authenticate, and a password without a user', () => {
    expect(problemsOf(() => parseConfig({ NATS_TOKEN: 't', NATS_NKEY_SEED_FILE: seedFile }))).toEqual([
      expect.stringMatching(/^NATS_NKEY_SEED_FILE: NATS credentials set in more than one way \(NATS_TOKEN, NATS_NKEY_SEED_FILE\)/),
    ]);
    expect(problemsOf(() => parseConfig({ NATS_PASSWORD: 'pw' }))).toEqual([
      'NATS_USER: not set, but NATS_PASSWORD is: set the user the password belongs to',
    ]);
  });

  it('refuse NATS_TLS=false with TLS files, and half a certificate pair', () => {
    expect(problemsOf(() => parseConfig({ NATS_TLS: 'false', NATS_TLS_CA_FILE: ca, NATS_TLS_KEY_FILE: key }))).toEqual([
      expect.stringMatching(/^NATS_TLS_CERT_FILE: not set, but NATS_TLS_KEY_FILE is/),
      expect.stringMatching(/^NATS_TLS: false, but NATS_TLS_CA_FILE is set/),
      expect.stringMatching(/^NATS_TLS: false, but NATS_TLS_KEY_FILE is set/),
    ]);
  });

  it('refuse a seed or creds file that is not one', () => {
    expect(problemsOf(() => natsConnectionOptions(parseConfig({ NATS_NKEY_SEED_FILE: ca }), name))).toEqual([
      expect.stringMatching(/^NATS_NKEY_SEED_FILE: .* is not a NATS user nkey seed/),
    ]);
    expect(problemsOf(() => natsConnectionOptions(parseConfig({ NATS_CREDS_FILE: seedFile }), name))).toEqual([
      expect.stringMatching(/^NATS_CREDS_FILE: .* is not a NATS .creds file/),
    ]);
  });
});

describe('transport files at start-up', () => {
  it('lists every unusable file at once', () => {
    const unreadable = file('unreadable.pem', caPem);
    chmodSync(unreadable, 0o000);
    const problems = transportFileProblems(
      parseConfig({ NATS_TLS_CA_FILE: join(dir, 'nope.pem'), TEMPORAL_TLS_KEY_FILE: ca, TEMPORAL_TLS_CERT_FILE: cert }),
    );
    expect(problems).toEqual([
      `TEMPORAL_TLS_KEY_FILE: ${ca} is not a private key in PEM form (no "-----BEGIN ...-----" block)`,
      `NATS_TLS_CA_FILE: cannot read ${join(dir, 'nope.pem')} (ENOENT); point it at a readable file or unset it`,
    ]);
    // root reads any file whatever its mode; elsewhere the unreadable one is reported too.
    const unreadableProblems = transportFileProblems(parseConfig({ NATS_TLS_CA_FILE: unreadable }));
    if (process.getuid?.() !== 0)
      expect(unreadableProblems).toEqual([expect.stringMatching(/^NATS_TLS_CA_FILE: cannot read .* \(EACCES\)/)]);
  });
});
