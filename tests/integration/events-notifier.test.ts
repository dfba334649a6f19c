import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPublishActivities } from '../../activities/publish-event.js';
import { DeadLetterHeaders, type EventSubscription } from '../../clients/events-subscriber.js';
import { ensureEventStream } from '../../infra/events-stream.js';
import type { DomainEvent } from '../../shared/campaign/domain-events.js';
import type { Config } from '../../shared/config.js';
import { resolveNotifierConfig } from '../../workers/notifier-config.js';
import { SIGNATURE_HEADER, startNotifier, verifyWebhookSignature } from '../../workers/notifier.js';
import { connectJetStream, isolatedEventsConfig, uniqueId, uniqueToken, type JetStreamTestContext } from '../support/index.js';

/** A local webhook receiver: records requests and answers with the status the test scripts per path. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let server: Server;
let baseUrl: string;
const received: Received[] = [];
const scripted = new Map<string, number[]>(); // path -> statuses to answer, in order; then 200

let ctx: JetStreamTestContext;
let config: Config;
let publishEvents: ReturnType<typeof createPublishActivities>['publishEvents'];
const subscriptions: EventSubscription[] = [];
const logLines: Record<string, unknown>[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
);

const SECRET_A = 'secret-for-route-a-0123456789';
const SECRET_B = 'secret-for-route-b-0123456789';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body });
      const status = scripted.get(path)?.shift() ?? 200;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  ctx = await connectJetStream({ name: 'events-notifier-test' });
  config = isolatedEventsConfig();
  await ensureEventStream(ctx.jsm, config);
  publishEvents = createPublishActivities({ js: ctx.js, config, logger }).publishEvents;
});

afterAll(async () => {
  await Promise.allSettled(subscriptions.map((s) => s.stop()));
  await ctx.jsm.streams.delete(config.EVENTS_STREAM).catch(() => undefined);
  await ctx.jsm.streams.delete(`${config.EVENTS_STREAM}_DLQ`).catch(() => undefined);
  await ctx.close();
  await new Promise((resolve) => server.close(resolve));
});

/** A notifier with its own durable and webhook paths, so tests do not see each other's traffic. */
async function notifierFor(templateId: string, routes: ({ match?: object } & Record<string, unknown>)[], maxDeliveries = 3) {
  const durable = uniqueToken('notifier');
  // Each route takes only this test's template: the stream is shared by the tests of this file.
  const scoped = routes.map((r) => ({ ...r, match: { ...r.match, templates: [templateId] } }));
  const notifier = resolveNotifierConfig(
    { durable, maxDeliveries, routes: scoped },
    { subjectPrefix: config.EVENTS_SUBJECT_PREFIX, env: { SECRET_A, SECRET_B } },
  );
  const sub = await startNotifier({ nc: ctx.nc, config, notifier, logger, backoff: () => 50 });
  subscriptions.push(sub);
  return { durable, sub };
}

function event(templateId: string, campaignId: string, sequence: number, overrides: Partial<DomainEvent>): DomainEvent {
  return {
    campaignId,
    templateId,
    templateVersion: 1,
    country: 'ID',
    region: 'asia-pacific',
    sequence,
    occurredAt: '2024-05-01T00:00:00.000Z',
    ...overrides,
  } as DomainEvent;
}

const reminder = { type: 'reminder-due', milestone: 'report', dueOn: '2024-05-31', remindBefore: 'P30D', owner: 'ana' } as const;
const started = { type: 'campaign-started', startDate: '2024-01-01' } as const;

