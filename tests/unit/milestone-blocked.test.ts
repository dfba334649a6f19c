import { describe, expect, it } from 'vitest';
import { applyCommand, startCampaign, startCampaignSchema, type CampaignState } from '../../shared/campaign/index.js';
import { parseTemplate } from '../../shared/template/validate.js';

const template = parseTemplate({
  id: 'two-steps',
  version: 1,
  title: 'Two steps',
  milestones: [
    { id: 'first', title: 'First' },
    { id: 'second', title: 'Second', dependsOn: ['first'] },
  ],
});
const staff = { id: 'staff', role: 'staff' as const };
const now = Date.parse('2026-11-28T12:00:00Z');

function withFirstDone(): CampaignState {
  const { state } = startCampaign(
    startCampaignSchema.parse({ campaignId: 'c', template, country: 'WS', region: 'asia-pacific', startDate: '2026-11-01', actor: staff }),
    now,
  );
  return applyCommand(state, { type: 'complete', milestone: 'first', date: '2026-11-20', evidence: {}, requestId: 'r1', actor: staff }, now)
    .state;
}
const reopenFirst = { type: 'reopen' as const, milestone: 'first', reason: 'wrong meeting', requestId: 'r2', actor: staff };

describe('an open milestone blocked again by a reopened dependency', () => {
  it('is announced with milestone-blocked', () => {
    const { state, effects } = applyCommand(withFirstDone(), reopenFirst, now);
    expect(state.milestones.second?.status).toBe('blocked');
    expect(effects.events.map((e) => e.type)).toEqual(['milestone-reopened', 'milestone-opened', 'milestone-blocked']);
  });

  it('is not announced for campaigns recorded before the change (the workflow passes patched() = false)', () => {
    const { state, effects } = applyCommand(withFirstDone(), reopenFirst, now, { announceBlocked: false });
    expect(state.milestones.second?.status).toBe('blocked');
    expect(effects.events.map((e) => e.type)).toEqual(['milestone-reopened', 'milestone-opened']);
  });
});
