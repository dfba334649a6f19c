import type { JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { Logger } from '../infra/logger.js';
import { domainEventSchema, type DomainEvent } from '../shared/campaign/domain-events.js';
import type { Config } from '../shared/config.js';
import { CLOUDEVENTS_CONTENT_TYPE, eventMessageId, toCloudEvent } from '../shared/events/cloudevent.js';
import { eventSubject } from '../shared/events/subjects.js';

export interface PublishActivityDeps {
  /**
   * The JetStream client, or its promise while the worker's first connection to NATS is still being made
   * (a worker started during a NATS outage serves commands meanwhile; publishing waits for NATS).
   */
  js: JetStreamClient | Promise<JetStreamClient>;
  config: Pick<Config, 'EVENTS_STREAM' | 'EVENTS_SUBJECT_PREFIX'>;
  logger: Logger;
  /** Milliseconds to wait for each JetStream ack before failing the attempt (Temporal then retries). */
  ackTimeoutMs?: number;
}

export interface PublishEventsResult {
  /** Newly stored events. */
  published: number;
  /** Events the stream already held (an earlier attempt of this activity got them in). */
  duplicates: number;
}

const batchSchema = z.array(domainEventSchema);

/**
 * The activity that hands a campaign's events to JetStream. Exactly-once storage rests on two things:
 * the message id `<campaignId>:<sequence>` (the stream drops a repeat within its duplicate window and
 * acks it with `duplicate: true`), and strict order: each publish awaits its ack before the next, so a
 * failed attempt leaves a stored prefix and the retry fills in the rest in sequence.
 */
export function createPublishActivities({ js, config, logger, ackTimeoutMs = 10_000 }: PublishActivityDeps) {
  const log = logger.child({ component: 'publish-events' });

  async function publishEvents(events: DomainEvent[]): Promise<PublishEventsResult> {
    const batch = validateBatch(events, config.EVENTS_SUBJECT_PREFIX);
    const client = await connected(js, ackTimeoutMs);
    let published = 0;
    let duplicates = 0;
    for (const { event, subject } of batch) {
      const msgID = eventMessageId(event);
      const h = headers();
      h.set('Content-Type', CLOUDEVENTS_CONTENT_TYPE);
      // Any failure (NATS down, ack timeout, wrong stream) throws: the activity fails and Temporal
      // retries it with backoff; the events already stored come back as duplicates.
      const ack = await client.publish(subject, JSON.stringify(toCloudEvent(event)), {
        msgID,
        headers: h,
        timeout: ackTimeoutMs,
        expect: { streamName: config.EVENTS_STREAM },
      });
      if (ack.duplicate) {
        duplicates++;
        log.info({ msgID, subject, streamSeq: ack.seq }, 'event already in the stream (duplicate ack), not stored again');
      } else {
        published++;
        log.debug({ msgID, subject, streamSeq: ack.seq }, 'event published');
      }
    }
    return { published, duplicates };
  }

  return { publishEvents };
}

/** The client once connected; a retryable failure while NATS has not been reached yet. */
async function connected(js: JetStreamClient | Promise<JetStreamClient>, waitMs: number): Promise<JetStreamClient> {
  if (!(js instanceof Promise)) return js;
  let timer: NodeJS.Timeout | undefined;
  const notYet = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`NATS not connected yet (waited ${waitMs} ms); the publish is retried`)), waitMs);
  });
  try {
    return await Promise.race([js, notYet]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A malformed or out-of-order batch is a bug upstream that no retry can fix: fail without retrying,
 * so the workflow sees it at once instead of the activity retrying forever.
 */
function validateBatch(events: unknown, prefix: string): { event: DomainEvent; subject: string }[] {
  const parsed = batchSchema.safeParse(events);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid events: ${z.prettifyError(parsed.error)}`, 'InvalidEvents');
  }
  const last = new Map<string, number>();
  for (const event of parsed.data) {
    const previous = last.get(event.campaignId);
    if (previous !== undefined && event.sequence <= previous) {
      throw ApplicationFailure.nonRetryable(
        `events of campaign ${event.campaignId} out of order: sequence ${event.sequence} after ${previous}`,
        'EventsOutOfOrder',
      );
    }
    last.set(event.campaignId, event.sequence);
  }
  return parsed.data.map((event) => {
    try {
      return { event, subject: eventSubject(prefix, event) };
    } catch (err) {
      throw ApplicationFailure.nonRetryable((err as Error).message, 'InvalidEvents');
    }
  });
}
