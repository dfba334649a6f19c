import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotifierConfigError, loadNotifierConfig, resolveNotifierConfig } from '../../workers/notifier-config.js';
import { signWebhookBody, verifyWebhookSignature } from '../../workers/notifier.js';

const env = { NOTIFIER_SECRET_ID: 'a-shared-secret-of-32-characters' };
const options = { subjectPrefix: 'advocacy', env };

describe('notifier configuration', () => {
  it('compiles matches into subject filters and resolves secrets from the environment', () => {
    const config = resolveNotifierConfig(
      {
        routes: [
          {
            name: 'indonesia-deadlines',
            match: { countries: ['id'], types: ['reminder-due', 'milestone-overdue'] },
            webhook: { url: 'http://127.0.0.1:9000/hook', secretEnv: 'NOTIFIER_SECRET_ID' },
          },
          { name: 'everything', log: true },
        ],
      },
      options,
    );
    expect(config.durable).toBe('notifier');
    expect(config.maxDeliveries).toBe(8);
    expect(config.routes[0]).toEqual({
      name: 'indonesia-deadlines',
      filters: ['advocacy.*.id.reminder-due', 'advocacy.*.id.milestone-overdue'],
      log: false,
      webhook: {
        url: 'http://127.0.0.1:9000/hook',
        secret: env.NOTIFIER_SECRET_ID,
        timeoutMs: 10_000,
        attempts: 4,
        retryDelayMs: 1_000,
        headers: {},
      },
    });
    expect(config.routes[1]).toEqual({ name: 'everything', filters: ['advocacy.*.*.*'], log: true });
  });

  it('reports every problem at once, naming the fields', () => {
    const attempt = () =>
      resolveNotifierConfig(
        {
          routes: [
            { name: 'a', match: { types: ['milestone-done'], countries: ['XX'] }, webhook: { url: 'ftp://x', secretEnv: 'S' } },
            { name: 'a', log: true },
            { name: 'b' },
          ],
          extra: 1,
        },
        options,
      );
    expect(attempt).toThrow(NotifierConfigError);
    const problems = (() => {
      try {
        attempt();
        return [];
      } catch (err) {
        return (err as NotifierConfigError).problems;
      }
    })();
    const text = problems.join('\n');
    expect(text).toContain('routes.0.match.types.0');
    expect(text).toContain('routes.0.match.countries.0');
    expect(text).toContain('routes.0.webhook.url');
    expect(text).toContain('routes.2');
    expect(text).toContain('extra');
  });

  it('refuses a missing or short secret, naming the variable', () => {
    const raw = { routes: [{ name: 'x', webhook: { url: 'http://127.0.0.1:1/h', secretEnv: 'NOTIFIER_SECRET_MISSING' } }] };
    expect(() => resolveNotifierConfig(raw, options)).toThrow(/set NOTIFIER_SECRET_MISSING/);
    expect(() => resolveNotifierConfig(raw, { ...options, env: { NOTIFIER_SECRET_MISSING: 'short' } })).toThrow(/at least 16 characters/);
  });

  it('refuses duplicate route names', () => {
    expect(() =>
      resolveNotifierConfig(
        {
          routes: [
            { name: 'a', log: true },
            { name: 'a', log: true },
          ],
        },
        options,
      ),
    ).toThrow(/duplicate route name/);
  });

  it('reads YAML and JSON files; no file means no routes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notifier-config-'));
    writeFileSync(join(dir, 'n.yaml'), 'durable: n1\nroutes:\n  - name: all\n    log: true\n');
    writeFileSync(join(dir, 'n.json'), JSON.stringify({ durable: 'n2', routes: [] }));
    writeFileSync(join(dir, 'bad.yaml'), 'routes: [\n');
    expect((await loadNotifierConfig(join(dir, 'n.yaml'), options)).durable).toBe('n1');
    expect((await loadNotifierConfig(join(dir, 'n.json'), options)).durable).toBe('n2');
    expect(await loadNotifierConfig(undefined, options)).toEqual({ durable: 'notifier', maxDeliveries: 8, routes: [] });
    await expect(loadNotifierConfig(join(dir, 'bad.yaml'), options)).rejects.toThrow(NotifierConfigError);
    await expect(loadNotifierConfig(join(dir, 'missing.yaml'), options)).rejects.toThrow(/missing\.yaml/);
  });

  // Found by the notifier-config properties: a parse error was one unplaced, multi-line problem.
  it('names the line and column of each syntax problem, and refuses a repeated key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notifier-config-'));
    writeFileSync(join(dir, 'quote.yaml'), '"');
    writeFileSync(join(dir, 'twice.yaml'), 'durable: a\ndurable: b\n');
    writeFileSync(join(dir, 'alias.yaml'), 'routes: *a\n');
    await expect(loadNotifierConfig(join(dir, 'quote.yaml'), options)).rejects.toMatchObject({
      name: 'NotifierConfigError',
      problems: [expect.stringMatching(/^line 1, column 2: Missing closing "quote/)],
    });
    await expect(loadNotifierConfig(join(dir, 'twice.yaml'), options)).rejects.toMatchObject({
      problems: [expect.stringMatching(/^line 2, column 1: Map keys must be unique/)],
    });
    await expect(loadNotifierConfig(join(dir, 'alias.yaml'), options)).rejects.toMatchObject({
      problems: [expect.stringMatching(/^\(yaml\): Unresolved alias/)],
    });
  });
});

describe('webhook signatures', () => {
  it('is an HMAC-SHA256 of the exact body, hex, with a sha256= prefix', () => {
    // Known vector: HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog").
    expect(signWebhookBody('The quick brown fox jumps over the lazy dog', 'key')).toBe(
      'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('verifies only the right body with the right secret', () => {
    const body = '{"id":"c1:1"}';
    const signature = signWebhookBody(body, 'secret-secret-secret');
    expect(verifyWebhookSignature(body, signature, 'secret-secret-secret')).toBe(true);
    expect(verifyWebhookSignature(`${body} `, signature, 'secret-secret-secret')).toBe(false);
    expect(verifyWebhookSignature(body, signature, 'another-secret-value')).toBe(false);
    expect(verifyWebhookSignature(body, undefined, 'secret-secret-secret')).toBe(false);
    expect(verifyWebhookSignature(body, 'sha256=00', 'secret-secret-secret')).toBe(false);
  });
});
