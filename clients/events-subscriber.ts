import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { headers, nanos, type NatsConnection } from '@nats-io/nats-core';
import { createLogger, type Logger } from '../infra/logger.js';
import { CLOUDEVENTS_CONTENT_TYPE, parseCloudEvent, type CampaignCloudEvent } from '../shared/events/cloudevent.js';
import { allEventsSubject, deadLetterSubject } from '../shared/events/subjects.js';

/**
 * Typed consumer of campaign events (exported as `advocacy-engine/events-subscriber`).
 *
 * - A durable pull consumer: its position survives restarts; several processes with the same durable
 *   share the work.
 * - At-least-once: a message is acked only after the handler resolved; handlers dedupe by `event.id`
 *   when a redelivery would hurt.
 * - Invalid messages (not JSON, not a valid campaign CloudEvent) are logged and terminated: retrying
 *   cannot fix them.
 * - A failing handler gets the message again after a growing delay; after `maxDeliveries` attempts (or
 *   at once for a `PermanentEventError`) the message goes to the dead-letter subject
 *   `<prefix>_dlq.<durable>.<template>.<country>.<type>` and is terminated.
 * - `stop()` stops fetching, lets the running handler finish, and hands buffered messages back.
 * - Order: first deliveries come in stream order (so per campaign in sequence order); a redelivered
 *   message comes when its delay is due, possibly after later ones. Handlers that care compare
 *   `event.data.sequence` with the last one they applied for the campaign.
 */

export interface EventContext {
  subject: string;
  streamSequence: number;
  /** 1 on the first delivery. */
  deliveryCount: number;
  redelivered: boolean;
}

export type EventHandler = (event: CampaignCloudEvent, context: EventContext) => void | Promise<void>;

/** Thrown by a handler when retrying is pointless (e.g. a webhook answered 400): dead-letter at once. */
export class PermanentEventError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentEventError';
  }
}

/** Headers of a dead-lettered message, beside the original body and Content-Type. */
export const DeadLetterHeaders = {
  Consumer: 'Advocacy-Dead-Letter-Consumer',
  Stream: 'Advocacy-Dead-Letter-Stream',
  StreamSequence: 'Advocacy-Dead-Letter-Stream-Sequence',
  Subject: 'Advocacy-Dead-Letter-Subject',
  Deliveries: 'Advocacy-Dead-Letter-Deliveries',
  Reason: 'Advocacy-Dead-Letter-Reason',
} as const;

export interface EventSubscriberOptions {
  nc: NatsConnection;
  /** The events stream (`EVENTS_STREAM`). */
  stream: string;
  /** The events subject prefix (`EVENTS_SUBJECT_PREFIX`); dead letters go under `<prefix>_dlq`. */
  subjectPrefix: string;
  /** Durable consumer name: letters, digits, `-` and `_`. */
  durable: string;
  /**
   * Subject filters (see `eventFilterSubjects`); default all events. Several filters need nats-server
   * 2.10 or later; with an older server use one filter and select further in the handler.
   */
  filterSubjects?: string[];
  handler: EventHandler;
  logger?: Logger;
  /** Deliveries before a message is dead-lettered; default 5. */
  maxDeliveries?: number;
  /** Delay before redelivery after the n-th failed delivery, in ms; default 1 s doubling up to 1 min. */
  backoff?: (deliveryCount: number) => number;
  /** How long the server waits for an ack before redelivering; the handler is kept alive meanwhile. */
  ackWaitMs?: number;
  /** Messages fetched at a time; small, as they are handled one by one and their ack wait runs. */
  batch?: number;
  maxAckPending?: number;
  /** Where a new durable starts: every stored event (default) or only new ones. */
  deliverPolicy?: 'all' | 'new';
}

export interface EventSubscription {
  readonly durable: string;
  /** Graceful stop: no new fetches, the running handler completes and is acked; resolves when done. */
  stop(): Promise<void>;
  /** Resolves when the subscription ended (after `stop()`). */
  readonly closed: Promise<void>;
}

export const defaultBackoff = (deliveryCount: number): number => Math.min(1000 * 2 ** Math.max(0, deliveryCount - 1), 60_000);

function consumerConfig(options: EventSubscriberOptions): Partial<ConsumerConfig> {
  const filters = options.filterSubjects?.length ? options.filterSubjects : [allEventsSubject(options.subjectPrefix)];
  return {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: options.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    ack_wait: nanos(options.ackWaitMs ?? 60_000),
    // Unlimited: the subscriber counts deliveries itself and dead-letters, so a crash during the last
    // attempt can never make the server silently stop delivering a message.
    max_deliver: -1,
    max_ack_pending: options.maxAckPending ?? 1000,
    ...(filters.length === 1 ? { filter_subject: filters[0] } : { filter_subjects: filters }),
  };
}

/** Creates the durable consumer, or updates the settings that may change on a live consumer. */
export async function ensureEventConsumer(jsm: JetStreamManager, options: EventSubscriberOptions): Promise<ConsumerInfo> {
  const wanted = consumerConfig(options);
  let existing: ConsumerInfo | undefined;
  try {
    existing = await jsm.consumers.info(options.stream, options.durable);
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
  }
  if (!existing) return jsm.consumers.add(options.stream, wanted);
  const updatable = ['ack_wait', 'max_deliver', 'max_ack_pending', 'filter_subject', 'filter_subjects'] as const;
  const changed = updatable.filter(
    (key) => wanted[key] !== undefined && JSON.stringify(wanted[key]) !== JSON.stringify(existing.config[key]),
  );
  if (changed.length === 0) return existing;
  const update = Object.fromEntries(changed.map((key) => [key, wanted[key]]));
  return jsm.consumers.update(options.stream, options.durable, update);
}

