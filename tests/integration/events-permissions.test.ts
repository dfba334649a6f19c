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
import { commandReplySchema, commandSubject } from '../../shared/events/command-messages.js';
import { parseTemplate } from '../../shared/template/validate.js';
import { startBridge, type Bridge } from '../../workers/bridge.js';
import { connectNats as connectSharedNats, connectTemporal, testLogger, uniqueId, type TemporalTestConnection } from '../support/index.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';

/**
 * docs/nats-permissions.conf, as documented, on a nats-server of its own: each role can do its job
 * and nothing that belongs to another role.
 */
const users = ['ENGINE', 'BRIDGE', 'NOTIFIER', 'SENDER', 'READER'] as const;
// nats-server parses an environment value like a config value: a password must start with a letter.
const passwords = Object.fromEntries(users.map((u) => [u, `p${randomBytes(12).toString('hex')}`])) as Record<
  (typeof users)[number],
  string
>;
const userNames = { ENGINE: 'engine', BRIDGE: 'bridge', NOTIFIER: 'notifier', SENDER: 'command-sender', READER: 'partner-reader' };

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
    { ...config, NATS_USER: userNames[user], NATS_PASSWORD: passwords[user] },
    { name: `permissions-${user.toLowerCase()}`, logger: testLogger('nats') },
  );
  connections.push(nc);
  return nc;
}

/** A request is refused by the server (not merely unanswered) when publishing to its subject is denied. */
async function publishDenied(nc: NatsConnection, subject: string): Promise<boolean> {
  const err = await nc.request(subject, '{}', { timeout: 2000 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  // nats.js wraps it in a RequestError whose cause is the server's permissions violation.
  return err instanceof PermissionViolationError || (err instanceof Error && err.cause instanceof PermissionViolationError);
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
  return Promise.race([refused, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000))]);
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

describe('documented NATS permissions (docs/nats-permissions.conf)', () => {
  it('the engine creates the streams and publishes events, and may not send commands', async () => {
    const nc = await connectAs('ENGINE');
    const ensured = await ensureEventStream(await jetstreamManager(nc), config);
    expect(ensured.events.outcome).toBe('created');
    const { publishEvents } = createPublishActivities({ js: jetstream(nc), config, logger: testLogger() });
    expect(await publishEvents([event(1), event(2), event(3)])).toEqual({ published: 3, duplicates: 0 });
    expect(await publishDenied(nc, commandSubject(config.COMMANDS_SUBJECT_PREFIX, 'perm-campaign'))).toBe(true);
  });

  it('the notifier consumes through its durable, acks and dead-letters, and may not publish events', async () => {
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
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(await publishDenied(nc, 'advocacy.opcat-ratification.ph.milestone-overdue')).toBe(true);
    expect(await publishDenied(nc, `$JS.API.STREAM.DELETE.${config.EVENTS_STREAM}`)).toBe(true);
  });

  it('a command sender gets answers from the bridge; an event reader may not send commands; neither may forge events', async () => {
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
    const bridgeNc = await connectAs('BRIDGE');
    bridge = startBridge({ nc: bridgeNc, campaigns: engine.campaigns, config, logger: testLogger('bridge') });
    // The bridge answers requests and publishes nothing else.
    expect(await plainPublishDenied(bridgeNc, 'advocacy.perm-steps.ph.campaign-cancelled')).toBe(true);

    const sender = await connectAs('SENDER');
    const command = { type: 'pause', requestId: uniqueId('req'), actor: { id: 'partner', role: 'programme-lead' }, reason: 'elections' };
    const reply = await engine.run(() =>
      sender.request(commandSubject(config.COMMANDS_SUBJECT_PREFIX, campaignId), JSON.stringify(command), { timeout: 20_000 }),
    );
    expect(commandReplySchema.parse(reply.json())).toMatchObject({ ok: true, requestId: command.requestId });
    expect(await publishDenied(sender, 'advocacy.perm-steps.ph.campaign-cancelled')).toBe(true);

    const reader = await connectAs('READER');
    expect(await publishDenied(reader, commandSubject(config.COMMANDS_SUBJECT_PREFIX, campaignId))).toBe(true);
    expect(await publishDenied(reader, 'advocacy.perm-steps.ph.campaign-cancelled')).toBe(true);
    const snooped = await new Promise<unknown>((resolve) => {
      reader.subscribe(`${config.COMMANDS_SUBJECT_PREFIX}.*`, { callback: (err) => resolve(err) });
    });
    expect(snooped).toBeInstanceOf(PermissionViolationError);
  });
});
