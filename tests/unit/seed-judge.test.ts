import { beforeAll, describe, expect, it } from 'vitest';
import { judgeSeedResults, seedCampaignId, type SeedResult } from '../../cli/seed.js';
import { loadRegionStatus } from '../../infra/region-status.js';
import { loadTemplates, type TemplateRegistry } from '../../infra/templates.js';
import { startOfDay } from '../../shared/dates.js';
import { seedCampaigns } from '../../shared/region-seed.js';
import type { RegionStatus } from '../../shared/region-status.js';

/**
 * `advocacy seed` judges every planned start with the pure start the workflow runs, before it starts any,
 * and a dry run shows the same problems (cli/seed.ts `judgeSeedResults`).
 */

let data: RegionStatus;
let registry: TemplateRegistry;
const now = startOfDay('2026-11-28');

beforeAll(async () => {
  data = await loadRegionStatus();
  registry = await loadTemplates();
});

const planned = (country: string): SeedResult[] =>
  seedCampaigns(data, country, registry.allTemplates()).campaigns.map((c) => ({
    country,
    template: c.request.template,
    version: c.request.version,
    campaignId: seedCampaignId('t-', c.request),
    rationale: c.rationale,
    outcome: 'planned' as const,
    request: c.request,
  }));

describe('seed plans are judged before anything starts', () => {
  it('finds nothing wrong with the plans of the region data', () => {
    const results = data.states.flatMap((s) => planned(s.country));
    expect(results.length).toBeGreaterThan(0);
    expect(judgeSeedResults(results, registry, now)).toEqual([]);
    expect(results.every((r) => r.outcome === 'planned')).toBe(true);
  });

  it('marks a plan the workflow would refuse as invalid, naming the field and the fix', () => {
    const [result] = planned('PH');
    if (!result) throw new Error('PH has a planned campaign');
    // Region data that gives a late milestone as done without the ones before it.
    result.request = { ...result.request, completed: [{ milestone: 'first-visits', date: '2020-01-01', evidence: {} }], skipped: [] };
    const invalid = judgeSeedResults([result], registry, now);
    expect(invalid).toEqual([result]);
    expect(result.outcome).toBe('invalid');
    expect(result.error).toMatchObject({ code: 'invalid', exitCode: 2 });
    expect(result.error?.issues).toEqual([
      expect.stringMatching(
        /^completed\.0\.milestone: "first-visits" is given as done but "members-appointed", "budget-and-staff" are not: give them as done/,
      ),
    ]);
  });

  it('names a template the worker does not have', () => {
    const [result] = planned('PH');
    if (!result) throw new Error('PH has a planned campaign');
    result.request = { ...result.request, version: 99 };
    judgeSeedResults([result], registry, now);
    expect(result.error?.issues).toEqual([`template: ${result.template} v99 is not loaded`]);
  });
});
