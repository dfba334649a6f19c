import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../infra/templates.js';
import { applyCommand, startCampaign, startCampaignSchema } from '../../shared/campaign/index.js';

/** OPCAT Art. 24: a postponement of at most three years, extended by the CAT by at most two more. */
describe('Art. 24 limits in the built-in templates', async () => {
  const templates = await loadTemplates();
  const now = Date.parse('2026-11-28T10:00:00Z');
  const start = (template: string, inputs: Record<string, string>) =>
    startCampaignSchema.parse({
      campaignId: 'c1',
      template: templates.getTemplate(template),
      country: 'AU',
      region: 'asia-pacific',
      startDate: '2026-01-01',
      inputs,
      actor: { id: 'lead', role: 'programme-lead' },
    });

  it('refuses an NPM campaign whose Part IV postponement exceeds three years, naming the input', () => {
    expect(() =>
      startCampaign(start('npm-designation', { opcatEntryIntoForce: '2018-01-20', art24PartIVPostponement: 'P4Y' }), now),
    ).toThrow(/inputs\.art24PartIVPostponement: input "art24PartIVPostponement" may be at most P3Y/);
  });

  it('accepts the CAT extension up to two years and refuses more, leaving the state unchanged', () => {
    const { state } = startCampaign(start('npm-designation', { opcatEntryIntoForce: '2018-01-20', art24PartIVPostponement: 'P3Y' }), now);
    const actor = { id: 'lead', role: 'programme-lead' as const };
    const tooLong = applyCommand(
      state,
      { type: 'set-input', name: 'art24PartIVExtension', value: 'P3Y', reason: 'x', requestId: 'r1', actor },
      now,
    );
    expect(tooLong.result).toMatchObject({ ok: false, code: 'invalid' });
    expect(tooLong.state).toEqual(state);
    const ok = applyCommand(
      state,
      { type: 'set-input', name: 'art24PartIVExtension', value: 'P2Y', reason: 'CAT decision', requestId: 'r2', actor },
      now,
    );
    expect(ok.result.ok).toBe(true);
    expect(ok.state.milestones['legislation-adopted']?.dueOn).toBe('2024-01-20');
  });
});
