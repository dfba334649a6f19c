import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplates } from '../../infra/templates.js';
import { addDuration, dateOfInstant, subtractDuration } from '../../shared/dates.js';
import { CampaignError } from '../../shared/errors.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { connectNats, connectTemporal, uniqueId, type TemporalTestConnection } from '../support/index.js';
import { readStream } from '../support/stream.js';

/**
 * The built-in treaty templates on the dev server: UNCAT tells OPCAT (Art. 27), OPCAT's entry into
 * force starts the NPM designation with the Art. 24 postponement, deadlines to the calendar day.
 */
const lead = { actor: { id: 'lead-1', role: 'programme-lead' as const } };
const staff = { actor: { id: 'staff-1', role: 'staff' as const } };

describe('UNCAT -> OPCAT -> NPM on the dev server', () => {
  let temporal: TemporalTestConnection;
  let nc: NatsConnection;
  let engine: TestEngine;

  beforeAll(async () => {
    [temporal, nc] = await Promise.all([connectTemporal(), connectNats({ name: 'treaty-e2e' })]);
    const templates = await loadTemplates();
    engine = await createTestEngine({
      client: temporal.client,
      connection: temporal.nativeConnection,
      nc,
      templates: templates.allTemplates(),
    });
  });
  afterAll(async () => {
    await engine?.stop();
    await Promise.allSettled([temporal?.close(), nc?.drain()]);
  });

  it('runs the full path with the real treaty rules', async () => {
    const { campaigns } = engine;
    const today = dateOfInstant(Date.now());
    const ago = (days: number) => subtractDuration(today, `P${days}D`);
    const country = 'TL';
    const uncatId = uniqueId('uncat');
    const opcatId = uniqueId('opcat');

    await engine.run(async () => {
      const missing = await campaigns.start({ template: 'opcat-ratification', country }, lead).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(CampaignError);
      expect((missing as CampaignError).issues.join()).toMatch(/uncatStatus/);

      await campaigns.start(
        {
          template: 'uncat-ratification',
          country,
          campaignId: uncatId,
          completed: [
            { milestone: 'ministry-dialogue', date: ago(400) },
            { milestone: 'inter-ministerial-review', date: ago(300) },
            { milestone: 'government-decision', date: ago(200) },
            { milestone: 'signature', date: ago(150) },
            { milestone: 'parliamentary-approval', date: ago(100) },
          ],
        },
        lead,
      );
      await expect
        .poll(async () => (await campaigns.list({ country, template: 'uncat-ratification' })).length, { timeout: 15_000 })
        .toBe(1);

      // The OPCAT campaign learns from the UNCAT campaign that UNCAT is signed (not yet ratified).
      const opcat = await campaigns.start({ template: 'opcat-ratification', country, campaignId: opcatId }, lead);
      expect(opcat.inputs.uncatStatus).toBe('signed');
      for (const milestone of ['awareness-dialogue', 'national-consultation'])
        await campaigns.execute(opcatId, { type: 'complete', milestone, date: ago(90) }, staff);
      await campaigns.execute(opcatId, { type: 'complete', milestone: 'government-decision', date: ago(80) }, lead);
      await campaigns.execute(opcatId, { type: 'complete', milestone: 'signature', date: ago(70) }, lead);
      await campaigns.execute(opcatId, { type: 'complete', milestone: 'parliamentary-approval', date: ago(60) }, staff);
      const deposit = {
        type: 'complete',
        milestone: 'deposit',
        date: ago(40),
        evidence: { instrumentKind: 'ratification', art24PartIVPostponement: 'P3Y' },
      };
      const refused = await campaigns.execute(opcatId, deposit, lead).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'precondition' });
      expect((refused as CampaignError).message).toMatch(/Art\. 27/);

      // UNCAT deposit: entry into force 30 days later (Art. 27(2)), report a year after (Art. 19(1)).
      const uncatDeposit = ago(50);
      await campaigns.execute(
        uncatId,
        { type: 'complete', milestone: 'deposit', date: uncatDeposit, evidence: { instrumentKind: 'ratification' } },
        lead,
      );
      const uncat = await campaigns.view(uncatId);
      const uncatEif = addDuration(uncatDeposit, 'P30D');
      expect(uncat.milestones.find((m) => m.id === 'entry-into-force')).toMatchObject({ status: 'done', completedOn: uncatEif });
      expect(uncat.milestones.find((m) => m.id === 'initial-report')?.dueOn).toBe(addDuration(uncatEif, 'P1Y'));

      // The UNCAT campaign told the OPCAT campaign; now the deposit is accepted.
      await expect.poll(async () => (await campaigns.view(opcatId)).inputs.uncatStatus, { timeout: 15_000 }).toBe('ratified');
      await campaigns.execute(opcatId, deposit, lead);
      const opcatEif = addDuration(ago(40), 'P30D');
      const after = await campaigns.view(opcatId);
      expect(after.milestones.find((m) => m.id === 'entry-into-force')).toMatchObject({ status: 'done', completedOn: opcatEif });
      expect(after.followOns).toEqual([
        { milestone: 'entry-into-force', templateId: 'npm-designation', campaignId: `${opcatId}~npm-designation` },
      ]);

      // The NPM campaign outlives OPCAT's and counts Art. 17 + the Art. 24 Part IV postponement.
      const npmId = `${opcatId}~npm-designation`;
      await expect.poll(async () => (await campaigns.view(npmId).catch(() => undefined))?.status, { timeout: 15_000 }).toBe('active');
      const npm = await campaigns.view(npmId);
      expect(npm.parentCampaignId).toBe(opcatId);
      expect(npm.inputs).toMatchObject({ opcatEntryIntoForce: opcatEif, art24PartIVPostponement: 'P3Y' });
      expect(npm.milestones.find((m) => m.id === 'legislation-adopted')?.dueOn).toBe(addDuration(opcatEif, 'P4Y'));

      // The CAT extends the postponement by two years (Art. 24(2)).
      await campaigns.execute(npmId, { type: 'set-input', name: 'art24PartIVExtension', value: 'P2Y', reason: 'CAT decision' }, lead);
      expect((await campaigns.view(npmId)).milestones.find((m) => m.id === 'legislation-adopted')?.dueOn).toBe(
        addDuration(opcatEif, 'P6Y'),
      );
      for (const id of [uncatId, opcatId, npmId]) {
        const view = await campaigns.view(id);
        if (view.status === 'active') await campaigns.execute(id, { type: 'cancel', reason: 'test over' }, lead);
      }
    });

    const events = (await readStream(nc, engine.config.EVENTS_STREAM)).map((e) => e.data);
    const follow = events.find((e) => e.type === 'follow-on-started');
    expect(follow).toMatchObject({ campaignId: opcatId, followOnTemplateId: 'npm-designation' });
    const subjects = events.filter((e) => e.campaignId === opcatId).map((e) => e.templateId);
    expect(new Set(subjects)).toEqual(new Set(['opcat-ratification']));
  });
});
