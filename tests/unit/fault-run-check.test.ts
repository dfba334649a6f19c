import { describe, expect, it } from 'vitest';
import { startCampaign, startCampaignSchema, viewCampaign, type DomainEvent } from '../../shared/campaign/index.js';
import { checkCampaign } from '../support/fault-run/check.js';
import type { TrackedCampaign, TrackedCommand } from '../support/fault-run/driver.js';
import type { CommandBody } from '../support/fault-run/interfaces.js';
import { replayCampaign } from '../support/fault-run/replay.js';
import { faultTemplates } from '../support/fault-run/templates.js';

/**
 * The fault run's checks must fail when the engine lost, repeated or invented something; a checker that
 * passes whatever it is given would make the run's figures worthless. Here the "engine" is the pure
 * machine itself, then spoiled one way at a time.
 */
const DAY = 86_400_000;
const startedAt = Date.parse('2026-01-05T09:00:00Z');
const template = faultTemplates.find((t) => t.id === 'fault-ratification')!;
const lead = { id: 'lead', role: 'programme-lead' as const };
const start = startCampaignSchema.parse({
  campaignId: 'c-1',
  template,
  country: 'PH',
  region: 'asia-pacific',
  startDate: '2026-01-05',
  actor: lead,
});

const tracked = (requestId: string, body: CommandBody, answer: TrackedCommand['answer']): TrackedCommand => ({
  via: 'nats',
  who: 'lead',
  key: requestId,
  requestId,
  body,
  command: { ...body, requestId, actor: lead },
  expected: answer?.kind ?? 'accepted',
  attempts: 1,
  transient: [],
  answer,
});

function scenario() {
  const commands = [
    {
      c: tracked('r1', { type: 'note', text: 'first call' }, { kind: 'accepted', requestId: 'r1', events: [] }),
      at: startedAt + 3_600_000,
    },
    {
      c: tracked('r2', { type: 'assign', milestone: 'dialogue', owner: 'sari' }, { kind: 'accepted', requestId: 'r2', events: [] }),
      at: startedAt + 2 * DAY,
    },
  ];
  const refused = tracked(
    'r3',
    { type: 'complete', milestone: 'deposit', date: '2026-01-08', evidence: {} },
    { kind: 'refused', code: 'precondition', message: 'blocked' },
  );
  const until = startedAt + 40 * DAY;
  const replay = replayCampaign({ start, startedAt, commands: commands.map(({ c, at }) => ({ command: c.command, at })), until });
  const campaign: TrackedCampaign = {
    campaignId: 'c-1',
    template,
    via: 'direct',
    start,
    model: { state: startCampaign(start, startedAt).state, now: startedAt },
    busy: false,
    commands: [...commands.map(({ c }) => c), refused],
  };
  return { campaign, view: viewCampaign(replay.state, until), events: replay.events, until, replay };
}

describe('the fault run checks', () => {
  it('pass for a campaign that is exactly what the machine makes of what it accepted', () => {
    const { campaign, view, events, until, replay } = scenario();
    const check = checkCampaign(campaign, view, events, until);
    expect(check.problems).toEqual([]);
    // The scenario crosses a reminder and the overdue day of "dialogue".
    expect(replay.timerEvents.map((e) => e.type)).toEqual(['reminder-due', 'reminder-due', 'milestone-overdue']);
    // One firing of the workflow's timer for each of them: each falls on a day of its own.
    expect(replay.wakeUps).toBe(3);
    expect(check.wakeUps).toBe(3);
    expect(check.timerEvents).toHaveLength(3);
  });

  it('find a lost event and a repeated one', () => {
    const { campaign, view, events, until } = scenario();
    expect(
      checkCampaign(
        campaign,
        view,
        events.filter((e) => e.sequence !== 3),
        until,
      ).problems.join('\n'),
    ).toMatch(/missing 3/);
    const repeated = [...events.slice(0, 4), events[3] as DomainEvent, ...events.slice(4)];
    expect(checkCampaign(campaign, view, repeated, until).problems.join('\n')).toMatch(/repeated 4/);
  });

  it('find a timer that fired twice', () => {
    const { campaign, view, events, until } = scenario();
    const overdue = events.find((e) => e.type === 'milestone-overdue') as DomainEvent;
    const twice = { ...view, sequence: view.sequence + 1 };
    const problems = checkCampaign(campaign, twice, [...events, { ...overdue, sequence: view.sequence + 1 }], until).problems.join('\n');
    expect(problems).toMatch(/sequence: engine \d+, machine \d+/);
    expect(problems).toMatch(/the machine emitted \d+ events, the campaign's sequence is \d+/);
  });

  it('find a refused command that was applied, and an accepted one applied twice', () => {
    const { campaign, view, events, until } = scenario();
    const withRefused = {
      ...view,
      history: [
        ...view.history,
        { at: new Date(until).toISOString(), actor: lead, action: 'completed', milestone: 'deposit', requestId: 'r3' },
      ],
    };
    expect(checkCampaign(campaign, withRefused, events, until).problems.join('\n')).toMatch(
      /refused request r3 \(precondition\) was applied/,
    );
    const note = view.history.find((h) => h.requestId === 'r1')!;
    const twice = { ...view, history: [...view.history, { ...note, at: new Date(until).toISOString() }] };
    expect(checkCampaign(campaign, twice, events, until).problems.join('\n')).toMatch(/request r1 applied twice/);
  });

  it('find a state that differs from the machine', () => {
    const { campaign, view, events, until } = scenario();
    const spoiled = { ...view, milestones: view.milestones.map((m) => (m.id === 'dialogue' ? { ...m, overdueNotified: false } : m)) };
    expect(checkCampaign(campaign, spoiled, events, until).problems).toEqual(['dialogue.overdueNotified: engine false, machine true']);
  });
});
