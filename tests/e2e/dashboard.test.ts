import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/servers/index.js';
import type { CampaignError } from '../../shared/errors.js';
import { dateOfInstant, subtractDuration } from '../../shared/dates.js';
import { startApiHarness, startCampaign, type ApiHarness } from '../support/api.js';

/**
 * The dashboard end to end in headless Chromium (Debian's chromium driven by playwright-core), against
 * the real API on a real port, the real engine and Temporal: sign in, see the campaigns by country,
 * open one, record a milestone with a missing evidence field (inline error, the same message as the
 * API), then correctly, and see the change. Screenshots go to test-artifacts/.
 */

const CHROMIUM = '/usr/bin/chromium';
const artifacts = join(repoRoot, 'test-artifacts');

describe('dashboard in headless Chromium', () => {
  let h: ApiHarness;
  let browser: Browser;
  let base: string;
  let idCampaign: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: the browser tests need Debian's chromium. Install it with \`sudo apt-get install chromium\` (or run scripts/provision.sh).`,
      );
    mkdirSync(artifacts, { recursive: true });
    h = await startApiHarness();
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    idCampaign = await startCampaign(h, 'ID');
    const others = [await startCampaign(h, 'PH'), await startCampaign(h, 'TH')];
    // One campaign with history and an overdue milestone, so the list shows its flags.
    await h.engine.campaigns.start(
      {
        template: 'api-test',
        country: 'PH',
        startDate: subtractDuration(dateOfInstant(Date.now()), 'P2Y'),
        completed: [
          {
            milestone: 'dialogue',
            date: subtractDuration(dateOfInstant(Date.now()), 'P20M'),
            evidence: { minutes: 'https://example.org/m' },
          },
        ],
      },
      { actor: { id: h.keyInfo.lead.id, role: 'programme-lead' } },
    );
    // Visibility is eventually consistent: wait until the list shows all four.
    for (let i = 0; (await h.engine.campaigns.list({ template: 'api-test' })).length < 4; i++) {
      if (i > 100) throw new Error('the campaigns never appeared in the list');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(others).toHaveLength(2);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function signIn(page: Page, secret: string): Promise<void> {
    await page.goto(`${base}/ui`);
    await expect.poll(() => page.url()).toMatch(/\/ui\/login\?next=%2Fui$/);
    await page.getByLabel('API key').fill(secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/ui`);
  }

  it('signs in, lists by country, records a milestone with an inline error first, and shows the change', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(e.message));
    page.on('console', (m) => {
      // Refused sign-ins (401) and refused forms (400) are pages by design; anything else is a fault.
      if (m.type() === 'error' && !/status of (400|401) /.test(m.text())) failures.push(m.text());
    });

    // Wrong key first: stays on the login page with the message.
    await page.goto(`${base}/ui/login`);
    await page.getByLabel('API key').fill('adv.key-000000000000.wrongwrongwrongwrongwrongwrongwrongwrongwro');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not valid/);
    await signIn(page, h.secrets.staff);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'advocacy_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(session?.value).not.toContain(h.secrets.staff.split('.')[2]);

    // The list: grouped by country, with progress bars and flags.
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Campaigns');
    for (const country of ['Indonesia', 'Philippines', 'Thailand'])
      await expect.poll(() => page.getByRole('heading', { level: 2, name: new RegExp(country) }).count()).toBe(1);
    expect(await page.locator('progress').count()).toBeGreaterThanOrEqual(4);
    expect(await page.getByText(/overdue/).count()).toBeGreaterThan(0);
    expect(await page.getByText('Sari Wulandari').count()).toBe(1);
    await page.screenshot({ path: join(artifacts, 'dashboard-list.png'), fullPage: true });

    // Keyboard: the first Tab reaches the skip link.
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to content');

    // Open the Indonesian campaign.
    await page.locator(`a[href="/ui/campaigns/${idCampaign}"]`).click();
    await page.waitForURL(`${base}/ui/campaigns/${idCampaign}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('OPCAT ratification (test)');
    const temporalLink = page.getByRole('link', { name: 'open in Temporal Web UI' });
    expect(await temporalLink.getAttribute('href')).toBe(`http://temporal-ui.test:8233/namespaces/default/workflows/${idCampaign}`);
    await page.getByRole('link', { name: /Record completion of Dialogue with ministries/ }).click();
    await page.waitForURL(/\/milestones\/dialogue\/complete$/);

    // The form: date prefilled with today, evidence fields from the template, labelled.
    const today = dateOfInstant(Date.now());
    expect(await page.getByLabel('Date it happened').inputValue()).toBe(today);
    const past = subtractDuration(today, 'P3D');
    await page.getByLabel('Date it happened').fill(past);
    await page.getByLabel('Venue (optional)').fill('Ministry of Law, Jakarta');
    await page.getByLabel('Note (optional)').fill('Met the director general');
    await page.getByRole('button', { name: 'Record completion' }).click();

    // Missing evidence: an inline error beside the field, the summary focused, values kept.
    const minutes = page.getByLabel('Meeting minutes');
    await expect.poll(() => minutes.getAttribute('aria-invalid')).toBe('true');
    const apiMessage = await h.engine.campaigns
      .execute(
        idCampaign,
        { type: 'complete', milestone: 'dialogue', date: past, evidence: { venue: 'x' } },
        { actor: { id: 'probe', role: 'staff' } },
      )
      .then(
        () => 'accepted?!',
        (e: unknown) => (e as CampaignError).message,
      );
    expect(apiMessage).toBe('evidence "minutes" (Meeting minutes) is required for "dialogue"');
    expect(await page.locator('#evidence-minutes-error').textContent()).toContain(apiMessage);
    expect(await page.getByRole('alert').textContent()).toContain(apiMessage);
    expect(await page.locator(':focus').getAttribute('class')).toBe('error-summary');
    expect(await page.getByLabel('Venue (optional)').inputValue()).toBe('Ministry of Law, Jakarta');
    expect(await page.getByLabel('Date it happened').inputValue()).toBe(past);
    expect(await page.title()).toMatch(/^Error: /);
    await page.screenshot({ path: join(artifacts, 'dashboard-form-error.png'), fullPage: true });

    // A bad link: the URL type is checked by the engine, same message again.
    await minutes.fill('not a link');
    await page.getByRole('button', { name: 'Record completion' }).click();
    await expect.poll(() => page.locator('#evidence-minutes-error').textContent()).toContain('evidence "minutes" must be a valid url');

    // Correct: recorded, back on the campaign page with the change.
    await minutes.fill('https://example.org/minutes/2025-ministry');
    await page.getByRole('button', { name: 'Record completion' }).click();
    await page.waitForURL(new RegExp(`/ui/campaigns/${idCampaign}\\?recorded=dialogue`));
    expect(await page.getByRole('status').textContent()).toContain('“Dialogue with ministries” is done');
    const item = page.locator('#m-dialogue');
    expect(await item.locator('.badge').first().textContent()).toBe('Done');
    expect(await item.textContent()).toContain('Sari Wulandari (staff)');
    expect(await item.textContent()).toContain('https://example.org/minutes/2025-ministry');
    expect(await page.locator('table.history tbody tr').first().textContent()).toMatch(
      /Sari Wulandari \(staff\).*Completed.*Dialogue with ministries.*Met the director general/s,
    );
    await page.screenshot({ path: join(artifacts, 'dashboard-campaign.png'), fullPage: true });

    // The same change, seen through the facade (and so by the API and the CLI).
    const view = await h.engine.campaigns.view(idCampaign);
    expect(view.milestones.find((m) => m.id === 'dialogue')).toMatchObject({
      status: 'done',
      completedOn: past,
      completedBy: { id: h.keyInfo.staff.id, role: 'staff' },
      evidence: { minutes: 'https://example.org/minutes/2025-ministry', venue: 'Ministry of Law, Jakarta' },
    });
    // Staff cannot record the programme lead's milestone: no button for it.
    expect(await page.getByRole('link', { name: /Record completion of Government decision/ }).count()).toBe(0);

    // Sign out: back to the login page, and the dashboard asks to sign in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/ui\/login/);
    await page.goto(`${base}/ui/campaigns/${idCampaign}`);
    await expect.poll(() => page.url()).toMatch(/\/ui\/login\?next=/);
    expect(failures).toEqual([]);
    await context.close();
  });

  it('refuses what a key may not do, and forms without the session’s CSRF token or from another origin', async () => {
    const login = async (role: 'viewer' | 'scopedStaff' | 'staff') => {
      const res = await h.app.inject({ method: 'POST', url: '/ui/login', payload: { key: h.secrets[role], next: '/ui' } });
      expect(res.statusCode).toBe(303);
      const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
      return cookie;
    };
    const viewer = await login('viewer');
    const form = await h.app.inject({ url: `/ui/campaigns/${idCampaign}/milestones/workshop/complete`, headers: { cookie: viewer } });
    expect(form.statusCode).toBe(403);
    expect(form.body).toContain('role viewer may not complete; it needs staff');
    const page = await h.app.inject({ url: `/ui/campaigns/${idCampaign}`, headers: { cookie: viewer } });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Record completion');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);

    const scoped = await login('scopedStaff');
    // Another country's campaign is answered as one that does not exist.
    const other = await h.app.inject({ url: `/ui/campaigns/${idCampaign}`, headers: { cookie: scoped } });
    expect(other.statusCode).toBe(404);
    expect(other.body).toContain(`no campaign with id ${idCampaign}`);
    expect(other.body).not.toContain('Indonesia');

    const staff = await login('staff');
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await h.app.inject({ url: '/ui', headers: { cookie: staff } })).body)?.[1];
    expect(csrf).toBeTruthy();
    const body = { date: dateOfInstant(Date.now()) };
    const url = `/ui/campaigns/${idCampaign}/milestones/workshop/complete`;
    const noToken = await h.app.inject({ method: 'POST', url, headers: { cookie: staff }, payload: body });
    expect(noToken.statusCode).toBe(403);
    const staff2 = await login('staff');
    const otherSession = await h.app.inject({ method: 'POST', url, headers: { cookie: staff2 }, payload: { ...body, _csrf: csrf } });
    expect(otherSession.statusCode).toBe(403);
    const crossSite = await h.app.inject({
      method: 'POST',
      url,
      headers: { cookie: staff, origin: 'https://evil.example' },
      payload: { ...body, _csrf: csrf },
    });
    expect(crossSite.statusCode).toBe(403);
    const ok = await h.app.inject({ method: 'POST', url, headers: { cookie: staff }, payload: { ...body, _csrf: csrf } });
    expect(ok.statusCode).toBe(303);
    expect((await h.engine.campaigns.view(idCampaign)).milestones.find((m) => m.id === 'workshop')?.status).toBe('done');

    // Odd queries are answered, not crashed on: a repeated parameter counts once, a bad filter is explained.
    const odd = await h.app.inject({ url: '/ui?country=ID&country=PH&status=bogus', headers: { cookie: staff } });
    expect(odd.statusCode).toBe(200);
    expect(odd.body).toMatch(/role="alert">invalid filter: status: /);
    const scopedList = await h.app.inject({ url: '/ui?country=ID', headers: { cookie: scoped } });
    expect(scopedList.body).toContain('this key is not allowed to act on campaigns in ID');

    // No session: redirected to sign in; a tampered cookie is no session; the revoked key's session ends.
    expect((await h.app.inject({ url: '/ui' })).headers.location).toBe('/ui/login?next=%2Fui');
    expect((await h.app.inject({ url: '/ui', headers: { cookie: `${staff}x` } })).statusCode).toBe(303);
    const { key, secret } = await h.keys.create({ label: 'temporary', role: 'staff' });
    const temp = String((await h.app.inject({ method: 'POST', url: '/ui/login', payload: { key: secret } })).headers['set-cookie']).split(
      ';',
    )[0] as string;
    expect((await h.app.inject({ url: '/ui', headers: { cookie: temp } })).statusCode).toBe(200);
    await h.keys.revoke(key.id);
    expect((await h.app.inject({ url: '/ui', headers: { cookie: temp } })).statusCode).toBe(303);
    // Never redirects off-site after sign-in.
    const offsite = await h.app.inject({ method: 'POST', url: '/ui/login', payload: { key: h.secrets.staff, next: '//evil.example/ui' } });
    expect(offsite.headers.location).toBe('/ui');
  });
});
