import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CampaignClient, type CampaignSummary, type WorkItem, type WorkReport } from '../../clients/campaign-client.js';
import { searchAttributesOf } from '../../shared/campaign/search.js';
import { parseConfig } from '../../shared/config.js';
import { dateOfInstant, subtractDuration } from '../../shared/dates.js';
import { campaignWorkflow } from '../../workflows/campaign.js';
import { cliEnv, runCli, type CliRun } from '../support/cli.js';
import { lookupOf } from '../support/engine.js';
import { connectTemporal, uniqueId } from '../support/index.js';
import { apiTemplate, startApiHarness, type ApiHarness } from '../support/api.js';

/**
 * Issue 10, "One broken campaign never breaks a shared view", end to end. Three campaigns of the test
 * template, each with its `decision` overdue (started two years ago with `dialogue` done):
 * - ok (PH): a healthy campaign;
 * - stopped (TH): terminated by an operator with the Temporal client;
 * - silent (ID): a campaign no engine worker can run — started on the engine's task queue, in scope, with
 *   an input the worker cannot decode (as if written by another engine's payload codec), so its workflow
 *   task fails over and over and its view query never gets an answer.
 * GET /work (array and envelope), `advocacy due` (text and --json) and the dashboard's "Due & overdue"
 * page all answer 200 / exit 0 with ok's work and name the other two with what to do; the campaign lists
 * show the terminated one as such.
 */

const today = dateOfInstant(Date.now());
const lead = { actor: { id: 'lead-ana', role: 'programme-lead' as const } };
const QUERY_TIMEOUT_MS = 3000;

/** Marks every payload with an encoding no worker knows: the workflow's input cannot be decoded. */
const foreignCodec = {
  encode: (payloads: Payload[]) =>
    Promise.resolve(
      payloads.map((p) => ({ ...p, metadata: { ...p.metadata, encoding: new TextEncoder().encode('binary/other-engine') } })),
    ),
  decode: (payloads: Payload[]) => Promise.resolve(payloads),
};

