import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignError } from '../../shared/errors.js';
import { dateOfInstant, subtractDuration } from '../../shared/dates.js';
import { parseTemplate } from '../../shared/template/validate.js';
import { connectNats, connectTemporal, uniqueId, type TemporalTestConnection } from '../support/index.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { readStream } from '../support/stream.js';
import type { NatsConnection } from '@nats-io/transport-node';
import type { campaignWorkflow } from '../../workflows/campaign.js';

const template = parseTemplate({
  id: 'three-step',
  version: 1,
  title: 'Three-step test process',
  milestones: [
    { id: 'dialogue', title: 'Dialogue', evidence: [{ name: 'minutes', label: 'Minutes', type: 'url' }] },
    { id: 'workshop', title: 'Optional workshop', dependsOn: ['dialogue'], optional: true },
    {
      id: 'decision',
      title: 'Government decision',
      dependsOn: ['dialogue'],
      role: 'programme-lead',
      deadline: { after: { start: true }, duration: 'P1Y' },
    },
  ],
});

const lead = { actor: { id: 'lead-1', role: 'programme-lead' as const } };
const staff = { actor: { id: 'staff-1', role: 'staff' as const } };

async function rejection(p: Promise<unknown>): Promise<CampaignError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CampaignError);
  return err as CampaignError;
}

