/**
 * Example tests of the pure campaign state machine (shared/campaign): starting (also part-way with real
 * past dates), every command with its rejections, alternatives, reopen cascades, automatic milestones,
 * reminders, overdue notices, extensions, inputs, cancel, completion, follow-ons, wake-ups and the view.
 */
import { describe, expect, it } from 'vitest';
import {
  applyCommand,
  checkStart,
  nextWakeUp,
  startCampaign,
  StartError,
  tick,
  viewCampaign,
  type CampaignCommand,
  type CampaignState,
  type DomainEvent,
  type Effects,
  type Outcome,
} from '../../shared/campaign/index.js';
import { startOfDay, type IsoDate } from '../../shared/dates.js';
import type { Template } from '../../shared/template/index.js';
import { cmd, conditional, lead, linear, on, opcatLike, staff, startRequest, system, tpl, viewer } from '../support/templates/index.js';

type Started = Outcome;

const types = (effects: Effects) => effects.events.map((e) => e.type);
const eventsOf = <T extends DomainEvent['type']>(effects: Effects, type: T) =>
  effects.events.filter((e): e is Extract<DomainEvent, { type: T }> => e.type === type);

function begin(template: Template, overrides: Parameters<typeof startRequest>[1] = {}, now = on('2024-01-01')): Started {
  return startCampaign(startRequest(template, overrides), now);
}

/** Applies a command that must be accepted; returns the outcome. */
function accept(state: CampaignState, command: CampaignCommand, now: number) {
  const outcome = applyCommand(state, command, now);
  if (!outcome.result.ok) throw new Error(`expected ${command.type} to be accepted: ${outcome.result.message}`);
  expect(outcome.result.events).toEqual(outcome.effects.events.map((e) => e.sequence));
  return outcome;
}

/** A command that must be refused: same state object, deep-equal to before, no events, no follow-ons. */
function refuse(state: CampaignState, command: CampaignCommand, now: number, code: string, message: RegExp | string) {
  const before = structuredClone(state);
  const outcome = applyCommand(state, command, now);
  expect(outcome.result.ok).toBe(false);
  if (outcome.result.ok) return;
  expect(outcome.result.code).toBe(code);
  if (typeof message === 'string') expect(outcome.result.message).toBe(message);
  else expect(outcome.result.message).toMatch(message);
  expect(outcome.result.requestId).toBe(command.requestId);
  expect(outcome.state).toBe(state);
  expect(outcome.state).toEqual(before);
  expectNoEffects(outcome.effects);
  expect(state.requests[command.requestId]).toBeUndefined();
}

const status = (state: CampaignState, id: string) => state.milestones[id]?.status;

/** No effect of any kind (events, follow-ons, and whatever lists the effects grow later). */
function expectNoEffects(effects: Effects): void {
  expect(effects.events).toEqual([]);
  expect(effects.followOns).toEqual([]);
  for (const [kind, list] of Object.entries(effects)) expect(list, kind).toEqual([]);
}

/** OPCAT-like campaign started 2024-01-01 and brought to the deposit on 2024-03-01 (accession path). */
function toDeposit(uncatStatus = 'acceded'): CampaignState {
  let { state } = begin(opcatLike(), { inputs: { uncatStatus } });
  const now = on('2024-03-01');
  const steps: [string, IsoDate, Record<string, string>?][] = [
    ['dialogue', '2024-01-10'],
    ['decision', '2024-01-20', { decisionReference: 'Cabinet 12/2024' }],
    ['accession', '2024-02-01'],
    ['approval', '2024-02-10'],
    ['deposit', '2024-03-01', { instrumentKind: 'accession' }],
  ];
  for (const [milestone, date, evidence] of steps)
    state = accept(state, cmd.complete(milestone, date, { evidence: evidence ?? {} }), now).state;
  return state;
}

