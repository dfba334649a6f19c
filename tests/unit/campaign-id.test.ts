import { describe, expect, it } from 'vitest';
import { campaignIdCountry, campaignIdProblems } from '../../shared/campaign/campaign-id.js';
import { startRequestSchema } from '../../shared/campaign/requests.js';

describe('campaign id rules', () => {
  it('reserves "<country>-" ids for that country, for every caller', () => {
    expect(campaignIdCountry('th-opcat-1')).toBe('TH');
    expect(campaignIdCountry('TH-opcat-1')).toBe('TH');
    // Not country codes, or no "-" after two letters: no reservation.
    expect(campaignIdCountry('ui-th-1')).toBeUndefined();
    expect(campaignIdCountry('demo-ph-uncat')).toBeUndefined();
    expect(campaignIdCountry('th')).toBeUndefined();
    expect(campaignIdProblems('th-opcat-1', 'PH', false)).toEqual(['campaignId: ids starting "th-" are for campaigns in TH']);
    expect(campaignIdProblems('th-opcat-1', 'PH', true)).toEqual(['campaignId: ids starting "th-" are for campaigns in TH']);
    expect(campaignIdProblems('th-opcat-1', 'TH', true)).toEqual([]);
    expect(campaignIdProblems('demo-ph-uncat', 'PH', false)).toEqual([]);
  });

  it("keeps a country-scoped caller to its campaign country's id space", () => {
    expect(campaignIdProblems('demo-ph-uncat', 'PH', true)).toEqual([
      'campaignId: a key limited to countries names its campaigns "ph-..." (the campaign\'s country)',
    ]);
    expect(campaignIdProblems('ph-uncat', 'PH', true)).toEqual([]);
  });

  it('leaves "~" (follow-on ids) to the engine', () => {
    for (const campaignId of ['x~npm-designation', 'ph-opcat~npm-designation']) {
      const parsed = startRequestSchema.safeParse({ template: 'opcat', country: 'PH', campaignId });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/"~" is reserved for follow-on campaigns/);
    }
    expect(startRequestSchema.safeParse({ template: 'opcat', country: 'PH', campaignId: 'ph-opcat.2025_a' }).success).toBe(true);
  });
});
