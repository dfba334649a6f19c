import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublishActivities } from '../../activities/publish-event.js';
import { ensureEventStream } from '../../infra/events-stream.js';
import type { DomainEvent } from '../../shared/campaign/domain-events.js';
import type { Config } from '../../shared/config.js';
import { parseCloudEvent } from '../../shared/events/cloudevent.js';
import { connectJetStream, isolatedEventsConfig, testLogger, uniqueToken, type JetStreamTestContext } from '../support/index.js';

let ctx: JetStreamTestContext;
let config: Config;

function event(campaignId: string, sequence: number, overrides: Partial<DomainEvent> = {}): DomainEvent {
  return {
    type: 'milestone-opened',
    campaignId,
    templateId: 'opcat-ratification',
    templateVersion: 1,
    country: 'ID',
    region: 'asia-pacific',
    sequence,
    occurredAt: '2024-03-05T10:00:00.000Z',
    milestone: `step-${sequence}`,
    ...overrides,
  } as DomainEvent;
}

/** Every stored message of the stream, in stream order. */
async function stored(): Promise<{ subject: string; msgId: string | undefined; id: string; sequence: number; campaignId: string }[]> {
  const info = await ctx.jsm.streams.info(config.EVENTS_STREAM);
  const out = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await ctx.jsm.streams.getMessage(config.EVENTS_STREAM, { seq });
    if (!m) continue;
    const parsed = parseCloudEvent(m.string());
    if (!parsed.ok) throw new Error(parsed.error);
    out.push({
      subject: m.subject,
      msgId: m.header.get('Nats-Msg-Id'),
      id: parsed.event.id,
      sequence: parsed.event.data.sequence,
      campaignId: parsed.event.data.campaignId,
    });
  }
  return out;
}

beforeAll(async () => {
  ctx = await connectJetStream({ name: 'events-publish-test' });
  config = isolatedEventsConfig();
  await ensureEventStream(ctx.jsm, config);
});

afterAll(async () => {
  await ctx.jsm.streams.delete(config.EVENTS_STREAM).catch(() => undefined);
  await ctx.jsm.streams.delete(`${config.EVENTS_STREAM}_DLQ`).catch(() => undefined);
  await ctx.close();
});

describe('publishEvents', () => {
  it('stores each event once: a repeated publish (activity retry) is acked as a duplicate', async () => {
    const { publishEvents } = createPublishActivities({ js: ctx.js, config, logger: testLogger() });
    const campaign = uniqueToken('dup');
    const batch = [event(campaign, 1), event(campaign, 2)];

    expect(await publishEvents(batch)).toEqual({ published: 2, duplicates: 0 });
    // The retry of an attempt that stored only the first event, then the full repeat.
    expect(await publishEvents([...batch, event(campaign, 3)])).toEqual({ published: 1, duplicates: 2 });
    expect(await publishEvents(batch)).toEqual({ published: 0, duplicates: 2 });

    const mine = (await stored()).filter((m) => m.campaignId === campaign);
    expect(mine.map((m) => m.msgId)).toEqual([`${campaign}:1`, `${campaign}:2`, `${campaign}:3`]);
    expect(mine.map((m) => m.id)).toEqual(mine.map((m) => m.msgId));
    expect(mine[0]?.subject).toBe(`${config.EVENTS_SUBJECT_PREFIX}.opcat-ratification.id.milestone-opened`);
  });

  it('reports the duplicate ack of the raw JetStream publish with the original sequence', async () => {
    const campaign = uniqueToken('raw');
    const { publishEvents } = createPublishActivities({ js: ctx.js, config, logger: testLogger() });
    await publishEvents([event(campaign, 1)]);
    const ack = await ctx.js.publish(`${config.EVENTS_SUBJECT_PREFIX}.opcat-ratification.id.milestone-opened`, '{}', {
      msgID: `${campaign}:1`,
    });
    expect(ack.duplicate).toBe(true);
  });

  it('keeps per-campaign order across interleaved campaigns and concurrent batches', async () => {
    const a = uniqueToken('order-a');
    const b = uniqueToken('order-b');
    const { publishEvents } = createPublishActivities({ js: ctx.js, config, logger: testLogger() });
    // One batch at a time per campaign (as the workflow does), campaigns concurrently.
    const run = async (campaign: string) => {
      for (let start = 1; start <= 20; start += 5) {
        await publishEvents([0, 1, 2, 3, 4].map((i) => event(campaign, start + i)));
      }
    };
    await Promise.all([run(a), run(b)]);
    const all = await stored();
    for (const campaign of [a, b]) {
      const sequences = all.filter((m) => m.campaignId === campaign).map((m) => m.sequence);
      expect(sequences).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
  });

  it('refuses invalid or out-of-order batches without retrying', async () => {
    const { publishEvents } = createPublishActivities({ js: ctx.js, config, logger: testLogger() });
    const campaign = uniqueToken('bad');
    const outOfOrder = publishEvents([event(campaign, 2), event(campaign, 1)]);
    await expect(outOfOrder).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(outOfOrder).rejects.toMatchObject({ nonRetryable: true, type: 'EventsOutOfOrder' });
    await expect(publishEvents([{ ...event(campaign, 1), sequence: -1 }])).rejects.toMatchObject({
      nonRetryable: true,
      type: 'InvalidEvents',
    });
    expect((await stored()).filter((m) => m.campaignId === campaign)).toEqual([]);
  });

  it('fails (so Temporal retries) when the events do not land in the configured stream', async () => {
    const { publishEvents } = createPublishActivities({
      js: ctx.js,
      config: { ...config, EVENTS_STREAM: 'SOME_OTHER_STREAM' },
      logger: testLogger(),
      ackTimeoutMs: 2000,
    });
    const err = await publishEvents([event(uniqueToken('wrong'), 1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
  });

  it('fails when no stream takes the subject', async () => {
    const { publishEvents } = createPublishActivities({
      js: ctx.js,
      config: { ...config, EVENTS_SUBJECT_PREFIX: uniqueToken('nostream').toLowerCase() },
      logger: testLogger(),
      ackTimeoutMs: 2000,
    });
    await expect(publishEvents([event(uniqueToken('lost'), 1)])).rejects.toThrow();
  });
});
