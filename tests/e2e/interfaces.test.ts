import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CampaignSummary } from '../../clients/campaign-client.js';
import { loadTemplates } from '../../infra/templates.js';
import type { CampaignView, MilestoneView } from '../../shared/campaign/index.js';
import { addDuration, dateOfInstant, subtractDuration } from '../../shared/dates.js';
import { cliEnv, runCli, type CliRun } from '../support/cli.js';
import { uniqueId } from '../support/index.js';
import { startApiHarness, type ApiHarness, type RoleName } from '../support/api.js';

/**
 * Issue 6, "Done when", end to end: a programme lead starts campaigns for several countries and a staff
 * member completes milestones through each of the three interfaces — the `advocacy` CLI (bin/advocacy.js
 * in a child process), the HTTP API (the Fastify app, `inject`) and the web dashboard (the same app on a
 * real port, in headless Chromium) — with the same validation messages, the same access decisions, and
 * each change visible in the other two. One engine worker, one task queue, the built-in templates for all
 * three (the CLI loads them from disk, the API and dashboard from the harness's registry of the same files).
 *
 * The dashboard has no form to start a campaign (starting is for programme leads; the dashboard is for
 * staff recording what happened), so the third campaign is started through the API, by the country-scoped
 * Thai programme lead for Thailand.
 */

const CHROMIUM = '/usr/bin/chromium';
const TEMPLATE = 'capacity-building';
const FIRST = 'inception-workshop'; // open at the start; evidence optional
const SECOND = 'baseline-assessment'; // open once FIRST is done; evidence "reportUrl" (Baseline report) required
const today = dateOfInstant(Date.now());
const daysAgo = (n: number) => subtractDuration(today, `P${n}D`);

type Run = CliRun;
type CliError = { code: string; message: string; issues: string[]; hint?: string; exitCode: number };
type Person = 'lead' | 'staff' | 'viewer';

