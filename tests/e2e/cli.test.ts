import type { NatsConnection } from '@nats-io/transport-node';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiKeyStore } from '../../infra/api-keys.js';
import { freePort } from '../../infra/servers/index.js';
import { loadTemplates } from '../../infra/templates.js';
import type { CampaignView } from '../../shared/campaign/index.js';
import { dateOfInstant, subtractDuration } from '../../shared/dates.js';
import { cloudEventSchema } from '../../shared/events/cloudevent.js';
import { connectNats, connectTemporal, uniqueId, type TemporalTestConnection } from '../support/index.js';
import { cliEnv, runCli, startCli, type CliRun } from '../support/cli.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';

/**
 * The `advocacy` CLI as users run it: bin/advocacy.js in a child process, against the run's Temporal dev
 * server and nats-server, with a real engine worker (built-in templates) on this file's task queue and
 * event stream. Checks exit codes, --json output on stdout, errors (text and JSON) on stderr.
 */

const today = dateOfInstant(Date.now());
const daysAgo = (n: number) => subtractDuration(today, `P${n}D`);

type Run = CliRun;

let baseEnv: Record<string, string> = {};

function spawnCli(args: string[], env: Record<string, string | undefined> = {}) {
  return startCli(args, { ...baseEnv, ...env });
}

/** Runs the CLI to its end (asynchronously: the engine worker in this process must keep polling). */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return runCli(args, { ...baseEnv, ...env });
}

const json = <T>(run: Run): T => JSON.parse(run.stdout) as T;
const jsonError = (run: Run) =>
  (JSON.parse(run.stderr) as { error: { code: string; message: string; issues: string[]; hint?: string; exitCode: number } }).error;