describe('starting a campaign', () => {
  it('opens the milestones without dependencies, computes deadlines from the start and numbers events from 1', () => {
    const { state, effects } = begin(linear());
    expect(types(effects)).toEqual(['campaign-started', 'milestone-opened']);
    expect(effects.events.map((e) => e.sequence)).toEqual([1, 2]);
    expect(state.sequence).toBe(2);
    expect(effects.events[0]).toMatchObject({
      type: 'campaign-started',
      startDate: '2024-01-01',
      actor: lead,
      country: 'ID',
      region: 'asia-pacific',
    });
    expect(status(state, 'first')).toBe('open');
    expect(status(state, 'second')).toBe('blocked');
    // 2024 is a leap year: 1 January + 60 days = 1 March.
    expect(state.milestones.second?.dueOn).toBe('2024-03-01');
    expect(state.status).toBe('active');
    expect(state.history[0]).toMatchObject({ action: 'campaign started', actor: lead });
  });

  it('starts part-way with real past dates: derived deadlines, an overdue deadline announced once at once', () => {
    const { state, effects } = begin(
      opcatLike(),
      {
        startDate: '2024-06-01',
        inputs: { uncatStatus: 'acceded' },
        completed: [
          { milestone: 'dialogue', date: '2008-01-10' },
          { milestone: 'decision', date: '2008-05-01', evidence: { decisionReference: 'Decree 7/2008' } },
          { milestone: 'accession', date: '2009-02-01' },
          { milestone: 'approval', date: '2010-01-15' },
          { milestone: 'deposit', date: '2010-03-01', evidence: { instrumentKind: 'accession' }, note: 'C.N.123.2010' },
        ],
      },
      on('2024-06-01'),
    );
    expect(status(state, 'signature')).toBe('skipped');
    expect(state.milestones.signature?.skipCause).toBe('alternative-chosen');
    // Entry into force derived: deposit + 30 days (OPCAT Art. 28(2)).
    expect(state.milestones['entry-into-force']).toMatchObject({
      status: 'done',
      completedOn: '2010-03-31',
      completedBy: { role: 'system' },
    });
    // The NPM deadline runs from entry into force: one year, long passed.
    expect(state.milestones.npm).toMatchObject({ status: 'open', dueOn: '2011-03-31', overdueNotified: true });
    const overdue = eventsOf(effects, 'milestone-overdue');
    expect(overdue).toEqual([expect.objectContaining({ milestone: 'npm', dueOn: '2011-03-31' })]);
    // A deadline long passed gets no reminders; milestones given as done are never reported overdue.
    expect(eventsOf(effects, 'reminder-due')).toEqual([]);
    expect(eventsOf(effects, 'milestone-completed').map((e) => [e.milestone, e.completedOn, e.automatic])).toEqual([
      ['dialogue', '2008-01-10', false],
      ['decision', '2008-05-01', false],
      ['accession', '2009-02-01', false],
      ['approval', '2010-01-15', false],
      ['deposit', '2010-03-01', false],
      ['entry-into-force', '2010-03-31', true],
    ]);
    expect(state.milestones.deposit).toMatchObject({ evidence: { instrumentKind: 'accession' }, note: 'C.N.123.2010', completedBy: lead });
    // The follow-on campaign is requested with mapped inputs.
    expect(effects.followOns).toEqual([
      {
        milestone: 'entry-into-force',
        templateId: 'npm-designation',
        templateVersion: 2,
        campaignId: 'campaign-opcat-like~npm-designation',
        inputs: { entryIntoForce: '2010-03-31', instrument: 'accession', uncat: 'acceded', source: 'opcat-like' },
      },
    ]);
    expect(effects.events.map((e) => e.sequence)).toEqual(effects.events.map((_, i) => i + 1));
    expect(viewCampaign(state, on('2024-06-01')).overdue).toEqual(['npm']);
  });

  it('counts a postponement input into a deadline computed from past dates', () => {
    const { state, effects } = begin(
      opcatLike(),
      {
        startDate: '2024-06-01',
        inputs: { uncatStatus: 'ratified', postponement: 'P3Y' },
        completed: [
          { milestone: 'dialogue', date: '2019-01-10' },
          { milestone: 'decision', date: '2019-05-01', evidence: { decisionReference: 'x' } },
          { milestone: 'signature', date: '2019-06-01' },
          { milestone: 'approval', date: '2020-01-15' },
          { milestone: 'deposit', date: '2021-09-15', evidence: { instrumentKind: 'ratification' } },
        ],
      },
      on('2024-06-01'),
    );
    // Entry into force 2021-10-15; NPM due one year later plus the three-year postponement.
    expect(state.milestones.npm?.dueOn).toBe('2025-10-15');
    expect(eventsOf(effects, 'milestone-overdue')).toEqual([]);
    expect(eventsOf(effects, 'reminder-due')).toEqual([]);
  });

  it('applies a treaty-wide notBefore to derived dates (a state that deposited before OPCAT entered into force)', () => {
    const { state } = begin(
      opcatLike(),
      {
        startDate: '2024-06-01',
        inputs: { uncatStatus: 'ratified' },
        completed: [
          { milestone: 'dialogue', date: '2004-01-10' },
          { milestone: 'decision', date: '2004-05-01', evidence: { decisionReference: 'x' } },
          { milestone: 'signature', date: '2004-06-01' },
          { milestone: 'approval', date: '2005-01-15' },
          { milestone: 'deposit', date: '2006-01-10', evidence: { instrumentKind: 'ratification' } },
        ],
      },
      on('2024-06-01'),
    );
    expect(state.milestones['entry-into-force']?.completedOn).toBe('2006-06-22');
    expect(state.milestones.npm?.dueOn).toBe('2007-06-22');
  });

  it('keeps the real date, evidence and note given for an automatic milestone instead of deriving them', () => {
    const { state, effects } = begin(
      opcatLike(),
      {
        startDate: '2024-06-01',
        inputs: { uncatStatus: 'acceded' },
        completed: [
          { milestone: 'dialogue', date: '2008-01-10' },
          { milestone: 'decision', date: '2008-05-01', evidence: { decisionReference: 'x' } },
          { milestone: 'accession', date: '2009-02-01' },
          { milestone: 'approval', date: '2010-01-15' },
          { milestone: 'deposit', date: '2010-03-01', evidence: { instrumentKind: 'accession' } },
          { milestone: 'entry-into-force', date: '2010-04-02', note: 'date as published by the depositary' },
        ],
      },
      on('2024-06-01'),
    );
    expect(state.milestones['entry-into-force']).toMatchObject({
      status: 'done',
      completedOn: '2010-04-02',
      completedBy: lead,
      note: 'date as published by the depositary',
    });
    expect(eventsOf(effects, 'milestone-completed').filter((e) => e.milestone === 'entry-into-force')).toHaveLength(1);
    expect(state.milestones.npm?.dueOn).toBe('2011-04-02');
  });

  it('does not complete the campaign (nor skip optional milestones) before all prior completions are applied', () => {
    const template = tpl({
      id: 'short',
      version: 1,
      title: 'Short',
      milestones: [
        { id: 'a', title: 'A' },
        { id: 'b', title: 'B', optional: true, dependsOn: ['a'], evidence: [{ name: 'reportUrl', label: 'Report', type: 'url' }] },
      ],
    });
    const { state, effects } = begin(template, {
      completed: [
        { milestone: 'a', date: '2023-05-01' },
        { milestone: 'b', date: '2023-06-01', evidence: { reportUrl: 'https://example.org/r' } },
      ],
    });
    expect(state.milestones.b).toMatchObject({ status: 'done', completedOn: '2023-06-01' });
    expect(state.milestones.b?.skipCause).toBeUndefined();
    expect(types(effects)).toEqual([
      'campaign-started',
      'milestone-completed',
      'milestone-opened',
      'milestone-completed',
      'campaign-completed',
    ]);
  });

  it('lists every problem of a start request, each naming its field', () => {
    const request = startRequest(opcatLike(), {
      inputs: { budget: 'large' },
      completed: [
        { milestone: 'dialogue', date: '2024-02-01' },
        { milestone: 'decision', date: '2023-12-01', evidence: { decisionReference: 'x', bogus: 'y' } },
        { milestone: 'nope', date: '2023-01-01' },
        { milestone: 'deposit', date: '2023-01-01', evidence: { instrumentKind: 'succession' } },
        { milestone: 'dialogue', date: '2024-02-01' },
      ],
      skipped: [{ milestone: 'ghost', reason: 'x' }],
    });
    const problems = checkStart(request, '2024-01-01');
    expect(problems).toEqual(
      expect.arrayContaining([
        'inputs.uncatStatus: required (enum)',
        'inputs.budget: unknown input for template opcat-like',
        'completed.0.date: 2024-02-01 is in the future',
        'completed.1.date: 2023-12-01 is before "dialogue" (2024-02-01)',
        'completed.1.evidence: unknown evidence field(s) bogus for "decision"',
        'completed.2.milestone: unknown milestone "nope"',
        'completed.3.evidence: evidence "instrumentKind" must be one of ratification, accession',
        'completed.4.milestone: "dialogue" is given twice (also completed.0)',
        'completed.4.date: 2024-02-01 is in the future',
        'skipped.0.milestone: unknown milestone "ghost"',
      ]),
    );
    expect(problems).toHaveLength(10);
    expect(() => startCampaign(request, on('2024-01-01'))).toThrow(StartError);
  });

  it('refuses a milestone given as done before its dependencies are, or dated before a derived dependency', () => {
    expect(() =>
      begin(opcatLike(), {
        inputs: { uncatStatus: 'acceded' },
        completed: [{ milestone: 'decision', date: '2023-01-01', evidence: { decisionReference: 'x' } }],
      }),
    ).toThrow(/"decision" is given as done but "dialogue" is not/);
    const past: { milestone: string; date: IsoDate; evidence?: Record<string, string> }[] = [
      { milestone: 'dialogue', date: '2008-01-10' },
      { milestone: 'decision', date: '2008-05-01', evidence: { decisionReference: 'x' } },
      { milestone: 'accession', date: '2009-02-01' },
      { milestone: 'approval', date: '2010-01-15' },
      { milestone: 'deposit', date: '2010-03-01', evidence: { instrumentKind: 'accession' } },
    ];
    // Entry into force is derived as 2010-03-31: an NPM designated before it cannot be.
    expect(() =>
      begin(opcatLike(), { inputs: { uncatStatus: 'acceded' }, completed: [...past, { milestone: 'npm', date: '2010-03-15' }] }),
    ).toThrow(/"npm" on 2010-03-15 is before "entry-into-force" \(2010-03-31\)/);
    // Both alternatives given as done: one is already skipped by the other.
    expect(() =>
      begin(opcatLike(), {
        inputs: { uncatStatus: 'acceded' },
        completed: [...past.slice(0, 3), { milestone: 'signature', date: '2009-03-01' }],
      }),
    ).toThrow(/"accession" is given as done but is skipped \("signature" was chosen instead\)/);
    // Given as done and as skipped.
    expect(() =>
      begin(opcatLike(), {
        inputs: { uncatStatus: 'acceded' },
        completed: [...past],
        skipped: [{ milestone: 'declaration', reason: 'none made' }],
      }),
    ).not.toThrow();
  });
});

