import { describe, expect, it } from 'vitest';
import { applyCommand, startCampaign, startCampaignSchema } from '../../shared/campaign/index.js';
import { parseTemplate } from '../../shared/template/validate.js';

/** A corrected date reaches the follow-on campaign that was started from the wrong one. */
const template = parseTemplate({
  id: 'parent',
  version: 1,
  title: 'Parent',
  milestones: [
    { id: 'deposit', title: 'Deposit' },
    {
      id: 'entry-into-force',
      title: 'Entry into force',
      dependsOn: ['deposit'],
      automatic: { after: { milestone: 'deposit' }, duration: 'P30D' },
      followOn: [{ template: 'child', inputs: { entryIntoForce: { milestoneDate: 'entry-into-force' } } }],
    },
    // Keeps the parent running after entry into force, so a correction is still possible.
    { id: 'first-report', title: 'First report', dependsOn: ['entry-into-force'] },
  ],
});
const lead = { id: 'lead', role: 'programme-lead' as const };
const now = Date.parse('2026-11-28T12:00:00Z');

describe('follow-on inputs after a correction', () => {
  it('starts the follow-on once, then tells it the corrected inputs', () => {
    const started = startCampaign(
      startCampaignSchema.parse({
        campaignId: 'c1',
        template,
        country: 'NZ',
        region: 'asia-pacific',
        startDate: '2026-01-01',
        actor: lead,
        completed: [{ milestone: 'deposit', date: '2026-03-01' }],
      }),
      now,
    );
    expect(started.effects.followOns).toEqual([
      { milestone: 'entry-into-force', templateId: 'child', campaignId: 'c1~child', inputs: { entryIntoForce: '2026-03-31' } },
    ]);
    const reopened = applyCommand(
      started.state,
      { type: 'reopen', milestone: 'deposit', reason: 'wrong date', requestId: 'r1', actor: lead },
      now,
    );
    expect(reopened.result).toMatchObject({ ok: true });
    const corrected = applyCommand(
      reopened.state,
      { type: 'complete', milestone: 'deposit', date: '2026-04-15', evidence: {}, requestId: 'r2', actor: lead },
      now,
    );
    expect(corrected.effects.followOns).toEqual([]);
    expect(corrected.effects.informs).toEqual([
      expect.objectContaining({ campaignId: 'c1~child', templateId: 'child', inputs: { entryIntoForce: '2026-05-15' } }),
    ]);
    expect(corrected.state.followOns).toHaveLength(1);
  });
});
