/**
 * The configuration schema (shared/config.ts): defaults, coercion, every problem reported at once with
 * its variable's name, and a frozen result.
 */
import { describe, expect, it } from 'vitest';
import { apiKeysFile, ConfigError, parseConfig, temporalUiUrl } from '../../shared/config.js';
import { configProblemsOf as problemsOf } from '../support/config.js';

describe('parseConfig', () => {
  it('fills every default from an empty environment', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'advocacy-campaigns',
      TEMPORAL_UI_PORT: 8233,
      NATS_URL: 'nats://127.0.0.1:4222',
      EVENTS_STREAM: 'ADVOCACY_EVENTS',
      EVENTS_SUBJECT_PREFIX: 'advocacy',
      EVENTS_DUPLICATE_WINDOW: 'P1D',
      EVENTS_MAX_AGE: 'P10Y',
      EVENTS_REPLICAS: 1,
      COMMANDS_SUBJECT_PREFIX: 'advocacy.commands',
      LOG_LEVEL: 'info',
      DATA_DIR: '.data',
      API_HOST: '127.0.0.1',
      API_PORT: 3000,
      NATS_PORT: 4222,
      TEMPORAL_PORT: 7233,
    });
    expect(config.NATS_USER).toBeUndefined();
    expect(config.NATS_PASSWORD).toBeUndefined();
    expect(config.NATS_TOKEN).toBeUndefined();
  });

  it('reads values, coercing numbers, and ignores unrelated variables', () => {
    const config = parseConfig({
      PATH: '/usr/bin',
      HOME: '/home/advocacy',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      API_PORT: '8080',
      EVENTS_REPLICAS: '3',
      EVENTS_MAX_AGE: 'P5Y',
      LOG_LEVEL: 'debug',
      NATS_USER: 'engine',
      NATS_PASSWORD: 's3cret',
    });
    expect(config).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      API_PORT: 8080,
      EVENTS_REPLICAS: 3,
      EVENTS_MAX_AGE: 'P5Y',
      LOG_LEVEL: 'debug',
      NATS_USER: 'engine',
      NATS_PASSWORD: 's3cret',
    });
    expect(config).not.toHaveProperty('PATH');
    expect(config).not.toHaveProperty('HOME');
  });

  it('treats an empty optional credential as unset', () => {
    const config = parseConfig({ NATS_USER: '', NATS_PASSWORD: '', NATS_TOKEN: '' });
    expect(config.NATS_USER).toBeUndefined();
    expect(config.NATS_PASSWORD).toBeUndefined();
    expect(config.NATS_TOKEN).toBeUndefined();
  });

  it('reports every problem at once, each naming its variable', () => {
    const env = {
      TEMPORAL_UI_PORT: 'abc',
      API_PORT: '70000',
      NATS_PORT: '0',
      TEMPORAL_PORT: '7233.5',
      EVENTS_STREAM: 'advocacy events',
      EVENTS_SUBJECT_PREFIX: 'advocacy.>',
      EVENTS_DUPLICATE_WINDOW: 'one day',
      EVENTS_MAX_AGE: 'P-1Y',
      EVENTS_REPLICAS: '7',
      LOG_LEVEL: 'loud',
    };
    const problems = problemsOf(() => parseConfig(env));
    expect(problems.map((p) => p.slice(0, p.indexOf(':'))).sort()).toEqual(Object.keys(env).sort());
    expect(problems.find((p) => p.startsWith('EVENTS_STREAM:'))).toContain('stream names allow letters, digits');
    expect(problems.find((p) => p.startsWith('EVENTS_SUBJECT_PREFIX:'))).toContain('without wildcards');
    expect(problems.find((p) => p.startsWith('EVENTS_DUPLICATE_WINDOW:'))).toContain('ISO-8601 duration');
    let err: unknown;
    try {
      parseConfig(env);
    } catch (thrown) {
      err = thrown;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^Invalid configuration:\n {2}- /);
    for (const name of Object.keys(env)) expect((err as Error).message).toContain(`  - ${name}: `);
  });

  it('accepts the port range bounds and refuses just outside them', () => {
    expect(parseConfig({ API_PORT: '1' }).API_PORT).toBe(1);
    expect(parseConfig({ API_PORT: '65535' }).API_PORT).toBe(65535);
    expect(problemsOf(() => parseConfig({ API_PORT: '65536' }))).toEqual([expect.stringMatching(/^API_PORT: /)]);
    expect(problemsOf(() => parseConfig({ EVENTS_REPLICAS: '0' }))).toEqual([expect.stringMatching(/^EVENTS_REPLICAS: /)]);
  });

  it('returns a frozen object', () => {
    const config = parseConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { API_PORT: number }).API_PORT = 1;
    }).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining("read only property 'API_PORT'") as unknown }),
    );
    expect(config.API_PORT).toBe(3000);
  });
});

describe('empty variables', () => {
  it('treats an empty variable as unset, so its default applies', () => {
    expect(parseConfig({ API_PORT: '', LOG_LEVEL: '' })).toMatchObject({ API_PORT: 3000, LOG_LEVEL: 'info' });
  });
});

describe('derived settings', () => {
  it('puts the API key store in the data directory unless given', () => {
    expect(apiKeysFile(parseConfig({}))).toBe('.data/api-keys.json');
    expect(apiKeysFile(parseConfig({ DATA_DIR: '/var/lib/advocacy/' }))).toBe('/var/lib/advocacy/api-keys.json');
    expect(apiKeysFile(parseConfig({ API_KEYS_FILE: '/etc/advocacy/keys.json' }))).toBe('/etc/advocacy/keys.json');
  });

  it('links the Temporal UI on its port unless an address is given', () => {
    expect(temporalUiUrl(parseConfig({ TEMPORAL_UI_PORT: '9233' }))).toBe('http://127.0.0.1:9233');
    expect(temporalUiUrl(parseConfig({ TEMPORAL_UI_URL: 'https://temporal.example.org/' }))).toBe('https://temporal.example.org');
  });
});

describe('HTTP security settings', () => {
  it('defaults to failure limits, bounded verification, an automatic Secure flag and no trusted proxy', () => {
    expect(parseConfig({})).toMatchObject({
      API_AUTH_FAILURES_PER_ADDRESS: 20,
      API_AUTH_FAILURES_PER_KEY: 10,
      API_AUTH_FAILURE_WINDOW: 'PT15M',
      API_KEY_VERIFY_CONCURRENCY: 2,
      API_KEY_VERIFY_QUEUE: 32,
      API_COOKIE_SECURE: 'auto',
      API_TRUST_PROXY: false,
    });
  });

  it('reads the trusted proxies as true, a hop count or addresses, and names a bad one', () => {
    expect(parseConfig({ API_TRUST_PROXY: 'true' }).API_TRUST_PROXY).toBe(true);
    expect(parseConfig({ API_TRUST_PROXY: 'false' }).API_TRUST_PROXY).toBe(false);
    expect(parseConfig({ API_TRUST_PROXY: '2' }).API_TRUST_PROXY).toBe(2);
    expect(parseConfig({ API_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,loopback' }).API_TRUST_PROXY).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'loopback',
    ]);
    expect(problemsOf(() => parseConfig({ API_TRUST_PROXY: '10.0.0.1,proxy.example' })).join('\n')).toMatch(
      /API_TRUST_PROXY: "proxy.example" is no address/,
    );
    expect(problemsOf(() => parseConfig({ API_COOKIE_SECURE: 'yes' })).join('\n')).toMatch(/API_COOKIE_SECURE/);
  });
});