describe('campaigns that cannot be read are flagged, never fatal', { timeout: 150_000 }, () => {
  let h: ApiHarness;
  let env: Record<string, string>;
  const ids = { ok: uniqueId('ur-ph'), stopped: uniqueId('ur-th'), silent: uniqueId('ur-id') };
  const partWay = (country: string, campaignId: string) => ({
    template: 'api-test',
    country,
    campaignId,
    startDate: subtractDuration(today, 'P2Y'),
    completed: [{ milestone: 'dialogue', date: subtractDuration(today, 'P20M'), evidence: { minutes: 'https://example.org/m' } }],
  });
  const api = (url: string) => h.engine.run(() => h.app.inject({ url, headers: h.auth('viewer') }));
  const cli = (args: string[]): Promise<CliRun> => h.engine.run(() => runCli(args, env));
  const key = (i: WorkItem) => `${i.campaignId}/${i.milestone}`;

  beforeAll(async () => {
    h = await startApiHarness({ queryTimeoutMs: QUERY_TIMEOUT_MS });
    const scratch = join(inject('runDir'), uniqueId('unreadable'));
    mkdirSync(scratch, { recursive: true });
    env = cliEnv(
      { temporal: h.temporal, engine: h.engine, scratch },
      { ADVOCACY_ACTOR: 'guest', ADVOCACY_ROLE: 'viewer', CAMPAIGN_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS) },
    );

    const c = h.engine.campaigns;
    await h.engine.run(async () => {
      await c.start(partWay('PH', ids.ok), lead);
      await c.start(partWay('TH', ids.stopped), lead);
    });
    await h.temporal.client.workflow.getHandle(ids.stopped).terminate('stopped by an operator in the test');

    const foreign = new Client({
      connection: h.temporal.connection,
      namespace: h.temporal.namespace,
      dataConverter: { payloadCodecs: [foreignCodec] },
    });
    await foreign.workflow.start('campaignWorkflow', {
      workflowId: ids.silent,
      taskQueue: h.engine.config.TEMPORAL_TASK_QUEUE,
      typedSearchAttributes: searchAttributesOf({
        country: 'ID',
        region: 'asia-pacific',
        templateId: 'api-test',
        stage: 'dialogue',
        status: 'active',
        overdue: ['decision'],
      }),
      args: [{ start: partWay('ID', ids.silent) }],
    });

    // Temporal refuses queries once the silent campaign's workflow task has failed and is being retried.
    const attempt = async () => (await h.temporal.client.workflow.getHandle(ids.silent).describe()).raw.pendingWorkflowTask?.attempt ?? 0;
    for (let i = 0; (await attempt()) < 2; i++) {
      if (i > 100) throw new Error('the silent campaign never failed its workflow task');
      await new Promise((r) => setTimeout(r, 200));
    }
    // Visibility lags a little: wait until all three are listed as they should be.
    const expected = [`${ids.ok}:running`, `${ids.silent}:running`, `${ids.stopped}:terminated`].sort().join(' ');
    for (let i = 0; ; i++) {
      const seen = (await c.list({ limit: 10 }))
        .map((s) => `${s.campaignId}:${s.execution}`)
        .sort()
        .join(' ');
      if (seen === expected) break;
      if (i > 100) throw new Error(`the list never showed the three campaigns as expected: ${seen}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  afterAll(async () => {
    await h?.temporal.client.workflow
      .getHandle(ids.silent)
      .terminate('test over')
      .catch(() => undefined);
    await h?.close();
  });

  it('GET /work answers 200 with the readable work, counts the others in a header and names them in the envelope', async () => {
    const started = Date.now();
    const plain = await api('/work');
    expect(plain.statusCode).toBe(200);
    expect(plain.json<WorkItem[]>().map(key)).toEqual([`${ids.ok}/decision`]);
    expect(plain.headers['unreadable-campaigns']).toBe('2');
    // One bounded query per campaign, run side by side: far less than the caller would wait without a bound.
    expect(Date.now() - started).toBeLessThan(4 * QUERY_TIMEOUT_MS);

    const enveloped = await api('/work?envelope=true');
    expect(enveloped.statusCode).toBe(200);
    const report = enveloped.json<WorkReport>();
    expect(report.items.map(key)).toEqual([`${ids.ok}/decision`]);
    const byId = new Map(report.unreadable.map((u) => [u.campaignId, u]));
    expect([...byId.keys()].sort()).toEqual([ids.silent, ids.stopped].sort());
    expect(byId.get(ids.stopped)).toMatchObject({
      country: 'TH',
      template: 'api-test',
      problem: 'terminated',
      message: "the campaign's workflow was stopped by an operator in Temporal: stopped by an operator in the test",
      action: expect.stringMatching(
        new RegExp(
          `if it was stopped by mistake, restart it from its last good state with \`temporal workflow reset --workflow-id ${ids.stopped} `,
        ),
      ) as unknown,
      temporalUrl: `http://temporal-ui.test:8233/namespaces/${h.temporal.namespace}/workflows/${ids.stopped}`,
    });
    expect(byId.get(ids.silent)).toMatchObject({
      country: 'ID',
      problem: 'stuck',
      message: 'the engine worker cannot run the campaign: its workflow task fails again and again',
      action: expect.stringMatching(/: its workflow task failures say why\. A campaign the worker cannot decode or replay/) as unknown,
    });

    // The OpenAPI document describes both shapes and the header.
    const doc = (await h.app.inject({ url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    }>();
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['WorkReport', 'UnreadableCampaign']));
    expect(JSON.stringify(doc.paths['/work']?.get?.responses['200'])).toMatch(/Unreadable-Campaigns.*anyOf.*WorkItem.*WorkReport/);
  });

  it('the campaign list shows the terminated campaign as terminated, never active, and filters by it', async () => {
    const all = (await api('/campaigns')).json<CampaignSummary[]>();
    expect(all.find((s) => s.campaignId === ids.stopped)).toMatchObject({ status: 'terminated', execution: 'terminated' });
    expect(all.find((s) => s.campaignId === ids.ok)).toMatchObject({ status: 'active', execution: 'running' });
    expect(
      (await api('/campaigns?status=active'))
        .json<CampaignSummary[]>()
        .map((s) => s.campaignId)
        .sort(),
    ).toEqual([ids.ok, ids.silent].sort());
    expect((await api('/campaigns?status=terminated')).json<CampaignSummary[]>().map((s) => s.campaignId)).toEqual([ids.stopped]);
    // One campaign: the silent one says what is wrong (503), never "Temporal did not answer".
    const silent = await api(`/campaigns/${ids.silent}`);
    expect(silent.statusCode).toBe(503);
    expect(silent.json<{ message: string }>().message).toMatch(
      new RegExp(`^campaign ${ids.silent} cannot be shown: the engine worker cannot run the campaign: `),
    );
  });

  it('`advocacy due` exits 0 with the readable work and warns on stderr, naming each unreadable campaign', async () => {
    const [asJson, asText] = await Promise.all([cli(['due', '--json']), cli(['due'])]);
    expect(asJson.code, asJson.stderr).toBe(0);
    expect((JSON.parse(asJson.stdout) as WorkItem[]).map(key)).toEqual([`${ids.ok}/decision`]);
    const warning = (JSON.parse(asJson.stderr) as { warning: { message: string; unreadable: { campaignId: string; problem: string }[] } })
      .warning;
    expect(warning.message).toBe('2 campaigns could not be read; their work is not listed above:');
    expect(warning.unreadable.map((u) => [u.campaignId, u.problem]).sort()).toEqual(
      [
        [ids.silent, 'stuck'],
        [ids.stopped, 'terminated'],
      ].sort(),
    );

    expect(asText.code, asText.stderr).toBe(0);
    expect(asText.stdout).toMatch(new RegExp(`${ids.ok} \\(PH\\)`));
    expect(asText.stderr).toMatch(/^warning: 2 campaigns could not be read; their work is not listed above:$/m);
    expect(asText.stderr).toMatch(
      new RegExp(
        `^ {2}- ${ids.stopped} \\(TH\\): the campaign's workflow was stopped by an operator in Temporal: stopped by an operator in the test\\. What to do: `,
        'm',
      ),
    );
    expect(asText.stderr).toMatch(
      new RegExp(
        `^ {2}- ${ids.silent} \\(ID\\): the engine worker cannot run the campaign: its workflow task fails again and again\\. What to do: `,
        'm',
      ),
    );

    const list = await cli(['campaign', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${ids.stopped} .*! terminated`));
    expect(list.stderr).toMatch(/^warning: 1 campaign could not be read; their workflows stopped without the campaign finishing:$/m);
  });

  it("the dashboard's due page and campaign list answer 200 with a notice per unreadable campaign", async () => {
    const login = await h.app.inject({ method: 'POST', url: '/ui/login', payload: { key: h.secrets.viewer, next: '/ui' } });
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;

    const due = await h.engine.run(() => h.app.inject({ url: '/ui/due', headers: { cookie } }));
    expect(due.statusCode).toBe(200);
    expect(due.body).toContain(`data-campaign="${ids.ok}" data-milestone="decision"`);
    expect(due.body).not.toContain(`data-campaign="${ids.stopped}"`);
    for (const id of [ids.stopped, ids.silent]) expect(due.body).toContain(`data-unreadable="${id}"`);
    expect(due.body).toMatch(/stopped by an operator in Temporal: stopped by an operator in the test\./);
    expect(due.body).toMatch(/The engine worker cannot run the campaign: its workflow task fails again and again\./);
    expect(due.body).toContain(`href="http://temporal-ui.test:8233/namespaces/${h.temporal.namespace}/workflows/${ids.stopped}"`);

    const list = await h.engine.run(() => h.app.inject({ url: '/ui', headers: { cookie } }));
    expect(list.statusCode).toBe(200);
    for (const id of [ids.stopped, ids.silent]) expect(list.body).toContain(`data-unreadable="${id}"`);
    expect(list.body).toContain('badge--terminated');
  });
});

describe('when no engine worker runs at all', { timeout: 120_000 }, () => {
  it('the work list answers at once with every campaign flagged, and `advocacy due` exits 0 with the warning', async () => {
    const temporal = await connectTemporal();
    try {
      // A task queue no worker polls: campaigns are listed (in scope) but none can answer its view query.
      const taskQueue = uniqueId('no-worker');
      const campaigns = new CampaignClient({
        client: temporal.client,
        taskQueue,
        templates: lookupOf([apiTemplate]),
        queryTimeoutMs: 1500,
      });
      const ids = Array.from({ length: 12 }, (_, i) => uniqueId(`nw-${i}`));
      for (const id of ids)
        await temporal.client.workflow.start(campaignWorkflow, {
          workflowId: id,
          taskQueue,
          typedSearchAttributes: searchAttributesOf({
            country: 'FJ',
            region: 'asia-pacific',
            templateId: 'api-test',
            stage: 'not-started',
            status: 'active',
            overdue: [],
          }),
          args: [
            {
              start: {
                campaignId: id,
                template: apiTemplate,
                country: 'FJ',
                region: 'asia-pacific',
                startDate: today,
                inputs: {},
                actor: lead.actor,
                completed: [],
                skipped: [],
              },
            },
          ],
        });
      for (let i = 0; (await campaigns.list({ status: 'active' })).length < ids.length; i++) {
        if (i > 100) throw new Error('the campaigns were never listed');
        await new Promise((r) => setTimeout(r, 200));
      }

      const started = Date.now();
      const report = await campaigns.workReport({}, { actor: { id: 'guest', role: 'viewer' } });
      // The first round of queries times out; the rest are not tried: well under 12 bounded queries in a row.
      expect(Date.now() - started).toBeLessThan(3 * 1500 + 2000);
      expect(report.items).toEqual([]);
      expect(report.unreadable.map((u) => u.campaignId).sort()).toEqual([...ids].sort());
      expect(report.unreadable.filter((u) => u.problem !== 'no-answer')).toEqual([]);
      expect(report.unreadable[0]?.action).toMatch(
        new RegExp(`^check that an engine worker \\(\`npm run worker\`\\) runs and polls task queue "${taskQueue}"`),
      );

      const scratch = join(inject('runDir'), uniqueId('no-worker'));
      mkdirSync(scratch, { recursive: true });
      const env = cliEnv(
        { temporal, engine: { config: parseConfig({ TEMPORAL_TASK_QUEUE: taskQueue }) }, scratch },
        { CAMPAIGN_QUERY_TIMEOUT_MS: '1500', ADVOCACY_ROLE: 'viewer' },
      );
      const due = await runCli(['due'], env);
      expect(due.code, due.stderr).toBe(0);
      expect(due.stdout).toMatch(/nothing overdue or due within 30 days/);
      expect(due.stderr).toMatch(/^warning: 12 campaigns could not be read; their work is not listed above:$/m);
      expect(due.stderr).toMatch(/no engine worker answered for the campaign within 1\.5 s/);
      for (const id of ids) await temporal.client.workflow.getHandle(id).terminate('test over');
    } finally {
      await temporal.close();
    }
  });
});
