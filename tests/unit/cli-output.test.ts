import picocolors from 'picocolors';
import { describe, expect, it } from 'vitest';
import { eventLine } from '../../cli/events.js';
import { openNow } from '../../cli/milestone.js';
import {
  clip,
  CliError,
  colourEnabled,
  errorReport,
  exitCodes,
  formatErrorJson,
  formatErrorText,
  Output,
  progressBar,
  table,
  wrap,
} from '../../cli/output.js';
import { campaignsTable, forbiddenHint, instant, renderCampaign } from '../../cli/render.js';
import { renderSeed } from '../../cli/seed.js';
import { renderTemplate, ruleText, templatesTable } from '../../cli/templates.js';
import { startCampaign, startCampaignSchema, viewCampaign } from '../../shared/campaign/index.js';
import { startOfDay } from '../../shared/dates.js';
import { CampaignError } from '../../shared/errors.js';
import { toCloudEvent } from '../../shared/events/cloudevent.js';
import { parseTemplate } from '../../shared/template/index.js';

const plain = picocolors.createColors(false);
const colour = picocolors.createColors(true);
const ESC = '\u001b[';

function capture(isTTY = false) {
  const stdout = { text: '', isTTY, write: (s: string) => (stdout.text += s) };
  const stderr = { text: '', isTTY, write: (s: string) => (stderr.text += s) };
  return { stdout, stderr };
}

const template = parseTemplate({
  id: 'three-step',
  version: 2,
  title: 'Three steps',
  process: 'ratification',
  inputs: { since: { type: 'date', required: true, description: 'when it started' } },
  milestones: [
    { id: 'dialogue', title: 'Dialogue', stage: 'advocacy', evidence: [{ name: 'minutes', label: 'Minutes', type: 'url' }] },
    {
      id: 'decision',
      title: 'Government decision',
      stage: 'decision',
      role: 'programme-lead',
      dependsOn: ['dialogue'],
      deadline: { after: { input: 'since' }, duration: 'P1Y', legalBasis: 'Art. 1', maxExtension: 'P1Y' },
    },
    { id: 'workshop', title: 'Workshop', dependsOn: ['dialogue'], optional: true },
  ],
});

const now = startOfDay('2026-03-01') + 12 * 3_600_000;
const { state } = startCampaign(
  startCampaignSchema.parse({
    campaignId: 'ph-three-step-1',
    template,
    country: 'PH',
    region: 'asia-pacific',
    startDate: '2026-01-01',
    inputs: { since: '2024-01-01' },
    owner: 'ana',
    actor: { id: 'lead-ana', role: 'programme-lead' },
    completed: [{ milestone: 'dialogue', date: '2024-02-01', evidence: { minutes: 'https://example.org/m' }, note: 'first meeting' }],
  }),
  now,
);
const view = viewCampaign(state, now);

