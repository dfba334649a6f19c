import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkItem } from '../../clients/campaign-client.js';
import { addDuration, dateOfInstant, daysBetween, subtractDuration } from '../../shared/dates.js';
import { cliEnv, runCli } from '../support/cli.js';
import { uniqueId } from '../support/index.js';
import { startApiHarness, type ApiHarness, type RoleName } from '../support/api.js';

/**
 * The cross-campaign work list through the one facade and its three interfaces: `CampaignClient.workList`,
 * `GET /work` (with a country-scoped key), `advocacy due --json` (bin/advocacy.js in a child process) and
 * the dashboard's "Due & overdue" page (headless Chromium) all show the same milestones in the same order.
 *
 * Three campaigns of the test template (whose `decision` is due a year after the start), started part-way:
 * - late (PH, owner Ana): started two years ago with `dialogue` done: `decision` is a year overdue;
 * - soon (TH, paused): started a year less ten days ago: `decision` is due in ten days, still blocked;
 * - far (ID): started today: `decision` is due in a year, outside the default 30 days.
 */

const CHROMIUM = '/usr/bin/chromium';
const today = dateOfInstant(Date.now());
const lead = { actor: { id: 'lead-ana', role: 'programme-lead' as const } };
const viewer = { actor: { id: 'guest', role: 'viewer' as const } };