describe('completing a milestone', () => {
  it('records who, when, evidence and note, and opens what depended on it', () => {
    const { state } = begin(opcatLike(), { inputs: { uncatStatus: 'acceded' } });
    const first = accept(state, cmd.complete('dialogue', '2023-12-20', { actor: staff, note: 'Bangkok workshop' }), on('2024-01-05'));
    expect(first.state.milestones.dialogue).toMatchObject({
      status: 'done',
      completedOn: '2023-12-20',
      completedBy: staff,
      note: 'Bangkok workshop',
      recordedAt: '2024-01-05T12:00:00.000Z',
    });
    expect(types(first.effects)).toEqual(['milestone-completed', 'milestone-opened']);
    expect(first.effects.events[1]).toMatchObject({ milestone: 'decision', dueOn: '2026-01-01' });
    // Free text stays in the history, never in events.
    expect(JSON.stringify(first.effects.events)).not.toContain('Bangkok');
    expect(first.state.history.at(-1)).toMatchObject({
      action: 'completed',
      milestone: 'dialogue',
      detail: 'Bangkok workshop',
      actor: staff,
    });

    const second = accept(
      first.state,
      cmd.complete('decision', '2024-01-05', { evidence: { decisionReference: ' Cabinet 1/2024 ' } }),
      on('2024-01-05'),
    );
    expect(second.effects.events[0]).toMatchObject({
      type: 'milestone-completed',
      milestone: 'decision',
      late: false,
      automatic: false,
      dueOn: '2026-01-01',
    });
    expect(status(second.state, 'signature')).toBe('open');
    expect(status(second.state, 'accession')).toBe('open');
  });

  it('marks a completion after the due date as late', () => {
    const { state } = begin(opcatLike(), { inputs: { uncatStatus: 'acceded' } });
    const s1 = accept(state, cmd.complete('dialogue', '2024-01-02'), on('2026-03-01')).state;
    const s2 = accept(s1, cmd.complete('decision', '2026-02-01', { evidence: { decisionReference: 'x' } }), on('2026-03-01'));
    expect(s2.effects.events[0]).toMatchObject({ type: 'milestone-completed', late: true, dueOn: '2026-01-01' });
  });

  describe('refuses, with a reason, without changing anything or emitting', () => {
    const now = on('2024-03-01');
    const started = () => begin(opcatLike(), { inputs: { uncatStatus: 'none' } }).state;
    const withDialogue = () => accept(started(), cmd.complete('dialogue', '2024-01-15'), now).state;
    const withDecision = () =>
      accept(withDialogue(), cmd.complete('decision', '2024-01-20', { evidence: { decisionReference: 'x' } }), now).state;

    it('an unknown milestone', () =>
      refuse(started(), cmd.complete('nope', '2024-01-02'), now, 'not-found', 'unknown milestone "nope" in template opcat-like'));
    it('an unmet dependency', () =>
      refuse(
        started(),
        cmd.complete('decision', '2024-01-02', { evidence: { decisionReference: 'x' } }),
        now,
        'precondition',
        '"decision" depends on "dialogue", not done yet',
      ));
    it('a milestone already done', () =>
      refuse(withDialogue(), cmd.complete('dialogue', '2024-01-20'), now, 'conflict', '"dialogue" is already done (on 2024-01-15)'));
    it('a role below the milestone role', () =>
      refuse(
        withDialogue(),
        cmd.complete('decision', '2024-01-20', { actor: staff, evidence: { decisionReference: 'x' } }),
        now,
        'forbidden',
        '"decision" may be completed only by programme-lead',
      ));
    it('a viewer', () =>
      refuse(
        started(),
        cmd.complete('dialogue', '2024-01-20', { actor: viewer }),
        now,
        'forbidden',
        'role viewer may not complete; it needs staff',
      ));
    it('missing required evidence', () =>
      refuse(
        withDialogue(),
        cmd.complete('decision', '2024-01-20'),
        now,
        'invalid',
        'evidence "decisionReference" (Cabinet decision) is required for "decision"',
      ));
    it('an unknown evidence field', () =>
      refuse(
        withDialogue(),
        cmd.complete('decision', '2024-01-20', { evidence: { decisionReference: 'x', minutes: 'y' } }),
        now,
        'invalid',
        /unknown evidence field\(s\) minutes/,
      ));
    it('a date in the future', () =>
      refuse(started(), cmd.complete('dialogue', '2024-03-02'), now, 'invalid', 'date 2024-03-02 is in the future (today is 2024-03-01)'));
    it('a date before its dependency', () =>
      refuse(
        withDialogue(),
        cmd.complete('decision', '2024-01-14', { evidence: { decisionReference: 'x' } }),
        now,
        'invalid',
        'date 2024-01-14 is before "dialogue" was done (2024-01-15)',
      ));
    it('a precondition on the inputs, with its reason', () =>
      refuse(withDecision(), cmd.complete('signature', '2024-02-01'), now, 'precondition', 'OPCAT Art. 27(1): sign UNCAT first'));
    it('an automatic milestone', () => {
      const state = toDeposit();
      refuse(
        state,
        cmd.complete('entry-into-force', '2024-03-01'),
        on('2024-03-01'),
        'invalid',
        '"entry-into-force" completes itself (OPCAT Art. 28(2))',
      );
    });
    it('a skipped milestone', () => {
      const state = accept(withDecision(), cmd.complete('accession', '2024-02-01'), now).state;
      refuse(state, cmd.complete('signature', '2024-02-01'), now, 'conflict', '"signature" was skipped; reopen it first');
    });

    it('badly typed evidence: url, date, enum', () => {
      const state = toDeposit();
      const reopened = accept(state, cmd.reopen('deposit'), on('2024-03-02')).state;
      const deposit = (evidence: Record<string, string>) =>
        cmd.complete('deposit', '2024-03-01', { evidence: { instrumentKind: 'accession', ...evidence } });
      refuse(
        reopened,
        deposit({ documentUrl: 'treaties dot un dot org' }),
        on('2024-03-02'),
        'invalid',
        'evidence "documentUrl" must be a valid url',
      );
      refuse(reopened, deposit({ depositedOn: '2024-02-30' }), on('2024-03-02'), 'invalid', 'evidence "depositedOn" must be a valid date');
      refuse(
        reopened,
        deposit({ instrumentKind: 'succession' }),
        on('2024-03-02'),
        'invalid',
        'evidence "instrumentKind" must be one of ratification, accession',
      );
      expect(
        accept(reopened, deposit({ documentUrl: 'https://treaties.un.org/x', depositedOn: '2024-03-01' }), on('2024-03-02')).state
          .milestones.deposit?.evidence,
      ).toEqual({
        instrumentKind: 'accession',
        documentUrl: 'https://treaties.un.org/x',
        depositedOn: '2024-03-01',
      });
    });
  });

  it('returns the first result for a repeated request id and changes nothing, even for a different command', () => {
    const { state } = begin(linear());
    const first = accept(state, cmd.complete('first', '2024-01-01', { requestId: 'once' }), on('2024-01-02'));
    const again = applyCommand(first.state, cmd.complete('first', '2024-01-02', { requestId: 'once' }), on('2024-01-03'));
    expect(again.result).toEqual(first.result);
    expect(again.state).toBe(first.state);
    expectNoEffects(again.effects);
    const other = applyCommand(first.state, cmd.cancel({ requestId: 'once' }), on('2024-01-03'));
    expect(other.result).toEqual(first.result);
    expect(other.state.status).toBe('active');
  });

  it('does not remember a rejected request id: the caller may retry it once fixed', () => {
    const { state } = begin(linear());
    refuse(state, cmd.complete('first', '2024-01-05', { requestId: 'retry' }), on('2024-01-02'), 'invalid', /in the future/);
    expect(accept(state, cmd.complete('first', '2024-01-02', { requestId: 'retry' }), on('2024-01-02')).result.ok).toBe(true);
  });
});

