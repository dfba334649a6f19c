import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { coerceInputs, startBody, startFlagsSchema, startIssueAsFlag } from '../../cli/campaign.js';
import { DEFAULT_ROLE, resolveActor } from '../../cli/command-context.js';
import { supportsFilterSubjects, tailFlagsSchema, tailPlan } from '../../cli/events.js';
import { collect, flagIssues, flagName, pairs, parseFlags, renameIssues } from '../../cli/flags.js';
import { completeFlagsSchema, extendFlagsSchema, noteFlagsSchema } from '../../cli/milestone.js';
import { CliError } from '../../cli/output.js';
import { seedCampaignId, seedFlagsSchema } from '../../cli/seed.js';
import { isoDate } from '../../shared/dates.js';
import { CampaignError } from '../../shared/errors.js';
import { fieldName, slug } from '../../shared/ids.js';
import { parseTemplate } from '../../shared/template/index.js';
import { loadTemplates } from '../../infra/templates.js';
import { judgeStart, startCampaignSchema } from '../../shared/campaign/index.js';

/** The issues of the `invalid` CliError that parsing throws. */
function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).code).toBe('invalid');
    return (err as CliError).issues;
  }
  throw new Error('expected the flags to be refused');
}

describe('flag names and issues', () => {
  it('names schema keys as the flags and arguments the user typed', () => {
    expect(flagName('startDate')).toBe('--start-date');
    expect(flagName('legalBasis')).toBe('--legal-basis');
    expect(flagName('campaign', ['campaign'])).toBe('<campaign>');
    expect(collect('b=2', collect('a=1', undefined))).toEqual(['a=1', 'b=2']);
  });

  it('reports every bad flag at once, one problem each, and says "required" for a missing one', () => {
    const schema = z.object({ startDate: isoDate, count: z.number().int(), name: z.string() });
    expect(issuesOf(() => parseFlags(schema, { startDate: 'soon', count: Number('x') }))).toEqual([
      '--start-date: expected a calendar date YYYY-MM-DD',
      '--count: expected a number',
      '--name: required',
    ]);
  });

  it('names a repeated flag by the value given rather than its position', () => {
    const schema = z.object({ country: z.array(z.string().length(2, 'two letters')) });
    const values = { country: ['PH', 'Philippines'] };
    const error = schema.safeParse(values).error;
    expect(error && flagIssues(error, [], values)).toEqual(['--country Philippines: two letters']);
  });

  it('puts the problems in the message and the issues', () => {
    try {
      parseFlags(z.object({ campaign: z.string().min(3) }), { campaign: 'x' }, ['campaign']);
    } catch (err) {
      expect((err as CliError).message).toBe('invalid flags: <campaign>: Too small: expected string to have >=3 characters');
      return;
    }
    throw new Error('expected a refusal');
  });
});

describe('pairs: repeatable key=value flags', () => {
  const inputs = z.object({ input: pairs(z.record(fieldName, z.string()), 'name=value') });

  it('builds a record; the value may contain "=" and may be empty', () => {
    expect(parseFlags(inputs, { input: ['a=1', 'b=x=y', 'c='] }).input).toEqual({ a: '1', b: 'x=y', c: '' });
    expect(parseFlags(inputs, {}).input).toEqual({});
  });

  it('refuses a pair without "=", a key given twice, and a bad key, naming the flag and key', () => {
    expect(issuesOf(() => parseFlags(inputs, { input: ['lawNumber'] }))).toEqual(['--input: "lawNumber" is not name=value']);
    expect(issuesOf(() => parseFlags(inputs, { input: ['a=1', 'a=2'] }))).toEqual(['--input a: given twice']);
    expect(issuesOf(() => parseFlags(inputs, { input: ['law-number=5'] }))).toEqual([
      '--input law-number: use a camelCase identifier (e.g. "lawNumber")',
    ]);
  });

  it('checks values with the target schema (milestone=date)', () => {
    const completed = z.object({ completed: pairs(z.record(slug, isoDate), 'milestone=YYYY-MM-DD') });
    expect(parseFlags(completed, { completed: ['signature=2001-02-03'] }).completed).toEqual({ signature: '2001-02-03' });
    expect(issuesOf(() => parseFlags(completed, { completed: ['signature=2001-02-30'] }))).toEqual([
      '--completed signature: not a real calendar date',
    ]);
  });
});

