import type { NatsConnection } from '@nats-io/transport-node';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandSignal, commandUpdate, startCampaignSchema, viewQuery, type StartCampaignInput } from '../../shared/campaign/index.js';
import { dateOfInstant } from '../../shared/dates.js';
import { parseTemplate, type Template } from '../../shared/template/validate.js';
import { campaignWorkflow } from '../../workflows/campaign.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { connectNats, registerSearchAttributes, timeSkippingOptions, uniqueId } from '../support/index.js';
import { readStream } from '../support/stream.js';

/**
 * Deadlines over months and years on the Java time-skipping test server: the workflow sleeps to the
 * next due day and the server skips the wait.
 */
const treaty = parseTemplate({
  id: 'deposit-report',
  version: 1,
  title: 'Deposit, entry into force and initial report',
  milestones: [
    { id: 'deposit', title: 'Deposit of the instrument' },
    {
      id: 'entry-into-force',
      title: 'Entry into force',
      dependsOn: ['deposit'],
      automatic: { after: { milestone: 'deposit' }, duration: 'P30D', legalBasis: 'Art. 27(2)' },
    },
    {
      id: 'initial-report',
      title: 'Initial report',
      dependsOn: ['entry-into-force'],
      deadline: { after: { milestone: 'entry-into-force' }, duration: 'P1Y', legalBasis: 'Art. 19(1)', maxExtension: 'P6M' },
      reminders: ['P3M', 'P1M'],
    },
  ],
  process: 'ratification',
});
const followOnParent = parseTemplate({
  id: 'parent-process',
  version: 1,
  title: 'Parent',
  milestones: [
    {
      id: 'ratified',
      title: 'Ratified',
      followOn: [{ template: 'deposit-report', inputs: {} }],
    },
    { id: 'later', title: 'Later step', dependsOn: ['ratified'] },
  ],
});

const lead = { id: 'lead', role: 'programme-lead' as const };