describe('alternatives', () => {
  const decided = () => {
    let { state } = begin(opcatLike(), { inputs: { uncatStatus: 'signed' } });
    state = accept(state, cmd.complete('dialogue', '2024-01-10'), on('2024-02-01')).state;
    return accept(state, cmd.complete('decision', '2024-01-20', { evidence: { decisionReference: 'x' } }), on('2024-02-01')).state;
  };

  it('completing one skips the other; reopening it restores the other', () => {
    const done = accept(decided(), cmd.complete('accession', '2024-01-25'), on('2024-02-01'));
    expect(eventsOf(done.effects, 'milestone-skipped')).toEqual([
      expect.objectContaining({ milestone: 'signature', cause: 'alternative-chosen' }),
    ]);
    expect(done.state.milestones.signature).toMatchObject({ status: 'skipped', skipCause: 'alternative-chosen' });
    expect(status(done.state, 'approval')).toBe('open');

    const reopened = accept(done.state, cmd.reopen('accession'), on('2024-02-02'));
    expect(eventsOf(reopened.effects, 'milestone-reopened').map((e) => e.milestone)).toEqual(['accession', 'signature']);
    expect(reopened.state.milestones.signature?.skipCause).toBeUndefined();
    expect(status(reopened.state, 'signature')).toBe('open');
    expect(status(reopened.state, 'accession')).toBe('open');
    expect(status(reopened.state, 'approval')).toBe('blocked');
    expect(reopened.state.milestones.accession?.completedOn).toBeUndefined();
  });

  it('refuses to reopen the alternative that was not chosen', () => {
    const done = accept(decided(), cmd.complete('accession', '2024-01-25'), on('2024-02-01')).state;
    refuse(done, cmd.reopen('signature'), on('2024-02-02'), 'conflict', '"accession" was chosen instead of "signature"; reopen it first');
  });

  it('refuses to reopen the chosen one when a milestone done on the strength of the skipped one depends on it', () => {
    const template = tpl({
      id: 'alt-deps',
      version: 1,
      title: 'Alternatives with dependents',
      milestones: [
        { id: 'sign', title: 'Sign', alternativeTo: ['accede'] },
        { id: 'accede', title: 'Accede', alternativeTo: ['sign'] },
        { id: 'after-sign', title: 'Needs sign done or skipped', dependsOn: ['sign'] },
        { id: 'final', title: 'Final', dependsOn: ['after-sign'] },
      ],
    });
    let { state } = begin(template);
    state = accept(state, cmd.complete('accede', '2024-01-01'), on('2024-01-02')).state;
    state = accept(state, cmd.complete('after-sign', '2024-01-02'), on('2024-01-02')).state;
    refuse(state, cmd.reopen('accede'), on('2024-01-03'), 'conflict', /reopen "after-sign" first/);
  });

  it('allows skipping one required alternative (the other path is taken) but not all of them', () => {
    const skipped = accept(decided(), cmd.skip('signature'), on('2024-02-01'));
    expect(skipped.state.milestones.signature).toMatchObject({ status: 'skipped', skipCause: 'manual' });
    refuse(skipped.state, cmd.skip('accession'), on('2024-02-01'), 'precondition', /"accession" is required/);
  });
});

describe('skip', () => {
  it('skips an optional milestone and lets its dependents proceed', () => {
    const state = toDeposit();
    const outcome = accept(state, cmd.skip('declaration'), on('2024-03-02'));
    expect(types(outcome.effects)).toEqual(['milestone-skipped']);
    expect(outcome.state.milestones.declaration).toMatchObject({ status: 'skipped', skipCause: 'manual', skipReason: 'not needed here' });
  });

  it('refuses a required milestone, a done one and an already skipped one', () => {
    const state = toDeposit();
    refuse(state, cmd.skip('npm'), on('2024-03-02'), 'precondition', '"npm" is required; only optional milestones can be skipped');
    refuse(state, cmd.skip('deposit'), on('2024-03-02'), 'conflict', '"deposit" is done; reopen it instead');
    const skipped = accept(state, cmd.skip('declaration'), on('2024-03-02')).state;
    refuse(skipped, cmd.skip('declaration'), on('2024-03-02'), 'conflict', '"declaration" is already skipped');
    refuse(state, cmd.skip('declaration', { actor: viewer }), on('2024-03-02'), 'forbidden', /role viewer may not skip/);
  });
});

