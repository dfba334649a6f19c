import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { PermissionViolationError, type NatsConnection } from '@nats-io/nats-core';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createPublishActivities } from '../../activities/publish-event.js';
import { PermanentEventError, subscribeEvents, type EventSubscription } from '../../clients/events-subscriber.js';
import { ensureEventStream } from '../../infra/events-stream.js';
import { connectNats } from '../../infra/nats.js';
import { repoRoot, startNatsServer, type NatsServer } from '../../infra/servers/index.js';
import type { DomainEvent } from '../../shared/campaign/domain-events.js';
import { parseConfig, type Config } from '../../shared/config.js';
import { commandReplySchema, commandSubject, type CommandReply } from '../../shared/events/command-messages.js';
import { parseTemplate } from '../../shared/template/validate.js';
import { startBridge, type Bridge } from '../../workers/bridge.js';
import { loadCommandSenders } from '../../workers/command-senders.js';
import { connectNats as connectSharedNats, connectTemporal, testLogger, uniqueId, type TemporalTestConnection } from '../support/index.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { eventually } from '../support/wait.js';

/**
 * docs/nats-permissions.conf, as documented, on a nats-server of its own: each role can do its job
 * and nothing that belongs to another role; each user reads its own inbox only; a command sender acts
 * as the actor docs/command-senders.yaml gives its token, and as no one else.
 */
const users = ['ENGINE', 'BRIDGE', 'NOTIFIER', 'PARTNER_A', 'PARTNER_B', 'READER'] as const;
// nats-server parses an environment value like a config value: a password must start with a letter.
const passwords = Object.fromEntries(users.map((u) => [u, `p${randomBytes(12).toString('hex')}`])) as Record<
  (typeof users)[number],
  string
>;
const userNames = {
  ENGINE: 'engine',
  BRIDGE: 'bridge',
  NOTIFIER: 'notifier',
  PARTNER_A: 'partner-a',
  PARTNER_B: 'partner-b',
  READER: 'partner-reader',
};

let server: NatsServer;
let config: Config;
let temporal: TemporalTestConnection;
let sharedNc: NatsConnection;
let engine: TestEngine;
let bridge: Bridge | undefined;
let subscription: EventSubscription | undefined;
const connections: NatsConnection[] = [];

async function connectAs(user: (typeof users)[number]): Promise<NatsConnection> {
  const nc = await connectNats(
    // Each user's replies arrive under its own prefix, the only inbox its permissions let it read.
    { ...config, NATS_USER: userNames[user], NATS_PASSWORD: passwords[user], NATS_INBOX_PREFIX: `_INBOX_${userNames[user]}` },
    { name: `permissions-${user.toLowerCase()}`, logger: testLogger('nats') },
  );
  connections.push(nc);
  return nc;
}

/** How long to wait for the server's refusal: it comes at once, unless the machine is busy. */
const REFUSAL_WAIT_MS = eventually.timeout;

/** A request is refused by the server (not merely unanswered) when publishing to its subject is denied. */
async function publishDenied(nc: NatsConnection, subject: string): Promise<boolean> {
  const err = await nc.request(subject, '{}', { timeout: REFUSAL_WAIT_MS }).then(
    () => undefined,
    (e: unknown) => e,
  );
  // nats.js wraps it in a RequestError whose cause is the server's permissions violation.
  return err instanceof PermissionViolationError || (err instanceof Error && err.cause instanceof PermissionViolationError);
}

/** A subscription the server refuses: the error it closes the subscription with, or the first message. */
function subscribeOutcome(nc: NatsConnection, subject: string): Promise<unknown> {
  return new Promise<unknown>((resolve) => {
    nc.subscribe(subject, { callback: (err, msg) => resolve(err ?? msg) });
  });
}

/** For clients without an inbox (the bridge): a plain publish, refused asynchronously by the server. */
async function plainPublishDenied(nc: NatsConnection, subject: string): Promise<boolean> {
  const refused = (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'error' && s.error instanceof PermissionViolationError && s.error.subject === subject) return true;
    }
    return false;
  })();
  nc.publish(subject, '{}');
  await nc.flush();
  return Promise.race([refused, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), REFUSAL_WAIT_MS))]);
}