describe('campaign end to end on the dev server with JetStream', () => {
  let temporal: TemporalTestConnection;
  let nc: NatsConnection;
  let engine: TestEngine;

  beforeAll(async () => {
    [temporal, nc] = await Promise.all([connectTemporal(), connectNats({ name: 'campaign-e2e' })]);
    engine = await createTestEngine({ client: temporal.client, connection: temporal.nativeConnection, nc, templates: [template] });
  });
  afterAll(async () => {
    await engine?.stop();
    await Promise.allSettled([temporal?.close(), nc?.drain()]);
  });

  it('runs start, complete, skip, reopen, pause, resume and cancel, publishing one event per change in order', async () => {
    const campaignId = uniqueId('e2e');
    const { campaigns } = engine;
    const today = dateOfInstant(Date.now());
    const final = await engine.run(async () => {
      const started = await campaigns.start({ template: 'three-step', country: 'ID', campaignId }, lead);
      expect(started.milestones.map((m) => [m.id, m.status])).toEqual([
        ['dialogue', 'open'],
        ['workshop', 'blocked'],
        ['decision', 'blocked'],
      ]);
      expect(started.region).toBe('asia-pacific');

      // Bad commands are refused with the reason, and change nothing.
      expect((await rejection(campaigns.execute(campaignId, { type: 'complete', milestone: 'nope', date: today }, staff))).code).toBe(
        'not-found',
      );
      const missing = await rejection(campaigns.execute(campaignId, { type: 'complete', milestone: 'dialogue', date: today }, staff));
      expect(missing.code).toBe('invalid');
      expect(missing.message).toMatch(/minutes/);
      const future = await rejection(
        campaigns.execute(
          campaignId,
          { type: 'complete', milestone: 'dialogue', date: '2999-01-01', evidence: { minutes: 'https://example.org/m' } },
          staff,
        ),
      );
      expect(future.message).toMatch(/future/);
      const badField = await rejection(
        campaigns.execute(campaignId, { type: 'complete', milestone: 'dialogue', date: 'yesterday' }, staff),
      );
      expect(badField.issues.some((i) => i.startsWith('date:'))).toBe(true);

      const past = subtractDuration(today, 'P10D');
      const done = await campaigns.execute(
        campaignId,
        {
          type: 'complete',
          milestone: 'dialogue',
          date: past,
          evidence: { minutes: 'https://example.org/m' },
          note: 'met the ministry',
          requestId: 'req-1',
        },
        staff,
      );
      expect(done.ok).toBe(true);
      // Same request id again: same answer, no second completion.
      expect(
        await campaigns.execute(
          campaignId,
          { type: 'complete', milestone: 'dialogue', date: past, evidence: { minutes: 'https://example.org/m' }, requestId: 'req-1' },
          staff,
        ),
      ).toEqual(done);
      const again = await rejection(
        campaigns.execute(
          campaignId,
          { type: 'complete', milestone: 'dialogue', date: past, evidence: { minutes: 'https://example.org/m' } },
          staff,
        ),
      );
      expect(again.code).toBe('conflict');
      expect((await rejection(campaigns.execute(campaignId, { type: 'complete', milestone: 'decision', date: today }, staff))).code).toBe(
        'forbidden',
      );

      await campaigns.execute(campaignId, { type: 'skip', milestone: 'workshop', reason: 'no budget this year' }, staff);
      await campaigns.execute(campaignId, { type: 'reopen', milestone: 'workshop', reason: 'budget found' }, staff);
      expect((await rejection(campaigns.execute(campaignId, { type: 'pause' }, staff))).code).toBe('forbidden');
      await campaigns.execute(campaignId, { type: 'pause', reason: 'elections' }, lead);
      expect((await campaigns.view(campaignId)).status).toBe('paused');
      await campaigns.execute(campaignId, { type: 'resume' }, lead);
      const view = await campaigns.view(campaignId);
      expect(view.milestones.find((m) => m.id === 'dialogue')).toMatchObject({
        status: 'done',
        completedOn: past,
        completedBy: staff.actor,
      });
      expect(view.milestones.find((m) => m.id === 'workshop')?.status).toBe('open');
      expect(view.milestones.find((m) => m.id === 'decision')?.dueOn).toBeDefined();

      await campaigns.execute(campaignId, { type: 'cancel', reason: 'programme closed' }, lead);
      expect((await rejection(campaigns.execute(campaignId, { type: 'resume' }, lead))).code).toBe('conflict');
      return temporal.client.workflow.getHandle<typeof campaignWorkflow>(campaignId).result();
    });
    expect(final.status).toBe('cancelled');
    expect(final.history.map((h) => h.action)).toEqual([
      'campaign started',
      'completed',
      'skipped',
      'reopened',
      'paused',
      'resumed',
      'cancelled',
    ]);

    const events = (await readStream(nc, engine.config.EVENTS_STREAM)).filter((e) => e.data.campaignId === campaignId);
    expect(events.map((e) => e.data.type)).toEqual([
      'campaign-started',
      'milestone-opened',
      'milestone-completed',
      'milestone-opened',
      'milestone-opened',
      'milestone-skipped',
      'milestone-reopened',
      'milestone-opened',
      'campaign-paused',
      'campaign-resumed',
      'campaign-cancelled',
    ]);
    expect(events.map((e) => e.data.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    // No free text leaves the campaign: the note and the reasons stay in its history.
    expect(JSON.stringify(events)).not.toMatch(/met the ministry|no budget|elections|programme closed/);
  });

  it('lists campaigns by search attributes', async () => {
    const campaignId = uniqueId('e2e-list');
    await engine.run(async () => {
      await engine.campaigns.start({ template: 'three-step', country: 'PH', campaignId }, lead);
      // Visibility is eventually consistent; poll the list, not a sleep.
      await expect
        .poll(async () => (await engine.campaigns.list({ country: 'PH', template: 'three-step' })).map((c) => c.campaignId), {
          timeout: 15_000,
        })
        .toContain(campaignId);
      await engine.campaigns.execute(campaignId, { type: 'cancel', reason: 'test done' }, lead);
    });
    const forbidden = await rejection(engine.campaigns.start({ template: 'three-step', country: 'TH' }, staff));
    expect(forbidden.code).toBe('forbidden');
    const scoped = await rejection(engine.campaigns.view(campaignId, { ...lead, countries: ['ID'] }));
    expect(scoped.code).toBe('not-found');
  });
});