describe('the three interfaces (CLI, HTTP API, dashboard) over one engine', { timeout: 90_000 }, () => {
  let h: ApiHarness;
  let base: string;
  let browser: Browser;
  let baseEnv: Record<string, string>;
  const contexts: BrowserContext[] = [];
  // One campaign started through each interface (the third through the API: see above).
  const ids = { viaCli: uniqueId('ui-kh'), viaApi: uniqueId('ui-mn'), viaApiScoped: uniqueId('th-ui') };

  const people: Record<Person, Record<string, string>> = {
    lead: { ADVOCACY_ACTOR: 'lead-ana', ADVOCACY_ROLE: 'programme-lead' },
    staff: { ADVOCACY_ACTOR: 'staff-sari', ADVOCACY_ROLE: 'staff' },
    viewer: { ADVOCACY_ACTOR: 'guest', ADVOCACY_ROLE: 'viewer' },
  };

  /** Runs the CLI to its end, asynchronously (the engine worker in this process must keep polling). */
  function cli(as: Person, args: string[]): Promise<Run> {
    return h.engine.run(() => runCli(args, { ...baseEnv, ...people[as] }));
  }
  const ok = <T>(run: Run): T => {
    expect(run.code, `exit code; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
    return JSON.parse(run.stdout) as T;
  };
  const failed = (run: Run, exit: number): CliError => {
    expect(run.code, `exit code; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(exit);
    expect(run.stdout).toBe('');
    return (JSON.parse(run.stderr) as { error: CliError }).error;
  };
  const cliShow = async (id: string) => ok<CampaignView>(await cli('viewer', ['campaign', 'show', id, '--json']));

  /** An API call as one of the harness's keys. */
  const api = (role: RoleName, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.engine.run(() => h.app.inject({ method, url, headers: h.auth(role), ...(payload ? { payload } : {}) }));
  const apiShow = async (id: string) => {
    const res = await api('viewer', 'GET', `/campaigns/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<CampaignView>();
  };
  const apiComplete = (role: RoleName, id: string, milestone: string, body: object) =>
    api(role, 'POST', `/campaigns/${id}/milestones/${milestone}/complete`, body);

  /** A signed-in browser tab for a key (the dashboard's login form). */
  async function signIn(role: RoleName): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${base}/ui/login`);
    await page.getByLabel('API key').fill(h.secrets[role]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/ui`);
    return page;
  }
  /** The dashboard's campaign page: its status code and the text of one milestone's entry. */
  async function dashboardMilestone(page: Page, id: string, milestone: string): Promise<string> {
    const res = await page.goto(`${base}/ui/campaigns/${id}`);
    expect(res?.status()).toBe(200);
    return (await page.locator(`#m-${milestone}`).textContent()) ?? '';
  }
  /** A dashboard session for a key, for requests the browser would not make (the session cookie and CSRF token). */
  async function dashboardSession(role: RoleName): Promise<{ cookie: string; csrf: string }> {
    const login = await h.app.inject({ method: 'POST', url: '/ui/login', payload: { key: h.secrets[role], next: '/ui' } });
    expect(login.statusCode).toBe(303);
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await h.app.inject({ url: '/ui', headers: { cookie } })).body)?.[1] ?? '';
    expect(csrf).not.toBe('');
    return { cookie, csrf };
  }

  const milestone = (view: CampaignView, id: string): MilestoneView => {
    const found = view.milestones.find((m) => m.id === id);
    if (!found) throw new Error(`no milestone ${id} in ${view.campaignId}`);
    return found;
  };

  let staffPage: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (scripts/provision.sh).`);
    h = await startApiHarness({ templates: await loadTemplates() });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    const scratch = join(inject('runDir'), uniqueId('interfaces'));
    mkdirSync(scratch, { recursive: true });
    baseEnv = cliEnv({ temporal: h.temporal, engine: h.engine, scratch });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    staffPage = await signIn('staff');
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
  });

  it('a programme lead starts campaigns for three countries, and each shows in the other two interfaces', async () => {
    // CLI: Cambodia, as programme lead "lead-ana".
    const started = ok<CampaignView>(
      await cli('lead', [
        'campaign',
        'start',
        '--template',
        TEMPLATE,
        '--country',
        'kh',
        '--start-date',
        daysAgo(30),
        '--id',
        ids.viaCli,
        '--json',
      ]),
    );
    expect(started).toMatchObject({ campaignId: ids.viaCli, country: 'KH', status: 'active', startDate: daysAgo(30) });
    // API: Mongolia, as the programme lead's key; Thailand, as the Thai programme lead's (country-scoped) key.
    const mn = await api('lead', 'POST', '/campaigns', {
      template: TEMPLATE,
      country: 'MN',
      startDate: daysAgo(30),
      campaignId: ids.viaApi,
    });
    expect(mn.statusCode, mn.body).toBe(201);
    const th = await api('scopedLead', 'POST', '/campaigns', {
      template: TEMPLATE,
      country: 'TH',
      startDate: daysAgo(30),
      campaignId: ids.viaApiScoped,
    });
    expect(th.statusCode, th.body).toBe(201);

    // Each campaign, through the two interfaces that did not start it: same country, same first milestone
    // open, the starter recorded in the history.
    const [kh, mnCli, thCli] = await Promise.all([apiShow(ids.viaCli), cliShow(ids.viaApi), cliShow(ids.viaApiScoped)]);
    expect(kh).toMatchObject({ country: 'KH', templateId: TEMPLATE, startDate: daysAgo(30) });
    expect(kh.history[0]).toMatchObject({ action: 'campaign started', actor: { id: 'lead-ana', role: 'programme-lead' } });
    expect(mnCli).toMatchObject({ country: 'MN', templateId: TEMPLATE, startDate: daysAgo(30) });
    expect(mnCli.history[0]?.actor).toEqual({ id: h.keyInfo.lead.id, role: 'programme-lead' });
    expect(thCli).toMatchObject({ country: 'TH', templateId: TEMPLATE });
    expect(thCli.history[0]?.actor).toEqual({ id: h.keyInfo.scopedLead.id, role: 'programme-lead' });
    for (const view of [kh, mnCli, thCli]) expect(milestone(view, FIRST).status).toBe('open');

    for (const [id, country, by] of [
      [ids.viaCli, 'Cambodia', 'lead-ana (programme-lead)'],
      [ids.viaApi, 'Mongolia', 'Ana (programme lead) (programme-lead)'],
      [ids.viaApiScoped, 'Thailand', 'Thailand lead (programme-lead)'],
    ] as const) {
      await staffPage.goto(`${base}/ui/campaigns/${id}`);
      expect(await staffPage.locator('.campaign-head__sub').textContent()).toContain(country);
      expect(await staffPage.locator('table.history tbody tr').last().textContent()).toContain(by);
      expect(await staffPage.locator(`#m-${FIRST} .badge`).first().textContent()).toBe('Open');
    }

    // The lists (Temporal's visibility store lags writes a little): all three in the CLI, the API and the
    // dashboard's by-country list.
    const all = Object.values(ids).sort();
    await expect
      .poll(
        async () => {
          const run = await cli('viewer', ['campaign', 'list', '--template', TEMPLATE, '--json']);
          return run.code === 0 ? (JSON.parse(run.stdout) as CampaignSummary[]).map((c) => c.campaignId).sort() : run.stderr;
        },
        { timeout: 20_000, interval: 300 },
      )
      .toEqual(all);
    const listed = await api('viewer', 'GET', `/campaigns?template=${TEMPLATE}`);
    expect(
      listed
        .json<CampaignSummary[]>()
        .map((c) => [c.campaignId, c.country])
        .sort(),
    ).toEqual([
      [ids.viaCli, 'KH'],
      [ids.viaApi, 'MN'],
      [ids.viaApiScoped, 'TH'],
    ]);
    await staffPage.goto(`${base}/ui?template=${TEMPLATE}`);
    for (const country of ['Cambodia', 'Mongolia', 'Thailand'])
      expect(await staffPage.getByRole('heading', { level: 2, name: new RegExp(country) }).count()).toBe(1);
    for (const id of all) expect(await staffPage.locator(`a[href="/ui/campaigns/${id}"]`).count()).toBeGreaterThan(0);
  });

  it('a staff member completes a milestone through each interface, and the change shows in the other two', async () => {
    // CLI, on the Mongolian campaign.
    const viaCli = ok<{ campaign: CampaignView; actor: { id: string } }>(
      await cli('staff', [
        'milestone',
        'complete',
        ids.viaApi,
        FIRST,
        '--date',
        daysAgo(10),
        '--evidence',
        'participants=NHRIs of MN and KZ',
        '--note',
        'kick-off in Ulaanbaatar',
        '--json',
      ]),
    );
    expect(milestone(viaCli.campaign, FIRST).status).toBe('done');
    const mnApi = milestone(await apiShow(ids.viaApi), FIRST);
    expect(mnApi).toMatchObject({
      status: 'done',
      completedOn: daysAgo(10),
      completedBy: { id: 'staff-sari', role: 'staff' },
      evidence: { participants: 'NHRIs of MN and KZ' },
      note: 'kick-off in Ulaanbaatar',
    });
    const mnPage = await dashboardMilestone(staffPage, ids.viaApi, FIRST);
    expect(mnPage).toMatch(/Done/);
    expect(mnPage).toContain('staff-sari (staff)');
    expect(mnPage).toContain('NHRIs of MN and KZ');

    // API, on the Cambodian campaign (started through the CLI).
    const viaApi = await apiComplete('staff', ids.viaCli, FIRST, {
      date: daysAgo(9),
      evidence: { reportUrl: 'https://example.org/kh/inception' },
    });
    expect(viaApi.statusCode, viaApi.body).toBe(200);
    const khCli = milestone(await cliShow(ids.viaCli), FIRST);
    expect(khCli).toMatchObject({
      status: 'done',
      completedOn: daysAgo(9),
      completedBy: { id: h.keyInfo.staff.id, role: 'staff' },
      evidence: { reportUrl: 'https://example.org/kh/inception' },
    });
    const khPage = await dashboardMilestone(staffPage, ids.viaCli, FIRST);
    expect(khPage).toMatch(/Done/);
    expect(khPage).toContain('Sari Wulandari (staff)');
    expect(khPage).toContain('https://example.org/kh/inception');

    // Dashboard, on the Thai campaign: the button on the campaign page, the form, back to the page.
    await staffPage.goto(`${base}/ui/campaigns/${ids.viaApiScoped}`);
    await staffPage.getByRole('link', { name: /Record completion of Inception workshop/ }).click();
    await staffPage.waitForURL(new RegExp(`/milestones/${FIRST}/complete$`));
    await staffPage.getByLabel('Date it happened').fill(daysAgo(8));
    await staffPage.getByLabel(/Participating institutions/).fill('NHRI of Thailand');
    await staffPage.getByLabel('Note (optional)').fill('two days in Bangkok');
    await staffPage.getByRole('button', { name: 'Record completion' }).click();
    await staffPage.waitForURL(new RegExp(`/ui/campaigns/${ids.viaApiScoped}\\?recorded=${FIRST}`));
    expect(await staffPage.getByRole('status').textContent()).toContain('is done');
    const [thCli, thApi] = await Promise.all([cliShow(ids.viaApiScoped), apiShow(ids.viaApiScoped)]);
    for (const view of [thCli, thApi])
      expect(milestone(view, FIRST)).toMatchObject({
        status: 'done',
        completedOn: daysAgo(8),
        completedBy: { id: h.keyInfo.staff.id, role: 'staff' },
        evidence: { participants: 'NHRI of Thailand' },
        note: 'two days in Bangkok',
      });
    // The next milestone opened everywhere.
    for (const view of [thCli, thApi]) expect(milestone(view, SECOND).status).toBe('open');
  });

  it('the same invalid completion gets the same message from the CLI, the API and the dashboard', async () => {
    const id = ids.viaCli; // its baseline assessment is open now, and needs the baseline report
    const future = addDuration(today, 'P1Y');
    const missing = `evidence "reportUrl" (Baseline report) is required for "${SECOND}"`;
    const inFuture = `date ${future} is in the future (today is ${today})`;

    const [cliMissing, cliFuture, apiMissing, apiFuture] = await Promise.all([
      cli('staff', ['milestone', 'complete', id, SECOND, '--date', daysAgo(1), '--json']),
      cli('staff', [
        'milestone',
        'complete',
        id,
        SECOND,
        '--date',
        future,
        '--evidence',
        'reportUrl=https://example.org/kh/baseline',
        '--json',
      ]),
      apiComplete('staff', id, SECOND, { date: daysAgo(1) }),
      apiComplete('staff', id, SECOND, { date: future, evidence: { reportUrl: 'https://example.org/kh/baseline' } }),
    ]);
    for (const [run, message] of [
      [cliMissing, missing],
      [cliFuture, inFuture],
    ] as const)
      expect(failed(run, 2)).toMatchObject({ code: 'invalid', message, issues: [message] });
    for (const [res, message] of [
      [apiMissing, missing],
      [apiFuture, inFuture],
    ] as const) {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid', message, issues: [message] });
    }

    // The dashboard: the message inline beside its field and in the summary; nothing recorded.
    await staffPage.goto(`${base}/ui/campaigns/${id}/milestones/${SECOND}/complete`);
    await staffPage.getByLabel('Date it happened').fill(daysAgo(1));
    await staffPage.getByRole('button', { name: 'Record completion' }).click();
    await expect.poll(() => staffPage.locator('#evidence-reportUrl-error').textContent()).toContain(missing);
    expect(await staffPage.getByRole('alert').textContent()).toContain(missing);
    await staffPage.getByLabel('Date it happened').fill(future);
    await staffPage.getByLabel('Baseline report').fill('https://example.org/kh/baseline');
    await staffPage.getByRole('button', { name: 'Record completion' }).click();
    await expect.poll(() => staffPage.locator('#date-error').textContent()).toContain(inFuture);
    expect(await staffPage.getByRole('alert').textContent()).toContain(inFuture);
    expect(await staffPage.locator('#evidence-reportUrl-error').count()).toBe(0);

    const [viewCli, viewApi] = await Promise.all([cliShow(id), apiShow(id)]);
    for (const view of [viewCli, viewApi]) expect(milestone(view, SECOND).status).toBe('open');
  });

  it('makes the same access decisions: who may start, who may complete, and where', async () => {
    const id = ids.viaApi; // Mongolia: its baseline assessment is open
    const body = { date: daysAgo(1), evidence: { reportUrl: 'https://example.org/mn/baseline' } };
    const [cliStaffStart, apiStaffStart, cliViewerComplete, apiViewerComplete, apiScopedStart, apiScopedShow, apiScopedComplete] =
      await Promise.all([
        cli('staff', ['campaign', 'start', '--template', TEMPLATE, '--country', 'LA', '--json']),
        api('staff', 'POST', '/campaigns', { template: TEMPLATE, country: 'LA' }),
        cli('viewer', [
          'milestone',
          'complete',
          id,
          SECOND,
          '--date',
          body.date,
          '--evidence',
          `reportUrl=${body.evidence.reportUrl}`,
          '--json',
        ]),
        apiComplete('viewer', id, SECOND, body),
        api('scopedLead', 'POST', '/campaigns', { template: TEMPLATE, country: 'MN' }),
        api('scopedStaff', 'GET', `/campaigns/${id}`),
        apiComplete('scopedStaff', id, SECOND, body),
      ]);

    // Staff may not start a campaign: CLI exit 4, API 403, and the dashboard offers no way to.
    const startRefused = failed(cliStaffStart, 4);
    expect(startRefused).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/^role staff may not .*; it needs programme-lead$/) as unknown,
    });
    expect(apiStaffStart.statusCode).toBe(403);
    expect(apiStaffStart.json()).toMatchObject({ code: 'forbidden', message: startRefused.message });
    const staff = await dashboardSession('staff');
    const list = (await h.app.inject({ url: '/ui', headers: { cookie: staff.cookie } })).body;
    // Its only forms: the list's filter (GET) and signing out.
    expect([...list.matchAll(/<form method="(\w+)" action="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`).sort()).toEqual([
      'get /ui',
      'post /ui/logout',
    ]);
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: '/ui/campaigns',
          headers: { cookie: staff.cookie },
          payload: { _csrf: staff.csrf, template: TEMPLATE, country: 'LA' },
        })
      ).statusCode,
    ).toBe(404);

    // A viewer may not complete: CLI exit 4, API 403, the dashboard shows no button and refuses the form.
    const completeRefused = failed(cliViewerComplete, 4);
    expect(completeRefused).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/^role viewer may not .*; it needs staff$/) as unknown,
    });
    expect(apiViewerComplete.statusCode).toBe(403);
    expect(apiViewerComplete.json()).toMatchObject({ code: 'forbidden', message: completeRefused.message });
    const viewerPage = await signIn('viewer');
    expect(await dashboardMilestone(viewerPage, id, SECOND)).toMatch(/Open/);
    expect(await viewerPage.getByRole('link', { name: /Record completion/ }).count()).toBe(0);
    const viewerForm = await viewerPage.goto(`${base}/ui/campaigns/${id}/milestones/${SECOND}/complete`);
    expect(viewerForm?.status()).toBe(403);
    expect(await viewerPage.locator('main').textContent()).toContain(completeRefused.message);
    const viewer = await dashboardSession('viewer');
    const viewerPost = await h.app.inject({
      method: 'POST',
      url: `/ui/campaigns/${id}/milestones/${SECOND}/complete`,
      headers: { cookie: viewer.cookie },
      payload: { _csrf: viewer.csrf, date: body.date, 'evidence.reportUrl': body.evidence.reportUrl },
    });
    expect(viewerPost.statusCode).toBe(403);
    expect(viewerPost.body).toContain(completeRefused.message);

    // Country-scoped keys (Thailand) may not act on Mongolia: API 403 to start there; reading or completing
    // Mongolia's campaign is answered as for an unknown id (404), so the key does not learn it exists; the
    // dashboard leaves it out of the list and answers 404 on its page. (The CLI has no country scopes:
    // it is a local operator's tool; keys and their scopes are for the API and the dashboard.)
    expect(apiScopedStart.statusCode, apiScopedStart.body).toBe(403);
    expect(apiScopedStart.json()).toMatchObject({ code: 'forbidden', message: 'this key is not allowed to act on campaigns in MN' });
    const unknownMessage = `no campaign with id ${id}`;
    for (const res of [apiScopedShow, apiScopedComplete]) {
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not-found', message: unknownMessage });
    }
    const scopedPage = await signIn('scopedStaff');
    expect(await scopedPage.locator(`a[href="/ui/campaigns/${ids.viaApiScoped}"]`).count()).toBeGreaterThan(0);
    expect(await scopedPage.locator(`a[href="/ui/campaigns/${id}"]`).count()).toBe(0);
    const scopedCampaign = await scopedPage.goto(`${base}/ui/campaigns/${id}`);
    expect(scopedCampaign?.status()).toBe(404);
    expect(await scopedPage.locator('main').textContent()).toContain(unknownMessage);
    const scopedForm = await scopedPage.goto(`${base}/ui/campaigns/${id}/milestones/${SECOND}/complete`);
    expect(scopedForm?.status()).toBe(404);

    // Nothing was recorded by any refused attempt, and the same staff member may still do it.
    const [viewCli, viewApi] = await Promise.all([cliShow(id), apiShow(id)]);
    for (const view of [viewCli, viewApi]) expect(milestone(view, SECOND).status).toBe('open');
    expect((await apiComplete('staff', id, SECOND, body)).statusCode).toBe(200);
    expect(milestone(await cliShow(id), SECOND)).toMatchObject({ status: 'done', completedBy: { id: h.keyInfo.staff.id } });
  });
});