export async function subscribeEvents(options: EventSubscriberOptions): Promise<EventSubscription> {
  const logger = (options.logger ?? createLogger('events-subscriber')).child({ durable: options.durable });
  const jsm = await jetstreamManager(options.nc);
  await ensureEventConsumer(jsm, options);
  const worker = new SubscriptionWorker(jetstream(options.nc), options, logger);
  const closed = worker.run();
  return { durable: options.durable, stop: () => worker.stop(closed), closed };
}

class SubscriptionWorker {
  private stopping = false;
  private messages: ConsumerMessages | undefined;
  private wake: (() => void) | undefined;
  private readonly maxDeliveries: number;
  private readonly backoff: (n: number) => number;
  private readonly ackWaitMs: number;

  constructor(
    private readonly js: JetStreamClient,
    private readonly options: EventSubscriberOptions,
    private readonly logger: Logger,
  ) {
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.backoff = options.backoff ?? defaultBackoff;
    this.ackWaitMs = options.ackWaitMs ?? 60_000;
  }

  async stop(closed: Promise<void>): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.messages?.close();
    await closed;
  }

  /** Consumes until stopped; a consume that ends on its own (consumer deleted, server gone) is restarted. */
  async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        const consumer = await this.js.consumers.get(this.options.stream, this.options.durable);
        this.messages = await consumer.consume({ max_messages: this.options.batch ?? 10 });
        if (this.stopping) await this.messages.close();
        for await (const msg of this.messages) {
          failures = 0;
          await this.handle(msg);
        }
      } catch (err) {
        if (this.stopping) break;
        failures++;
        this.logger.warn({ err, failures }, 'consuming failed; retrying');
      }
      if (!this.stopping) await this.pause(Math.min(500 * 2 ** failures, 30_000));
    }
    this.logger.info('subscription stopped');
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async handle(msg: JsMsg): Promise<void> {
    // Fetched but not started when stop() came: give it back now rather than after the ack wait.
    if (this.stopping) return msg.nak();
    const { deliveryCount, streamSequence, redelivered } = msg.info;
    const log = this.logger.child({ subject: msg.subject, streamSeq: streamSequence, deliveryCount });
    const parsed = parseCloudEvent(msg.string());
    if (!parsed.ok) {
      log.error({ problem: parsed.error }, 'invalid event terminated (it will not be redelivered)');
      // No reason text: nats-server before 2.10 ignores a `+TERM <reason>` and would redeliver.
      return msg.term();
    }
    // Long handlers (webhook retries) must not let the ack wait expire and cause a parallel redelivery.
    const keepAlive = setInterval(() => msg.working(), Math.max(100, this.ackWaitMs / 2));
    try {
      await this.options.handler(parsed.event, { subject: msg.subject, streamSequence, deliveryCount, redelivered });
    } catch (err) {
      clearInterval(keepAlive);
      return this.failed(msg, err, log);
    }
    clearInterval(keepAlive);
    try {
      await msg.ackAck();
    } catch (err) {
      // The handler's work is done; the server will redeliver and the handler must cope (dedupe by id).
      log.warn({ err, eventId: parsed.event.id }, 'ack not confirmed; the event may be delivered again');
    }
  }

  private async failed(msg: JsMsg, err: unknown, log: Logger): Promise<void> {
    const { deliveryCount } = msg.info;
    const permanent = err instanceof PermanentEventError;
    if (!permanent && deliveryCount < this.maxDeliveries) {
      const delay = this.backoff(deliveryCount);
      log.warn({ err, retryInMs: delay }, 'handler failed; event will be redelivered');
      return msg.nak(delay);
    }
    try {
      await this.deadLetter(msg, err);
      log.error({ err, permanent }, 'handler gave up; event dead-lettered');
      msg.term();
    } catch (dlqErr) {
      // Keep the message rather than lose it; the next delivery tries the dead-letter subject again.
      log.error({ err: dlqErr }, 'dead-lettering failed; event will be redelivered');
      msg.nak(this.backoff(deliveryCount));
    }
  }

  private async deadLetter(msg: JsMsg, err: unknown): Promise<void> {
    const { options } = this;
    const h = headers();
    h.set('Content-Type', msg.headers?.get('Content-Type') || CLOUDEVENTS_CONTENT_TYPE);
    h.set(DeadLetterHeaders.Consumer, options.durable);
    h.set(DeadLetterHeaders.Stream, options.stream);
    h.set(DeadLetterHeaders.StreamSequence, String(msg.info.streamSequence));
    h.set(DeadLetterHeaders.Subject, msg.subject);
    h.set(DeadLetterHeaders.Deliveries, String(msg.info.deliveryCount));
    h.set(DeadLetterHeaders.Reason, oneLine(err instanceof Error ? err.message : String(err)));
    await this.js.publish(deadLetterSubject(options.subjectPrefix, options.durable, msg.subject), msg.data, {
      headers: h,
      // A crash between this publish and the term redelivers the message; the id makes the second
      // dead-lettering a duplicate instead of a second copy.
      msgID: `${options.durable}:${msg.info.streamSequence}`,
    });
  }
}

/** Header values are one line; keep reasons short. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 500);
}
