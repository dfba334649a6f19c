import { Context } from '@temporalio/activity';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublishActivities, type PublishEventsResult } from '../../activities/publish-event.js';
import { ensureEventStream } from '../../infra/events-stream.js';
import type { DomainEvent } from '../../shared/campaign/domain-events.js';
import type { Config } from '../../shared/config.js';
import { parseCloudEvent } from '../../shared/events/cloudevent.js';
import { publishBatchesWithRetry, type PublishRetryActivities } from '../fixtures/publish-retry-workflows.js';
import {
  connectJetStream,
  connectTemporal,
  isolatedEventsConfig,
  testLogger,
  uniqueId,
  type JetStreamTestContext,
  type TemporalTestConnection,
} from '../support/index.js';

let temporal: TemporalTestConnection;
let nats: JetStreamTestContext;
let config: Config;
let bundle: { code: string };

interface Attempt {
  attempt: number;
  outcome: PublishEventsResult | 'failed';
}

beforeAll(async () => {
  [temporal, nats, bundle] = await Promise.all([
    connectTemporal(),
    connectJetStream({ name: 'events-activity-retry-test' }),
    bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../fixtures/publish-retry-workflows.ts', import.meta.url)),
      logger: new DefaultLogger('WARN'),
    }),
  ]);
  config = isolatedEventsConfig();
  await ensureEventStream(nats.jsm, config);
});

afterAll(async () => {
  await nats?.jsm.streams.delete(config.EVENTS_STREAM).catch(() => undefined);
  await nats?.jsm.streams.delete(`${config.EVENTS_STREAM}_DLQ`).catch(() => undefined);
  await Promise.allSettled([temporal?.close(), nats?.close()]);
});

function events(campaignId: string, from: number, count: number): DomainEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'milestone-completed',
    campaignId,
    templateId: 'opcat-ratification',
    templateVersion: 1,
    country: 'ID',
    region: 'asia-pacific',
    sequence: from + i,
    occurredAt: '2024-03-05T10:00:00.000Z',
    milestone: `step-${from + i}`,
    completedOn: '2024-03-05',
    late: false,
    automatic: false,
  }));
}

/** Runs the fixture workflow on a worker whose activity publishes for real and fails its first attempt. */
async function runWithFlakyActivity(batches: DomainEvent[][], failAfter: number) {
  const { publishEvents } = createPublishActivities({ js: nats.js, config, logger: testLogger('publish') });
  const attempts: Attempt[] = [];
  const activities: PublishRetryActivities = {
    async publishThenFail(batch, failAt) {
      const { attempt } = Context.current().info;
      if (attempt === 1) {
        // Publishes part (or all) of the batch, then "crashes" before reporting success.
        await publishEvents(batch.slice(0, failAt));
        attempts.push({ attempt, outcome: 'failed' });
        throw new Error('simulated failure after publishing');
      }
      const outcome = await publishEvents(batch);
      attempts.push({ attempt, outcome });
      return outcome;
    },
  };
  const taskQueue = uniqueId('publish-retry');
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle: bundle,
    activities,
  });
  const results = await worker.runUntil(
    temporal.client.workflow.execute(publishBatchesWithRetry, {
      taskQueue,
      workflowId: uniqueId('publish-retry'),
      args: [batches, failAfter],
    }),
  );
  return { results, attempts };
}

async function storedIds(campaignId: string): Promise<string[]> {
  const info = await nats.jsm.streams.info(config.EVENTS_STREAM);
  const ids: string[] = [];
  for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
    const m = await nats.jsm.streams.getMessage(config.EVENTS_STREAM, { seq });
    const parsed = m ? parseCloudEvent(m.string()) : undefined;
    if (parsed?.ok && parsed.event.data.campaignId === campaignId) ids.push(parsed.event.id);
  }
  return ids;
}

describe('publishEvents under Temporal activity retries', () => {
  it('a retried activity re-publishes the whole batch; the stream holds each event once', async () => {
    const campaign = uniqueId('retry-all');
    const { results, attempts } = await runWithFlakyActivity([events(campaign, 1, 3)], 3);

    expect(attempts).toEqual([
      { attempt: 1, outcome: 'failed' },
      { attempt: 2, outcome: { published: 0, duplicates: 3 } },
    ]);
    expect(results).toEqual([{ published: 0, duplicates: 3 }]);
    expect(await storedIds(campaign)).toEqual([1, 2, 3].map((n) => `${campaign}:${n}`));
  });

  it('an attempt that failed part-way is completed in order by the retry, batch after batch', async () => {
    const campaign = uniqueId('retry-part');
    const { results } = await runWithFlakyActivity([events(campaign, 1, 4), events(campaign, 5, 2)], 2);

    expect(results).toEqual([
      { published: 2, duplicates: 2 },
      { published: 0, duplicates: 2 },
    ]);
    expect(await storedIds(campaign)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `${campaign}:${n}`));
  });
});
