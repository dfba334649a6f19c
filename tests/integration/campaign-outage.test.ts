import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectNats, type NatsConnection } from '../../infra/nats.js';
import { startNatsServer, type NatsServer } from '../../infra/servers/index.js';
import { parseConfig } from '../../shared/config.js';
import { dateOfInstant } from '../../shared/dates.js';
import { parseTemplate } from '../../shared/template/validate.js';
import { CampaignClient } from '../../clients/campaign-client.js';
import { startEngineProcess } from '../../workers/engine-process.js';
import { createTestEngine, lookupOf, type TestEngine } from '../support/engine.js';
import {
  connectTemporal,
  isolatedEventsConfig,
  testLogger,
  testPayloadEnv,
  uniqueId,
  type TemporalTestConnection,
} from '../support/index.js';
import { readStream } from '../support/stream.js';

/**
 * Issue 5's promise through the real campaign workflow: a consumer reading the stream from the start
 * sees exactly one event per campaign change, in order, across a NATS outage (commands keep being
 * accepted meanwhile) and a restart of the engine worker.
 */
const template = parseTemplate({
  id: 'five-steps',
  version: 1,
  title: 'Five steps',
  milestones: ['one', 'two', 'three', 'four', 'five'].map((id, i, all) => ({
    id,
    title: id,
    ...(i > 0 ? { dependsOn: [all[i - 1] as string] } : {}),
  })),
});
const staff = { actor: { id: 'staff-1', role: 'staff' as const } };

describe('events across a NATS outage and a worker restart', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let temporal: TemporalTestConnection;
  let engine: TestEngine;
  let dir: string;

  beforeAll(async () => {
    dir = join(inject('runDir'), uniqueId('campaign-outage'));
    server = await startNatsServer({ storeDir: join(dir, 'store'), logDir: dir });
    temporal = await connectTemporal();
    // The engine's connection reconnects forever, as in production (infra/nats.ts).
    nc = await connectNats(parseConfig({ NATS_URL: server.url }), {
      name: 'campaign-outage',
      logger: testLogger('nats'),
      reconnectTimeWait: 100,
    });
  });
  afterAll(async () => {
    await engine?.stop();
    await nc?.close();
    await Promise.allSettled([temporal?.close(), server?.stop()]);
  });

  it('publishes every change once and in order', async () => {
    engine = await createTestEngine({ client: temporal.client, connection: temporal.nativeConnection, nc, templates: [template] });
    const { campaigns } = engine;
    const campaignId = uniqueId('outage');
    const today = dateOfInstant(Date.now());
    const complete = (milestone: string) => campaigns.execute(campaignId, { type: 'complete', milestone, date: today }, staff);

    await engine.run(async () => {
      await campaigns.start({ template: 'five-steps', country: 'FJ', campaignId }, { actor: { id: 'lead', role: 'programme-lead' } });
      await complete('one');
      await expect.poll(async () => (await readStream(nc, engine.config.EVENTS_STREAM)).length, { timeout: 30_000 }).toBe(4);

      // NATS goes away: staff keep working, the campaign keeps accepting commands.
      await server.stop({ signal: 'SIGKILL' });
      expect((await complete('two')).ok).toBe(true);
      expect((await complete('three')).ok).toBe(true);
      expect((await campaigns.view(campaignId)).milestones.filter((m) => m.status === 'done')).toHaveLength(3);
      await server.start();
    });

    // The worker restarts (same task queue and stream); publishing resumes where it stopped.
    const config = engine.config;
    await engine.stop();
    engine = await createTestEngine({ client: temporal.client, connection: temporal.nativeConnection, nc, templates: [template], config });
    await engine.run(async () => {
      await complete('four');
      await complete('five');
      await temporal.client.workflow.getHandle(campaignId).result();
    });

    const stored = (await readStream(nc, config.EVENTS_STREAM)).map((e) => e.data).filter((e) => e.campaignId === campaignId);
    expect(stored.map((e) => e.sequence)).toEqual(stored.map((_, i) => i + 1));
    expect(stored.filter((e) => e.type === 'milestone-completed').map((e) => ('milestone' in e ? e.milestone : ''))).toEqual([
      'one',
      'two',
      'three',
      'four',
      'five',
    ]);
    expect(stored.at(-1)?.type).toBe('campaign-completed');
  });

  it('a worker started while NATS is down takes commands, and publishes once NATS is back', { timeout: 180_000 }, async () => {
    // The engine worker process as `npm run worker` runs it (workers/engine-runtime.ts), started in an outage.
    await server.stop({ signal: 'SIGKILL' });
    const config = isolatedEventsConfig({ TEMPORAL_TASK_QUEUE: uniqueId('nats-down'), NATS_URL: server.url });
    const worker = await startEngineProcess({
      env: {
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: temporal.namespace,
        TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
        NATS_URL: server.url,
        EVENTS_STREAM: config.EVENTS_STREAM,
        EVENTS_SUBJECT_PREFIX: config.EVENTS_SUBJECT_PREFIX,
        EVENTS_DUPLICATE_WINDOW: config.EVENTS_DUPLICATE_WINDOW,
        EVENTS_MAX_AGE: config.EVENTS_MAX_AGE,
        LOG_LEVEL: 'warn',
        ...testPayloadEnv(),
      },
      bundlePath: inject('workflowBundlePath') ?? undefined,
      logFile: join(dir, 'engine-worker-nats-down.log'),
      startTimeoutMs: 120_000,
    });
    try {
      const campaigns = new CampaignClient({
        client: temporal.client,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        templates: lookupOf([template]),
      });
      const campaignId = uniqueId('nats-down');
      await campaigns.start({ template: 'five-steps', country: 'FJ', campaignId }, { actor: { id: 'lead', role: 'programme-lead' } });
      const done = await campaigns.execute(campaignId, { type: 'complete', milestone: 'one', date: dateOfInstant(Date.now()) }, staff);
      expect(done).toMatchObject({ ok: true, events: [3, 4] });

      await server.start();
      // The worker creates the stream once it reaches NATS, then the outbox goes out in order.
      await expect
        .poll(async () => (await readStream(nc, config.EVENTS_STREAM).catch(() => [])).map((e) => `${e.data.sequence} ${e.data.type}`), {
          timeout: 90_000,
          interval: 500,
        })
        .toEqual(['1 campaign-started', '2 milestone-opened', '3 milestone-completed', '4 milestone-opened']);
      await campaigns.signal(campaignId, { type: 'cancel', reason: 'test over' }, { actor: { id: 'lead', role: 'programme-lead' } });
    } finally {
      await worker.stop();
    }
  });
});