beforeAll(async () => {
  // nats-server reads the passwords from its environment, which it inherits from this process.
  for (const u of users) process.env[`ADVOCACY_NATS_${u}_PASSWORD`] = passwords[u];
  const dir = join(inject('runDir'), uniqueId('permissions'));
  server = await startNatsServer({
    storeDir: join(dir, 'store'),
    logDir: dir,
    extraArgs: ['-c', join(repoRoot, 'docs', 'nats-permissions.conf')],
  });
  // The default names, which the documented permissions are written for.
  config = parseConfig({ NATS_URL: server.url, EVENTS_DUPLICATE_WINDOW: 'PT10M', EVENTS_MAX_AGE: 'P1D' });
  [temporal, sharedNc] = await Promise.all([connectTemporal(), connectSharedNats({ name: 'permissions-engine' })]);
});

afterAll(async () => {
  await subscription?.stop();
  await bridge?.stop();
  await engine?.stop();
  await Promise.allSettled(connections.map((nc) => nc.close()));
  await Promise.allSettled([temporal?.close(), sharedNc?.drain(), server?.stop()]);
});

function event(sequence: number): DomainEvent {
  return {
    type: 'milestone-overdue',
    campaignId: 'perm-campaign',
    templateId: 'opcat-ratification',
    templateVersion: 1,
    country: 'PH',
    region: 'asia-pacific',
    sequence,
    occurredAt: '2024-05-01T00:00:00.000Z',
    milestone: `step-${sequence}`,
    dueOn: '2024-04-30',
  };
}

const prefix = () => config.COMMANDS_SUBJECT_PREFIX;