describe('work list: facade, API, CLI and dashboard agree', { timeout: 120_000 }, () => {
  let h: ApiHarness;
  let base: string;
  let browser: Browser;
  const ids = { late: uniqueId('wl-ph'), soon: uniqueId('wl-th'), far: uniqueId('wl-id') };
  const starts = { late: subtractDuration(today, 'P2Y'), soon: addDuration(subtractDuration(today, 'P1Y'), 'P10D'), far: today };
  const key = (i: WorkItem) => `${i.campaignId}/${i.milestone}`;

  /** `campaign/milestone` of each row of the dashboard's work-list table. */
  async function rowKeys(rows: Locator): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < (await rows.count()); i++)
      out.push(`${await rows.nth(i).getAttribute('data-campaign')}/${await rows.nth(i).getAttribute('data-milestone')}`);
    return out;
  }
  const api = (role: RoleName, url: string) => h.engine.run(() => h.app.inject({ url, headers: h.auth(role) }));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (scripts/provision.sh).`);
    h = await startApiHarness();
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    const c = h.engine.campaigns;
    await c.start(
      {
        template: 'api-test',
        country: 'PH',
        campaignId: ids.late,
        owner: 'Ana',
        startDate: starts.late,
        completed: [{ milestone: 'dialogue', date: subtractDuration(today, 'P20M'), evidence: { minutes: 'https://example.org/m' } }],
      },
      lead,
    );
    await c.start({ template: 'api-test', country: 'TH', campaignId: ids.soon, startDate: starts.soon }, lead);
    await c.start({ template: 'api-test', country: 'ID', campaignId: ids.far, startDate: starts.far }, lead);
    const paused = await c.execute(ids.soon, { type: 'pause', reason: 'elections' }, lead);
    expect(paused.ok).toBe(true);
    // Search attributes are eventually consistent: wait until all three (one paused) are listed.
    const all = [`${ids.far}/decision`, `${ids.late}/decision`, `${ids.soon}/decision`].sort();
    for (let i = 0; ; i++) {
      const seen = (await c.workList({ withinDays: 366 }, viewer)).map(key).sort();
      if (JSON.stringify(seen) === JSON.stringify(all)) break;
      if (i > 100) throw new Error(`the work list never showed all three campaigns: ${seen.join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('the facade: overdue first, blocked and paused included, the window and filters respected', async () => {
    const items = await h.engine.campaigns.workList({}, viewer);
    const lateDue = addDuration(starts.late, 'P1Y');
    const soonDue = addDuration(starts.soon, 'P1Y');
    expect(items).toEqual([
      {
        campaignId: ids.late,
        country: 'PH',
        templateId: 'api-test',
        templateTitle: 'OPCAT ratification (test)',
        milestone: 'decision',
        title: 'Government decision',
        display: 'overdue',
        dueOn: lateDue,
        daysLeft: daysBetween(today, lateDue),
        owner: 'Ana',
        role: 'programme-lead',
      },
      {
        campaignId: ids.soon,
        country: 'TH',
        templateId: 'api-test',
        templateTitle: 'OPCAT ratification (test)',
        milestone: 'decision',
        title: 'Government decision',
        display: 'blocked',
        dueOn: soonDue,
        daysLeft: daysBetween(today, soonDue),
        role: 'programme-lead',
      },
    ]);
    expect(items[0]?.daysLeft).toBeLessThan(0);
    expect(items[1]?.daysLeft).toBe(10);
    const c = h.engine.campaigns;
    expect((await c.workList({ includeBlocked: false }, viewer)).map(key)).toEqual([`${ids.late}/decision`]);
    expect((await c.workList({ withinDays: 9 }, viewer)).map(key)).toEqual([`${ids.late}/decision`]);
    expect((await c.workList({ withinDays: 10 }, viewer)).map(key)).toEqual([`${ids.late}/decision`, `${ids.soon}/decision`]);
    expect((await c.workList({ owner: 'Ana' }, viewer)).map(key)).toEqual([`${ids.late}/decision`]);
    expect((await c.workList({ country: 'ID', withinDays: 366 }, viewer)).map(key)).toEqual([`${ids.far}/decision`]);
    expect((await c.workList({}, { ...viewer, countries: ['TH'] })).map(key)).toEqual([`${ids.soon}/decision`]);
    await expect(c.workList({ country: 'PH' }, { ...viewer, countries: ['TH'] })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(c.workList({ withinDays: 367 }, viewer)).rejects.toMatchObject({ code: 'invalid' });
  });

  it('the facade applies one country rule to list, work list, view, command and signal', async () => {
    const c = h.engine.campaigns;
    const scoped = { actor: { id: 'staff-th-id', role: 'staff' as const }, countries: ['TH', 'ID'] };
    // Without a country, the scope is part of the visibility query: only the caller's campaigns come back.
    expect((await c.list({}, scoped)).map((s) => s.campaignId).sort()).toEqual([ids.far, ids.soon].sort());
    // Naming another country is refused; another country's campaign is answered as an unknown one.
    const refused = { code: 'forbidden', message: 'this key is not allowed to act on campaigns in PH' };
    await expect(c.list({ country: 'PH' }, scoped)).rejects.toMatchObject(refused);
    await expect(c.workList({ country: 'PH' }, scoped)).rejects.toMatchObject(refused);
    const unknown = { code: 'not-found', message: `no campaign with id ${ids.late}`, issues: [] };
    await expect(c.view(ids.late, scoped)).rejects.toMatchObject(unknown);
    await expect(c.execute(ids.late, { type: 'note', text: 'not mine' }, scoped)).rejects.toMatchObject(unknown);
    await expect(c.signal(ids.late, { type: 'note', text: 'not mine' }, scoped)).rejects.toMatchObject(unknown);
  });

  it("GET /work answers the same, scoped to a key's countries, with 400 on a bad filter", async () => {
    const expected = await h.engine.campaigns.workList({}, viewer);
    const res = await api('viewer', '/work');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual(expected);
    const wide = await api('staff', '/work?withinDays=366');
    expect(wide.json<WorkItem[]>().map(key)).toEqual([`${ids.late}/decision`, `${ids.soon}/decision`, `${ids.far}/decision`]);
    const unblocked = await api('staff', '/work?withinDays=366&includeBlocked=false');
    expect(unblocked.json<WorkItem[]>().map(key)).toEqual([`${ids.late}/decision`]);
    const scoped = await api('scopedStaff', '/work');
    expect(scoped.statusCode, scoped.body).toBe(200);
    expect(scoped.json<WorkItem[]>().map(key)).toEqual([`${ids.soon}/decision`]);
    const other = await api('scopedStaff', '/work?country=PH');
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/PH/) as unknown });
    const bad = await api('viewer', '/work?withinDays=400');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'invalid', issues: [expect.stringMatching(/withinDays/) as unknown] });
  });

  it('`advocacy due --json` answers the same', async () => {
    const scratch = join(inject('runDir'), uniqueId('work-list'));
    mkdirSync(scratch, { recursive: true });
    const env = cliEnv({ temporal: h.temporal, engine: h.engine, scratch }, { ADVOCACY_ACTOR: 'guest', ADVOCACY_ROLE: 'viewer' });
    const expected = await h.engine.campaigns.workList({}, viewer);
    const run = await h.engine.run(() => runCli(['due', '--json'], env));
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(expected);
    const within = await h.engine.run(() => runCli(['due', '--within', '366', '--json'], env));
    expect((JSON.parse(within.stdout) as WorkItem[]).map(key)).toEqual([
      `${ids.late}/decision`,
      `${ids.soon}/decision`,
      `${ids.far}/decision`,
    ]);
    const unblocked = await h.engine.run(() => runCli(['due', '--within', '366', '--no-blocked', '--json'], env));
    expect((JSON.parse(unblocked.stdout) as WorkItem[]).map(key)).toEqual([`${ids.late}/decision`]);
    const table = await h.engine.run(() => runCli(['due', '--no-color'], env));
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`! OVERDUE.*${ids.late}.*Government decision.*Ana.*programme-lead`));
    expect(table.stdout).toMatch(/10 d left/);
  });

  it('the dashboard\'s "Due & overdue" page lists the same, overdue flagged in words, linked to each campaign', async () => {
    const expected = await h.engine.campaigns.workList({}, viewer);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/ui/login`);
      await page.getByLabel('API key').fill(h.secrets.viewer);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/ui`);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Due & overdue' }).click();
      await page.waitForURL(`${base}/ui/due`);
      const rows = page.locator('table.work-list tbody tr');
      expect(await rowKeys(rows)).toEqual(expected.map(key));
      const [lateRow, soonRow] = await rows.allTextContents();
      expect(lateRow).toMatch(/Overdue/);
      expect(lateRow).toMatch(/Government decision/);
      expect(lateRow).toMatch(/Ana/);
      expect(soonRow).toMatch(/Waiting/);
      expect(soonRow).toMatch(/in 10 days/);
      expect(soonRow).not.toMatch(/Overdue/);
      await rows.first().getByRole('link', { name: 'OPCAT ratification (test)' }).click();
      await page.waitForURL(`${base}/ui/campaigns/${ids.late}`);
      expect(await page.locator('h1').textContent()).toMatch(/OPCAT ratification \(test\)/);

      // A Thai-scoped key sees only Thailand's milestone.
      const scoped = await browser.newContext();
      try {
        const p = await scoped.newPage();
        await p.goto(`${base}/ui/login?next=%2Fui%2Fdue`);
        await p.getByLabel('API key').fill(h.secrets.scopedStaff);
        await p.getByRole('button', { name: 'Sign in' }).click();
        await p.waitForURL(`${base}/ui/due`);
        expect(await rowKeys(p.locator('table.work-list tbody tr'))).toEqual([`${ids.soon}/decision`]);
      } finally {
        await scoped.close();
      }
    } finally {
      await context.close();
    }
  });
});
