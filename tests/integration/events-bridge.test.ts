import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CommandType } from '../../shared/campaign/commands.js';
import { dateOfInstant, subtractDuration } from '../../shared/dates.js';
import { commandReplySchema, commandSubject, type CommandBody, type CommandReply } from '../../shared/events/command-messages.js';
import { parseTemplate } from '../../shared/template/validate.js';
import { startBridge, type Bridge } from '../../workers/bridge.js';
import { resolveCommandSenders } from '../../workers/command-senders.js';
import { connectNats, connectTemporal, testLogger, uniqueId, type TemporalTestConnection } from '../support/index.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { readStream } from '../support/stream.js';
import { eventually } from '../support/wait.js';

const template = parseTemplate({
  id: 'bridge-steps',
  version: 1,
  title: 'Two steps for the bridge test',
  milestones: [
    { id: 'dialogue', title: 'Dialogue', evidence: [{ name: 'minutes', label: 'Minutes', type: 'url' }] },
    { id: 'decision', title: 'Decision', dependsOn: ['dialogue'], role: 'programme-lead' },
  ],
});

/** Sender tokens (the subject's) and who the bridge takes them for. */
const senders = resolveCommandSenders(
  {
    senders: {
      'partner-system': { role: 'staff' },
      'partner-lead': { role: 'programme-lead' },
      'partner-ph': { role: 'programme-lead', countries: ['PH'] },
    },
  },
  { COMMANDS_MAX_ROLE: 'programme-lead' },
);
const staff = { id: 'nats:partner-system', role: 'staff' as const };
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
    config: { COMMANDS_SUBJECT_PREFIX: commandsPrefix },
    senders,
    logger: testLogger('bridge'),
    queue: uniqueId('bridge'),
  });
});

afterAll(async () => {
  await bridge?.stop();
  await engine?.stop();
  await Promise.allSettled([temporal?.close(), nc?.drain()]);
});

/** Sends as `sender` (default the staff one); the subject's type is the body's, or `type`. */
async function send(campaignId: string, body: unknown, options: { sender?: string; type?: CommandType } = {}): Promise<CommandReply> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const type = options.type ?? (body as { type?: CommandType }).type ?? 'note';
  const subject = commandSubject(commandsPrefix, options.sender ?? 'partner-system', campaignId, type);
  const msg = await nc.request(subject, payload, { timeout: 20_000 });
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
    const command: CommandBody = {
      type: 'complete',
      requestId: uniqueId('req'),
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
    // The events are published after the update has answered: wait until the stream holds them.
    const events = await vi.waitFor(async () => {
      const stored = (await readStream(nc, engine.config.EVENTS_STREAM)).filter((e) => e.data.campaignId === campaignId);
      expect(stored.map((e) => e.data.sequence)).toEqual(expect.arrayContaining(reply.ok ? reply.events : []));
      return stored;
    }, eventually);
    expect(events.filter((e) => e.data.type === 'milestone-completed')).toHaveLength(1);
  });

  it('replies with a validation error naming each invalid field, and applies nothing', async () => {
    const campaignId = await startCampaign();
    const reply = await send(campaignId, { type: 'complete', requestId: 'r-1', milestone: 'Not A Slug', date: 'tomorrow' });
    expect(reply).toMatchObject({ ok: false, requestId: 'r-1', code: 'invalid' });
    const issues = reply.ok ? [] : reply.issues;
    expect(issues.some((i) => i.startsWith('milestone:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('date:'))).toBe(true);

    const missing = await send(campaignId, { type: 'complete', milestone: 'dialogue' });
    expect(missing.ok ? [] : missing.issues.map((i) => i.split(':')[0])).toEqual(expect.arrayContaining(['requestId', 'date']));
    expect(await send(campaignId, 'not json')).toMatchObject({ ok: false, code: 'invalid', requestId: '' });
    expect(await send(campaignId, { type: 'explode', requestId: 'r-2' }, { type: 'pause' })).toMatchObject({ ok: false, code: 'invalid' });
    expect((await engine.campaigns.view(campaignId)).milestones.find((m) => m.id === 'dialogue')?.status).toBe('open');
  });

  it('passes on the engine refusals: unknown campaign, role the milestone needs, missing evidence', async () => {
    const campaignId = await startCampaign();
    const today = dateOfInstant(Date.now());
    expect(await engine.run(() => send(uniqueId('nope'), { type: 'pause', requestId: 'r-3' }, { sender: 'partner-lead' }))).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    expect(
      await engine.run(() => send(campaignId, { type: 'complete', requestId: 'r-4', milestone: 'dialogue', date: today })),
    ).toMatchObject({ ok: false, code: 'invalid', message: expect.stringMatching(/minutes/) as unknown });
    expect(await engine.run(() => send(campaignId, { type: 'pause', requestId: 'r-5', reason: 'elections' }))).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
  });

  it("acts as the sender token says: an actor in the body, an unknown sender or another type than the subject's is refused", async () => {
    const campaignId = await startCampaign();
    const asSystem = await send(campaignId, { type: 'resume', requestId: 'r-6', actor: { id: 'x', role: 'system' } });
    expect(asSystem).toMatchObject({
      ok: false,
      code: 'invalid',
      requestId: 'r-6',
      issues: [expect.stringMatching(/^actor: /) as unknown],
    });
    const stranger = await send(campaignId, { type: 'pause', requestId: 'r-7' }, { sender: 'stranger' });
    expect(stranger).toMatchObject({ ok: false, code: 'forbidden', message: expect.stringMatching(/"stranger"/) as unknown });
    const mismatch = await send(campaignId, { type: 'note', requestId: 'r-8', text: 'x' }, { type: 'cancel' });
    expect(mismatch).toMatchObject({ ok: false, code: 'invalid', issues: ['type: must be cancel, as in the subject'] });
    const note = await engine.run(() => send(campaignId, { type: 'note', requestId: 'r-9', text: 'called the ministry' }));
    expect(note).toMatchObject({ ok: true });
    expect((await engine.campaigns.view(campaignId)).history.at(-1)).toMatchObject({ actor: staff });
  });

  it('answers a sender scoped to other countries as for an unknown campaign, through the facade', async () => {
    const campaignId = await startCampaign(); // in ID; partner-ph may act on PH's campaigns only
    const outOfScope = await engine.run(() => send(campaignId, { type: 'pause', requestId: 'r-10' }, { sender: 'partner-ph' }));
    const unknown = await engine.run(() => send('no-such-campaign', { type: 'pause', requestId: 'r-10' }, { sender: 'partner-ph' }));
    expect(outOfScope).toEqual({ ...unknown, message: `no campaign with id ${campaignId}` });
    expect(outOfScope).toMatchObject({ ok: false, code: 'not-found' });
    expect((await engine.campaigns.view(campaignId)).status).toBe('active');
  });
});