describe('documented NATS permissions (docs/nats-permissions.conf)', () => {
  it('the engine creates the streams and publishes events, and may not send commands', async () => {
    const nc = await connectAs('ENGINE');
    const ensured = await ensureEventStream(await jetstreamManager(nc), config);
    expect(ensured.events.outcome).toBe('created');
    const { publishEvents } = createPublishActivities({ js: jetstream(nc), config, logger: testLogger() });
    expect(await publishEvents([event(1), event(2), event(3)])).toEqual({ published: 3, duplicates: 0 });
    expect(await publishDenied(nc, commandSubject(prefix(), 'partner-a', 'perm-campaign', 'pause'))).toBe(true);
  });

  it('the notifier consumes through its durable, acks and dead-letters, and may not publish events; nobody else reads its deliveries', async () => {
    const nc = await connectAs('NOTIFIER');
    const seen: number[] = [];
    subscription = await subscribeEvents({
      nc,
      stream: config.EVENTS_STREAM,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      durable: 'notifier',
      logger: testLogger('notifier'),
      handler: (e) => {
        seen.push(e.data.sequence);
        if (e.data.sequence === 2) throw new PermanentEventError('refused by the receiver');
      },
    });
    const jsm = await jetstreamManager(nc);
    // Ack pending drops to zero only if the dead-letter publish for event 2 was allowed.
    await vi.waitFor(async () => {
      const info = await jsm.consumers.info(config.EVENTS_STREAM, 'notifier');
      expect(info.num_pending + info.num_ack_pending).toBe(0);
    }, eventually);
    expect(seen).toEqual([1, 2, 3]);
    expect(await publishDenied(nc, 'advocacy.opcat-ratification.ph.milestone-overdue')).toBe(true);
    expect(await publishDenied(nc, `$JS.API.STREAM.DELETE.${config.EVENTS_STREAM}`)).toBe(true);

    // The pull deliveries (and JetStream's answers) went to the notifier's own inbox prefix, the only
    // inbox it may read; another user may subscribe neither to it nor to every inbox.
    const reader = await connectAs('READER');
    for (const snoop of ['_INBOX_notifier.>', '_INBOX.>', '_INBOX_*.>', '>'])
      expect(await subscribeOutcome(reader, snoop), snoop).toBeInstanceOf(PermissionViolationError);
  });

  it('a command sender acts as its own sender token only, reads its own replies only, and is scoped to its countries', async () => {
    const template = parseTemplate({
      id: 'perm-steps',
      version: 1,
      title: 'Permissions test process',
      milestones: [{ id: 'dialogue', title: 'Dialogue' }],
    });
    engine = await createTestEngine({
      client: temporal.client,
      connection: temporal.nativeConnection,
      nc: sharedNc,
      templates: [template],
    });
    const campaignId = uniqueId('perm');
    await engine.run(() =>
      engine.campaigns.start({ template: 'perm-steps', country: 'PH', campaignId }, { actor: { id: 'lead', role: 'programme-lead' } }),
    );
    const senders = await loadCommandSenders(join(repoRoot, 'docs', 'command-senders.yaml'), config);
    const bridgeNc = await connectAs('BRIDGE');
    bridge = startBridge({ nc: bridgeNc, campaigns: engine.campaigns, config, senders, logger: testLogger('bridge') });
    // The bridge answers requests and publishes nothing else.
    expect(await plainPublishDenied(bridgeNc, 'advocacy.perm-steps.ph.campaign-cancelled')).toBe(true);

    const [partnerA, partnerB] = [await connectAs('PARTNER_A'), await connectAs('PARTNER_B')];
    const send = async (nc: NatsConnection, sender: string, id: string, body: { type: 'pause' | 'resume' } & Record<string, unknown>) => {
      const reply = await engine.run(() =>
        nc.request(commandSubject(prefix(), sender, id, body.type), JSON.stringify(body), { timeout: 20_000 }),
      );
      return commandReplySchema.parse(reply.json());
    };

    // Partner B listens for partner A's replies while A sends: the server refuses the subscription.
    const snooped = ['_INBOX_partner-a.>', '_INBOX.>'].map((subject) => subscribeOutcome(partnerB, subject));
    const pause = { type: 'pause' as const, requestId: uniqueId('req'), reason: 'elections' };
    expect(await send(partnerA, 'partner-a', campaignId, pause)).toMatchObject({ ok: true, requestId: pause.requestId });
    for (const outcome of await Promise.all(snooped)) expect(outcome).toBeInstanceOf(PermissionViolationError);
    // The actor is the one the senders file gives partner A's token, namespaced apart from API keys.
    const history = (await engine.campaigns.view(campaignId)).history;
    expect(history.at(-1)).toMatchObject({ actor: { id: 'nats:partner-a', role: 'programme-lead' } });

    // Partner A cannot send as partner B, nor name an actor in the body.
    const resume = { type: 'resume' as const, requestId: uniqueId('req') };
    expect(await publishDenied(partnerA, commandSubject(prefix(), 'partner-b', campaignId, 'resume'))).toBe(true);
    const impersonation = await send(partnerA, 'partner-a', campaignId, {
      ...resume,
      actor: { id: 'key-0123456789ab', role: 'programme-lead' },
    });
    expect(impersonation).toMatchObject({ ok: false, code: 'invalid', issues: [expect.stringMatching(/^actor: /)] });

    // Partner B may act on Indonesia's campaigns only: a Philippine one answers as an unknown one does.
    const outOfScope: CommandReply = await send(partnerB, 'partner-b', campaignId, resume);
    const unknown: CommandReply = await send(partnerB, 'partner-b', 'no-such-campaign', resume);
    expect(outOfScope).toMatchObject({ ok: false, code: 'not-found' });
    expect({ ...outOfScope, message: '' }).toEqual({ ...unknown, message: '' });
    expect((await engine.campaigns.view(campaignId)).status).toBe('paused');
    expect(await publishDenied(partnerB, 'advocacy.perm-steps.ph.campaign-cancelled')).toBe(true);

    const reader = await connectAs('READER');
    expect(await publishDenied(reader, commandSubject(prefix(), 'partner-reader', campaignId, 'resume'))).toBe(true);
    expect(await publishDenied(reader, commandSubject(prefix(), 'partner-a', campaignId, 'resume'))).toBe(true);
    expect(await publishDenied(reader, 'advocacy.perm-steps.ph.campaign-cancelled')).toBe(true);
    expect(await subscribeOutcome(reader, `${prefix()}.*.*.*`)).toBeInstanceOf(PermissionViolationError);
    expect(await subscribeOutcome(reader, '_INBOX_partner-a.>')).toBeInstanceOf(PermissionViolationError);
  });
});
