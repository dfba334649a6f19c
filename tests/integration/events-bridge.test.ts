import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignCommand } from '../../shared/campaign/commands.js';
import { dateOfInstant, subtractDuration } from '../../shared/dates.js';
import { commandReplySchema, commandSubject, type CommandReply } from '../../shared/events/command-messages.js';
import { parseTemplate } from '../../shared/template/validate.js';
import { startBridge, type Bridge } from '../../workers/bridge.js';
import { connectNats, connectTemporal, testLogger, uniqueId, type TemporalTestConnection } from '../support/index.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { readStream } from '../support/stream.js';

const template = parseTemplate({
  id: 'bridge-steps',
  version: 1,
  title: 'Two steps for the bridge test',
  milestones: [
    { id: 'dialogue', title: 'Dialogue', evidence: [{ name: 'minutes', label: 'Minutes', type: 'url' }] },
    { id: 'decision', title: 'Decision', dependsOn: ['dialogue'], role: 'programme-lead' },
  ],
});

const staff = { id: 'partner-system', role: 'staff' as const };
const lead = { actor: { id: 'lead-1', role: 'programme-lead' as const } };

let temporal: TemporalTestConnection;
let nc: NatsConnection;
let engine: TestEngine;
let bridge: Bridge;
let commandsPrefix: string;

beforeAll(async () => {
  [temporal, nc] = await Promise.all([connectTemporal(), connectNats({ name: 'events-bridge-test' })]);
  engine = await createTestEngine({ client: temporal.client, connection: temporal.nativeConnection, nc, templates: [template] });
  // Commands under the events prefix, as with the defaults (advocacy / advocacy.commands): the events
  // stream must not capture them (it would store them and answer with a PubAck).
  commandsPrefix = `${engine.config.EVENTS_SUBJECT_PREFIX}.commands`;
  bridge = startBridge({
    nc,
    campaigns: engine.campaigns,
    config: { COMMANDS_SUBJECT_PREFIX: commandsPrefix, COMMANDS_MAX_ROLE: 'programme-lead' },
    logger: testLogger('bridge'),
    queue: uniqueId('bridge'),
  });
});

afterAll(async () => {
  await bridge?.stop();
  await engine?.stop();
  await Promise.allSettled([temporal?.close(), nc?.drain()]);
});

async function send(campaignId: string, body: unknown): Promise<CommandReply> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const msg = await nc.request(commandSubject(commandsPrefix, campaignId), payload, { timeout: 20_000 });
  return commandReplySchema.parse(msg.json());
}

async function startCampaign(): Promise<string> {
  const campaignId = uniqueId('bridge');
  await engine.run(() => engine.campaigns.start({ template: 'bridge-steps', country: 'ID', campaignId }, lead));
  return campaignId;
}

describe('command bridge (NATS request/reply -> Temporal update)', () => {
  it('applies a valid command and replies with the events it caused; a repeated request id changes nothing', async () => {
    const campaignId = await startCampaign();
    const command: CampaignCommand = {
      type: 'complete',
      requestId: uniqueId('req'),
      actor: staff,
      milestone: 'dialogue',
      date: subtractDuration(dateOfInstant(Date.now()), 'P3D'),
      evidence: { minutes: 'http://127.0.0.1/minutes' },
    };
    const reply = await engine.run(() => send(campaignId, command));
    expect(reply).toMatchObject({ ok: true, requestId: command.requestId });
    expect(reply.ok && reply.events.length).toBeGreaterThan(0);
    expect(await engine.run(() => send(campaignId, command))).toEqual(reply);

    const view = await engine.campaigns.view(campaignId);
    expect(view.milestones.find((m) => m.id === 'dialogue')).toMatchObject({ status: 'done', completedBy: staff });
    const events = (await readStream(nc, engine.config.EVENTS_STREAM)).filter((e) => e.data.campaignId === campaignId);
    expect(events.filter((e) => e.data.type === 'milestone-completed')).toHaveLength(1);
    expect(events.map((e) => e.data.sequence)).toEqual(expect.arrayContaining(reply.ok ? reply.events : []));
  });

  it('replies with a validation error naming each invalid field, and applies nothing', async () => {
    const campaignId = await startCampaign();
    const reply = await send(campaignId, { type: 'complete', requestId: 'r-1', actor: staff, milestone: 'Not A Slug', date: 'tomorrow' });
    expect(reply).toMatchObject({ ok: false, requestId: 'r-1', code: 'invalid' });
    const issues = reply.ok ? [] : reply.issues;
    expect(issues.some((i) => i.startsWith('milestone:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('date:'))).toBe(true);

    const missing = await send(campaignId, { type: 'complete', milestone: 'dialogue' });
    expect(missing.ok ? [] : missing.issues.map((i) => i.split(':')[0])).toEqual(expect.arrayContaining(['requestId', 'actor', 'date']));
    expect(await send(campaignId, 'not json')).toMatchObject({ ok: false, code: 'invalid', requestId: '' });
    expect(await send(campaignId, { type: 'explode', requestId: 'r-2', actor: staff })).toMatchObject({ ok: false, code: 'invalid' });
    expect((await engine.campaigns.view(campaignId)).milestones.find((m) => m.id === 'dialogue')?.status).toBe('open');
  });

  it('passes on the engine refusals: unknown campaign, role the milestone needs, missing evidence', async () => {
    const campaignId = await startCampaign();
    const today = dateOfInstant(Date.now());
    expect(await engine.run(() => send(uniqueId('nope'), { type: 'pause', requestId: 'r-3', actor: lead.actor }))).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    expect(
      await engine.run(() => send(campaignId, { type: 'complete', requestId: 'r-4', actor: staff, milestone: 'dialogue', date: today })),
    ).toMatchObject({ ok: false, code: 'invalid', message: expect.stringMatching(/minutes/) as unknown });
    expect(await engine.run(() => send(campaignId, { type: 'pause', requestId: 'r-5', actor: staff, reason: 'elections' }))).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
  });

  it('refuses an actor above COMMANDS_MAX_ROLE', async () => {
    const campaignId = await startCampaign();
    const reply = await send(campaignId, { type: 'resume', requestId: 'r-6', actor: { id: 'x', role: 'system' } });
    expect(reply).toMatchObject({ ok: false, code: 'forbidden', issues: [expect.stringMatching(/^actor\.role:/) as unknown] });
  });
});
