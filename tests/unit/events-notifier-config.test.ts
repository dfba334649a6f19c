import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotifierConfigError, loadNotifierConfig, resolveNotifierConfig } from '../../workers/notifier-config.js';
import { SIGNATURE_TOLERANCE_SECONDS, signWebhookBody, verifyWebhookSignature } from '../../workers/notifier.js';

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

  it('requires https outside loopback, naming the field', () => {
    const route = (url: string) => ({ routes: [{ name: 'x', webhook: { url, secretEnv: 'NOTIFIER_SECRET_ID' } }] });
    for (const url of ['https://hooks.example.org/a', 'http://127.0.0.1:9000/a', 'http://localhost/a', 'http://[::1]:8080/a'])
      expect(resolveNotifierConfig(route(url), options).routes[0]?.webhook?.url).toBe(url);
    for (const url of ['http://hooks.example.org/a', 'http://10.0.0.5/a', 'http://127.0.0.1.example.org/a']) {
      expect(() => resolveNotifierConfig(route(url), options)).toThrow(
        /routes\.0\.webhook\.url: use https; plain http only to a loopback address/,
      );
    }
  });

  it('resolves ${NAME} in header values from the environment, and keeps credentials out of the file', () => {
    const raw = (headers: Record<string, string>) => ({
      routes: [{ name: 'x', webhook: { url: 'https://hooks.example.org/a', secretEnv: 'NOTIFIER_SECRET_ID', headers } }],
    });
    const env = { ...options.env, HOOKS_TOKEN: 'tok-123', TENANT: 'apt' };
    const resolved = resolveNotifierConfig(
      raw({ Authorization: 'Bearer ${HOOKS_TOKEN}', 'x-tenant': '${TENANT}-asia', 'x-plain': 'yes' }),
      { ...options, env },
    );
    expect(resolved.routes[0]?.webhook?.headers).toEqual({ Authorization: 'Bearer tok-123', 'x-tenant': 'apt-asia', 'x-plain': 'yes' });
    // A missing variable: a clear error naming the header and the variable.
    expect(() => resolveNotifierConfig(raw({ Authorization: 'Bearer ${HOOKS_TOKEN_MISSING}' }), { ...options, env })).toThrow(
      /routes\.0\.webhook\.headers\.Authorization: set HOOKS_TOKEN_MISSING \(the value refers to \$\{HOOKS_TOKEN_MISSING\}\)/,
    );
    // A credential written into the file is refused, whatever the header is called.
    for (const name of ['Authorization', 'X-Api-Key', 'x-auth-token', 'X-Client-Secret']) {
      expect(() => resolveNotifierConfig(raw({ [name]: 'literal-credential' }), { ...options, env })).toThrow(
        new RegExp(`headers\\.${name}: a credential does not belong in the file`),
      );
    }
  });

  it('reads YAML and JSON files; no file means no routes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notifier-config-'));
    writeFileSync(join(dir, 'n.yaml'), 'durable: n1\nroutes:\n  - name: all\n    log: true\n');
    writeFileSync(join(dir, 'n.json'), JSON.stringify({ durable: 'n2', routes: [] }));
    writeFileSync(join(dir, 'bad.yaml'), 'routes: [\n');
    expect((await loadNotifierConfig(join(dir, 'n.yaml'), options)).durable).toBe('n1');
    expect((await loadNotifierConfig(join(dir, 'n.json'), options)).durable).toBe('n2');
    expect(await loadNotifierConfig(undefined, options)).toEqual({ durable: 'notifier', maxDeliveries: 8, routes: [] });
    await expect(loadNotifierConfig(join(dir, 'bad.yaml'), options)).rejects.toMatchObject({
      name: 'NotifierConfigError',
      problems: [expect.stringMatching(/^line \d+, column \d+: /)],
    });
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
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    // Known vector, from `printf '%s' '1700000000.{"id":"c1:1"}' | openssl dgst -sha256 -hmac 'whsec-test-secret-0123'`.
    expect(signWebhookBody('{"id":"c1:1"}', 'whsec-test-secret-0123', 1_700_000_000)).toBe(
      't=1700000000,v1=234821adc1e2255846c43dd70753eff0739b406fca80a527b7a16a325faed062',
    );
  });

  it('verifies only the right body, secret and timestamp, within the replay window', () => {
    const body = '{"id":"c1:1"}';
    const now = 1_750_000_000;
    const secret = 'secret-secret-secret';
    const signature = signWebhookBody(body, secret, now);
    const at = (nowSeconds: number) => ({ nowSeconds });
    expect(verifyWebhookSignature(body, signature, secret, at(now))).toBe(true);
    expect(verifyWebhookSignature(body, signature, secret, at(now + SIGNATURE_TOLERANCE_SECONDS))).toBe(true);
    expect(verifyWebhookSignature(body, signature, secret, at(now - 30))).toBe(true); // a clock a little behind
    // Replayed after the window, or from too far ahead: refused, though the HMAC is right.
    expect(verifyWebhookSignature(body, signature, secret, at(now + SIGNATURE_TOLERANCE_SECONDS + 1))).toBe(false);
    expect(verifyWebhookSignature(body, signature, secret, at(now - SIGNATURE_TOLERANCE_SECONDS - 1))).toBe(false);
    // Another timestamp with the same HMAC: the timestamp is signed.
    expect(verifyWebhookSignature(body, signature.replace(`t=${now}`, `t=${now + 1}`), secret, at(now))).toBe(false);
    expect(verifyWebhookSignature(`${body} `, signature, secret, at(now))).toBe(false);
    expect(verifyWebhookSignature(body, signature, 'another-secret-value', at(now))).toBe(false);
    expect(verifyWebhookSignature(body, undefined, secret, at(now))).toBe(false);
    expect(verifyWebhookSignature(body, 'sha256=00', secret, at(now))).toBe(false);
  });
});