function expectExit(run: Run, code: number): void {
  expect(run.code, `exit code; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(code);
}

/** Campaign listing reads Temporal's visibility store, which lags a little behind writes. */
async function eventually<T>(fn: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 300));
  }
}

// Each test runs the CLI a dozen times or more (a Node start with tsx each): more time than the default.
describe('advocacy CLI against the dev server, a real engine worker and JetStream', { timeout: 150_000 }, () => {
  let temporal: TemporalTestConnection;
  let nc: NatsConnection;
  let engine: TestEngine;
  let scratch: string;

  beforeAll(async () => {
    [temporal, nc] = await Promise.all([connectTemporal(), connectNats({ name: 'cli-test' })]);
    const templates = (await loadTemplates()).allTemplates();
    engine = await createTestEngine({ client: temporal.client, connection: temporal.nativeConnection, nc, templates });
    scratch = join(inject('runDir'), uniqueId('cli'));
    mkdirSync(scratch, { recursive: true });
    baseEnv = cliEnv({ temporal, engine, scratch }, { ADVOCACY_ACTOR: 'lead-ana' });
  });
  afterAll(async () => {
    await engine?.stop();
    await Promise.allSettled([temporal?.close(), nc?.drain()]);
  });

  it('prints help and version, and refuses unknown commands and flags with exit 2 and a pointer to --help', async () => {
    const [help, version, unknown, badFlag, missing] = await Promise.all([
      cli(['--help']),
      cli(['--version']),
      cli(['campaign', 'lst']),
      cli(['campaign', 'list', '--bogus', '--json']),
      cli(['milestone', 'complete', 'only-one-arg']),
    ]);
    expectExit(help, 0);
    expect(help.stdout).toMatch(/Usage: advocacy/);
    expect(help.stdout).toMatch(/Exit codes: 0 ok, 2 invalid input/);
    expectExit(version, 0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expectExit(unknown, 2);
    expect(unknown.stderr).toMatch(/unknown command 'lst'/);
    expect(unknown.stderr).toMatch(/Did you mean list\?/);
    expect(unknown.stderr).toMatch(/advocacy campaign --help/);
    expectExit(badFlag, 2);
    expect(jsonError(badFlag)).toMatchObject({ code: 'invalid', exitCode: 2, message: "unknown option '--bogus'" });
    expect(jsonError(badFlag).hint).toMatch(/advocacy campaign list --help/);
    expect(badFlag.stdout).toBe('');
    expectExit(missing, 2);
    expect(missing.stderr).toMatch(/missing required argument 'milestone'/);
  });

  it('lists, shows and validates templates', async () => {
    const good = join(scratch, 'good.yaml');
    writeFileSync(good, 'id: local-process\nversion: 1\ntitle: A local process\nmilestones:\n  - id: first\n    title: First\n');
    const bad = join(scratch, 'bad.yaml');
    writeFileSync(bad, 'id: Bad Id\nversion: 1\ntitle: t\nmilestones:\n  - id: a\n    title: A\n    dependsOn: [nowhere]\n');
    const dangling = join(scratch, 'dangling.yaml');
    writeFileSync(
      dangling,
      'id: dangling\nversion: 1\ntitle: t\nmilestones:\n  - id: a\n    title: A\n    followOn: [{ template: no-such-template }]\n',
    );
    const [list, show, text, missing, valid, invalid, notFitting] = await Promise.all([
      cli(['templates', 'list', '--json']),
      cli(['templates', 'show', 'opcat-ratification', '--json']),
      cli(['templates', 'show', 'npm-designation']),
      cli(['templates', 'show', 'nope']),
      cli(['templates', 'validate', good, '--json']),
      cli(['templates', 'validate', bad]),
      cli(['templates', 'validate', dangling, '--json']),
    ]);
    expectExit(list, 0);
    expect(json<{ id: string }[]>(list).map((t) => t.id)).toEqual(
      expect.arrayContaining(['uncat-ratification', 'opcat-ratification', 'npm-designation', 'capacity-building']),
    );
    expectExit(show, 0);
    expect(json<{ id: string; milestones: { id: string }[] }>(show).milestones.map((m) => m.id)).toContain('deposit');
    expectExit(text, 0);
    expect(text.stdout).toMatch(/legislation-adopted/);
    expect(text.stdout).toMatch(/OPCAT Art\. 17/);
    expect(text.stdout).not.toContain('\u001b['); // not a terminal: no colour codes
    expectExit(missing, 3);
    expect(missing.stderr).toMatch(/no template nope/);
    expect(missing.stderr).toMatch(/hint: the templates are: .*uncat-ratification/);
    expectExit(valid, 0);
    expect(json(valid)).toMatchObject({ valid: true, id: 'local-process', version: 1, milestones: 1 });
    expectExit(invalid, 2);
    expect(invalid.stderr).toMatch(/^ {2}- id: use lower-case letters/m);
    expect(invalid.stderr).toMatch(/unknown milestone "nowhere"/);
    expectExit(notFitting, 2);
    expect(jsonError(notFitting).issues.join('\n')).toMatch(/no-such-template/);
  });

  it('starts a campaign part-way, shows and lists it, and refuses bad starts with the right exit codes', async () => {
    const id = uniqueId('cli-kh');
    const started = await engine.run(() =>
      cli([
        'campaign',
        'start',
        '--template',
        'uncat-ratification',
        '--country',
        'kh',
        '--id',
        id,
        '--owner',
        'sok',
        '--completed',
        `ministry-dialogue=${daysAgo(40)}`,
        '--json',
      ]),
    );
    expectExit(started, 0);
    const view = json<CampaignView>(started);
    expect(view).toMatchObject({ campaignId: id, country: 'KH', region: 'asia-pacific', owner: 'sok', status: 'active' });
    expect(view.milestones.find((m) => m.id === 'ministry-dialogue')).toMatchObject({ status: 'done', completedOn: daysAgo(40) });
    expect(view.milestones.find((m) => m.id === 'inter-ministerial-review')?.status).toBe('open');
    expect(view.history[0]?.actor).toEqual({ id: 'lead-ana', role: 'programme-lead' });

    const [again, badFlags, unknownTemplate, viewer, future, system] = await engine.run(() =>
      Promise.all([
        cli(['campaign', 'start', '--template', 'uncat-ratification', '--country', 'KH', '--id', id]),
        cli(['campaign', 'start', '--template', 'uncat-ratification', '--country', 'XX', '--start-date', '2024-02-30', '--json']),
        cli(['campaign', 'start', '--template', 'no-such-process', '--country', 'KH', '--json']),
        cli(['campaign', 'start', '--template', 'uncat-ratification', '--country', 'KH', '--role', 'viewer']),
        cli([
          'campaign',
          'start',
          '--template',
          'uncat-ratification',
          '--country',
          'KH',
          '--completed',
          'ministry-dialogue=2999-01-01',
          '--json',
        ]),
        cli(['campaign', 'start', '--template', 'uncat-ratification', '--country', 'KH'], { ADVOCACY_ROLE: 'system' }),
      ]),
    );
    expectExit(again, 5);
    expect(again.stderr).toMatch(/already exists/);
    expect(again.stderr).toMatch(/hint: .*choose another --id/);
    expectExit(badFlags, 2);
    expect(jsonError(badFlags).issues).toEqual([
      expect.stringMatching(/^--country: expected an ISO 3166-1 alpha-2/),
      expect.stringMatching(/^--start-date: not a real calendar date/),
    ]);
    expectExit(unknownTemplate, 3);
    expect(jsonError(unknownTemplate).message).toMatch(/unknown template no-such-process/);
    expectExit(viewer, 4);
    expect(viewer.stderr).toMatch(/role viewer may not start campaigns/);
    expect(viewer.stderr).toMatch(/hint: you act as "lead-ana" with role viewer \(from --role\)/);
    expectExit(future, 2);
    expect(jsonError(future).issues).toEqual([expect.stringMatching(/^--completed ministry-dialogue: 2999-01-01 is in the future/)]);
    expectExit(system, 4);
    expect(system.stderr).toMatch(/does not act with the system role/);

    // A start sent again with its --request-id (its first answer lost) shows the campaign it began.
    const requestId = uniqueId('start-req');
    const startOnce = ['campaign', 'start', '--template', 'uncat-ratification', '--country', 'KH', '--request-id', requestId];
    const once = await engine.run(() => cli([...startOnce, '--json']));
    expectExit(once, 0);
    const twice = await engine.run(() => cli(startOnce));
    expectExit(twice, 0);
    expect(twice.stdout).toContain(`already started (by an earlier run with this --request-id) ${json<CampaignView>(once).campaignId}`);

    const [show, text, notFound] = await engine.run(() =>
      Promise.all([
        cli(['campaign', 'show', id, '--json']),
        cli(['campaign', 'show', id]),
        cli(['campaign', 'show', 'no-such-campaign', '--json']),
      ]),
    );
    expectExit(show, 0);
    expect(json<CampaignView>(show).campaignId).toBe(id);
    expectExit(text, 0);
    expect(text.stdout).toMatch(/Milestones/);
    expect(text.stdout).toMatch(/inter-ministerial-review/);
    expect(text.stdout).toMatch(/Timeline/);
    expect(text.stdout).toMatch(/lead-ana \(programme-lead\)\s+campaign started/);
    expectExit(notFound, 3);
    expect(jsonError(notFound)).toMatchObject({ code: 'not-found', message: 'no campaign with id no-such-campaign' });

    const listed = await engine.run(() =>
      eventually(
        () => cli(['campaign', 'list', '--country', 'KH', '--template', 'uncat-ratification', '--json']),
        (r) => r.code === 0 && json<{ campaignId: string }[]>(r).some((c) => c.campaignId === id),
      ),
    );
    expect(json<{ campaignId: string; status: string; overdue: boolean }[]>(listed).find((c) => c.campaignId === id)).toMatchObject({
      status: 'active',
      overdue: false,
    });
    const [table, badFilter] = await engine.run(() =>
      Promise.all([cli(['campaign', 'list', '--country', 'KH']), cli(['campaign', 'list', '--status', 'sleeping', '--limit', 'many'])]),
    );
    expectExit(table, 0);
    expect(table.stdout).toMatch(/^CAMPAIGN\s+COUNTRY\s+REGION\s+TEMPLATE/);
    expect(table.stdout).toContain(id);
    expectExit(badFilter, 2);
    expect(badFilter.stderr).toMatch(/--status: Invalid option/);
    expect(badFilter.stderr).toMatch(/--limit: expected a number/);
  });

  it('judges a part-way start before anything exists: exit 2 naming the flag and the fix; evidence for what was done', async () => {
    const id = uniqueId('cli-judged');
    const refused = await engine.run(() =>
      cli([
        'campaign',
        'start',
        '--template',
        'uncat-ratification',
        '--country',
        'KH',
        '--id',
        id,
        '--completed',
        `government-decision=${daysAgo(30)}`,
        '--json',
      ]),
    );
    expectExit(refused, 2);
    expect(jsonError(refused).issues).toEqual([
      '--completed government-decision: "government-decision" is given as done but "inter-ministerial-review" is not: ' +
        'give it as done (--completed inter-ministerial-review=YYYY-MM-DD) or as skipped (--skipped inter-ministerial-review=<reason>)',
    ]);
    const gone = await temporal.client.workflow
      .getHandle(id)
      .describe()
      .catch((err: unknown) => err);
    expect((gone as Error).name).toBe('WorkflowNotFoundError');

    const started = await engine.run(() =>
      cli([
        'campaign',
        'start',
        '--template',
        'uncat-ratification',
        '--country',
        'KH',
        '--id',
        id,
        '--skipped',
        'ministry-dialogue=before the campaign',
        '--completed',
        `inter-ministerial-review=${daysAgo(40)}`,
        '--completed',
        `government-decision=${daysAgo(30)}`,
        '--evidence',
        'government-decision.decisionReference=Cabinet 12/2026',
        '--json',
      ]),
    );
    expectExit(started, 0);
    expect(json<CampaignView>(started).milestones.find((m) => m.id === 'government-decision')).toMatchObject({
      status: 'done',
      completedOn: daysAgo(30),
      evidence: { decisionReference: 'Cabinet 12/2026' },
    });
  });

  it('records milestones as staff, with evidence, idempotent request ids and the workflow’s refusals', async () => {
    const id = uniqueId('cli-la');
    expectExit(
      await engine.run(() => cli(['campaign', 'start', '--template', 'uncat-ratification', '--country', 'LA', '--id', id, '--json'])),
      0,
    );
    const staff = { ADVOCACY_ACTOR: 'staff-sari', ADVOCACY_ROLE: 'staff' };
    const complete = (milestone: string, date: string, ...extra: string[]) =>
      cli(['milestone', 'complete', id, milestone, '--date', date, ...extra, '--json'], staff);

    const done = await engine.run(() =>
      complete(
        'ministry-dialogue',
        daysAgo(30),
        '--evidence',
        'ministries=Foreign Affairs; Justice',
        '--note',
        'met both',
        '--request-id',
        'req-1',
      ),
    );
    expectExit(done, 0);
    const result = json<{ ok: boolean; requestId: string; events: number[]; actor: unknown; campaign: CampaignView }>(done);
    expect(result).toMatchObject({ ok: true, requestId: 'req-1', actor: { id: 'staff-sari', role: 'staff' } });
    expect(result.events.length).toBeGreaterThan(0);
    expect(result.campaign.milestones.find((m) => m.id === 'ministry-dialogue')).toMatchObject({
      status: 'done',
      evidence: { ministries: 'Foreign Affairs; Justice' },
      note: 'met both',
      completedBy: { id: 'staff-sari', role: 'staff' },
    });
    // The same request id again: the first answer, nothing changes.
    const repeat = await engine.run(() => complete('ministry-dialogue', daysAgo(30), '--request-id', 'req-1'));
    expectExit(repeat, 0);
    expect(json<{ events: number[] }>(repeat).events).toEqual(result.events);

    const [twice, future, badDate, badEvidence, forbidden, blocked, unknownMilestone] = await engine.run(() =>
      Promise.all([
        complete('ministry-dialogue', daysAgo(30)),
        complete('inter-ministerial-review', '2999-01-01'),
        complete('inter-ministerial-review', 'yesterday', '--evidence', 'bad-name=x'),
        complete('inter-ministerial-review', daysAgo(1), '--evidence', 'reviewUrl=not a url'),
        complete('government-decision', daysAgo(1)),
        complete('parliamentary-approval', daysAgo(1)),
        complete('no-such-step', daysAgo(1)),
      ]),
    );
    expectExit(twice, 5);
    expect(jsonError(twice).message).toMatch(/already done/);
    expect(jsonError(twice).hint).toContain(`advocacy campaign show ${id}`);
    expectExit(future, 2);
    expect(jsonError(future).message).toMatch(/in the future/);
    expectExit(badDate, 2);
    expect(jsonError(badDate).issues).toEqual([
      expect.stringMatching(/^--date: expected a calendar date YYYY-MM-DD/),
      expect.stringMatching(/^--evidence bad-name: use a camelCase identifier/),
    ]);
    expectExit(badEvidence, 2);
    expect(jsonError(badEvidence).message).toMatch(/reviewUrl/);
    expectExit(forbidden, 4);
    expect(jsonError(forbidden).message).toMatch(/may be completed only by programme-lead/);
    expect(jsonError(forbidden).hint).toMatch(/you act as "staff-sari" with role staff \(from ADVOCACY_ROLE\)/);
    expectExit(blocked, 6);
    expect(jsonError(blocked).message).toMatch(/depends on/);
    expectExit(unknownMilestone, 3);
    const text = await engine.run(() => cli(['milestone', 'complete', id, 'inter-ministerial-review', '--date', daysAgo(20)], staff));
    expectExit(text, 0);
    expect(text.stdout).toMatch(/^✔ completed inter-ministerial-review \(Inter-ministerial review of compatibility\) on \S+ in /);
    expect(text.stdout).toMatch(/open now: government-decision/);
    expect(text.stdout).toMatch(/as staff-sari, staff/);

    const steps = await engine.run(async () => [
      await cli(['milestone', 'assign', id, 'government-decision', '--owner', 'minister-liaison', '--json'], staff),
      await cli(['milestone', 'note', id, '--text', 'elections expected in May', '--json'], staff),
      await cli(['milestone', 'note', id, 'government-decision', '--text', 'cabinet meets monthly', '--json'], staff),
      await cli(['milestone', 'reopen', id, 'inter-ministerial-review', '--reason', 'recorded too early', '--json'], staff),
      await cli(['milestone', 'skip', id, 'inter-ministerial-review', '--json'], staff),
      await cli(['milestone', 'extend', id, 'inter-ministerial-review', '--by', 'six months', '--json'], staff),
      await cli(['milestone', 'extend', id, 'initial-report', '--by', 'P6M', '--reason', 'more time', '--legal-basis', 'none', '--json']),
    ]);
    const [assign, note, milestoneNote, reopen, skipNoReason, extendBad, extendBlocked] = steps as [Run, Run, Run, Run, Run, Run, Run];
    expectExit(assign, 0);
    expect(json<{ campaign: CampaignView }>(assign).campaign.milestones.find((m) => m.id === 'government-decision')?.owner).toBe(
      'minister-liaison',
    );
    expectExit(note, 0);
    expectExit(milestoneNote, 0);
    expectExit(reopen, 0);
    expect(json<{ campaign: CampaignView }>(reopen).campaign.milestones.find((m) => m.id === 'inter-ministerial-review')?.status).toBe(
      'open',
    );
    expectExit(skipNoReason, 2);
    expect(jsonError(skipNoReason).issues).toEqual(['--reason: required']);
    expectExit(extendBad, 2);
    expect(jsonError(extendBad).issues).toEqual([
      expect.stringMatching(/^--by: expected a non-negative ISO-8601 duration/),
      '--reason: required',
      '--legal-basis: required',
    ]);
    expectExit(extendBlocked, 6);

    const history = json<CampaignView>(await engine.run(() => cli(['campaign', 'show', id, '--json']))).history;
    expect(history.map((h) => [h.action, h.actor.id])).toEqual(
      expect.arrayContaining([
        ['assigned', 'staff-sari'],
        ['note', 'staff-sari'],
        ['reopened', 'staff-sari'],
      ]),
    );
  });

  it('pauses, resumes and cancels as a programme lead; staff are refused; a cancelled campaign refuses changes', async () => {
    const id = uniqueId('cli-mn');
    expectExit(await engine.run(() => cli(['campaign', 'start', '--template', 'capacity-building', '--country', 'MN', '--id', id])), 0);
    const staffPause = await engine.run(() => cli(['campaign', 'pause', id, '--reason', 'x'], { ADVOCACY_ROLE: 'staff' }));
    expectExit(staffPause, 4);
    expect(staffPause.stderr).toMatch(/hint: you act as/);

    const paused = await engine.run(() => cli(['campaign', 'pause', id, '--reason', 'elections', '--json']));
    expectExit(paused, 0);
    expect(json<{ campaign: CampaignView }>(paused).campaign.status).toBe('paused');
    const pausedAgain = await engine.run(() => cli(['campaign', 'pause', id]));
    expectExit(pausedAgain, 5);
    expect(pausedAgain.stderr).toMatch(/already paused/);
    const resumed = await engine.run(() => cli(['campaign', 'resume', id]));
    expectExit(resumed, 0);
    expect(resumed.stdout).toMatch(/^✔ resumed /);
    expect(resumed.stdout).toMatch(/as lead-ana, programme-lead \(the default role\)/);

    const noReason = await engine.run(() => cli(['campaign', 'cancel', id]));
    expectExit(noReason, 2);
    expect(noReason.stderr).toMatch(/--reason: required/);
    const cancelled = await engine.run(() => cli(['campaign', 'cancel', id, '--reason', 'programme closed', '--json']));
    expectExit(cancelled, 0);
    expect(json<{ campaign: CampaignView }>(cancelled).campaign.status).toBe('cancelled');
    const afterCancel = await engine.run(() => cli(['campaign', 'resume', id, '--json']));
    expectExit(afterCancel, 5);
    expect(jsonError(afterCancel).hint).toContain(`advocacy campaign show ${id}`);
  });

  it('changes a campaign input as a programme lead, checked against the template', async () => {
    const id = uniqueId('cli-vn');
    const started = await engine.run(() =>
      cli([
        'campaign',
        'start',
        '--template',
        'opcat-ratification',
        '--country',
        'VN',
        '--id',
        id,
        '--input',
        'uncatStatus=signed',
        '--json',
      ]),
    );
    expectExit(started, 0);
    expect(json<CampaignView>(started).inputs.uncatStatus).toBe('signed');
    const set = await engine.run(() =>
      cli(['campaign', 'set-input', id, '--name', 'uncatStatus', '--value', 'ratified', '--reason', 'UNCAT deposit recorded', '--json']),
    );
    expectExit(set, 0);
    expect(json<{ campaign: CampaignView }>(set).campaign.inputs.uncatStatus).toBe('ratified');
    const [badValue, unknownInput, staff, noFlags] = await engine.run(() =>
      Promise.all([
        cli(['campaign', 'set-input', id, '--name', 'uncatStatus', '--value', 'maybe', '--reason', 'x', '--json']),
        cli(['campaign', 'set-input', id, '--name', 'colour', '--value', 'red', '--reason', 'x', '--json']),
        cli(['campaign', 'set-input', id, '--name', 'uncatStatus', '--value', 'none', '--reason', 'x', '--role', 'staff']),
        cli(['campaign', 'set-input', id, '--json']),
      ]),
    );
    expectExit(badValue, 2);
    expect(jsonError(badValue).message).toMatch(/must be one of none, signed, ratified, acceded/);
    expectExit(unknownInput, 2);
    expect(jsonError(unknownInput).message).toMatch(/unknown input "colour"/);
    expectExit(staff, 4);
    expectExit(noFlags, 2);
    expect(jsonError(noFlags).issues).toEqual(['--name: required', '--value: required', '--reason: required']);
  });

  it('seeds the campaigns of several states part-way with real dates, with progress, and is idempotent', async () => {
    const prefix = `${uniqueId('seed').toLowerCase()}-`;
    const dry = await cli(['seed', '--country', 'PH', '--country', 'TH', '--dry-run', '--json']);
    expectExit(dry, 0);
    const plan = json<{ dryRun: boolean; countries: { country: string; campaigns: { template: string; outcome: string }[] }[] }>(dry);
    expect(plan.dryRun).toBe(true);
    expect(plan.countries.map((c) => [c.country, c.campaigns.map((x) => [x.template, x.outcome])])).toEqual([
      ['PH', [['npm-designation', 'planned']]],
      ['TH', [['opcat-ratification', 'planned']]],
    ]);

    const seeded = await engine.run(() => cli(['seed', '--country', 'PH', '--country', 'TH', '--id-prefix', prefix]));
    expectExit(seeded, 0);
    expect(seeded.stdout).toMatch(/\[1\/2\] PH npm-designation … started /);
    expect(seeded.stdout).toMatch(/\[2\/2\] TH opcat-ratification … started /);
    const npm = json<CampaignView>(await engine.run(() => cli(['campaign', 'show', `${prefix}ph-npm-designation`, '--json'])));
    expect(npm.inputs.opcatEntryIntoForce).toBe('2012-05-17');
    // Art. 17: one year after entry into force, long passed.
    expect(npm.overdue).toContain('legislation-adopted');

    const again = await engine.run(() => cli(['seed', '--country', 'PH', '--country', 'TH', '--id-prefix', prefix, '--json']));
    expectExit(again, 0);
    const outcomes = json<{ countries: { campaigns: { outcome: string }[] }[] }>(again).countries.flatMap((c) =>
      c.campaigns.map((x) => x.outcome),
    );
    expect(outcomes).toEqual(['exists', 'exists']);
    expect(again.stderr).toBe(''); // JSON mode and not a terminal: no progress noise

    const [unknown, notInData] = await Promise.all([
      cli(['seed', '--country', 'XX', '--dry-run']),
      cli(['seed', '--country', 'FR', '--dry-run', '--json']),
    ]);
    expectExit(unknown, 2);
    expect(unknown.stderr).toMatch(/--country XX: expected an ISO 3166-1 alpha-2/);
    expectExit(notInData, 3);
    expect(jsonError(notInData).hint).toMatch(/the region data covers: .*PH/);
  });

  it('tails events with filters, as JSON lines or text, and stops on Ctrl-C', async () => {
    const id = uniqueId('cli-np');
    const started = await engine.run(() =>
      cli(['campaign', 'start', '--template', 'capacity-building', '--country', 'NP', '--id', id, '--json']),
    );
    expectExit(started, 0);
    const [jsonTail, textTail, twoTypes] = await engine.run(() =>
      Promise.all([
        cli(['events', 'tail', '--from-start', '--campaign', id, '--count', '2', '--json']),
        cli(['events', 'tail', '--from-start', '--country', 'np', '--template', 'capacity-building', '--count', '1']),
        cli([
          'events',
          'tail',
          '--from-start',
          '--campaign',
          id,
          '--type',
          'campaign-started',
          '--type',
          'milestone-opened',
          '--count',
          '2',
          '--json',
        ]),
      ]),
    );
    expectExit(jsonTail, 0);
    const events = jsonTail.stdout
      .trim()
      .split('\n')
      .map((l) => cloudEventSchema.parse(JSON.parse(l)));
    expect(events.map((e) => [e.data.campaignId, e.data.sequence])).toEqual([
      [id, 1],
      [id, 2],
    ]);
    expect(events[0]?.data.type).toBe('campaign-started');
    expectExit(textTail, 0);
    expect(textTail.stdout).toMatch(/\bnp {2}capacity-building {2}campaign-started\b/);
    expect(textTail.stderr).toMatch(/listening on .*\.capacity-building\.np\.\*/);
    expect(textTail.stderr).toMatch(/stopped after 1 event/);
    expectExit(twoTypes, 0);
    expect(
      twoTypes.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { data: { type: string } }).data.type),
    ).toEqual(['campaign-started', 'milestone-opened']);

    // Live: only new events, until Ctrl-C.
    const child = spawnCli(['events', 'tail', '--country', 'NP']);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await eventually(
      () => Promise.resolve(stderr),
      (s) => s.includes('listening'),
    );
    expect(stderr).toMatch(/new events only/);
    await engine.run(() => engine.campaigns.execute(id, { type: 'note', text: 'live' }, { actor: { id: 'staff-tail', role: 'staff' } }));
    await eventually(
      () => Promise.resolve(stdout),
      (s) => s.includes('note-added'),
    );
    expect(stdout).not.toMatch(/campaign-started/); // nothing stored before it started
    expect(stdout).toMatch(/by staff-tail \(staff\)/);
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    expect(stderr).toMatch(/stopped after 1 event/);
  });

  it('creates, lists and revokes API keys in the store the HTTP API reads; only programme leads manage them', async () => {
    const created = await cli([
      'keys',
      'create',
      '--role',
      'staff',
      '--country',
      'ph',
      '--country',
      'ID',
      '--label',
      'Manila office',
      '--json',
    ]);
    expectExit(created, 0);
    const { key, secret } = json<{ key: { id: string; role: string; countries?: string[]; label: string }; secret: string }>(created);
    expect(key).toMatchObject({ role: 'staff', countries: ['ID', 'PH'], label: 'Manila office' });
    const store = new ApiKeyStore(baseEnv.API_KEYS_FILE ?? '');
    expect(await store.verify(secret)).toMatchObject({ id: key.id, role: 'staff' });

    const [text, staffFlag, staffEnv, badFlags] = await Promise.all([
      cli(['keys', 'create', '--role', 'viewer', '--label', 'dashboard screen']),
      cli(['--role', 'staff', 'keys', 'create', '--role', 'viewer', '--label', 'x']),
      cli(['keys', 'create', '--role', 'viewer', '--label', 'x', '--json'], { ADVOCACY_ROLE: 'staff' }),
      cli(['keys', 'create', '--role', 'boss', '--country', 'XX', '--json']),
    ]);
    expectExit(text, 0);
    expect(text.stdout).toMatch(/secret +adv\.key-[0-9a-f]{12}\./);
    expect(text.stdout).toMatch(/shown only this once/);
    expectExit(staffFlag, 4);
    expect(staffFlag.stderr).toMatch(/role staff may not manage API keys/);
    expectExit(staffEnv, 4);
    expectExit(badFlags, 2);
    expect(jsonError(badFlags).issues).toEqual([
      '--label: required',
      expect.stringMatching(/^--role: Invalid option/),
      expect.stringMatching(/^--country XX: expected an ISO 3166-1 alpha-2/),
    ]);

    const list = await cli(['keys', 'list', '--json']);
    expectExit(list, 0);
    expect(json<{ id: string }[]>(list).map((k) => k.id)).toContain(key.id);
    expect(list.stdout).not.toMatch(/hash|digest|adv\.key-/);

    const revoked = await cli(['keys', 'revoke', key.id, '--json']);
    expectExit(revoked, 0);
    expect(json<{ id: string; revokedAt?: string }>(revoked)).toMatchObject({ id: key.id, revokedAt: expect.any(String) as string });
    expect(await store.verify(secret)).toBeUndefined();
    const [twice, unknown, malformed, active, all] = await Promise.all([
      cli(['keys', 'revoke', key.id]),
      cli(['keys', 'revoke', 'key-000000000000', '--json']),
      cli(['keys', 'revoke', 'nope']),
      cli(['keys', 'list', '--json']),
      cli(['keys', 'list', '--all']),
    ]);
    expectExit(twice, 5);
    expect(twice.stderr).toMatch(/already revoked/);
    expectExit(unknown, 3);
    expect(jsonError(unknown).hint).toMatch(/advocacy keys list --all/);
    expectExit(malformed, 2);
    expect(malformed.stderr).toMatch(/<key>: expected a key id/);
    expect(json<{ id: string }[]>(active).map((k) => k.id)).not.toContain(key.id);
    expect(all.stdout).toContain(key.id);
    expect(all.stdout).toMatch(/Manila office\s+staff\s+ID PH/);
  });

  it('says what is wrong when a server or the stream is missing or the configuration is bad', async () => {
    const port = await freePort();
    const [noTemporal, noNats, noStream, badConfig, badActor] = await Promise.all([
      cli(['campaign', 'list', '--json'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` }),
      cli(['events', 'tail'], { NATS_URL: `nats://127.0.0.1:${port}` }),
      cli(['events', 'tail', '--json'], { EVENTS_STREAM: 'NO_SUCH_STREAM' }),
      cli(['campaign', 'list'], { TEMPORAL_UI_PORT: 'eighty' }),
      cli(['campaign', 'pause', 'x', '--role', 'boss', '--json']),
    ]);
    expectExit(noTemporal, 7);
    expect(jsonError(noTemporal).message).toMatch(new RegExp(`cannot reach Temporal at 127.0.0.1:${port}`));
    expect(jsonError(noTemporal).hint).toMatch(/npm run dev.*TEMPORAL_ADDRESS/);
    expectExit(noNats, 7);
    expect(noNats.stderr).toMatch(/cannot reach NATS/);
    expectExit(noStream, 3);
    expect(jsonError(noStream).message).toBe('there is no event stream NO_SUCH_STREAM');
    expectExit(badConfig, 2);
    expect(badConfig.stderr).toMatch(/TEMPORAL_UI_PORT/);
    expectExit(badActor, 2);
    expect(jsonError(badActor).issues).toEqual([expect.stringMatching(/^--role: Invalid option/)]);
  });
});