describe('campaign start flags', () => {
  const template = parseTemplate({
    id: 'inputs-demo',
    version: 1,
    title: 'Inputs',
    inputs: { flag: { type: 'boolean' }, status: { type: 'enum', values: ['none', 'signed'] } },
    milestones: [{ id: 'one', title: 'One' }],
  });

  it('validates with the start request schema and builds the facade request', () => {
    const flags = parseFlags(startFlagsSchema, {
      template: 'inputs-demo',
      country: 'ph',
      input: ['flag=yes', 'status=signed'],
      completed: ['one=2020-01-02'],
      skipped: ['two=not needed'],
      id: 'ph-demo',
    });
    expect(flags.country).toBe('PH');
    expect(startBody(flags, template)).toEqual({
      template: 'inputs-demo',
      country: 'PH',
      inputs: { flag: true, status: 'signed' },
      completed: [{ milestone: 'one', date: '2020-01-02' }],
      skipped: [{ milestone: 'two', reason: 'not needed' }],
      campaignId: 'ph-demo',
    });
  });

  it('names the flags of a bad start', () => {
    expect(
      issuesOf(() =>
        parseFlags(startFlagsSchema, {
          template: 'Inputs Demo',
          country: 'XX',
          startDate: '2020-13-01',
          templateVersion: Number('two'),
          id: '-x',
        }),
      ),
    ).toEqual([
      '--template: use lower-case letters, digits and single dashes (e.g. "deposit")',
      '--template-version: expected a number',
      '--country: expected an ISO 3166-1 alpha-2 country code such as "ID" or "PH"',
      '--start-date: not a real calendar date',
      '--id: letters, digits and . _ - only ("~" is reserved for follow-on campaigns)',
    ]);
  });

  it('turns true/false/yes/no into booleans only for boolean inputs', () => {
    expect(coerceInputs(template, { flag: 'FALSE', status: 'true' })).toEqual({ flag: false, status: 'true' });
    expect(coerceInputs(template, { flag: 'maybe' })).toEqual({ flag: 'maybe' });
    expect(coerceInputs(undefined, { flag: 'true' })).toEqual({ flag: 'true' });
  });

  it("renames the facade's request fields to the flags", () => {
    const flags = { completed: { 'ministry-dialogue': '2999-01-01' }, skipped: { review: 'n/a' } };
    expect(startIssueAsFlag('completed.0.date: 2999-01-01 is in the future', flags)).toBe(
      '--completed ministry-dialogue: 2999-01-01 is in the future',
    );
    expect(startIssueAsFlag('skipped.0.milestone: unknown milestone "review"', flags)).toBe('--skipped review: unknown milestone "review"');
    expect(startIssueAsFlag('inputs.uncatStatus: required (enum)', flags)).toBe('--input uncatStatus: required (enum)');
    expect(startIssueAsFlag('startDate: bad', flags)).toBe('--start-date: bad');
    expect(startIssueAsFlag('campaignId: already in use', flags)).toBe('--id: already in use');
    expect(startIssueAsFlag('template: not found; see `advocacy templates list`', flags)).toBe(
      '--template: not found; see `advocacy templates list`',
    );

    const err = new CampaignError('invalid', 'the campaign cannot start: inputs.x: required; startDate: bad', [
      'inputs.x: required',
      'startDate: bad',
    ]);
    const renamed = renameIssues(err, (i) => startIssueAsFlag(i, flags));
    expect(renamed).toMatchObject({
      code: 'invalid',
      message: 'the campaign cannot start: --input x: required; --start-date: bad',
      issues: ['--input x: required', '--start-date: bad'],
    });
  });
});

