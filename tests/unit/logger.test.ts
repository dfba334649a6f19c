import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from '../../infra/logger.js';

describe('log redaction', () => {
  it('writes no credential or secret-named field, at any depth a request, a config or a route puts it', () => {
    const secrets = {
      apiKey: 'adv.key-0123456789ab.S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS',
      session: 'eyJrIjoia2V5LTAxMjM0NTY3ODlhYiJ9.c2Vzc2lvbi1tYWMtdmFsdWU',
      webhook: 'webhook-shared-secret-0123456789',
      token: 'nats-token-0123456789',
      password: 'nats-password-0123456789',
      sessionSecret: 'an-hmac-secret-of-at-least-32-characters',
    };
    const lines: string[] = [];
    const logger = createLogger(
      'redaction-test',
      'info',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/campaigns',
          headers: {
            authorization: `Bearer ${secrets.apiKey}`,
            cookie: `advocacy_session=${secrets.session}`,
            'x-api-key': secrets.apiKey,
          },
        },
        res: { statusCode: 303, headers: { 'set-cookie': `advocacy_session=${secrets.session}; HttpOnly` } },
        key: secrets.apiKey,
        body: { key: secrets.apiKey, next: '/ui' },
      },
      'a request',
    );
    logger
      .child({ component: 'notifier' })
      .warn({ route: { name: 'r', webhook: { secret: secrets.webhook } }, token: secrets.token, password: secrets.password }, 'a route');
    logger.error(
      { config: { API_SESSION_SECRET: secrets.sessionSecret, NATS_TOKEN: secrets.token, NATS_PASSWORD: secrets.password, API_PORT: 3000 } },
      'the configuration',
    );

    const output = lines.join('');
    for (const [name, value] of Object.entries(secrets)) expect(output, name).not.toContain(value);
    const [request, route, config] = lines.map((l) => JSON.parse(l) as Record<string, Record<string, Record<string, unknown>>>);
    // The fields are still there, marked, so a reader sees that something was sent.
    expect(request?.req?.headers).toEqual({ authorization: REDACTED, cookie: REDACTED, 'x-api-key': REDACTED });
    expect(request?.res?.headers).toEqual({ 'set-cookie': REDACTED });
    expect(request?.body).toEqual({ key: REDACTED, next: '/ui' });
    expect(route?.route?.webhook).toEqual({ secret: REDACTED });
    expect(config?.config).toMatchObject({ API_SESSION_SECRET: REDACTED, API_PORT: 3000 });
    expect(request?.req?.url).toBe('/campaigns');
  });
});