describe('reopen', () => {
  it('is refused while a non-automatic dependent is done', () => {
    const state = toDeposit();
    refuse(state, cmd.reopen('approval'), on('2024-03-02'), 'conflict', /reopen "deposit" first/);
    refuse(state, cmd.reopen('npm'), on('2024-03-02'), 'conflict', '"npm" is not done or skipped');
  });

  it('cascades through automatic dependents, which re-derive from the corrected date', () => {
    const inForce = tick(toDeposit(), on('2024-03-31')).state;
    expect(inForce.milestones['entry-into-force']?.completedOn).toBe('2024-03-31');
    expect(inForce.milestones.npm?.dueOn).toBe('2025-03-31');

    const reopened = accept(inForce, cmd.reopen('deposit'), on('2024-04-01'));
    expect(eventsOf(reopened.effects, 'milestone-reopened').map((e) => e.milestone)).toEqual(['deposit', 'entry-into-force']);
    expect(reopened.state.milestones['entry-into-force']).toMatchObject({ status: 'blocked' });
    expect(reopened.state.milestones['entry-into-force']?.completedOn).toBeUndefined();
    expect(status(reopened.state, 'npm')).toBe('blocked');
    expect(reopened.state.milestones.npm?.dueOn).toBeUndefined();

    // Corrected deposit date: entry into force re-derived at once (it is in the past), no second follow-on.
    const corrected = accept(
      reopened.state,
      cmd.complete('deposit', '2024-02-20', { evidence: { instrumentKind: 'accession' } }),
      on('2024-04-01'),
    );
    expect(corrected.state.milestones['entry-into-force']).toMatchObject({ status: 'done', completedOn: '2024-03-21' });
    expect(corrected.state.milestones.npm?.dueOn).toBe('2025-03-21');
    expect(corrected.effects.followOns).toEqual([]);
  });

  it('is refused when a done milestone depends on an automatic one it would cascade to', () => {
    let state = tick(toDeposit(), on('2024-03-31')).state;
    state = accept(state, cmd.complete('npm', '2024-04-01'), on('2024-04-02')).state;
    refuse(state, cmd.reopen('deposit'), on('2024-04-02'), 'conflict', /reopen "npm" first/);
  });

  it('reopens a manually skipped milestone', () => {
    const skipped = accept(toDeposit(), cmd.skip('declaration'), on('2024-03-02')).state;
    const reopened = accept(skipped, cmd.reopen('declaration'), on('2024-03-03'));
    expect(types(reopened.effects)).toEqual(['milestone-reopened', 'milestone-opened']);
    expect(reopened.state.milestones.declaration?.skipReason).toBeUndefined();
  });
});

describe('automatic milestones', () => {
  it('complete on the exact date through tick, never earlier, and start their follow-ons', () => {
    const state = toDeposit();
    expect(status(state, 'entry-into-force')).toBe('open');
    expect(nextWakeUp(state, on('2024-03-01'))).toBe(startOfDay('2024-03-31'));
    const early = tick(state, startOfDay('2024-03-31') - 1);
    expectNoEffects(early.effects);
    expect(early.state).toEqual(state);

    const due = tick(state, startOfDay('2024-03-31'));
    expect(types(due.effects)).toEqual(['milestone-completed', 'follow-on-started', 'milestone-opened']);
    expect(due.effects.events[0]).toMatchObject({
      milestone: 'entry-into-force',
      completedOn: '2024-03-31',
      automatic: true,
      actor: { role: 'system' },
    });
    expect(due.effects.events[1]).toMatchObject({
      followOnCampaignId: 'campaign-opcat-like~npm-designation',
      followOnTemplateId: 'npm-designation',
    });
    expect(due.effects.followOns).toEqual([
      {
        milestone: 'entry-into-force',
        templateId: 'npm-designation',
        templateVersion: 2,
        campaignId: 'campaign-opcat-like~npm-designation',
        inputs: { entryIntoForce: '2024-03-31', instrument: 'accession', uncat: 'acceded', source: 'opcat-like' },
      },
    ]);
    expect(due.effects.events[2]).toMatchObject({ milestone: 'npm', dueOn: '2025-03-31' });
    expect(due.state.followOns).toEqual([
      { milestone: 'entry-into-force', templateId: 'npm-designation', campaignId: 'campaign-opcat-like~npm-designation' },
    ]);
    expect(due.state.history.at(-1)).toMatchObject({ action: 'completed automatically', detail: 'per OPCAT Art. 28(2)' });
    // Ticking later in the day changes nothing more.
    expect(tick(due.state, on('2024-03-31', 23)).effects.events).toEqual([]);
  });

  it('never completes before a dependency done later than its anchor', () => {
    const template = tpl({
      id: 'auto-late-dep',
      version: 1,
      title: 'Automatic counted from the start',
      milestones: [
        { id: 'kick-off', title: 'Kick-off' },
        {
          id: 'review',
          title: 'Review one month after start',
          dependsOn: ['kick-off'],
          automatic: { after: { start: true }, duration: 'P1M' },
        },
      ],
    });
    const { state } = begin(template);
    const outcome = accept(state, cmd.complete('kick-off', '2024-03-10'), on('2024-03-15'));
    expect(outcome.state.milestones.review).toMatchObject({ status: 'done', completedOn: '2024-03-10' });
  });

  it('reports an automatic completion after its deadline as late', () => {
    const template = tpl({
      id: 'auto-deadline',
      version: 1,
      title: 'Automatic with a deadline',
      milestones: [
        {
          id: 'report',
          title: 'Report',
          automatic: { after: { start: true }, duration: 'P30D' },
          deadline: { after: { start: true }, duration: 'P10D' },
        },
        { id: 'next', title: 'Next', dependsOn: ['report'] },
      ],
    });
    const outcome = tick(begin(template).state, on('2024-01-31'));
    expect(eventsOf(outcome.effects, 'milestone-completed')).toEqual([
      expect.objectContaining({ milestone: 'report', automatic: true, late: true, dueOn: '2024-01-11', completedOn: '2024-01-31' }),
    ]);
  });

  it('skips its alternatives when it completes', () => {
    const template = tpl({
      id: 'auto-alt',
      version: 1,
      title: 'Automatic alternative',
      milestones: [
        {
          id: 'tacit',
          title: 'Tacit acceptance after 90 days',
          alternativeTo: ['explicit'],
          automatic: { after: { start: true }, duration: 'P90D' },
        },
        { id: 'explicit', title: 'Explicit acceptance', alternativeTo: ['tacit'] },
        { id: 'next', title: 'Next', dependsOn: ['tacit', 'explicit'] },
      ],
    });
    const { state } = begin(template);
    const outcome = tick(state, on('2024-03-31'));
    expect(types(outcome.effects)).toEqual(['milestone-completed', 'milestone-skipped', 'milestone-opened']);
    expect(outcome.state.milestones.explicit).toMatchObject({ status: 'skipped', skipCause: 'alternative-chosen' });
  });
});