describe('part-way starts from the command line', () => {
  /** The facade's start from the flags, judged as the workflow will run it (without learned inputs). */
  async function judge(args: Record<string, unknown>): Promise<string[]> {
    const registry = await loadTemplates();
    const flags = parseFlags(startFlagsSchema, args);
    const template = registry.findTemplate(flags.template);
    const body = startBody(flags, template);
    const start = startCampaignSchema.parse({
      ...body,
      campaignId: 'c',
      template,
      region: 'asia-pacific',
      startDate: '2024-01-01',
      actor: { id: 'a', role: 'programme-lead' },
    });
    return judgeStart(start, Date.parse('2024-01-01T12:00:00Z')).map((issue) => startIssueAsFlag(issue, flags));
  }

  it('gives evidence for milestones given as done, as --help shows it (an Art. 24 declaration with the deposit)', async () => {
    const flags = {
      template: 'opcat-ratification',
      country: 'PH',
      input: ['uncatStatus=ratified'],
      skipped: ['awareness-dialogue=before the campaign', 'national-consultation=before the campaign'],
      completed: [
        'government-decision=2019-06-01',
        'accession-decision=2019-07-01',
        'parliamentary-approval=2020-01-15',
        'deposit=2020-03-01',
      ],
      evidence: ['deposit.instrumentKind=accession', 'deposit.art24PartIVPostponement=P3Y'],
    };
    expect(startBody(parseFlags(startFlagsSchema, flags), undefined).completed).toEqual([
      { milestone: 'government-decision', date: '2019-06-01' },
      { milestone: 'accession-decision', date: '2019-07-01' },
      { milestone: 'parliamentary-approval', date: '2020-01-15' },
      { milestone: 'deposit', date: '2020-03-01', evidence: { instrumentKind: 'accession', art24PartIVPostponement: 'P3Y' } },
    ]);
    expect(await judge(flags)).toEqual([]);
  });

  it('refuses evidence for a milestone not given as done, or not written as milestone.field', () => {
    expect(
      issuesOf(() =>
        parseFlags(startFlagsSchema, {
          template: 't',
          country: 'PH',
          completed: ['deposit=2020-03-01'],
          evidence: ['signature.documentUrl=x', 'deposit=P3Y'],
        }),
      ),
    ).toEqual(['--evidence deposit: write the milestone and the evidence field as milestone.field, e.g. deposit.instrumentKind']);
    expect(
      issuesOf(() =>
        parseFlags(startFlagsSchema, {
          template: 't',
          country: 'PH',
          completed: ['deposit=2020-03-01'],
          evidence: ['signature.documentUrl=x'],
        }),
      ),
    ).toEqual(['--evidence signature.documentUrl: "signature" is not given as done; add --completed signature=YYYY-MM-DD']);
  });

  it('names a missing predecessor and how to give it, in flags', async () => {
    expect(
      await judge({ template: 'opcat-ratification', country: 'PH', input: ['uncatStatus=ratified'], completed: ['deposit=2020-03-01'] }),
    ).toEqual([
      '--completed deposit: "deposit" is given as done but "parliamentary-approval" is not: give it as done (--completed parliamentary-approval=YYYY-MM-DD) ' +
        'or as skipped (--skipped parliamentary-approval=<reason>)',
    ]);
    const before = [
      'awareness-dialogue=before the campaign',
      'national-consultation=before the campaign',
      'government-decision=before the campaign',
    ];
    expect(
      await judge({
        template: 'opcat-ratification',
        country: 'PH',
        skipped: before,
        input: ['uncatStatus=ratified'],
        completed: ['signature=2019-01-01', 'accession-decision=2019-02-01'],
      }),
    ).toEqual([
      expect.stringMatching(
        /^--completed (signature|accession-decision): ".+" is given as done but is skipped \(".+" was chosen instead\): give only one of the alternatives as done$/,
      ),
    ]);
    expect(
      await judge({
        template: 'opcat-ratification',
        country: 'PH',
        input: ['uncatStatus=ratified'],
        completed: ['awareness-dialogue=2019-01-01'],
        skipped: ['awareness-dialogue=no'],
      }),
    ).toEqual([
      '--completed awareness-dialogue: "awareness-dialogue" is given as done but is skipped (no): it is also given with --skipped awareness-dialogue; give it only once',
    ]);
  });
});

describe('milestone flags come from the command schemas', () => {
  const positional = ['campaign', 'milestone'];

  it('complete: date, evidence pairs, note', () => {
    const f = parseFlags(
      completeFlagsSchema,
      { campaign: 'c1', milestone: 'deposit', date: '2020-01-02', evidence: ['instrumentKind=accession'], note: ' met ' },
      positional,
    );
    expect(f).toMatchObject({
      campaign: 'c1',
      milestone: 'deposit',
      date: '2020-01-02',
      evidence: { instrumentKind: 'accession' },
      note: 'met',
    });
    expect(issuesOf(() => parseFlags(completeFlagsSchema, { campaign: ' ', milestone: 'Deposit', evidence: ['x= '] }, positional))).toEqual(
      [
        '<campaign>: name the campaign (see `advocacy campaign list`)',
        '<milestone>: use lower-case letters, digits and single dashes (e.g. "deposit")',
        '--date: required',
        '--evidence x: Too small: expected string to have >=1 characters',
      ],
    );
  });

  it('extend: duration, reason and legal basis are all required', () => {
    expect(issuesOf(() => parseFlags(extendFlagsSchema, { campaign: 'c', milestone: 'npm', by: '6 months' }, positional))).toEqual([
      '--by: expected a non-negative ISO-8601 duration such as P30D, P1Y or PT12H',
      '--reason: required',
      '--legal-basis: required',
    ]);
  });

  it('note: the milestone is optional', () => {
    expect(parseFlags(noteFlagsSchema, { campaign: 'c', text: 'hello' }, positional)).toMatchObject({ campaign: 'c', text: 'hello' });
  });
});

