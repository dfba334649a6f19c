import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEventStream } from '../../infra/events-stream.js';
import { parseConfig, type Config } from '../../shared/config.js';
import { connectJetStream, testLogger, uniqueToken, type JetStreamTestContext } from '../support/index.js';

let ctx: JetStreamTestContext;
const created: string[] = [];

function streamConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({
    EVENTS_STREAM: uniqueToken('T'),
    EVENTS_SUBJECT_PREFIX: uniqueToken('t').toLowerCase(),
    EVENTS_DUPLICATE_WINDOW: 'PT10M',
    EVENTS_MAX_AGE: 'P30D',
    ...overrides,
  });
}

beforeAll(async () => {
  ctx = await connectJetStream({ name: 'events-stream-test' });
});

afterAll(async () => {
  for (const name of created) await ctx.jsm.streams.delete(name).catch(() => undefined);
  await ctx?.close();
});

describe('ensureEventStream', () => {
  it('creates the events and dead-letter streams with the configured settings', async () => {
    const config = streamConfig();
    const result = await ensureEventStream(ctx.jsm, config, testLogger());
    created.push(result.events.info.config.name, result.deadLetter.info.config.name);

    expect(result.events.outcome).toBe('created');
    expect(result.deadLetter.outcome).toBe('created');
    const info = await ctx.jsm.streams.info(config.EVENTS_STREAM);
    expect(info.config).toMatchObject({
      subjects: [`${config.EVENTS_SUBJECT_PREFIX}.*.*.*`],
      storage: 'file',
      retention: 'limits',
      discard: 'old',
      num_replicas: 1,
      duplicate_window: 10 * 60 * 1e9,
      max_age: 30 * 86_400 * 1e9,
    });
    const dlq = await ctx.jsm.streams.info(`${config.EVENTS_STREAM}_DLQ`);
    expect(dlq.config.subjects).toEqual([`${config.EVENTS_SUBJECT_PREFIX}_dlq.>`]);
  });

  it('is idempotent: a second call changes nothing', async () => {
    const config = streamConfig();
    const first = await ensureEventStream(ctx.jsm, config);
    created.push(first.events.info.config.name, first.deadLetter.info.config.name);
    const second = await ensureEventStream(ctx.jsm, config);
    expect(second.events.outcome).toBe('unchanged');
    expect(second.deadLetter.outcome).toBe('unchanged');
    expect(second.events.info.created).toBe(first.events.info.created);
  });

  it('updates changed settings in place, keeping the stored events', async () => {
    const config = streamConfig();
    await ensureEventStream(ctx.jsm, config);
    created.push(config.EVENTS_STREAM, `${config.EVENTS_STREAM}_DLQ`);
    await ctx.js.publish(`${config.EVENTS_SUBJECT_PREFIX}.x.id.campaign-started`, '{}');

    const changed = { ...config, EVENTS_DUPLICATE_WINDOW: 'PT20M', EVENTS_MAX_AGE: 'P60D' };
    const result = await ensureEventStream(ctx.jsm, changed);
    expect(result.events.outcome).toBe('updated');
    const info = await ctx.jsm.streams.info(config.EVENTS_STREAM);
    expect(info.config.duplicate_window).toBe(20 * 60 * 1e9);
    expect(info.config.max_age).toBe(60 * 86_400 * 1e9);
    expect(info.state.messages).toBe(1);
    expect((await ensureEventStream(ctx.jsm, changed)).events.outcome).toBe('unchanged');
  });

  it('refuses to adopt a stream with memory storage instead of recreating it', async () => {
    const config = streamConfig();
    await ctx.jsm.streams.add({ name: config.EVENTS_STREAM, subjects: [`${config.EVENTS_SUBJECT_PREFIX}.>`], storage: 'memory' });
    created.push(config.EVENTS_STREAM);
    await expect(ensureEventStream(ctx.jsm, config)).rejects.toThrow(/storage=memory/);
  });

  it('survives two workers ensuring the stream at the same time', async () => {
    const config = streamConfig();
    const results = await Promise.all([ensureEventStream(ctx.jsm, config), ensureEventStream(ctx.jsm, config)]);
    created.push(config.EVENTS_STREAM, `${config.EVENTS_STREAM}_DLQ`);
    expect(results.map((r) => r.events.outcome)).toContain('created');
  });
});