describe('notifier', () => {
  it('posts a signed CloudEvent to the matching webhook, retries on 500, and logs the reminder', async () => {
    const templateId = uniqueId('tpl').toLowerCase();
    const campaignId = uniqueId('c');
    const path = `/a/${templateId}`;
    scripted.set(path, [500]);
    await notifierFor(templateId, [
      {
        name: 'reminders',
        match: { types: ['reminder-due'] },
        webhook: { url: `${baseUrl}${path}`, secretEnv: 'SECRET_A', retryDelayMs: 10, headers: { 'x-tenant': 'apt' } },
      },
    ]);
    await publishEvents([event(templateId, campaignId, 1, started), event(templateId, campaignId, 2, reminder)]);

    await vi.waitFor(() => expect(received.filter((r) => r.path === path)).toHaveLength(2));
    const [first, second] = received.filter((r) => r.path === path);
    expect(second?.body).toBe(first?.body);
    const body = JSON.parse(second?.body ?? '{}') as { id: string; type: string; data: DomainEvent };
    expect(body.id).toBe(`${campaignId}:2`);
    expect(body.type).toBe('org.advocacy.campaign.reminder-due.v1');
    expect(second?.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(second?.headers['x-tenant']).toBe('apt');
    expect(second?.headers['x-advocacy-event-id']).toBe(`${campaignId}:2`);
    const signature = second?.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(verifyWebhookSignature(second?.body ?? '', signature, SECRET_A)).toBe(true);
    expect(verifyWebhookSignature(second?.body ?? '', signature, SECRET_B)).toBe(false);

    await vi.waitFor(() =>
      expect(logLines).toContainEqual(
        expect.objectContaining({ msg: 'reminder: "report" is due on 2024-05-31', campaignId, owner: 'ana' }),
      ),
    );
    // campaign-started matched no route: never posted.
    expect(received.filter((r) => r.body.includes(`"${campaignId}:1"`))).toEqual([]);
  });

  it('redelivers an event whose webhook keeps failing, without posting again to routes that succeeded', async () => {
    const templateId = uniqueId('tpl').toLowerCase();
    const campaignId = uniqueId('c');
    const flaky = `/flaky/${templateId}`;
    const steady = `/steady/${templateId}`;
    scripted.set(flaky, [503, 503]); // both attempts of the first delivery fail
    const { durable } = await notifierFor(templateId, [
      { name: 'flaky', webhook: { url: `${baseUrl}${flaky}`, secretEnv: 'SECRET_A', attempts: 2, retryDelayMs: 10 } },
      { name: 'steady', webhook: { url: `${baseUrl}${steady}`, secretEnv: 'SECRET_B', retryDelayMs: 10 } },
    ]);
    await publishEvents([event(templateId, campaignId, 1, started)]);

    await vi.waitFor(() => expect(received.filter((r) => r.path === flaky)).toHaveLength(3));
    expect(received.filter((r) => r.path === steady)).toHaveLength(1);
    await vi.waitFor(async () => {
      const info = await ctx.jsm.consumers.info(config.EVENTS_STREAM, durable);
      expect(info.num_ack_pending + info.num_pending).toBe(0);
    });
  });

  it('dead-letters an event the webhook refuses (4xx) at once', async () => {
    const templateId = uniqueId('tpl').toLowerCase();
    const campaignId = uniqueId('c');
    const path = `/refuse/${templateId}`;
    scripted.set(path, [422]);
    const { durable } = await notifierFor(templateId, [
      { name: 'refuser', webhook: { url: `${baseUrl}${path}`, secretEnv: 'SECRET_A', retryDelayMs: 10 } },
    ]);
    await publishEvents([event(templateId, campaignId, 1, started)]);

    const dlq = `${config.EVENTS_STREAM}_DLQ`;
    await vi.waitFor(async () => {
      const m = await ctx.jsm.streams.getMessage(dlq, { last_by_subj: `${config.EVENTS_SUBJECT_PREFIX}_dlq.${durable}.>` });
      expect(m?.header.get(DeadLetterHeaders.Reason)).toContain('HTTP 422');
      expect(m?.header.get(DeadLetterHeaders.Deliveries)).toBe('1');
    });
    expect(received.filter((r) => r.path === path)).toHaveLength(1);
  });
});