describe('reminders and overdue notices', () => {
  /** linear(): "second" is due 2024-03-01 with reminders 30, 7 and 1 day before. */
  const firstDone = () => accept(begin(linear()).state, cmd.complete('first', '2024-01-02'), on('2024-01-02')).state;

  it('follow nextWakeUp through every reminder to the overdue notice', () => {
    let state = firstDone();
    let now = on('2024-01-02');
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const wake = nextWakeUp(state, now);
      if (wake === undefined) break;
      expect(tick(state, wake - 1).effects.events).toEqual([]);
      const outcome = tick(state, wake);
      for (const e of outcome.effects.events)
        seen.push(`${new Date(wake).toISOString().slice(0, 10)} ${e.type} ${e.type === 'reminder-due' ? e.remindBefore : ''}`.trim());
      state = outcome.state;
      now = wake;
    }
    expect(seen).toEqual([
      '2024-01-31 reminder-due P30D',
      '2024-02-23 reminder-due P7D',
      '2024-02-29 reminder-due P1D',
      '2024-03-02 milestone-overdue',
    ]);
    expect(nextWakeUp(state, now)).toBeUndefined();
  });

  it('announces only the nearest reminder when several passed unseen, and carries the owner', () => {
    let state = firstDone();
    state = accept(state, cmd.assign('second', 'maria'), on('2024-01-03')).state;
    const outcome = tick(state, on('2024-02-24'));
    expect(outcome.effects.events).toEqual([
      expect.objectContaining({ type: 'reminder-due', milestone: 'second', remindBefore: 'P7D', dueOn: '2024-03-01', owner: 'maria' }),
    ]);
    const overdue = tick(outcome.state, on('2024-03-05'));
    expect(overdue.effects.events).toEqual([
      expect.objectContaining({ type: 'milestone-overdue', milestone: 'second', dueOn: '2024-03-01', owner: 'maria' }),
    ]);
    // Once only.
    expect(tick(overdue.state, on('2024-06-01')).effects.events).toEqual([]);
  });

  it('sends no reminder while paused and none late after resuming; overdue notices continue while paused', () => {
    const paused = accept(firstDone(), cmd.pause(), on('2024-01-20'));
    expect(types(paused.effects)).toEqual(['campaign-paused']);
    // While paused only the legal deadline wakes the campaign.
    expect(nextWakeUp(paused.state, on('2024-01-20'))).toBe(startOfDay('2024-03-02'));
    const quiet = tick(paused.state, on('2024-02-01'));
    expect(quiet.effects.events).toEqual([]);

    const resumed = accept(quiet.state, cmd.resume(), on('2024-02-10'));
    expect(types(resumed.effects)).toEqual(['campaign-resumed']);
    expect(nextWakeUp(resumed.state, on('2024-02-10'))).toBe(startOfDay('2024-02-23'));
    expect(tick(resumed.state, on('2024-02-23')).effects.events).toEqual([
      expect.objectContaining({ type: 'reminder-due', remindBefore: 'P7D' }),
    ]);

    const pausedAgain = accept(resumed.state, cmd.pause(), on('2024-02-11')).state;
    const overdue = tick(pausedAgain, on('2024-03-02'));
    expect(types(overdue.effects)).toEqual(['milestone-overdue']);
  });

  it('refuses pausing twice and resuming an active campaign; only programme leads pause', () => {
    const state = firstDone();
    refuse(state, cmd.resume(), on('2024-01-03'), 'conflict', 'the campaign is not paused');
    refuse(state, cmd.pause({ actor: staff }), on('2024-01-03'), 'forbidden', 'role staff may not pause; it needs programme-lead');
    const paused = accept(state, cmd.pause(), on('2024-01-03')).state;
    refuse(paused, cmd.pause(), on('2024-01-03'), 'conflict', 'the campaign is already paused');
  });
});

