import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  freePort,
  startNatsServer,
  startTemporalDevServer,
  waitUntil,
  type NatsServer,
  type TemporalDevServer,
} from '../../infra/servers/index.js';
import { loadTemplates } from '../../infra/templates.js';
import type { CampaignView } from '../../shared/campaign/index.js';
import { dateOfInstant, subtractDuration } from '../../shared/dates.js';
import { commandReplySchema, commandSubject } from '../../shared/events/command-messages.js';
import { startBridge, type Bridge } from '../../workers/bridge.js';
import { resolveCommandSenders } from '../../workers/command-senders.js';
import { startApiHarness, type ApiHarness } from '../support/api.js';
import { cliEnv, runCli } from '../support/cli.js';
import { testLogger, uniqueId } from '../support/index.js';

/**
 * Issue 11, "Done when": nothing readable leaks. Notes, evidence and reasons carrying a unique marker are
 * recorded through every interface — the HTTP API, the `advocacy` CLI (a child process), the campaign
 * facade and a NATS command through the bridge — on a Temporal dev server that keeps its database in a
 * SQLite file and a nats-server with its JetStream file store, both of this test's own. Then every file
 * of both is read as bytes: the marker appears in none, neither as text nor in base64. The same marker
 * does read back through the facade (the payload codec opens it), and the campaign ids do appear in the
 * files (they are not encrypted), so the search would find the marker if it were there.
 *
 * The Temporal Web UI of that server is wired to the API's codec endpoint (`--ui-codec-endpoint`, as
 * `npm run dev` does): an operator signed in to the dashboard with a system key reads the marker in the
 * UI; a staff member's browser gets ciphertext.
 */

const CHROMIUM = '/usr/bin/chromium';
const HOST = '127.0.0.1';

const TEMPLATE = 'capacity-building';
const FIRST = 'inception-workshop'; // open at the start; optional evidence "participants" (text) and "reportUrl"
const today = dateOfInstant(Date.now());
const daysAgo = (n: number) => subtractDuration(today, `P${n}D`);

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * The forms a string takes in stored bytes: itself, and its base64 (standard and url-safe) at each of the
 * three alignments, cut to the characters that depend on the string's own bytes only.
 */
function storedForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms = [value];
  for (const pad of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    const inner = encoded.slice(4, Math.floor((8 * (pad + bytes.length)) / 6) - 1);
    forms.push(inner, inner.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** The files of `dir` holding any form of `value`, with the form found. */
function occurrences(dir: string, value: string): string[] {
  const forms = storedForms(value).map((f) => Buffer.from(f, 'utf8'));
  return filesUnder(dir).flatMap((file) => {
    const content = readFileSync(file);
    return forms.filter((f) => content.includes(f)).map((f) => `${file}: ${f.toString()}`);
  });
}

describe('confidentiality: no readable note, evidence or reason in Temporal or JetStream storage', { timeout: 240_000 }, () => {
  const marker = `MARKER-${uniqueId('confidential').toUpperCase()}`;
  const scratch = join(inject('runDir'), uniqueId('confidentiality'));
  const temporalDir = join(scratch, 'temporal');
  const natsDir = join(scratch, 'jetstream');
  let temporal: TemporalDevServer;
  let nats: NatsServer;
  let h: ApiHarness;
  let bridge: Bridge;
  let commandsPrefix: string;
  let browser: Browser | undefined;
  let ui: string;
  let api: string;
  let stopped: Promise<void> | undefined;
  /** Stops the clients, then the servers, so their files are complete and still when they are read. */
  const stopAll = () =>
    (stopped ??= (async () => {
      await browser?.close();
      await bridge?.stop();
      await h?.close();
      await Promise.allSettled([temporal?.stop(), nats?.stop()]);
    })());
  const staff = { actor: { id: 'staff-sari', role: 'staff' as const } };
  const lead = { actor: { id: 'lead-ana', role: 'programme-lead' as const } };
  const ids = { api: uniqueId('conf-kh'), cli: uniqueId('conf-la'), facade: uniqueId('conf-mn'), bridge: uniqueId('conf-th') };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (scripts/provision.sh).`);
    mkdirSync(temporalDir, { recursive: true });
    const [uiPort, apiPort] = [await freePort(HOST), await freePort(HOST)];
    [ui, api] = [`http://${HOST}:${uiPort}`, `http://${HOST}:${apiPort}`];
    [temporal, nats] = await Promise.all([
      startTemporalDevServer({
        logDir: scratch,
        uiPort,
        uiCodecEndpoint: `${api}/codec`,
        dbFilename: join(temporalDir, 'temporal.sqlite'),
        startTimeoutMs: 90_000,
      }),
      startNatsServer({ storeDir: natsDir, logDir: scratch }),
    ]);
    h = await startApiHarness({
      templates: await loadTemplates(),
      servers: { temporalAddress: temporal.address, natsUrl: nats.url },
      env: { API_CODEC_ORIGINS: ui, TEMPORAL_UI_URL: ui },
    });
    await h.app.listen({ host: HOST, port: apiPort });
    commandsPrefix = `${h.engine.config.EVENTS_SUBJECT_PREFIX}.commands`;
    bridge = startBridge({
      nc: h.nc,
      campaigns: h.engine.campaigns,
      config: { COMMANDS_SUBJECT_PREFIX: commandsPrefix },
      senders: resolveCommandSenders({ senders: { partner: { role: 'staff' } } }, { COMMANDS_MAX_ROLE: 'programme-lead' }),
      logger: testLogger('bridge'),
      queue: uniqueId('bridge'),
    });
    for (const [campaignId, country] of [
      [ids.api, 'KH'],
      [ids.cli, 'LA'],
      [ids.facade, 'MN'],
      [ids.bridge, 'TH'],
    ] as const)
      await h.engine.run(() => h.engine.campaigns.start({ template: TEMPLATE, country, campaignId, startDate: daysAgo(30) }, lead));
  });
  afterAll(stopAll);

  it('records notes, evidence, reasons and a legal basis with the marker through the API, the CLI, the facade and the bridge', async () => {
    // The HTTP API: a note, a completion with evidence and a note, a pause with its reason.
    const api = (method: 'POST', url: string, payload: object, role: 'staff' | 'lead' = 'staff') =>
      h.engine.run(() => h.app.inject({ method, url, headers: h.auth(role), payload }));
    for (const res of [
      await api('POST', `/campaigns/${ids.api}/notes`, { text: `api note ${marker}` }),
      await api('POST', `/campaigns/${ids.api}/milestones/${FIRST}/complete`, {
        date: daysAgo(10),
        evidence: { participants: `api evidence ${marker}`, reportUrl: `https://example.org/${marker}` },
        note: `api completion note ${marker}`,
      }),
      await api('POST', `/campaigns/${ids.api}/pause`, { reason: `api pause reason ${marker}` }, 'lead'),
    ])
      expect(res.statusCode, res.body).toBe(200);

    // The CLI, in a child process with the run's payload key, on this test's servers.
    const env = {
      ...cliEnv({ temporal: h.temporal, engine: h.engine, scratch: join(scratch, 'cli') }, { NATS_URL: nats.url }),
      ADVOCACY_ACTOR: 'staff-cli',
      ADVOCACY_ROLE: 'staff',
    };
    for (const args of [
      ['milestone', 'note', ids.cli, '--text', `cli note ${marker}`, '--json'],
      [
        'milestone',
        'complete',
        ids.cli,
        FIRST,
        '--date',
        daysAgo(9),
        '--evidence',
        `participants=cli evidence ${marker}`,
        '--note',
        `cli completion note ${marker}`,
        '--json',
      ],
    ]) {
      const run = await h.engine.run(() => runCli(args, env));
      expect(run.code, `${args.join(' ')}\n${run.stdout}\n${run.stderr}`).toBe(0);
    }

    // The facade directly.
    await h.engine.run(async () => {
      await h.engine.campaigns.execute(ids.facade, { type: 'note', text: `facade note ${marker}` }, staff);
      await h.engine.campaigns.execute(
        ids.facade,
        {
          type: 'complete',
          milestone: FIRST,
          date: daysAgo(8),
          evidence: { participants: `facade evidence ${marker}` },
          note: `facade completion note ${marker}`,
        },
        staff,
      );
      // An extension: its reason and legal basis are written by a person, so they stay out of the event.
      await h.engine.campaigns.execute(
        ids.facade,
        {
          type: 'extend',
          milestone: 'baseline-assessment',
          by: 'P1M',
          reason: `facade extension reason ${marker}`,
          legalBasis: `facade legal basis ${marker}`,
        },
        lead,
      );
    });

    // A NATS command through the bridge.
    for (const command of [
      { type: 'note' as const, requestId: uniqueId('req'), text: `bridge note ${marker}` },
      {
        type: 'complete' as const,
        requestId: uniqueId('req'),
        milestone: FIRST,
        date: daysAgo(7),
        evidence: { participants: `bridge evidence ${marker}` },
      },
    ]) {
      const msg = await h.engine.run(() =>
        h.nc.request(commandSubject(commandsPrefix, 'partner', ids.bridge, command.type), JSON.stringify(command), { timeout: 20_000 }),
      );
      expect(commandReplySchema.parse(msg.json())).toMatchObject({ ok: true });
    }
  });

  it('reads the marker back through the facade: it was recorded, and the codec opens it', async () => {
    const views: CampaignView[] = await Promise.all(Object.values(ids).map((id) => h.engine.campaigns.view(id)));
    for (const view of views) {
      const shown = JSON.stringify(view);
      expect(shown, view.campaignId).toContain(marker);
      expect(view.milestones.find((m) => m.id === FIRST)?.status, view.campaignId).toBe('done');
    }
    expect(JSON.stringify(views[0])).toContain(`api pause reason ${marker}`);
  });

  /**
   * Opens the API campaign's page in the Web UI in a browser signed in to the dashboard with `role`'s key,
   * with the UI's codec setting sending that session ("Include cross-origin credentials"), and expands
   * the latest update (the pause, whose reason carries the marker). Returns the page's text and the
   * statuses of the UI's calls to the codec endpoint.
   */
  async function webUiAs(role: 'operator' | 'staff'): Promise<{ text: string; codecStatuses: number[] }> {
    browser ??= await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${api}/ui/login`);
      await page.getByLabel('API key').fill(h.secrets[role]);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${api}/ui`);
      const codecStatuses: number[] = [];
      page.on('response', (r) => {
        if (r.url().startsWith(`${api}/codec/`) && r.request().method() === 'POST') codecStatuses.push(r.status());
      });
      await waitUntil(async () => (await fetch(ui, { signal: AbortSignal.timeout(2_000) })).ok, {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: 'Temporal Web UI',
      });
      await page.goto(`${ui}/namespaces/default/workflows`);
      // The UI's own codec settings (its local storage): the endpoint `npm run dev` gives it, with credentials.
      await page.evaluate((endpoint) => {
        const storage = (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage;
        storage.setItem('endpoint', JSON.stringify(endpoint));
        storage.setItem('overrideRemoteCodecConfiguration', 'true');
        storage.setItem('includeCredentials', 'true');
      }, `${api}/codec`);
      await page.goto(`${ui}/namespaces/default/workflows/${ids.api}`);
      await page.getByText('Workflow Execution Update Accepted').first().click({ timeout: 30_000 });
      await expect.poll(() => codecStatuses.length, { timeout: 15_000 }).toBeGreaterThan(1);
      await page.waitForTimeout(2_000);
      return { text: await page.locator('body').innerText(), codecStatuses };
    } finally {
      await context.close();
    }
  }

  it('shows an operator the marker in the Temporal Web UI, decoded by the codec endpoint', async () => {
    const { text, codecStatuses } = await webUiAs('operator');
    expect(new Set(codecStatuses)).toEqual(new Set([200]));
    expect(text).toContain(`api pause reason ${marker}`);
    expect(text).toContain('Capacity-building project');
  });

  it('shows a staff member ciphertext in the Temporal Web UI: the codec endpoint refuses the session', async () => {
    const { text, codecStatuses } = await webUiAs('staff');
    expect(new Set(codecStatuses)).toEqual(new Set([403]));
    expect(text).not.toContain(marker);
    expect(text).not.toContain('Capacity-building project'); // the template title in the start input
  });

  it('finds no form of the marker in any file of the Temporal database, though the campaign ids are there', async () => {
    await stopAll();
    const files = filesUnder(temporalDir);
    expect(files.some((f) => f.endsWith('temporal.sqlite'))).toBe(true);
    expect(files.reduce((size, f) => size + statSync(f).size, 0)).toBeGreaterThan(100_000);
    // Stored in clear, so a search for the marker would find it if it were stored in clear too.
    for (const id of Object.values(ids)) expect(occurrences(temporalDir, id), id).not.toEqual([]);
    expect(occurrences(temporalDir, marker)).toEqual([]);
  });

  it('finds no form of the marker in the JetStream store, though the events of the campaigns are there', async () => {
    await stopAll();
    expect(filesUnder(natsDir).length).toBeGreaterThan(0);
    for (const id of Object.values(ids)) expect(occurrences(natsDir, id), id).not.toEqual([]);
    expect(occurrences(natsDir, marker)).toEqual([]);
  });
});
