import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignView } from '../../shared/campaign/index.js';
import { dateOfInstant } from '../../shared/dates.js';
import { parseTemplate } from '../../shared/template/validate.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { connectNats, connectTemporal, uniqueId, type TemporalTestConnection } from '../support/index.js';

/**
 * A follow-on whose template the engine worker does not know: `resolveTemplate` fails for good. The
 * failure must not escape the follow-on starter (an unhandled rejection fails the workflow task again and
 * again: a stuck campaign). The campaign keeps working, shows the problem and what to do in its view and
 * history, retries on its next change, and starts the follow-on once a worker knows the template.
 */
const parent = parseTemplate({
  id: 'parent-process',
  version: 1,
  title: 'Parent process',
  milestones: [
    { id: 'one', title: 'One', followOn: [{ template: 'ghost-process' }] },
    { id: 'two', title: 'Two', dependsOn: ['one'] },
    { id: 'three', title: 'Three', dependsOn: ['two'] },
  ],
});
const ghost = parseTemplate({ id: 'ghost-process', version: 1, title: 'Ghost process', milestones: [{ id: 'only', title: 'Only' }] });
const lead = { actor: { id: 'lead', role: 'programme-lead' as const } };
const today = dateOfInstant(Date.now());

describe('a follow-on that cannot be started', () => {
  let temporal: TemporalTestConnection;
  let nc: Awaited<ReturnType<typeof connectNats>>;
  let engine: TestEngine;

  beforeAll(async () => {
    [temporal, nc] = await Promise.all([connectTemporal(), connectNats({ name: 'follow-on-failure' })]);
  });
  afterAll(async () => {
    await engine?.stop();
    await Promise.allSettled([temporal?.close(), nc?.drain()]);
  });

  it('keeps the campaign working, shows the problem, and starts the follow-on once the template is known', async () => {
    // The worker knows the parent's template only.
    engine = await createTestEngine({ client: temporal.client, connection: temporal.nativeConnection, nc, templates: [parent] });
    const campaignId = uniqueId('parent');
    const handle = temporal.client.workflow.getHandle(campaignId);
    const problemOf = (view: CampaignView) => view.problems?.[0];

    await engine.run(async () => {
      await engine.campaigns.start({ template: 'parent-process', country: 'FJ', campaignId }, lead);
      expect((await engine.campaigns.execute(campaignId, { type: 'complete', milestone: 'one', date: today }, lead)).ok).toBe(true);
      await expect
        .poll(async () => problemOf(await engine.campaigns.view(campaignId)), { timeout: 20_000 })
        .toMatchObject({
          kind: 'follow-on',
          milestone: 'one',
          templateId: 'ghost-process',
          campaignId: `${campaignId}~ghost-process`,
          attempts: 1,
          message: 'template ghost-process is not known to this worker; add it under templates/ or TEMPLATES_DIR',
          action: expect.stringMatching(/^make template ghost-process known to the engine worker/) as unknown,
        });
      const view = await engine.campaigns.view(campaignId);
      expect(view.history.map((h) => h.action)).toContain('follow-on not started');

      // The campaign keeps working: commands are accepted, and each change retries the follow-on.
      expect((await engine.campaigns.execute(campaignId, { type: 'complete', milestone: 'two', date: today }, lead)).ok).toBe(true);
      await expect.poll(async () => problemOf(await engine.campaigns.view(campaignId))?.attempts, { timeout: 20_000 }).toBe(2);
      expect((await handle.describe()).status.name).toBe('RUNNING');
    });

    // A worker that knows the template takes over; the next change starts the follow-on.
    const config = engine.config;
    await engine.stop();
    engine = await createTestEngine({
      client: temporal.client,
      connection: temporal.nativeConnection,
      nc,
      templates: [parent, ghost],
      config,
    });
    await engine.run(async () => {
      expect(
        (await engine.campaigns.execute(campaignId, { type: 'note', text: 'template added' }, { actor: { id: 'staff', role: 'staff' } }))
          .ok,
      ).toBe(true);
      await expect.poll(async () => (await engine.campaigns.view(campaignId)).problems, { timeout: 20_000 }).toBeUndefined();
      const child = await engine.campaigns.view(`${campaignId}~ghost-process`);
      expect(child).toMatchObject({ templateId: 'ghost-process', parentCampaignId: campaignId, status: 'active' });
      expect((await engine.campaigns.view(campaignId)).history.map((h) => h.action)).toContain('follow-on started after a retry');
    });

    // Never a failed workflow task: the failure was handled, not thrown.
    const history = await handle.fetchHistory();
    expect(history.events?.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
  });
});
