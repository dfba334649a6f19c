import { Context } from '@temporalio/activity';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPublishActivities } from '../../activities/publish-event.js';
import { ensureEventStream } from '../../infra/events-stream.js';
import { connectNats, type NatsConnection } from '../../infra/nats.js';
import { startNatsServer, type NatsServer } from '../../infra/servers/index.js';
import type { DomainEvent } from '../../shared/campaign/domain-events.js';
import type { Config } from '../../shared/config.js';
import { parseCloudEvent } from '../../shared/events/cloudevent.js';
import { publishBatchesWithRetry, type PublishRetryActivities } from '../fixtures/publish-retry-workflows.js';
import { connectTemporal, isolatedEventsConfig, testLogger, uniqueId, type TemporalTestConnection } from '../support/index.js';

/**
 * A nats-server of its own (the shared one must stay up for other test files): stopped while the
 * campaign's events are being published, started again on the same port and store.
 */
let server: NatsServer;
let nc: NatsConnection;
let temporal: TemporalTestConnection;
let config: Config;

beforeAll(async () => {
  const dir = join(inject('runDir'), uniqueId('outage'));
  server = await startNatsServer({ storeDir: join(dir, 'store'), logDir: dir });
  config = isolatedEventsConfig({ NATS_URL: server.url });
  [nc, temporal] = await Promise.all([
    connectNats(config, { name: 'events-outage-test', logger: testLogger('nats'), reconnectTimeWait: 100 }),
    connectTemporal(),
  ]);
  await ensureEventStream(await jetstreamManager(nc), config);
});

afterAll(async () => {
  await nc?.close();
  await Promise.allSettled([temporal?.close(), server?.stop()]);
});

function events(campaignId: string, from: number, count: number): DomainEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'milestone-opened',
    campaignId,
    templateId: 'opcat-ratification',
    templateVersion: 1,
    country: 'PH',
    region: 'asia-pacific',
    sequence: from + i,
    occurredAt: '2024-03-05T10:00:00.000Z',
    milestone: `step-${from + i}`,
  }));
}

async function storedSequences(campaignId: string): Promise<number[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(config.EVENTS_STREAM);
  const out: number[] = [];
  for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(config.EVENTS_STREAM, { seq });
    const parsed = m ? parseCloudEvent(m.string()) : undefined;
    if (parsed?.ok && parsed.event.data.campaignId === campaignId) out.push(parsed.event.data.sequence);
  }
  return out;
}

describe('publishing through a nats-server outage', () => {
  it('the activity fails while NATS is down and Temporal retries it; afterwards every event is stored once, in order', async () => {
    const campaign = uniqueId('outage');
    const { publishEvents } = createPublishActivities({
      js: jetstream(nc),
      config,
      logger: testLogger('publish'),
      ackTimeoutMs: 500,
    });
    const failures: number[] = [];
    let sawFailures!: () => void;
    const twoFailures = new Promise<void>((resolve) => (sawFailures = resolve));
    const activities: PublishRetryActivities = {
      async publishThenFail(batch) {
        try {
          return await publishEvents(batch);
        } catch (err) {
          failures.push(Context.current().info.attempt);
          if (failures.length === 2) sawFailures();
          throw err;
        }
      },
    };

    // Before the outage: the first milestones go out normally.
    await publishEvents(events(campaign, 1, 2));
    await server.stop({ signal: 'SIGKILL' });

    const taskQueue = uniqueId('outage');
    const worker = await Worker.create({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace,
      taskQueue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: fileURLToPath(new URL('../fixtures/publish-retry-workflows.ts', import.meta.url)),
        logger: new DefaultLogger('WARN'),
      }),
      activities,
    });
    const results = await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(publishBatchesWithRetry, {
        taskQueue,
        workflowId: uniqueId('outage'),
        // The backlog built up during the outage: three batches, published one after the other.
        args: [[events(campaign, 3, 2), events(campaign, 5, 1), events(campaign, 6, 3)], 0],
      });
      await twoFailures;
      await server.start();
      return handle.result();
    });

    expect(failures.slice(0, 2)).toEqual([1, 2]);
    expect(results.reduce((n, r) => n + r.published, 0)).toBe(6);
    expect(await storedSequences(campaign)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