describe('campaigns over simulated years (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let nc: NatsConnection;
  let engine: TestEngine;
  const templates: Template[] = [treaty, followOnParent];

  beforeAll(async () => {
    [env, nc] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping(timeSkippingOptions()),
      connectNats({ name: 'campaign-time' }),
    ]);
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    engine = await createTestEngine({ client: env.client, connection: env.nativeConnection, nc, templates });
  });
  afterAll(async () => {
    await engine?.stop();
    await Promise.allSettled([nc?.drain(), env?.teardown()]);
  });

  const startInput = async (campaignId: string, template: Template, extra: Partial<StartCampaignInput> = {}) => ({
    start: startCampaignSchema.parse({
      campaignId,
      template,
      country: 'KH',
      region: 'asia-pacific',
      startDate: dateOfInstant(await env.currentTimeMs()),
      actor: lead,
      ...extra,
    }),
  });

  it('enters into force 30 days after deposit, reminds before the report deadline and flags it overdue', async () => {
    const campaignId = uniqueId('years');
    const today = dateOfInstant(await env.currentTimeMs());
    await engine.run(async () => {
      const handle = await env.client.workflow.start(campaignWorkflow, {
        workflowId: campaignId,
        taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
        args: [await startInput(campaignId, treaty, { completed: [{ milestone: 'deposit', date: today }] })],
      });
      await env.sleep('31 days');
      let view = await handle.query(viewQuery);
      const eif = view.milestones.find((m) => m.id === 'entry-into-force');
      expect(eif?.status).toBe('done');
      const report = view.milestones.find((m) => m.id === 'initial-report');
      expect(report?.dueOn).toBeDefined();

      await env.sleep('400 days');
      view = await handle.query(viewQuery);
      expect(view.overdue).toEqual(['initial-report']);

      // A programme lead extends the deadline within the template's limit; beyond it is refused.
      const extended = await handle.executeUpdate(commandUpdate, {
        args: [
          {
            type: 'extend',
            milestone: 'initial-report',
            by: 'P6M',
            reason: 'CAT agreed',
            legalBasis: 'Art. 19',
            requestId: 'x1',
            actor: lead,
          },
        ],
      });
      expect(extended.ok).toBe(true);
      await expect(
        handle.executeUpdate(commandUpdate, {
          args: [
            { type: 'extend', milestone: 'initial-report', by: 'P1D', reason: 'more', legalBasis: 'Art. 19', requestId: 'x2', actor: lead },
          ],
        }),
      ).rejects.toThrow();
      // Commands that end a campaign go as signals here: the Java test server forgets an update whose
      // workflow closes before the client polls for its outcome ("update not found").
      await handle.signal(commandSignal, {
        type: 'complete',
        milestone: 'initial-report',
        date: dateOfInstant(await env.currentTimeMs()),
        requestId: 'x3',
        actor: lead,
        evidence: {},
      });
      const final = await handle.result();
      expect(final.status).toBe('completed');
    });

    const events = (await readStream(nc, engine.config.EVENTS_STREAM)).filter((e) => e.data.campaignId === campaignId).map((e) => e.data);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'reminder-due')).toHaveLength(2);
    expect(types.filter((t) => t === 'milestone-overdue')).toHaveLength(1);
    expect(types.indexOf('reminder-due')).toBeLessThan(types.indexOf('milestone-overdue'));
    const eifEvent = events.find((e) => e.type === 'milestone-completed' && e.milestone === 'entry-into-force');
    expect(eifEvent).toMatchObject({ automatic: true });
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(types.at(-1)).toBe('campaign-completed');
  });

  it('keeps its state and events across continue-as-new', async () => {
    const campaignId = uniqueId('can');
    const today = dateOfInstant(await env.currentTimeMs());
    await engine.run(async () => {
      const handle = await env.client.workflow.start(campaignWorkflow, {
        workflowId: campaignId,
        taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
        args: [{ ...(await startInput(campaignId, treaty)), continueAsNewAfter: 40 }],
      });
      const firstRun = (await handle.describe()).runId;
      for (let i = 0; i < 12; i++) {
        await handle.executeUpdate(commandUpdate, {
          args: [{ type: 'note', text: `note ${i}`, requestId: `n${i}`, actor: lead }],
        });
      }
      await handle.executeUpdate(commandUpdate, {
        args: [{ type: 'complete', milestone: 'deposit', date: today, requestId: 'dep', actor: lead, evidence: {} }],
      });
      // A repeated request id after continue-as-new still returns the first answer.
      const repeat = await handle.executeUpdate(commandUpdate, { args: [{ type: 'note', text: 'note 0', requestId: 'n0', actor: lead }] });
      expect(repeat.ok).toBe(true);
      await env.sleep('31 days');
      const view = await handle.query(viewQuery);
      expect((await handle.describe()).runId).not.toBe(firstRun);
      expect(view.history.filter((h) => h.action === 'note')).toHaveLength(12);
      expect(view.milestones.find((m) => m.id === 'entry-into-force')?.status).toBe('done');
      await handle.signal(commandSignal, { type: 'cancel', reason: 'done', requestId: 'c', actor: lead });
      await handle.result();
    });
    const events = (await readStream(nc, engine.config.EVENTS_STREAM)).filter((e) => e.data.campaignId === campaignId).map((e) => e.data);
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'note-added')).toHaveLength(12);
  });

  it('starts a follow-on campaign that outlives its parent', async () => {
    const campaignId = uniqueId('parent');
    const today = dateOfInstant(await env.currentTimeMs());
    await engine.run(async () => {
      const handle = await env.client.workflow.start(campaignWorkflow, {
        workflowId: campaignId,
        taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
        args: [await startInput(campaignId, followOnParent)],
      });
      await handle.executeUpdate(commandUpdate, {
        args: [{ type: 'complete', milestone: 'ratified', date: today, requestId: 'r', actor: lead, evidence: {} }],
      });
      await handle.signal(commandSignal, { type: 'cancel', reason: 'parent stops', requestId: 'c', actor: lead });
      const child = env.client.workflow.getHandle(`${campaignId}~deposit-report`);
      // Wait for the parent without skipping time: the Java test server gives workflows without a
      // timeout a 10-year one, and skipping while awaiting a result would jump the child straight to it.
      await new Client({ connection: env.connection }).workflow.getHandle(campaignId).result();
      const view = await child.query(viewQuery);
      expect(view.parentCampaignId).toBe(campaignId);
      expect(view.status).toBe('active');
      expect((await child.describe()).status.name).toBe('RUNNING');
      await child.signal(commandSignal, { type: 'cancel', reason: 'test over', requestId: 'c', actor: lead });
      await child.result();
    });
  });
});
