import { beforeAll, describe, expect, it } from 'vitest';
import { loadTemplates } from '../../infra/templates.js';
import {
  applyCommand,
  automaticDate,
  ruleDueDate,
  startCampaign,
  startCampaignSchema,
  type ScheduleFacts,
} from '../../shared/campaign/index.js';
import { startOfDay } from '../../shared/dates.js';
import type { Milestone, Template } from '../../shared/template/index.js';

/**
 * The treaty rules, to the calendar day, through the built-in templates and the engine's schedule.
 * Every expected date below was counted by hand from the rule (month lengths, leap years), never by
 * calling the code under test; where a real state's published date exists it is named as a cross-check.
 *
 * UNCAT Art. 27(2) / OPCAT Art. 28(2): in force on the 30th day after deposit = deposit + 30 days.
 * UNCAT Art. 27(1): in force generally on 26 June 1987; OPCAT Art. 28(1): on 22 June 2006.
 * UNCAT Art. 19(1): initial report within one year after entry into force.
 * OPCAT Art. 17: NPM at the latest one year after entry into force; Art. 24: + Part IV postponement (<= 3y)
 * + extension by the Committee against Torture (<= 2y).
 */

let uncat: Template;
let opcat: Template;
let npm: Template;

beforeAll(async () => {
  const registry = await loadTemplates();
  uncat = registry.getTemplate('uncat-ratification');
  opcat = registry.getTemplate('opcat-ratification');
  npm = registry.getTemplate('npm-designation');
});

const milestone = (t: Template, id: string): Milestone => {
  const m = t.milestones.find((x) => x.id === id);
  if (!m) throw new Error(`${t.id} has no milestone ${id}`);
  return m;
};
const facts = (completedOn: Record<string, string>, inputs: ScheduleFacts['inputs'] = {}): ScheduleFacts => ({
  startDate: '2020-01-01',
  inputs,
  completedOn,
});
const entryIntoForce = (t: Template, deposit: string) => automaticDate(milestone(t, 'entry-into-force'), facts({ deposit }));

describe('entry into force: deposit + 30 calendar days (UNCAT Art. 27(2), OPCAT Art. 28(2))', () => {
  it.each([
    // deposit, entry into force, how it was counted
    ['2023-01-31', '2023-03-02', 'Jan 31 + 28 days = Feb 28 (2023 is not a leap year), + 2 = Mar 2'],
    ['2024-01-31', '2024-03-01', 'Jan 31 + 29 days = Feb 29 (leap year), + 1 = Mar 1'],
    ['2023-02-10', '2023-03-12', 'Feb 10 + 18 = Feb 28, + 12 = Mar 12'],
    ['2024-02-10', '2024-03-11', 'Feb 10 + 19 = Feb 29, + 11 = Mar 11'],
    ['2024-01-30', '2024-02-29', 'Jan 30 + 1 = Jan 31, + 29 = Feb 29'],
    ['2023-06-15', '2023-07-15', 'June has 30 days: Jun 15 + 15 = Jun 30, + 15 = Jul 15'],
    ['2023-07-15', '2023-08-14', 'July has 31 days: Jul 15 + 16 = Jul 31, + 14 = Aug 14'],
    ['2022-12-15', '2023-01-14', 'Dec 15 + 16 = Dec 31, + 14 = Jan 14 of the next year'],
  ])('deposit %s -> %s (%s)', (deposit, expected) => {
    expect(entryIntoForce(uncat, deposit)).toBe(expected);
    expect(entryIntoForce(opcat, deposit)).toBe(expected);
  });

  it.each([
    // Published dates of real states, as cross-checks of the rule.
    ['UNCAT', 'Australia', '1989-08-08', '1989-09-07'],
    ['UNCAT', 'Republic of Korea', '1995-01-09', '1995-02-08'],
    ['UNCAT', 'Viet Nam', '2015-02-05', '2015-03-07'],
    ['UNCAT', 'Austria', '1987-07-29', '1987-08-28'],
    ['OPCAT', 'Australia', '2017-12-21', '2018-01-20'],
    ['OPCAT', 'Sri Lanka', '2017-12-05', '2018-01-04'],
  ])('%s, %s: deposit %s -> in force %s', (treaty, _state, deposit, expected) => {
    expect(entryIntoForce(treaty === 'UNCAT' ? uncat : opcat, deposit)).toBe(expected);
  });
});

