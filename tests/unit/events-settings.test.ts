import { describe, expect, it } from 'vitest';
import { desiredEventStreams, durationMillis } from '../../infra/events-stream.js';
import { natsConnectionOptions } from '../../infra/nats.js';
import { parseConfig } from '../../shared/config.js';

const DAY = 86_400_000;

describe('events stream settings from configuration', () => {
  it('turns ISO durations into nanoseconds and covers the event subjects', () => {
    const config = parseConfig({ EVENTS_DUPLICATE_WINDOW: 'P2D', EVENTS_MAX_AGE: 'P1Y', EVENTS_REPLICAS: '3' });
    const { events, deadLetter } = desiredEventStreams(config);
    expect(events.name).toBe('ADVOCACY_EVENTS');
    expect(events.settings.subjects).toEqual(['advocacy.*.*.*']);
    expect(events.settings.duplicate_window).toBe(2 * DAY * 1e6);
    expect(events.settings.max_age).toBe(365 * DAY * 1e6);
    expect(events.settings.num_replicas).toBe(3);
    expect(events.settings.discard).toBe('old');
    expect(deadLetter.name).toBe('ADVOCACY_EVENTS_DLQ');
    expect(deadLetter.settings.subjects).toEqual(['advocacy_dlq.>']);
  });

  it('refuses a command prefix whose subjects the events stream would capture', () => {
    expect(() => desiredEventStreams(parseConfig({ COMMANDS_SUBJECT_PREFIX: 'advocacy' }))).toThrow(/COMMANDS_SUBJECT_PREFIX/);
    expect(() => desiredEventStreams(parseConfig({}))).not.toThrow();
  });

  it('refuses a duplicate window longer than the retention', () => {
    const config = parseConfig({ EVENTS_DUPLICATE_WINDOW: 'P2D', EVENTS_MAX_AGE: 'P1D' });
    expect(() => desiredEventStreams(config)).toThrow(/EVENTS_DUPLICATE_WINDOW/);
  });

  it('refuses a zero duplicate window (it would turn deduplication off)', () => {
    const config = parseConfig({ EVENTS_DUPLICATE_WINDOW: 'PT0S' });
    expect(() => desiredEventStreams(config)).toThrow(/EVENTS_DUPLICATE_WINDOW/);
  });

  it('converts durations', () => {
    expect(durationMillis('PT2M')).toBe(120_000);
    expect(durationMillis('P1D')).toBe(DAY);
    expect(() => durationMillis('soon')).toThrow(/invalid/);
  });
});

describe('NATS connection options', () => {
  it('reconnects forever and passes user/password credentials', () => {
    const config = parseConfig({ NATS_URL: 'nats://a:4222, nats://b:4222', NATS_USER: 'engine', NATS_PASSWORD: 's3cret' });
    const options = natsConnectionOptions(config, { name: 'engine-worker' });
    expect(options).toMatchObject({
      servers: ['nats://a:4222', 'nats://b:4222'],
      name: 'engine-worker',
      user: 'engine',
      pass: 's3cret',
      maxReconnectAttempts: -1,
      waitOnFirstConnect: false,
    });
    expect(options).not.toHaveProperty('token');
  });

  it('passes a token', () => {
    const options = natsConnectionOptions(parseConfig({ NATS_TOKEN: 't0k' }), { name: 'x', waitOnFirstConnect: true });
    expect(options).toMatchObject({ token: 't0k', waitOnFirstConnect: true });
    expect(options).not.toHaveProperty('user');
  });

  it("passes the user's own inbox prefix; unset, the client's default", () => {
    expect(natsConnectionOptions(parseConfig({ NATS_INBOX_PREFIX: '_INBOX_engine' }), { name: 'x' })).toMatchObject({
      inboxPrefix: '_INBOX_engine',
    });
    expect(natsConnectionOptions(parseConfig({}), { name: 'x' })).not.toHaveProperty('inboxPrefix');
    expect(() => parseConfig({ NATS_INBOX_PREFIX: '_INBOX.>' })).toThrow(/NATS_INBOX_PREFIX/);
  });
});
