import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiKeyFileError, ApiKeyStore, apiKeyFileSchema } from '../../infra/api-keys.js';
import { CampaignError } from '../../shared/errors.js';

describe('API key store', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'api-keys-'));
    path = join(dir, 'nested', 'api-keys.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a key whose secret is shown once and stored only as a salted scrypt hash', async () => {
    const store = new ApiKeyStore(path, { now: () => Date.parse('2025-03-01T10:00:00Z') });
    const { key, secret } = await store.create({ label: 'Sari (Jakarta office)', role: 'staff', countries: ['id', 'TL', 'ID'] });
    expect(key.id).toMatch(/^key-[0-9a-f]{12}$/);
    expect(key).toEqual({
      id: key.id,
      label: 'Sari (Jakarta office)',
      role: 'staff',
      countries: ['ID', 'TL'],
      createdAt: '2025-03-01T10:00:00.000Z',
    });
    expect(secret).toMatch(new RegExp(`^adv\\.${key.id}\\.[A-Za-z0-9_-]{43}$`));
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(secret.split('.')[2]);
    const file = apiKeyFileSchema.parse(JSON.parse(text));
    expect(file.keys[0]?.hash).toMatchObject({ algorithm: 'scrypt', N: 16384 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // Two keys never share a salt.
    await store.create({ label: 'second', role: 'viewer' });
    const salts = apiKeyFileSchema.parse(JSON.parse(readFileSync(path, 'utf8'))).keys.map((k) => k.hash.salt);
    expect(new Set(salts).size).toBe(2);
  });

  it('verifies the right secret only, and not once revoked', async () => {
    const store = new ApiKeyStore(path);
    const { key, secret } = await store.create({ label: 'lead', role: 'programme-lead' });
    expect(await store.verify(secret)).toMatchObject({ id: key.id, role: 'programme-lead' });
    expect(await store.verify(secret)).toMatchObject({ id: key.id }); // cached path
    const [prefix, id, tail] = secret.split('.') as [string, string, string];
    const flipped = `${prefix}.${id}.${tail.slice(0, -1)}${tail.endsWith('A') ? 'B' : 'A'}`;
    expect(await store.verify(flipped)).toBeUndefined();
    expect(await store.verify(`adv.key-000000000000.${tail}`)).toBeUndefined();
    expect(await store.verify('not a key')).toBeUndefined();
    expect(await store.verify('')).toBeUndefined();

    const revoked = await store.revoke(key.id);
    expect(revoked.revokedAt).toBeDefined();
    expect(await store.verify(secret)).toBeUndefined();
    expect(await store.list()).toEqual([]);
    expect((await store.list({ includeRevoked: true })).map((k) => k.id)).toEqual([key.id]);
    const again = await store.revoke(key.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(CampaignError);
    expect((again as CampaignError).code).toBe('conflict');
    const missing = await store.revoke('key-ffffffffffff').catch((e: unknown) => e);
    expect((missing as CampaignError).code).toBe('not-found');
  });

  it('sees keys created or revoked by another process (another store on the same file) without a restart', async () => {
    const api = new ApiKeyStore(path);
    const cli = new ApiKeyStore(path);
    expect(await api.list()).toEqual([]);
    const { key, secret } = await cli.create({ label: 'from the CLI', role: 'viewer' });
    expect(await api.verify(secret)).toMatchObject({ id: key.id });
    await cli.revoke(key.id);
    expect(await api.verify(secret)).toBeUndefined();
  });

  it('keeps every key when several writers create at once (lock + atomic rename), leaving no temp files', async () => {
    const stores = Array.from({ length: 4 }, () => new ApiKeyStore(path, { lockTimeoutMs: 20_000 }));
    const created = await Promise.all(stores.flatMap((s, i) => [0, 1].map((j) => s.create({ label: `k${i}-${j}`, role: 'viewer' }))));
    const listed = await new ApiKeyStore(path).list();
    expect(listed.map((k) => k.id).sort()).toEqual(created.map((c) => c.key.id).sort());
    expect(readdirSync(join(dir, 'nested'))).toEqual(['api-keys.json']);
  });

  it('refuses bad requests with field paths', async () => {
    const store = new ApiKeyStore(path);
    const err = (await store.create({ label: ' ', role: 'admin' as never, countries: ['XX'] }).catch((e: unknown) => e)) as CampaignError;
    expect(err).toBeInstanceOf(CampaignError);
    expect(err.code).toBe('invalid');
    expect(err.issues.map((i) => i.split(':')[0]).sort()).toEqual(['countries.0', 'label', 'role']);
  });

  it('reports a corrupt or invalid file with its path and never overwrites it', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'nested'));
    writeFileSync(path, '{"version":1,"keys":[{"id":"nope"}]');
    const store = new ApiKeyStore(path);
    await expect(store.list()).rejects.toThrow(ApiKeyFileError);
    await expect(store.list()).rejects.toThrow(/not JSON/);
    await expect(store.create({ label: 'x', role: 'viewer' })).rejects.toThrow(ApiKeyFileError);
    writeFileSync(path, JSON.stringify({ version: 1, keys: [{ id: 'nope', role: 'boss' }] }));
    const err = (await store.list().catch((e: unknown) => e)) as ApiKeyFileError;
    expect(err.message).toContain(path);
    expect(err.problems.some((p) => p.startsWith('keys.0.id:'))).toBe(true);
    expect(err.problems.some((p) => p.startsWith('keys.0.role:'))).toBe(true);
    expect(readFileSync(path, 'utf8')).toContain('boss');
  });

  it('takes over a stale lock left by a crashed writer', async () => {
    const { mkdirSync, utimesSync } = await import('node:fs');
    mkdirSync(join(dir, 'nested'));
    writeFileSync(`${path}.lock`, '99999');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    const store = new ApiKeyStore(path, { lockTimeoutMs: 500 });
    await store.create({ label: 'after crash', role: 'viewer' });
    expect(await store.list()).toHaveLength(1);
  });

  it('gives up on a live lock after the timeout with an explanation', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'nested'));
    writeFileSync(`${path}.lock`, '12345');
    const store = new ApiKeyStore(path, { lockTimeoutMs: 200 });
    const err = (await store.create({ label: 'x', role: 'viewer' }).catch((e: unknown) => e)) as CampaignError;
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/locked/);
  });
});