describe("a deposit before the treaty's general entry into force", () => {
  it('UNCAT: bound from 26 June 1987 (Art. 27(1)); deadlines run from that date', () => {
    // The Philippines deposited on 18 June 1986; 30 days later would be 18 July 1986.
    expect(entryIntoForce(uncat, '1986-06-18')).toBe('1987-06-26');
    // The 20th instrument was deposited on 27 May 1987: + 30 days = 26 June 1987 itself.
    expect(entryIntoForce(uncat, '1987-05-27')).toBe('1987-06-26');
    // After the 20th instrument, Art. 27(2) applies: Jun 10 + 20 = Jun 30, + 10 = Jul 10.
    expect(entryIntoForce(uncat, '1987-06-10')).toBe('1987-07-10');
    const report = milestone(uncat, 'initial-report');
    expect(ruleDueDate(report, facts({ 'entry-into-force': '1987-06-26' }))).toBe('1988-06-26');
  });

  it('OPCAT: bound from 22 June 2006 (Art. 28(1)); the NPM is due a year later', () => {
    // The Maldives deposited on 15 February 2006.
    expect(entryIntoForce(opcat, '2006-02-15')).toBe('2006-06-22');
    // The 20th instruments were deposited on 23 May 2006: May 23 + 8 = May 31, + 22 = June 22.
    expect(entryIntoForce(opcat, '2006-05-23')).toBe('2006-06-22');
    // June 1 + 29 = June 30, + 1 = July 1.
    expect(entryIntoForce(opcat, '2006-06-01')).toBe('2006-07-01');
    const designation = milestone(npm, 'legislation-adopted');
    expect(ruleDueDate(designation, facts({}, { opcatEntryIntoForce: '2006-06-22' }))).toBe('2007-06-22');
  });
});

describe('UNCAT initial report: one year after entry into force (Art. 19(1))', () => {
  const report = () => milestone(uncat, 'initial-report');
  it.each([
    ['2023-03-02', '2024-03-02'],
    ['2018-01-20', '2019-01-20'],
    ['2015-03-07', '2016-03-07'],
    // One year after 29 February has no 29 February: the calendar gives 28 February (the earlier,
    // safe reading of "within one year").
    ['2024-02-29', '2025-02-28'],
  ])('in force %s -> report due %s', (eif, due) => {
    expect(ruleDueDate(report(), facts({ 'entry-into-force': eif }))).toBe(due);
  });

  it('reminders fall 3 months, 1 month and 7 days before the deadline', () => {
    expect(report().reminders).toEqual(['P3M', 'P1M', 'P7D']);
  });
});

describe('NPM designation deadline (OPCAT Art. 17, Art. 24)', () => {
  const due = (inputs: ScheduleFacts['inputs']) => ruleDueDate(milestone(npm, 'legislation-adopted'), facts({}, inputs));

  it('one year after entry into force without a declaration', () => {
    expect(due({ opcatEntryIntoForce: '2018-01-20' })).toBe('2019-01-20');
    // The Philippines: acceded 17 April 2012, in force 17 May 2012.
    expect(due({ opcatEntryIntoForce: '2012-05-17' })).toBe('2013-05-17');
    // 29 February + 1 year -> 28 February.
    expect(due({ opcatEntryIntoForce: '2024-02-29' })).toBe('2025-02-28');
  });

  it('moved by a Part IV postponement of three years', () => {
    // Australia: in force 20 January 2018, Part IV postponed for three years: 20 January 2022 (the date
    // the Committee against Torture states in its decision on Australia's Art. 24(2) request).
    expect(due({ opcatEntryIntoForce: '2018-01-20', art24PartIVPostponement: 'P3Y' })).toBe('2022-01-20');
  });

  it('and by the extension granted by the Committee against Torture', () => {
    // Australia was granted one more year: 20 January 2023.
    expect(due({ opcatEntryIntoForce: '2018-01-20', art24PartIVPostponement: 'P3Y', art24PartIVExtension: 'P1Y' })).toBe('2023-01-20');
    // The longest possible: 1 + 3 + 2 years.
    expect(due({ opcatEntryIntoForce: '2018-01-20', art24PartIVPostponement: 'P3Y', art24PartIVExtension: 'P2Y' })).toBe('2024-01-20');
    // From a leap day: 2024-02-29 + 6 years = 2030-02-28 (2030 has no 29 February).
    expect(due({ opcatEntryIntoForce: '2024-02-29', art24PartIVPostponement: 'P3Y', art24PartIVExtension: 'P2Y' })).toBe('2030-02-28');
  });

  it('an empty postponement input changes nothing', () => {
    expect(due({ opcatEntryIntoForce: '2018-01-20', art24PartIVPostponement: '' })).toBe('2019-01-20');
  });
});