describe('extending a deadline', () => {
  const inForce = () => tick(toDeposit(), on('2024-03-31')).state;

  it('moves the due date within maxExtension and refuses beyond it', () => {
    const first = accept(inForce(), cmd.extend('npm', 'P1Y'), on('2024-04-01'));
    expect(first.effects.events).toEqual([
      expect.objectContaining({
        type: 'deadline-extended',
        milestone: 'npm',
        previousDueOn: '2025-03-31',
        dueOn: '2026-03-31',
        by: 'P1Y',
        legalBasis: 'OPCAT Art. 24(2)',
        actor: lead,
      }),
    ]);
    expect(first.state.milestones.npm?.dueOn).toBe('2026-03-31');
    expect(first.state.milestones.npm?.extensions).toEqual([
      { by: 'P1Y', reason: 'the Committee granted more time', legalBasis: 'OPCAT Art. 24(2)', actor: lead, at: '2024-04-01T12:00:00.000Z' },
    ]);
    const second = accept(first.state, cmd.extend('npm', 'P1Y'), on('2024-04-02'));
    expect(second.state.milestones.npm?.dueOn).toBe('2027-03-31');
    refuse(
      second.state,
      cmd.extend('npm', 'P1D'),
      on('2024-04-03'),
      'precondition',
      'extensions of "npm" may total at most P2Y; this would make P2Y1D',
    );
  });

  it('lifts an overdue state and re-arms reminders for the new date', () => {
    const overdue = tick(inForce(), on('2025-04-02'));
    expect(types(overdue.effects)).toEqual(['milestone-overdue']);
    const extended = accept(overdue.state, cmd.extend('npm', 'P6M'), on('2025-04-03'));
    expect(extended.state.milestones.npm).toMatchObject({ dueOn: '2025-09-30', overdueNotified: false });
    expect(viewCampaign(extended.state, on('2025-04-03')).overdue).toEqual([]);
    // The 3-month reminder is in the past (2025-06-30 is not): next wake-up is 2025-06-30.
    expect(nextWakeUp(extended.state, on('2025-04-03'))).toBe(startOfDay('2025-06-30'));
  });

  it('refuses without maxExtension, without deadline, without a known due date, and for staff', () => {
    let { state } = begin(opcatLike(), { inputs: { uncatStatus: 'acceded' } });
    state = accept(state, cmd.complete('dialogue', '2024-01-02'), on('2024-01-02')).state;
    refuse(
      state,
      cmd.extend('decision', 'P1M'),
      on('2024-01-03'),
      'precondition',
      'the deadline of "decision" cannot be extended under this template',
    );
    refuse(state, cmd.extend('approval', 'P1M'), on('2024-01-03'), 'precondition', '"approval" has no deadline');
    refuse(
      state,
      cmd.extend('npm', 'P1M'),
      on('2024-01-03'),
      'precondition',
      '"npm" has no due date yet: its deadline\'s starting point is not known',
    );
    refuse(
      inForce(),
      cmd.extend('npm', 'P1M', { actor: staff }),
      on('2024-04-01'),
      'forbidden',
      'role staff may not extend; it needs programme-lead',
    );
    refuse(toDeposit(), cmd.extend('deposit', 'P1M'), on('2024-03-02'), 'conflict', '"deposit" is already done');
  });

  it('keeps the stored due date equal to the rule plus all extensions (month ends)', () => {
    const template = tpl({
      id: 'month-end',
      version: 1,
      title: 'Month end',
      milestones: [
        { id: 'report', title: 'Report', deadline: { after: { start: true }, duration: 'P30D', maxExtension: 'P3M' }, reminders: ['P7D'] },
      ],
    });
    // 2024-01-01 + 30 days = 2024-01-31.
    let { state } = begin(template);
    expect(state.milestones.report?.dueOn).toBe('2024-01-31');
    const first = accept(state, cmd.extend('report', 'P1M'), on('2024-01-10'));
    expect(first.effects.events[0]).toMatchObject({ previousDueOn: '2024-01-31', dueOn: '2024-02-29' });
    const second = accept(first.state, cmd.extend('report', 'P1M'), on('2024-01-11'));
    const event = second.effects.events.find((e) => e.type === 'deadline-extended');
    state = second.state;
    // The event and the state agree, and a later tick does not move the date again.
    expect(event).toMatchObject({ dueOn: state.milestones.report?.dueOn });
    expect(state.milestones.report?.dueOn).toBe('2024-03-31');
    expect(tick(state, on('2024-01-12')).state.milestones.report?.dueOn).toBe('2024-03-31');
  });

  it('measures maxExtension on the calendar from the due date it extends', () => {
    const template = tpl({
      id: 'one-month',
      version: 1,
      title: 'One month at most',
      milestones: [{ id: 'report', title: 'Report', deadline: { after: { start: true }, duration: 'P30D', maxExtension: 'P1M' } }],
    });
    const { state } = begin(template);
    // Due 2024-01-31: one month more is 2024-02-29; 30 days more would be 2024-03-01.
    refuse(state, cmd.extend('report', 'P30D'), on('2024-01-10'), 'precondition', /at most P1M/);
    expect(accept(state, cmd.extend('report', 'P29D'), on('2024-01-10')).state.milestones.report?.dueOn).toBe('2024-02-29');
  });
});

describe('changing an input', () => {
  it('recomputes deadlines (a postponement) and re-arms the overdue notice', () => {
    const overdue = tick(tick(toDeposit(), on('2024-03-31')).state, on('2025-04-01')).state;
    expect(overdue.milestones.npm?.overdueNotified).toBe(true);
    const changed = accept(overdue, cmd.setInput('postponement', 'P3Y'), on('2025-04-02'));
    expect(types(changed.effects)).toEqual(['input-changed']);
    expect(changed.effects.events[0]).toMatchObject({ name: 'postponement' });
    expect(JSON.stringify(changed.effects.events)).not.toContain('P3Y');
    expect(changed.state.milestones.npm).toMatchObject({ dueOn: '2028-03-31', overdueNotified: false });
    expect(changed.state.history.at(-1)).toMatchObject({ action: 'input changed', detail: 'postponement = P3Y: new information' });
  });

  it('re-applies `when` conditions: the milestone that no longer applies is skipped, the other one comes back', () => {
    const { state, effects } = begin(conditional());
    expect(state.milestones['new-law']).toMatchObject({ status: 'skipped', skipCause: 'not-applicable' });
    expect(eventsOf(effects, 'milestone-skipped')).toEqual([expect.objectContaining({ milestone: 'new-law', cause: 'not-applicable' })]);

    const changed = accept(state, cmd.setInput('model', 'new-body'), on('2024-01-02'));
    expect(changed.state.milestones['nhri-mandate']).toMatchObject({ status: 'skipped', skipCause: 'not-applicable' });
    expect(changed.state.milestones['new-law']?.status).toBe('blocked');
    expect(changed.state.milestones['new-law']?.skipCause).toBeUndefined();
    expect(changed.effects.events.map((e) => `${e.type}${'milestone' in e ? ` ${e.milestone}` : ''}`)).toEqual([
      'input-changed',
      'milestone-skipped nhri-mandate',
      'milestone-reopened new-law',
    ]);
  });

  it('leaves a milestone skipped as not applicable when the campaign has moved past it', () => {
    let { state } = begin(conditional(), { inputs: { since: '2024-01-01' } });
    state = accept(state, cmd.complete('consultation', '2024-01-02'), on('2024-01-05')).state;
    state = accept(state, cmd.complete('nhri-mandate', '2024-01-03'), on('2024-01-05')).state;
    state = accept(state, cmd.complete('designation', '2024-01-04'), on('2024-01-05')).state;
    const changed = accept(state, cmd.setInput('model', 'new-body'), on('2024-01-06'));
    // "designation" is done on the strength of new-law being skipped: new-law stays skipped.
    expect(changed.state.milestones['new-law']?.status).toBe('skipped');
    expect(changed.state.milestones.designation?.status).toBe('done');
  });

  it('moves a deadline counted from a date input', () => {
    const { state } = begin(conditional());
    expect(state.milestones.designation?.dueOn).toBeUndefined();
    const changed = accept(state, cmd.setInput('since', '2023-06-15'), on('2024-01-02'));
    expect(changed.state.milestones.designation?.dueOn).toBe('2024-06-15');
  });

  it('refuses an unknown input, a wrong value and a role below programme lead', () => {
    const { state } = begin(conditional());
    refuse(
      state,
      cmd.setInput('budget', 'large'),
      on('2024-01-02'),
      'invalid',
      'unknown input "budget"; the template declares model, since, postponement',
    );
    refuse(state, cmd.setInput('model', 'committee'), on('2024-01-02'), 'invalid', 'input "model" must be one of nhri, new-body');
    refuse(state, cmd.setInput('since', '2024-02-30'), on('2024-01-02'), 'invalid', 'input "since" must be a date');
    refuse(state, cmd.setInput('postponement', 'three years'), on('2024-01-02'), 'invalid', 'input "postponement" must be a duration');
    refuse(state, cmd.setInput('model', 'new-body', { actor: staff }), on('2024-01-02'), 'forbidden', /role staff may not set-input/);
  });
});