describe('colour', () => {
  it('only for a terminal, never with NO_COLOR or --no-color, forced by FORCE_COLOR', () => {
    expect(colourEnabled({ write: () => true, isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ write: () => true }, {})).toBe(false);
    expect(colourEnabled({ write: () => true, isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ write: () => true, isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colourEnabled({ write: () => true, isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colourEnabled({ write: () => true, isTTY: true }, {}, false)).toBe(false);
    expect(colourEnabled({ write: () => true }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourEnabled({ write: () => true }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ write: () => true, isTTY: true }, { FORCE_COLOR: '0' })).toBe(true);
  });

  it('Output writes colour codes only when enabled', () => {
    const tty = capture(true);
    new Output({ ...tty, env: {} }, false).result({}, (c) => c.red('x'));
    expect(tty.stdout.text).toContain(ESC);
    const noColour = capture(true);
    new Output({ ...noColour, env: { NO_COLOR: '1' } }, false).result({}, (c) => c.red('x'));
    expect(noColour.stdout.text).toBe('x');
  });
});

describe('errors', () => {
  it('map every code to its exit code, and anything else to 1', () => {
    expect(exitCodes).toMatchObject({
      ok: 0,
      unexpected: 1,
      invalid: 2,
      'not-found': 3,
      forbidden: 4,
      unauthorized: 4,
      conflict: 5,
      precondition: 6,
      unavailable: 7,
    });
    for (const code of ['invalid', 'not-found', 'forbidden', 'conflict', 'precondition', 'unavailable'] as const)
      expect(errorReport(new CampaignError(code, 'x')).exitCode).toBe(exitCodes[code]);
    expect(errorReport(new TypeError('boom'))).toMatchObject({ code: 'unexpected', exitCode: 1, message: 'boom' });
    expect(errorReport('a string')).toMatchObject({ code: 'unexpected', exitCode: 1, message: 'a string' });
  });

  it('always say what to do next: the error’s own hint, else the command’s, else the default for the code', () => {
    expect(errorReport(new CliError('not-found', 'x', [], 'own')).hint).toBe('own');
    expect(errorReport(new CampaignError('not-found', 'x'), { 'not-found': 'command' }).hint).toBe('command');
    expect(errorReport(new CampaignError('unavailable', 'x')).hint).toMatch(/npm run dev/);
    expect(errorReport(new Error('x')).hint).toMatch(/bug/);
  });

  it('as text: the headline, each issue when there are several, and the hint; as JSON: one document', () => {
    const report = errorReport(new CliError('invalid', 'invalid flags: --a: bad; --b: worse', ['--a: bad', '--b: worse'], 'fix them'));
    expect(formatErrorText(report, plain)).toBe('error: invalid flags\n  - --a: bad\n  - --b: worse\nhint: fix them\n');
    const single = errorReport(new CliError('invalid', 'invalid flags: --a: bad', ['--a: bad'], 'fix it'));
    expect(formatErrorText(single, plain)).toBe('error: invalid flags: --a: bad\nhint: fix it\n');
    expect(JSON.parse(formatErrorJson(report))).toEqual({
      error: {
        code: 'invalid',
        message: 'invalid flags: --a: bad; --b: worse',
        issues: ['--a: bad', '--b: worse'],
        hint: 'fix them',
        exitCode: 2,
      },
    });
  });

  it('are written to stderr, as JSON in JSON mode; notices are left out of JSON mode', () => {
    const io = capture();
    const out = new Output({ ...io, env: {} }, true);
    out.error(errorReport(new CampaignError('conflict', 'already done')));
    out.notice('listening');
    expect(io.stdout.text).toBe('');
    expect(JSON.parse(io.stderr.text)).toMatchObject({ error: { code: 'conflict', exitCode: 5 } });
  });

  it('progress goes to stdout for people, and to stderr only for a terminal in JSON mode', () => {
    const people = capture();
    new Output({ ...people, env: {} }, false).progress('[1/2]');
    expect(people.stdout.text).toBe('[1/2]\n');
    const script = capture();
    new Output({ ...script, env: {} }, true).progress('[1/2]');
    expect(script.stdout.text + script.stderr.text).toBe('');
    const terminal = capture(true);
    new Output({ ...terminal, env: {} }, true).progress('[1/2]');
    expect(terminal.stderr.text).toBe('[1/2]\n');
  });
});

describe('text helpers', () => {
  it('tables have no borders and no trailing spaces, and measure colour codes correctly', () => {
    expect(
      table(
        plain,
        ['A', 'LONGER'],
        [
          ['x', 1],
          ['yy', 22],
        ],
        { right: [1] },
      ),
    ).toBe('A   LONGER\nx        1\nyy      22\n');
    const coloured = table(colour, ['A', 'B'], [[colour.red('x'), 'y']]);
    expect(
      coloured
        .split(ESC)
        .map((part, i) => (i === 0 ? part : part.replace(/^\d+m/, '')))
        .join(''),
    ).toBe('A  B\nx  y\n');
  });

  it('clips, wraps, draws progress and shortens instants', () => {
    expect(clip('  a   b  ', 10)).toBe('a b');
    expect(clip('abcdefghij', 5)).toBe('abcd…');
    expect(wrap('one two three four', 9)).toBe('one two\nthree\nfour');
    expect(progressBar(50, 10)).toBe('█████░░░░░  50%');
    expect(progressBar(130, 4)).toBe('████ 100%');
    expect(instant('2026-03-01T09:15:02.123Z')).toBe('2026-03-01 09:15');
  });
});

describe('campaign rendering', () => {
  it('shows the summary, every milestone with status, due date and days, and the timeline', () => {
    const text = renderCampaign(plain, view);
    expect(text).toMatch(/^ph-three-step-1 {2}Three steps \(three-step v2\)\n/);
    expect(text).toMatch(/country +PH \(asia-pacific\)/);
    expect(text).toMatch(/status +active · stage decision/);
    expect(text).toMatch(/progress +[█░]+ +33% {2}1 done, 0 skipped of 3/);
    expect(text).toMatch(/owner +ana/);
    expect(text).toMatch(/overdue +decision/);
    expect(text).toMatch(/✔ done +dialogue +Dialogue +2024-02-01 by lead-ana/);
    expect(text).toMatch(/! OVERDUE +decision +Government decision +2025-01-01 +424 d late/);
    expect(text).toMatch(/● open +workshop +Workshop \(optional\)/);
    expect(text).toMatch(/Timeline\nAT \(UTC\) +BY +ACTION/);
    expect(text).toMatch(/lead-ana \(programme-lead\) +campaign started/);
    expect(text).not.toContain(ESC);
    expect(renderCampaign(plain, view, { history: false })).not.toMatch(/Timeline/);
  });

  it('lists campaigns, or says none match', () => {
    const row = {
      campaignId: 'c1',
      country: 'PH',
      region: 'asia-pacific',
      template: 't',
      stage: 's',
      status: 'paused',
      overdue: true,
      startedAt: '2026-01-01T10:00:00.000Z',
    };
    expect(campaignsTable(plain, [row])).toMatch(/^CAMPAIGN +COUNTRY.*\nc1 +PH +asia-pacific +t +s +paused +yes +2026-01-01 10:00\n$/);
    expect(campaignsTable(plain, [])).toBe('no campaigns match\n');
  });

  it('says what is open after a change, and how to act with another role', () => {
    expect(openNow(plain, view)).toBe('\n  open now: decision (due 2025-01-01) overdue, workshop');
    expect(forbiddenHint({ actor: { id: 'sari', role: 'staff' }, roleFrom: 'env' })).toMatch(
      /^you act as "sari" with role staff \(from ADVOCACY_ROLE\); /,
    );
  });
});

describe('events and templates', () => {
  it('prints an event as one line: time, country, template, type, milestone, campaign#sequence, details, actor', () => {
    const event = toCloudEvent({
      type: 'milestone-completed',
      campaignId: 'ph-1',
      templateId: 'three-step',
      templateVersion: 2,
      country: 'PH',
      region: 'asia-pacific',
      sequence: 7,
      occurredAt: '2026-03-01T09:15:02.000Z',
      actor: { id: 'sari', role: 'staff' },
      milestone: 'dialogue',
      completedOn: '2026-02-27',
      late: false,
      automatic: false,
    });
    expect(eventLine(plain, event)).toBe(
      '2026-03-01 09:15  ph  three-step  milestone-completed  dialogue  ph-1#7  completedOn=2026-02-27 late=false automatic=false  by sari (staff)',
    );
  });

  it('describes template rules and renders templates', () => {
    const decision = template.milestones[1];
    if (!decision) throw new Error('no milestone');
    expect(ruleText(decision)).toBe('due P1Y after input since, extendable by P1Y');
    const text = renderTemplate(plain, template);
    expect(text).toMatch(/^three-step v2 {2}Three steps \(ratification\)/);
    expect(text).toMatch(/since +date +yes +when it started/);
    expect(text).toMatch(/2\. decision {2}Government decision {2}\[decision · programme-lead\]/);
    expect(text).toMatch(/evidence +minutes\* \(url\)/);
    const list = templatesTable(plain, [
      { id: 'three-step', version: 2, versions: [1, 2], title: 'Three steps', process: 'ratification', source: 'x', milestones: 3 },
    ]);
    expect(list).toBe(
      'TEMPLATE    VERSION   PROCESS       MILESTONES  TITLE\nthree-step  2 (1, 2)  ratification           3  Three steps\n',
    );
  });

  it('renders a seed plan and its outcomes', () => {
    const plan = { country: 'PH', name: 'Philippines', campaigns: [], notes: ['party to UNCAT'] };
    const request = {
      template: 'npm-designation',
      version: 1,
      country: 'PH',
      region: 'asia-pacific',
      inputs: { opcatEntryIntoForce: '2012-05-17' },
      completed: [],
      skipped: [],
    };
    const result = { country: 'PH', template: 'npm-designation', version: 1, campaignId: 'ph-npm-designation', rationale: 'why', request };
    const dry = renderSeed(plain, [plan], [{ ...result, outcome: 'planned' }], true);
    expect(dry).toMatch(
      /PH Philippines\n {2}npm-designation v1 → ph-npm-designation {2}planned\n {4}why\n {4}inputs: opcatEntryIntoForce=2012-05-17\n {2}note: party to UNCAT/,
    );
    expect(dry).toMatch(/dry run: nothing was started/);
    const done = renderSeed(plain, [plan], [{ ...result, outcome: 'exists' }], false);
    expect(done).toMatch(/already running/);
    expect(done).toMatch(/STARTED +ALREADY RUNNING +FAILED\n0 +1 +0/);
  });
});
