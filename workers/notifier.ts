import type { NatsConnection } from '@nats-io/nats-core';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { PermanentEventError, subscribeEvents, type EventHandler, type EventSubscription } from '../clients/events-subscriber.js';
import { loadConfigOrExit } from '../infra/config.js';
import { createLogger, type Logger } from '../infra/logger.js';
import { connectNats } from '../infra/nats.js';
import type { Config } from '../shared/config.js';
import { CLOUDEVENTS_CONTENT_TYPE, type CampaignCloudEvent } from '../shared/events/cloudevent.js';
import { subjectMatches } from '../shared/events/subjects.js';
import { loadNotifierConfig, type NotifierConfig, type NotifierRoute } from './notifier-config.js';

/**
 * The notifier worker: a durable consumer of all events that
 * - logs every reminder and overdue notice (its main job: nobody misses a treaty deadline unseen);
 * - POSTs matching events to each route's webhook, signed with the route's shared secret, retrying
 *   with backoff; an event whose webhook keeps failing is redelivered later and finally dead-lettered.
 */

export const SIGNATURE_HEADER = 'X-Advocacy-Signature';
export const EVENT_ID_HEADER = 'X-Advocacy-Event-Id';

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`, as receivers recompute it. */
export function signWebhookBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** For receivers (and tests): constant-time check of a signature header against the raw body. */
export function verifyWebhookSignature(body: string, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhookBody(body, secret));
  const actual = Buffer.from(header);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export type Fetch = typeof fetch;

export interface NotifierHandlerDeps {
  routes: NotifierRoute[];
  logger: Logger;
  fetch?: Fetch;
}

/** Logs the notices an owner must act on; every event type that names a deadline ends up here. */
function logNotice(event: CampaignCloudEvent, logger: Logger): void {
  const e = event.data;
  const where = { eventId: event.id, campaignId: e.campaignId, templateId: e.templateId, country: e.country };
  if (e.type === 'reminder-due') {
    logger.info({ ...where, milestone: e.milestone, dueOn: e.dueOn, owner: e.owner }, `reminder: "${e.milestone}" is due on ${e.dueOn}`);
  } else if (e.type === 'milestone-overdue') {
    logger.warn({ ...where, milestone: e.milestone, dueOn: e.dueOn, owner: e.owner }, `overdue: "${e.milestone}" was due on ${e.dueOn}`);
  }
}

/** Status codes worth retrying: the receiver may recover. Any other 4xx will not change on retry. */
function retryable(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function postWebhook(
  route: NotifierRoute & { webhook: NonNullable<NotifierRoute['webhook']> },
  event: CampaignCloudEvent,
  fetchImpl: Fetch,
  logger: Logger,
): Promise<void> {
  const { webhook } = route;
  const body = JSON.stringify(event);
  const headers = {
    ...webhook.headers,
    'content-type': CLOUDEVENTS_CONTENT_TYPE,
    [SIGNATURE_HEADER]: signWebhookBody(body, webhook.secret),
    [EVENT_ID_HEADER]: event.id,
  };
  let problem = '';
  for (let attempt = 1; attempt <= webhook.attempts; attempt++) {
    try {
      const res = await fetchImpl(webhook.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(webhook.timeoutMs),
      });
      await res.body?.cancel();
      if (res.ok) return;
      problem = `HTTP ${res.status}`;
      if (!retryable(res.status)) {
        throw new PermanentEventError(`webhook ${route.name} refused event ${event.id}: ${problem}`);
      }
    } catch (err) {
      if (err instanceof PermanentEventError) throw err;
      problem = (err as Error).message;
    }
    logger.warn({ route: route.name, eventId: event.id, attempt, problem }, 'webhook delivery failed');
    if (attempt < webhook.attempts) await pause(Math.min(webhook.retryDelayMs * 2 ** (attempt - 1), 30_000));
  }
  throw new Error(`webhook ${route.name} failed for event ${event.id} after ${webhook.attempts} attempts: ${problem}`);
}

/**
 * The event handler: notices first, then every matching route. When one webhook fails, the others
 * still get the event; the ones that succeeded are remembered (in memory, bounded) so a redelivery
 * does not post to them again. Receivers still dedupe by event id: a restart forgets.
 */
export function createNotifierHandler({ routes, logger, fetch: fetchImpl = fetch }: NotifierHandlerDeps): EventHandler {
  const delivered = new Map<string, Set<string>>();
  const remember = (eventId: string, route: string) => {
    const done = delivered.get(eventId) ?? new Set<string>();
    done.add(route);
    delivered.delete(eventId); // re-insert: the map's order is the eviction order
    delivered.set(eventId, done);
    if (delivered.size > 10_000) delivered.delete(delivered.keys().next().value as string);
  };

  return async (event, { subject }) => {
    logNotice(event, logger);
    const failures: Error[] = [];
    for (const route of routes) {
      if (!route.filters.some((f) => subjectMatches(f, subject))) continue;
      if (route.log) logger.info({ route: route.name, eventId: event.id, type: event.data.type, subject }, 'event');
      if (!route.webhook || delivered.get(event.id)?.has(route.name)) continue;
      try {
        await postWebhook({ ...route, webhook: route.webhook }, event, fetchImpl, logger);
        remember(event.id, route.name);
      } catch (err) {
        failures.push(err as Error);
      }
    }
    if (failures.length === 0) {
      delivered.delete(event.id);
      return;
    }
    // Only refusals (4xx): no redelivery can help, dead-letter now. Otherwise retry the event later.
    const message = failures.map((f) => f.message).join('; ');
    const refusedOnly = failures.every((f) => f instanceof PermanentEventError);
    throw refusedOnly ? new PermanentEventError(message) : new Error(message);
  };
}

export interface NotifierDeps {
  nc: NatsConnection;
  config: Pick<Config, 'EVENTS_STREAM' | 'EVENTS_SUBJECT_PREFIX'>;
  notifier: NotifierConfig;
  logger: Logger;
  fetch?: Fetch;
  /** Redelivery delays; default the subscriber's (1 s doubling to 1 min). */
  backoff?: (deliveryCount: number) => number;
}

export function startNotifier(deps: NotifierDeps): Promise<EventSubscription> {
  const logger = deps.logger.child({ component: 'notifier' });
  logger.info({ routes: deps.notifier.routes.map((r) => ({ name: r.name, filters: r.filters })) }, 'notifier routes');
  return subscribeEvents({
    nc: deps.nc,
    stream: deps.config.EVENTS_STREAM,
    subjectPrefix: deps.config.EVENTS_SUBJECT_PREFIX,
    durable: deps.notifier.durable,
    // One consumer for all events: routing happens here, so any number of routes works with any server.
    handler: createNotifierHandler({ routes: deps.notifier.routes, logger, fetch: deps.fetch }),
    logger,
    maxDeliveries: deps.notifier.maxDeliveries,
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
  });
}

/** `tsx workers/notifier.ts`: runs until SIGINT/SIGTERM, then finishes the current event and drains. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger('notifier', config.LOG_LEVEL);
  const notifier = await loadNotifierConfig(config.NOTIFIER_CONFIG, {
    subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
    env: process.env,
  }).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(78);
  });
  const nc = await connectNats(config, { name: 'notifier', logger, waitOnFirstConnect: true });
  // The engine worker owns the stream (the notifier's NATS user may not create it): wait for it.
  let subscription: EventSubscription | undefined;
  for (let attempt = 1; !subscription; attempt++) {
    try {
      subscription = await startNotifier({ nc, config, notifier, logger });
    } catch (err) {
      logger.warn({ err, attempt, stream: config.EVENTS_STREAM }, 'cannot consume events yet; retrying in 5 s');
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
  const running = subscription;
  logger.info({ durable: notifier.durable }, 'notifier running');
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'notifier stopping');
    // Draining waits for NATS; during an outage it would wait forever, so give it a bound.
    setTimeout(() => process.exit(1), 15_000).unref();
    await running.stop();
    await nc.drain();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void shutdown(signal).finally(() => process.exit(0)));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
