import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { connectTemporalForApi } from '../../api/temporal.js';
import { CampaignClient } from '../../clients/campaign-client.js';
import { ApiKeyStore } from '../../infra/api-keys.js';
import { TemplateRegistry } from '../../infra/templates.js';
import type { CampaignSummary } from '../../shared/campaign/requests.js';
import { searchAttributesOf } from '../../shared/campaign/search.js';
import type { CampaignView } from '../../shared/campaign/view.js';
import { CampaignError } from '../../shared/errors.js';
import { parseConfig } from '../../shared/config.js';
import { dateOfInstant, subtractDuration } from '../../shared/dates.js';
import { lookupOf } from '../support/engine.js';
import { testLogger, testPayloadEnv, uniqueId } from '../support/index.js';
import { apiTemplate, startApiHarness, type ApiHarness } from '../support/api.js';
import { campaignWorkflow } from '../../workflows/campaign.js';

interface ErrorJson {
  statusCode: number;
  code: string;
  message: string;
  issues: string[];
}
interface Accepted {
  requestId: string;
  events: number[];
  campaign: CampaignView;
}

const today = dateOfInstant(Date.now());
const past = subtractDuration(today, 'P20D');

describe('HTTP API on the dev server', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => h?.close());

  const post = (url: string, role: 'viewer' | 'staff' | 'lead', payload?: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { ...h.auth(role), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const get = (url: string, role: 'viewer' | 'staff' | 'lead' = 'viewer') => h.app.inject({ url, headers: h.auth(role) });

  it('lists and shows templates', async () => {
    const list = await get('/templates');
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual([{ id: 'api-test', version: 1, title: apiTemplate.title, process: 'ratification', versions: [1] }]);
    const one = await get('/templates/api-test');
    expect(one.json<{ milestones: { id: string }[] }>().milestones.map((m) => m.id)).toEqual([
      'dialogue',
      'workshop',
      'decision',
      'deposit',
    ]);
    expect((await get('/templates/api-test?version=2')).statusCode).toBe(404);
    const missing = await get('/templates/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'not-found', message: 'unknown template nope' });
  });

  it('starts campaigns (201 + Location), refuses bad ones with field paths, and replays a start with the same Idempotency-Key', async () => {
    const res = await post('/campaigns', 'lead', { template: 'api-test', country: 'id', owner: 'jakarta-office' });
    expect(res.statusCode).toBe(201);
    const view = res.json<CampaignView>();
    expect(view).toMatchObject({
      country: 'ID',
      region: 'asia-pacific',
      templateId: 'api-test',
      status: 'active',
      owner: 'jakarta-office',
    });
    expect(res.headers.location).toBe(`/campaigns/${view.campaignId}`);
    expect(view.history[0]?.actor).toEqual({ id: h.keyInfo.lead.id, role: 'programme-lead' });

    const bad = await post('/campaigns', 'lead', { template: 'Not A Slug', country: 'XX', startDate: '2024-02-30', surprise: true });
    expect(bad.statusCode).toBe(400);
    const err = bad.json<ErrorJson>();
    expect(err.code).toBe('invalid');
    expect(err.message).toMatch(/^invalid start request: /);
    expect(err.issues.map((i) => i.split(':')[0])).toEqual(expect.arrayContaining(['template', 'country', 'startDate', 'surprise']));

    const unknown = await post('/campaigns', 'lead', { template: 'nope', country: 'PH' });
    expect(unknown.statusCode).toBe(404);

    const key = uniqueId('idem');
    const first = await post('/campaigns', 'lead', { template: 'api-test', country: 'PH' }, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    const again = await post('/campaigns', 'lead', { template: 'api-test', country: 'PH' }, { 'idempotency-key': key });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json<CampaignView>().campaignId).toBe(first.json<CampaignView>().campaignId);
    const misuse = await post('/campaigns', 'lead', { template: 'api-test', country: 'TH' }, { 'idempotency-key': key });
    expect(misuse.statusCode).toBe(201); // another country: another campaign id

    const taken = await post('/campaigns', 'lead', { template: 'api-test', country: 'ID', campaignId: view.campaignId });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'conflict', issues: ['campaignId: already in use'] });
  });

  it('judges a part-way start in full before anything exists: 400 naming the field and the fix, and no workflow', async () => {
    const cases: { body: Record<string, unknown>; issues: string[] }[] = [
      {
        // A milestone given as done whose predecessor is not: the workflow would refuse it.
        body: { completed: [{ milestone: 'decision', date: past }] },
        issues: [
          'completed.0.milestone: "decision" is given as done but "dialogue" is not: give it as done ' +
            '(add {"milestone": "dialogue", "date": "YYYY-MM-DD"} to completed) or as skipped (add {"milestone": "dialogue", "reason": "..."} to skipped)',
        ],
      },
      {
        // Given as done and as skipped: the skip wins on the way, so the completion is refused.
        body: {
          completed: [{ milestone: 'dialogue', date: past, evidence: { minutes: 'https://example.org/m' } }],
          skipped: [{ milestone: 'dialogue', reason: 'no talks' }],
        },
        issues: [
          'completed.0.milestone: "dialogue" is given as done but is skipped (no talks): it is also in skipped.0; give it only once',
        ],
      },
    ];
    for (const { body, issues } of cases) {
      const campaignId = uniqueId('api-judged');
      const res = await post('/campaigns', 'lead', { template: 'api-test', country: 'ID', campaignId, ...body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid', message: `the campaign cannot start: ${issues.join('; ')}`, issues });
      const gone = await h.temporal.client.workflow
        .getHandle(campaignId)
        .describe()
        .catch((err: unknown) => err);
      expect(gone).toBeInstanceOf(WorkflowNotFoundError);
    }
  });

  it('a bad start that reaches the workflow directly ends it at once as failed, listed so and reported truthfully', async () => {
    const campaignId = uniqueId('api-direct');
    const handle = await h.temporal.client.workflow.start(campaignWorkflow, {
      workflowId: campaignId,
      taskQueue: h.engine.config.TEMPORAL_TASK_QUEUE,
      typedSearchAttributes: searchAttributesOf({
        country: 'KH',
        region: 'asia-pacific',
        templateId: 'api-test',
        stage: 'not-started',
        status: 'active',
        overdue: [],
      }),
      args: [
        {
          start: {
            campaignId,
            template: apiTemplate,
            country: 'KH',
            region: 'asia-pacific',
            startDate: past,
            inputs: {},
            actor: { id: 'someone', role: 'programme-lead' },
            completed: [{ milestone: 'decision', date: past, evidence: {} }],
            skipped: [],
          },
        },
      ],
    });
    const failure = await h.engine.run(() => handle.result().catch((err: unknown) => err));
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'invalid-start', nonRetryable: true });
    expect(cause?.message).toMatch(
      /^The campaign cannot start:\n {2}- completed\.0\.milestone: "decision" is given as done but "dialogue" is not: /,
    );

    // Read later, the campaign conflicts (409) and says why; never "Temporal did not answer".
    const shown = await get(`/campaigns/${campaignId}`);
    expect(shown.statusCode).toBe(409);
    expect(shown.json<ErrorJson>().message).toMatch(
      new RegExp(`^campaign ${campaignId} never started: its workflow refused its start: completed\\.0\\.milestone: `),
    );
    expect(shown.json<ErrorJson>().message).not.toMatch(/Temporal did not answer/);
    // Listed as failed, never as active.
    await expect
      .poll(
        async () => (await get('/campaigns?country=KH&status=failed')).json<CampaignSummary[]>().find((c) => c.campaignId === campaignId),
        { timeout: 15_000 },
      )
      .toMatchObject({ status: 'failed', execution: 'failed', stage: 'not-started' });
    expect((await get('/campaigns?country=KH&status=active')).json<CampaignSummary[]>().map((c) => c.campaignId)).not.toContain(campaignId);
    // A command for it is refused as a conflict that says why.
    const note = await post(`/campaigns/${campaignId}/notes`, 'staff', { text: 'hello' });
    expect(note.statusCode).toBe(409);
    expect(note.json<ErrorJson>().message).toMatch(
      /^the campaign takes no changes: the campaign's workflow failed: The campaign cannot start: /,
    );
  });

  it('refuses up front a signal the workflow would drop, and sends the others', async () => {
    const id = (await post('/campaigns', 'lead', { template: 'api-test', country: 'ID' })).json<CampaignView>().campaignId;
    const staff = { actor: { id: 'staff-sari', role: 'staff' as const } };
    const refused = await h.engine.run(() =>
      h.engine.campaigns.signal(id, { type: 'complete', milestone: 'decision', date: today }, staff).catch((err: unknown) => err),
    );
    expect(refused).toBeInstanceOf(CampaignError);
    expect(refused).toMatchObject({ code: 'forbidden', message: '"decision" may be completed only by programme-lead' });
    const early = await h.engine.run(() =>
      h.engine.campaigns.signal(id, { type: 'complete', milestone: 'deposit', date: today }, staff).catch((err: unknown) => err),
    );
    expect(early).toMatchObject({ code: 'precondition' });
    await h.engine.run(() => h.engine.campaigns.signal(id, { type: 'note', text: 'sent as a signal' }, staff));
    await expect
      .poll(async () => (await get(`/campaigns/${id}`)).json<CampaignView>().history.map((e) => e.detail), { timeout: 15_000 })
      .toContain('sent as a signal');
  });

  it('keeps campaign ids to their country: a scoped key names only its own, "~" is the engine\'s, no id is used twice', async () => {
    const ph = await h.keys.create({ label: 'Philippines lead', role: 'programme-lead', countries: ['PH'] });
    const start = (payload: Record<string, unknown>, authorization = `Bearer ${ph.secret}`) =>
      h.app.inject({
        method: 'POST',
        url: '/campaigns',
        headers: { authorization },
        payload: { template: 'api-test', country: 'PH', ...payload },
      });
    const refused = async (payload: Record<string, unknown>, issue: RegExp, authorization?: string) => {
      const res = await start(payload, authorization);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json<ErrorJson>()).toMatchObject({ code: 'invalid', issues: [expect.stringMatching(issue) as unknown] });
    };
    // Another country's id space, for a scoped key and for every-country keys alike.
    await refused({ campaignId: uniqueId('th-taken') }, /^campaignId: ids starting "th-" are for campaigns in TH$/);
    await refused(
      { campaignId: uniqueId('th-taken') },
      /^campaignId: ids starting "th-" are for campaigns in TH$/,
      h.auth('lead').authorization,
    );
    // A follow-on's id (`<parent>~<template>`) is the engine's to start.
    await refused({ campaignId: 'x~npm-designation' }, /^campaignId: .*"~" is reserved for follow-on campaigns/);
    await refused({ campaignId: `${uniqueId('ph-parent')}~api-test` }, /^campaignId: .*"~" is reserved for follow-on campaigns/);
    // A scoped key names ids only in its own country's space, so a conflict never tells it about another country.
    await refused({ campaignId: uniqueId('demo') }, /^campaignId: a key limited to countries names its campaigns "ph-\.\.\."/);
    expect((await start({ campaignId: uniqueId('demo') }, h.auth('lead').authorization)).statusCode).toBe(201);

    // Its own: accepted; once closed (cancelled, or terminated by an operator) the id is never used again.
    const ids = { cancelled: uniqueId('ph-ids'), terminated: uniqueId('ph-ids') };
    for (const id of Object.values(ids)) expect((await start({ campaignId: id })).statusCode).toBe(201);
    expect((await start({ campaignId: ids.cancelled })).statusCode).toBe(409);
    expect((await post(`/campaigns/${ids.cancelled}/cancel`, 'lead', { reason: 'test done' })).statusCode).toBe(200);
    await h.temporal.client.workflow.getHandle(ids.terminated).terminate('test done');
    for (const id of Object.values(ids)) {
      await expect
        .poll(async () => (await h.temporal.client.workflow.getHandle(id).describe()).status.name, { timeout: 15_000 })
        .not.toBe('RUNNING');
      for (const authorization of [`Bearer ${ph.secret}`, h.auth('lead').authorization]) {
        const again = await start({ campaignId: id }, authorization);
        expect(again.statusCode, again.body).toBe(409);
        expect(again.json()).toMatchObject({ code: 'conflict', issues: ['campaignId: already in use'] });
      }
    }
  });

  it('lists with filters and validates the query', async () => {
    const id = (await post('/campaigns', 'lead', { template: 'api-test', country: 'MN' })).json<CampaignView>().campaignId;
    await expect
      .poll(
        async () =>
          (await get('/campaigns?country=MN&template=api-test&status=active&overdue=false'))
            .json<{ campaignId: string }[]>()
            .map((c) => c.campaignId),
        {
          timeout: 30_000,
        },
      )
      .toContain(id);
    const [summary] = (await get('/campaigns?country=mn')).json<Record<string, unknown>[]>();
    expect(summary).toMatchObject({
      campaignId: id,
      country: 'MN',
      region: 'asia-pacific',
      template: 'api-test',
      status: 'active',
      overdue: false,
    });
    expect((await get('/campaigns?status=paused&country=MN')).json()).toEqual([]);
    expect((await get('/campaigns?region=asia-pacific&limit=1')).json<unknown[]>()).toHaveLength(1);
    const bad = await get('/campaigns?status=sleeping&overdue=maybe&country=ZZ&colour=red');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json<ErrorJson>()
        .issues.map((i) => i.split(':')[0])
        .sort(),
    ).toEqual(['query colour', 'query country', 'query overdue', 'query status']);
  });

  it('pages the list with a cursor: Next-Cursor and Link headers, the envelope, and 400 naming a bad cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await post('/campaigns', 'lead', { template: 'api-test', country: 'NP' })).json<CampaignView>().campaignId);
    await expect.poll(async () => (await get('/campaigns?country=NP')).json<unknown[]>().length, { timeout: 30_000 }).toBe(3);
    const first = await get('/campaigns?country=NP&limit=2');
    expect(first.json<unknown[]>()).toHaveLength(2);
    const next = first.headers['next-cursor'] as string;
    expect(next).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(first.headers.link).toBe(`</campaigns?country=NP&limit=2&cursor=${next}>; rel="next"`);
    expect((await get('/campaigns?country=NP&limit=2&envelope=true')).json()).toMatchObject({
      campaigns: first.json<CampaignSummary[]>(),
      nextCursor: next,
    });
    // Following the cursors gives every campaign once.
    const seen = first.json<CampaignSummary[]>().map((c) => c.campaignId);
    for (let cursor: string | undefined = next, i = 0; cursor; i++) {
      expect(i).toBeLessThan(5);
      const page = await get(`/campaigns?country=NP&limit=2&cursor=${cursor}`);
      expect(page.statusCode).toBe(200);
      seen.push(...page.json<CampaignSummary[]>().map((c) => c.campaignId));
      cursor = page.headers['next-cursor'] as string | undefined;
    }
    expect(seen.sort()).toEqual([...ids].sort());

    const malformed = await get('/campaigns?cursor=not%20a%20cursor');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json<ErrorJson>().issues.map((i) => i.split(':')[0])).toEqual(['query cursor']);
    const foreign = await get('/campaigns?cursor=bm90LWEtdG9rZW4');
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json<ErrorJson>().issues.map((i) => i.split(':')[0])).toEqual(['cursor']);
    const work = await get('/work?cursor=bm90LWEtdG9rZW4');
    expect(work.statusCode).toBe(400);
    expect(work.json<ErrorJson>().issues.map((i) => i.split(':')[0])).toEqual(['cursor']);
  });

  it('reads only the campaigns with something due, and pages the work list by due campaign', async () => {
    const overdueStart = (country: string) => ({
      template: 'api-test',
      country,
      startDate: subtractDuration(today, 'P2Y'),
      completed: [{ milestone: 'dialogue', date: subtractDuration(today, 'P20M'), evidence: { minutes: 'https://example.org/m' } }],
    });
    const due: string[] = [];
    for (let i = 0; i < 3; i++) due.push((await post('/campaigns', 'lead', overdueStart('LA'))).json<CampaignView>().campaignId);
    // Due in a year: outside the default window of 30 days, so never read by the work list.
    const notDue = (await post('/campaigns', 'lead', { template: 'api-test', country: 'LA' })).json<CampaignView>().campaignId;
    await expect
      .poll(async () => new Set((await get('/work?country=LA')).json<{ campaignId: string }[]>().map((i) => i.campaignId)).size, {
        timeout: 30_000,
      })
      .toBe(3);

    // A facade counting the campaigns it asks: the one not due is listed by visibility alone, never queried.
    const asked: string[] = [];
    const client = h.temporal.client;
    const counting = Object.create(client, {
      workflow: {
        value: Object.create(client.workflow, {
          getHandle: {
            value: (id: string, ...rest: unknown[]) => {
              asked.push(id);
              return (client.workflow.getHandle as (...a: unknown[]) => unknown)(id, ...rest);
            },
          },
        }) as unknown,
      },
    }) as typeof client;
    const facade = new CampaignClient({
      client: counting,
      taskQueue: h.engine.config.TEMPORAL_TASK_QUEUE,
      templates: lookupOf([apiTemplate]),
    });
    const viewer = { actor: { id: 'guest', role: 'viewer' as const } };
    const all = await facade.workReport({ country: 'LA' }, viewer);
    expect(new Set(all.items.map((i) => i.campaignId))).toEqual(new Set(due));
    expect(asked.sort()).toEqual([...due].sort());
    expect(asked).not.toContain(notDue);
    const wide = await facade.workReport({ country: 'LA', withinDays: 366 }, viewer);
    expect(new Set(wide.items.map((i) => i.campaignId))).toEqual(new Set([...due, notDue]));

    const first = await get('/work?country=LA&limit=2&envelope=true');
    const page1 = first.json<{ items: { campaignId: string }[]; nextCursor?: string }>();
    expect(new Set(page1.items.map((i) => i.campaignId)).size).toBe(2);
    expect(first.headers['next-cursor']).toBe(page1.nextCursor);
    const second = await get(`/work?country=LA&limit=2&cursor=${page1.nextCursor}`);
    expect(second.statusCode).toBe(200);
    const both = [...page1.items, ...second.json<{ campaignId: string }[]>()].map((i) => i.campaignId);
    expect(new Set(both)).toEqual(new Set(due));
  });

  it('runs milestone commands with the engine’s own answers: 400, 403, 404, 409, 422, and records the key as actor', async () => {
    const id = (await post('/campaigns', 'lead', { template: 'api-test', country: 'ID' })).json<CampaignView>().campaignId;
    const url = (m: string, action: string) => `/campaigns/${id}/milestones/${m}/${action}`;

    // Bad input, with field paths, before anything reaches the engine.
    const shape = await post(url('dialogue', 'complete'), 'staff', { date: 'last week', evidence: { 'bad name': 'x' }, evidance: {} });
    expect(shape.statusCode).toBe(400);
    expect(shape.json<ErrorJson>().issues).toEqual(
      expect.arrayContaining([
        'date: expected a calendar date YYYY-MM-DD',
        'evidance: unknown field',
        expect.stringMatching(/^evidence\.bad name: /) as unknown,
      ]),
    );
    // The engine's refusals: the same messages the facade gives the CLI and the dashboard.
    const missing = await post(url('dialogue', 'complete'), 'staff', { date: past });
    expect(missing.statusCode).toBe(400);
    const direct = await h.engine.campaigns
      .execute(id, { type: 'complete', milestone: 'dialogue', date: past }, { actor: { id: 'x', role: 'staff' } })
      .catch((e: unknown) => e as CampaignError);
    expect(direct).toBeInstanceOf(CampaignError);
    expect(missing.json()).toMatchObject({
      code: 'invalid',
      message: (direct as CampaignError).message,
      issues: (direct as CampaignError).issues,
    });
    expect(missing.json<ErrorJson>().message).toBe('evidence "minutes" (Meeting minutes) is required for "dialogue"');
    const future = await post(url('dialogue', 'complete'), 'staff', { date: '2999-01-01', evidence: { minutes: 'https://example.org/m' } });
    expect(future.json<ErrorJson>().message).toMatch(/in the future/);
    expect((await post(url('nope', 'complete'), 'staff', { date: past })).statusCode).toBe(404);
    expect((await post(`/campaigns/${uniqueId('none')}/milestones/dialogue/complete`, 'staff', { date: past })).statusCode).toBe(404);

    // Accepted, once per Idempotency-Key.
    const body = { date: past, evidence: { minutes: 'https://example.org/minutes/1', venue: 'Jakarta' }, note: 'met the ministry of law' };
    const done = await post(url('dialogue', 'complete'), 'staff', body, { 'idempotency-key': 'complete-dialogue-1' });
    expect(done.statusCode).toBe(200);
    const accepted = done.json<Accepted>();
    expect(accepted.requestId).toBe(`${h.keyInfo.staff.id}:complete-dialogue-1`);
    expect(accepted.events.length).toBeGreaterThan(0);
    expect(accepted.campaign.milestones.find((m) => m.id === 'dialogue')).toMatchObject({
      status: 'done',
      completedOn: past,
      completedBy: { id: h.keyInfo.staff.id, role: 'staff' },
      evidence: body.evidence,
      note: body.note,
    });
    const replay = await post(url('dialogue', 'complete'), 'staff', body, { 'idempotency-key': 'complete-dialogue-1' });
    expect(replay.statusCode).toBe(200);
    expect(replay.json<Accepted>().requestId).toBe(accepted.requestId);
    expect(replay.json<Accepted>().events).toEqual(accepted.events);
    const conflict = await post(url('dialogue', 'complete'), 'staff', body);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ code: 'conflict', message: `"dialogue" is already done (on ${past})` });

    // The milestone's own role: staff may not record the government decision.
    const forbidden = await post(url('decision', 'complete'), 'staff', { date: today });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json<ErrorJson>().message).toBe('"decision" may be completed only by programme-lead');
    // A required milestone cannot be skipped: a precondition.
    const skipRequired = await post(url('decision', 'skip'), 'staff', { reason: 'not needed' });
    expect(skipRequired.statusCode).toBe(422);
    expect(skipRequired.json()).toMatchObject({ code: 'precondition' });
    // Not yet possible: depends on an open milestone.
    expect((await post(url('deposit', 'complete'), 'staff', { date: today, evidence: { instrument: 'ratification' } })).statusCode).toBe(
      422,
    );

    expect((await post(url('workshop', 'skip'), 'staff', { reason: 'no budget this year' })).statusCode).toBe(200);
    expect((await post(url('workshop', 'reopen'), 'staff', { reason: 'budget found' })).statusCode).toBe(200);
    expect(
      (await post(url('workshop', 'assign'), 'staff', { owner: 'Sari' }))
        .json<Accepted>()
        .campaign.milestones.find((m) => m.id === 'workshop')?.owner,
    ).toBe('Sari');
    expect((await post(url('workshop', 'notes'), 'staff', { text: 'venue booked' })).statusCode).toBe(200);
    expect((await post(`/campaigns/${id}/notes`, 'staff', { text: 'elections in April' })).statusCode).toBe(200);

    const extended = await post(url('decision', 'extend'), 'lead', { by: 'P3M', reason: 'cabinet reshuffle', legalBasis: 'test rule' });
    expect(extended.statusCode).toBe(200);
    expect(extended.json<Accepted>().campaign.milestones.find((m) => m.id === 'decision')?.extensions).toHaveLength(1);
    const tooLong = await post(url('decision', 'extend'), 'lead', { by: 'P4M', reason: 'again', legalBasis: 'test rule' });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json<ErrorJson>().message).toMatch(/at most P6M/);
    const badDuration = await post(url('decision', 'extend'), 'lead', { by: 'three months', reason: 'x', legalBasis: 'y' });
    expect(badDuration.json<ErrorJson>().issues).toEqual(['by: expected a non-negative ISO-8601 duration such as P30D, P1Y or PT12H']);

    const history = (await get(`/campaigns/${id}`)).json<CampaignView>().history;
    expect(history.map((e) => [e.action, e.actor.id])).toEqual(
      [
        ['campaign started', h.keyInfo.lead.id],
        ['completed', h.keyInfo.staff.id],
        ['skipped', h.keyInfo.staff.id],
        ['reopened', h.keyInfo.staff.id],
        ['assigned', h.keyInfo.staff.id],
        ['note', h.keyInfo.staff.id],
        ['note', h.keyInfo.staff.id],
        ['deadline extended', h.keyInfo.lead.id],
      ].map(([action, actor]) => [expect.stringContaining((action as string).split(' ')[0] as string) as unknown, actor]),
    );
  });

  it('steers: pause (with or without a body), resume, set an input, cancel; then refuses changes with 409', async () => {
    const id = (await post('/campaigns', 'lead', { template: 'api-test', country: 'TL' })).json<CampaignView>().campaignId;
    const paused = await post(`/campaigns/${id}/pause`, 'lead', { reason: 'elections' });
    expect(paused.json<Accepted>().campaign.status).toBe('paused');
    expect((await post(`/campaigns/${id}/pause`, 'lead')).statusCode).toBe(409);
    const resumed = await post(`/campaigns/${id}/resume`, 'lead', '', { 'content-type': 'application/json' });
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json<Accepted>().campaign.status).toBe('active');
    const input = await post(`/campaigns/${id}/inputs/uncatStatus`, 'lead', {
      value: 'signed',
      reason: 'corrected from the treaty database',
    });
    expect(input.json<Accepted>().campaign.inputs.uncatStatus).toBe('signed');
    const badInput = await post(`/campaigns/${id}/inputs/uncatStatus`, 'lead', { value: 'acceded', reason: 'x' });
    expect(badInput.statusCode).toBe(400);
    expect(badInput.json<ErrorJson>().message).toBe('input "uncatStatus" must be one of none, signed, ratified');
    expect((await post(`/campaigns/${id}/cancel`, 'lead', {})).json<ErrorJson>().issues).toEqual([
      'reason: Invalid input: expected string, received undefined',
    ]);
    const cancelled = await post(`/campaigns/${id}/cancel`, 'lead', { reason: 'programme closed' });
    expect(cancelled.json<Accepted>().campaign.status).toBe('cancelled');
    const after = await post(`/campaigns/${id}/resume`, 'lead');
    expect(after.statusCode).toBe(409);
    expect(after.json<ErrorJson>().message).toBe('the campaign is cancelled; no further changes are accepted');
  });

  it('refuses to start a campaign with the id of a finished one (found by fuzzing)', async () => {
    // Temporal reuses the id of a closed workflow by default: a start replaced the cancelled campaign.
    const campaignId = uniqueId('api-reuse');
    expect((await post('/campaigns', 'lead', { template: 'api-test', country: 'TH', campaignId })).statusCode).toBe(201);
    expect((await post(`/campaigns/${campaignId}/cancel`, 'lead', { reason: 'programme closed' })).statusCode).toBe(200);
    const handle = h.temporal.client.workflow.getHandle(campaignId);
    await expect.poll(async () => (await handle.describe()).status.name, { timeout: 30_000, interval: 200 }).toBe('COMPLETED');
    const again = await post('/campaigns', 'lead', { template: 'api-test', country: 'TH', campaignId });
    expect(again.statusCode).toBe(409);
    expect(again.json<ErrorJson>()).toMatchObject({ code: 'conflict', issues: ['campaignId: already in use'] });
    expect((await get(`/campaigns/${campaignId}`)).json<CampaignView>().status).toBe('cancelled');
  });

  it('refuses bodies over the limit (413), non-JSON bodies (415), malformed JSON (400), unknown routes (404)', async () => {
    const id = (await post('/campaigns', 'lead', { template: 'api-test', country: 'ID' })).json<CampaignView>().campaignId;
    const big = await post(`/campaigns/${id}/notes`, 'staff', { text: 'x'.repeat(20_000) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ code: 'too-large' });
    const text = await h.app.inject({
      method: 'POST',
      url: `/campaigns/${id}/notes`,
      headers: { ...h.auth('staff'), 'content-type': 'application/xml' },
      payload: '<note/>',
    });
    expect(text.statusCode).toBe(415);
    const broken = await h.app.inject({
      method: 'POST',
      url: `/campaigns/${id}/notes`,
      headers: { ...h.auth('staff'), 'content-type': 'application/json' },
      payload: '{"text": ',
    });
    expect(broken.statusCode).toBe(400);
    const poisoned = await h.app.inject({
      method: 'POST',
      url: `/campaigns/${id}/notes`,
      headers: { ...h.auth('staff'), 'content-type': 'application/json' },
      payload: '{"text":"x","__proto__":{"admin":true}}',
    });
    expect(poisoned.statusCode).toBe(400);
    const nowhere = await get('/campaigns/x/nowhere');
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json()).toMatchObject({ code: 'not-found' });
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: `/campaigns/${id}/notes`,
          headers: { ...h.auth('staff'), 'idempotency-key': 'has space' },
          payload: { text: 'x' },
        })
      ).statusCode,
    ).toBe(400);
  });

  it('refuses long or malformed path parameters with 400 in the one error shape, and reads a 200-character id (found by fuzzing)', async () => {
    // The router used to refuse parameters over 100 characters with a bare 414, though ids may have 200.
    const longest = await get(`/campaigns/${'a'.repeat(200)}`);
    expect(longest.statusCode).toBe(404);
    expect(longest.json()).toMatchObject({ code: 'not-found' });
    const tooLong = await get(`/campaigns/${'a'.repeat(300)}`);
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json<ErrorJson>().issues).toEqual([expect.stringMatching(/^path parameter id: /)]);
    const huge = await post(`/campaigns/x/milestones/${'m'.repeat(3000)}/notes`, 'staff', { text: 'x' });
    expect(huge.statusCode).toBe(400);
    expect(huge.json()).toMatchObject({ code: 'invalid', issues: ['path: a parameter is longer than 2048 characters'] });
    expect(huge.headers['x-request-id']).toBeTruthy();
    const malformed = await get('/campaigns/%E0%A4%A');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'invalid', issues: [expect.stringMatching(/^path: not valid percent-encoding/)] });
  });

  it('answers health and readiness, and publishes an OpenAPI 3 document with the zod schemas', async () => {
    expect((await h.app.inject({ url: '/healthz' })).json()).toMatchObject({ status: 'ok' });
    expect((await h.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', temporal: 'ok' });
    const doc = (await h.app.inject({ url: '/openapi.json' })).json<{
      openapi: string;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>; securitySchemes: unknown };
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes).toMatchObject({ bearerAuth: { type: 'http', scheme: 'bearer' } });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Campaign', 'CampaignSummary', 'CommandAccepted', 'Error', 'Template']),
    );
    const complete = doc.paths['/campaigns/{id}/milestones/{milestone}/complete']?.post;
    expect(Object.keys(complete?.responses ?? {}).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413', '422', '503']);
    expect(complete?.responses['409']?.description).toMatch(/already done/);
    const docs = await h.app.inject({ url: '/docs' });
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('HTTP API while Temporal is down', () => {
  it('answers 503 for reads, writes and readiness, and stays live', async () => {
    const config = parseConfig({ ...testPayloadEnv(), TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const { connection, client } = connectTemporalForApi(config);
    const templates = new TemplateRegistry([{ template: apiTemplate, source: 'test' }]);
    const keys = new ApiKeyStore(`${process.env.TMPDIR ?? '/tmp'}/${uniqueId('keys-down')}.json`);
    const { secret } = await keys.create({ label: 'lead', role: 'programme-lead' });
    const app = await buildApp({
      campaigns: new CampaignClient({ client, taskQueue: 'nowhere', templates }),
      templates,
      keys,
      config,
      logger: testLogger('api-down'),
    });
    try {
      const auth = { authorization: `Bearer ${secret}` };
      const started = Date.now();
      for (const req of [
        { method: 'GET' as const, url: '/campaigns' },
        { method: 'GET' as const, url: '/campaigns/abc' },
        { method: 'POST' as const, url: '/campaigns', payload: { template: 'api-test', country: 'ID' } },
        {
          method: 'POST' as const,
          url: '/campaigns/abc/milestones/dialogue/complete',
          payload: { date: today, evidence: { minutes: 'https://x.org' } },
        },
      ]) {
        const res = await app.inject({ ...req, headers: auth });
        expect(res.statusCode, req.url).toBe(503);
        expect(res.json<ErrorJson>().code).toBe('unavailable');
      }
      expect(Date.now() - started).toBeLessThan(20_000);
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
      // Input is still checked first: a bad body is 400 even while Temporal is down.
      expect(
        (await app.inject({ method: 'POST', url: '/campaigns/abc/milestones/dialogue/complete', headers: auth, payload: {} })).statusCode,
      ).toBe(400);
    } finally {
      await app.close();
      await connection.close();
    }
  });
});