describe('the same dates through the state machine, started part-way', () => {
  const now = startOfDay('2026-11-28');
  const actor = { id: 'lead', role: 'programme-lead' as const };

  it('UNCAT: a deposit given as done derives entry into force and the report deadline', () => {
    const { state } = startCampaign(
      startCampaignSchema.parse({
        campaignId: 'test-uncat-vn',
        template: uncat,
        country: 'VN',
        region: 'asia-pacific',
        startDate: '2026-11-28',
        actor,
        skipped: [
          { milestone: 'ministry-dialogue', reason: 'before the campaign' },
          { milestone: 'inter-ministerial-review', reason: 'before the campaign' },
          { milestone: 'government-decision', reason: 'before the campaign' },
        ],
        completed: [
          { milestone: 'signature', date: '2013-11-07' },
          { milestone: 'parliamentary-approval', date: '2014-11-28' },
          { milestone: 'deposit', date: '2015-02-05', evidence: { instrumentKind: 'ratification' } },
        ],
      }),
      now,
    );
    expect(state.milestones['accession-decision']?.status).toBe('skipped');
    expect(state.milestones['entry-into-force']).toMatchObject({ status: 'done', completedOn: '2015-03-07' });
    expect(state.milestones['initial-report']).toMatchObject({ status: 'open', dueOn: '2016-03-07' });
  });

  it('OPCAT -> NPM: entry into force passes its date and the Part IV postponement to the NPM campaign', () => {
    const { state, effects } = startCampaign(
      startCampaignSchema.parse({
        campaignId: 'test-opcat-au',
        template: opcat,
        country: 'AU',
        region: 'asia-pacific',
        startDate: '2026-11-28',
        inputs: { uncatStatus: 'ratified' },
        actor,
        skipped: [
          { milestone: 'awareness-dialogue', reason: 'before the campaign' },
          { milestone: 'national-consultation', reason: 'before the campaign' },
          { milestone: 'government-decision', reason: 'before the campaign' },
          { milestone: 'parliamentary-approval', reason: 'before the campaign' },
        ],
        completed: [
          { milestone: 'signature', date: '2009-05-19' },
          { milestone: 'deposit', date: '2017-12-21', evidence: { instrumentKind: 'ratification', art24PartIVPostponement: 'P3Y' } },
        ],
      }),
      now,
    );
    expect(state.milestones['entry-into-force']).toMatchObject({ status: 'done', completedOn: '2018-01-20' });
    expect(effects.followOns).toHaveLength(1);
    const followOn = effects.followOns[0];
    expect(followOn).toMatchObject({
      templateId: 'npm-designation',
      inputs: { opcatEntryIntoForce: '2018-01-20', art24PartIVPostponement: 'P3Y' },
    });

    const child = startCampaign(
      startCampaignSchema.parse({
        campaignId: followOn?.campaignId,
        template: npm,
        country: 'AU',
        region: 'asia-pacific',
        startDate: '2026-11-28',
        inputs: { ...followOn?.inputs, art24PartIVExtension: 'P1Y' },
        actor,
      }),
      now,
    );
    expect(child.state.milestones['legislation-adopted']?.dueOn).toBe('2023-01-20');
  });

  it('OPCAT Art. 27: signature and deposit are refused with the reason until UNCAT allows them', () => {
    const start = (uncatStatus: string) =>
      startCampaign(
        startCampaignSchema.parse({
          campaignId: `test-opcat-${uncatStatus}`,
          template: opcat,
          country: 'IN',
          region: 'asia-pacific',
          startDate: '2026-11-28',
          inputs: { uncatStatus },
          actor,
          skipped: ['awareness-dialogue', 'national-consultation', 'government-decision'].map((milestone) => ({
            milestone,
            reason: 'test',
          })),
        }),
        now,
      ).state;
    const complete = (state: ReturnType<typeof start>, milestone: string, evidence: Record<string, string> = {}) =>
      applyCommand(state, { type: 'complete', requestId: `r-${milestone}`, actor, milestone, date: '2026-11-27', evidence }, now);

    const refused = complete(start('none'), 'signature').result;
    expect(refused).toMatchObject({ ok: false, code: 'precondition' });
    expect(refused.ok ? '' : refused.message).toMatch(/Art\. 27\(1\)/);

    // Signed UNCAT only (India's situation): OPCAT may be signed but not ratified.
    let state = start('signed');
    const signed = complete(state, 'signature');
    expect(signed.result.ok).toBe(true);
    state = complete(signed.state, 'parliamentary-approval').state;
    const deposit = complete(state, 'deposit', { instrumentKind: 'ratification' }).result;
    expect(deposit).toMatchObject({ ok: false, code: 'precondition' });
    expect(deposit.ok ? '' : deposit.message).toMatch(/Art\. 27\(2\)/);
  });
});