describe('notes and owners', () => {
  it('keeps note text in the history only', () => {
    const { state } = begin(linear());
    const noted = accept(state, cmd.note('Met the deputy minister, who asked not to be named', 'first'), on('2024-01-02'));
    expect(noted.effects.events).toEqual([expect.objectContaining({ type: 'note-added', milestone: 'first', actor: staff })]);
    expect(JSON.stringify(noted.effects.events)).not.toContain('minister');
    expect(noted.state.history.at(-1)).toMatchObject({ action: 'note', detail: 'Met the deputy minister, who asked not to be named' });
    refuse(state, cmd.note('x', 'ghost'), on('2024-01-02'), 'not-found', 'unknown milestone "ghost"');
  });

  it('assigns an owner to a pending milestone only', () => {
    const { state } = begin(linear());
    const assigned = accept(state, cmd.assign('second', 'budi'), on('2024-01-02'));
    expect(assigned.state.milestones.second?.owner).toBe('budi');
    expect(assigned.effects.events).toEqual([expect.objectContaining({ type: 'owner-assigned', milestone: 'second', owner: 'budi' })]);
    const done = accept(state, cmd.complete('first', '2024-01-02'), on('2024-01-02')).state;
    refuse(done, cmd.assign('first', 'budi'), on('2024-01-02'), 'conflict', '"first" is already done');
  });
});

describe('cancel', () => {
  it('blocks every later command and every timer', () => {
    const state = accept(begin(linear()).state, cmd.complete('first', '2024-01-02'), on('2024-01-02')).state;
    refuse(state, cmd.cancel({ actor: staff }), on('2024-01-03'), 'forbidden', /may not cancel/);
    const cancelled = accept(state, cmd.cancel(), on('2024-01-03'));
    expect(types(cancelled.effects)).toEqual(['campaign-cancelled']);
    expect(cancelled.state.status).toBe('cancelled');
    const message = 'the campaign is cancelled; no further changes are accepted';
    for (const command of [
      cmd.complete('second', '2024-01-03'),
      cmd.skip('third'),
      cmd.reopen('first'),
      cmd.assign('second', 'x'),
      cmd.note('x'),
      cmd.extend('second', 'P1D'),
      cmd.pause(),
      cmd.resume(),
      cmd.cancel(),
      cmd.setInput('x', 'y', { actor: system }),
    ])
      refuse(cancelled.state, command, on('2024-01-04'), 'conflict', message);
    expect(tick(cancelled.state, on('2024-04-01')).effects.events).toEqual([]);
    expect(nextWakeUp(cancelled.state, on('2024-01-04'))).toBeUndefined();
    expect(viewCampaign(cancelled.state, on('2024-04-01')).stage).toBe('cancelled');
  });
});

describe('completion', () => {
  it('completes when every required milestone is settled, skipping optional ones left open as not applicable', () => {
    let state = accept(begin(linear()).state, cmd.complete('first', '2024-01-02'), on('2024-01-02')).state;
    const done = accept(state, cmd.complete('second', '2024-01-03'), on('2024-01-03'));
    expect(types(done.effects)).toEqual(['milestone-completed', 'milestone-opened', 'milestone-skipped', 'campaign-completed']);
    expect(done.effects.events[2]).toMatchObject({ milestone: 'third', cause: 'not-applicable' });
    state = done.state;
    expect(state.status).toBe('completed');
    expect(state.milestones.third).toMatchObject({ status: 'skipped', skipCause: 'not-applicable' });
    refuse(state, cmd.note('late note'), on('2024-01-04'), 'conflict', 'the campaign is completed; start a new campaign to continue');
    expect(nextWakeUp(state, on('2024-01-04'))).toBeUndefined();
    expect(tick(state, on('2025-01-01')).effects.events).toEqual([]);
    const view = viewCampaign(state, on('2024-01-04'));
    expect(view.stage).toBe('completed');
    expect(view.progress).toEqual({ done: 2, skipped: 1, total: 3, percent: 100 });
  });

  it('does not complete while a required milestone is open', () => {
    const { state } = begin(linear());
    const skipped = accept(state, cmd.skip('third'), on('2024-01-02'));
    expect(skipped.state.status).toBe('active');
  });
});

describe('the view', () => {
  it('shows progress, overdue and due-soon milestones, days left and the current stage', () => {
    const state = accept(begin(linear()).state, cmd.complete('first', '2024-01-02'), on('2024-01-02')).state;
    const early = viewCampaign(state, on('2024-01-05'));
    expect(early.progress).toEqual({ done: 1, skipped: 0, total: 3, percent: 33 });
    expect(early.stage).toBe('two');
    expect(early.dueSoon).toEqual([]);
    expect(early.milestones.find((m) => m.id === 'second')).toMatchObject({
      display: 'open',
      daysLeft: 56,
      dueOn: '2024-03-01',
      title: 'Second',
    });

    const soon = viewCampaign(state, on('2024-02-01'));
    expect(soon.dueSoon).toEqual(['second']);
    expect(soon.overdue).toEqual([]);

    const late = viewCampaign(state, on('2024-03-02'));
    expect(late.overdue).toEqual(['second']);
    expect(late.dueSoon).toEqual([]);
    expect(late.milestones.find((m) => m.id === 'second')).toMatchObject({ display: 'overdue', daysLeft: -1 });
    expect(late.milestones.map((m) => m.id)).toEqual(['first', 'second', 'third']);
    expect(late).toMatchObject({ templateId: 'linear', templateVersion: 1, templateTitle: 'Three steps', today: '2024-03-02' });
    expect(late).not.toHaveProperty('requests');
  });

  it('counts a blocked milestone as due soon when its deadline approaches', () => {
    const { state } = begin(linear());
    const view = viewCampaign(state, on('2024-02-01'));
    expect(view.milestones.find((m) => m.id === 'second')).toMatchObject({ display: 'blocked', dueOn: '2024-03-01' });
    expect(view.dueSoon).toEqual(['second']);
  });

  it('falls back to the milestone id for the stage when the open milestone has none', () => {
    const template = tpl({
      id: 'waiting',
      version: 1,
      title: 'Waiting',
      inputs: { since: { type: 'date' } },
      milestones: [{ id: 'auto', title: 'Auto', automatic: { after: { input: 'since' }, duration: 'P1Y' } }],
    });
    const { state } = begin(template);
    expect(status(state, 'auto')).toBe('open');
    expect(viewCampaign(state, on('2024-01-01')).stage).toBe('auto');
  });
});