describe('who the CLI user is', () => {
  const none = { ADVOCACY_ACTOR: undefined, ADVOCACY_ROLE: undefined };

  it('flags win over the environment, which wins over the OS user as a programme lead', () => {
    expect(resolveActor({}, none, 'ana')).toEqual({ actor: { id: 'ana', role: DEFAULT_ROLE }, roleFrom: 'default' });
    expect(resolveActor({}, { ADVOCACY_ACTOR: 'sari', ADVOCACY_ROLE: 'staff' }, 'ana')).toEqual({
      actor: { id: 'sari', role: 'staff' },
      roleFrom: 'env',
    });
    expect(resolveActor({ actor: ' budi ', role: 'viewer' }, { ADVOCACY_ACTOR: 'sari', ADVOCACY_ROLE: 'staff' }, 'ana')).toEqual({
      actor: { id: 'budi', role: 'viewer' },
      roleFrom: 'flag',
    });
    expect(resolveActor({}, none, '').actor.id).toBe('operator');
  });

  it('refuses the system role and names a bad role or actor', () => {
    expect(() => resolveActor({ role: 'system' }, none, 'ana')).toThrow(/does not act with the system role/);
    expect(() => resolveActor({}, { ...none, ADVOCACY_ROLE: 'system' }, 'ana')).toThrow(
      expect.objectContaining({
        name: 'CliError',
        code: 'forbidden',
        message: expect.stringMatching(/does not act with the system role/) as unknown,
      }),
    );
    expect(issuesOf(() => resolveActor({ role: 'boss', actor: '  ' }, none, 'ana'))).toEqual([
      '--actor: an id, not a name: 1-64 letters, digits, ".", "_" or "-" (e.g. "sari" or "legal-team"); it is published in events',
      expect.stringMatching(/^--role: Invalid option: expected one of "viewer"\|"staff"\|"programme-lead"\|"system"/),
    ]);
    expect(issuesOf(() => resolveActor({ actor: 'key-0123456789ab' }, none, 'ana'))).toEqual([
      "--actor: an API key's id; give your own (history would name the key's holder)",
    ]);
    // A name is not an id: history and published events record who acted.
    expect(issuesOf(() => resolveActor({ actor: 'Sari Wulandari' }, none, 'ana'))).toEqual([
      expect.stringMatching(/^--actor: an id, not a name/),
    ]);
  });
});

describe('events tail filters', () => {
  it('validates templates, countries and event types', () => {
    expect(parseFlags(tailFlagsSchema, { country: ['ph'], type: ['milestone-completed'], fromStart: true })).toMatchObject({
      country: ['PH'],
      type: ['milestone-completed'],
      template: [],
      fromStart: true,
    });
    expect(issuesOf(() => parseFlags(tailFlagsSchema, { type: ['completed'], count: 0 }))[0]).toMatch(/^--type completed: Invalid option/);
  });

  it('lets the server filter one subject, several on nats-server 2.10+, and matches in the CLI on older servers', () => {
    expect(supportsFilterSubjects('2.9.10')).toBe(false);
    expect(supportsFilterSubjects('2.10.0')).toBe(true);
    expect(supportsFilterSubjects('3.0.1')).toBe(true);
    expect(supportsFilterSubjects(undefined)).toBe(false);
    const one = { template: [], country: ['PH'], type: [] };
    expect(tailPlan('adv', one, '2.9.10')).toEqual({ filter: 'adv.*.ph.*' });
    const two = { template: [], country: ['PH', 'ID'], type: ['reminder-due' as const] };
    expect(tailPlan('adv', two, '2.11.1')).toEqual({ filter: ['adv.*.ph.reminder-due', 'adv.*.id.reminder-due'] });
    const old = tailPlan('adv', two, '2.9.10');
    expect(old.matchInProcess).toEqual(['adv.*.ph.reminder-due', 'adv.*.id.reminder-due']);
    expect(old.filter).not.toEqual(old.matchInProcess);
  });
});

describe('seed flags', () => {
  it('needs a country, validates them, and names campaigns by prefix, country and template', () => {
    expect(issuesOf(() => parseFlags(seedFlagsSchema, { country: [] }))).toEqual(['--country: name at least one state, e.g. --country PH']);
    expect(issuesOf(() => parseFlags(seedFlagsSchema, { country: ['PH', 'ZZ'], idPrefix: 'Seed_' }))).toEqual([
      '--country ZZ: expected an ISO 3166-1 alpha-2 country code such as "ID" or "PH"',
      '--id-prefix: lower-case letters, digits and -, e.g. "seed-"',
    ]);
    expect(seedCampaignId(undefined, { country: 'PH', template: 'npm-designation' })).toBe('ph-npm-designation');
    expect(seedCampaignId('demo-', { country: 'TH', template: 'opcat-ratification' })).toBe('demo-th-opcat-ratification');
  });
});
