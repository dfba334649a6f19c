import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegionStatus } from '../../infra/region-status.js';
import { loadTemplates } from '../../infra/templates.js';
import { startCampaign, startCampaignSchema, type CampaignState } from '../../shared/campaign/index.js';
import { startOfDay } from '../../shared/dates.js';
import { seedCampaigns, SeedError, type SeedCampaign } from '../../shared/region-seed.js';
import type { RegionStatus } from '../../shared/region-status.js';
import type { Template } from '../../shared/template/index.js';

let data: RegionStatus;
let templates: Template[];
const today = '2026-11-28';
const now = startOfDay(today);

beforeAll(async () => {
  data = await loadRegionStatus();
  templates = (await loadTemplates()).allTemplates();
});

const plan = (country: string) => seedCampaigns(data, country, templates);

/** Starts a seeded campaign in the pure state machine, as the workflow would. */
function start(campaign: SeedCampaign): { state: CampaignState; events: string[] } {
  const { template: id, version, ...rest } = campaign.request;
  const template = templates.find((t) => t.id === id && t.version === version);
  const { state, effects } = startCampaign(
    startCampaignSchema.parse({
      ...rest,
      campaignId: `seed-${rest.country}-${id}`,
      template,
      startDate: today,
      actor: { id: 'lead', role: 'programme-lead' },
    }),
    now,
  );
  return { state, events: effects.events.map((e) => `${e.type}${'milestone' in e && e.milestone ? ` ${e.milestone}` : ''}`) };
}

describe('seedCampaigns', () => {
  it('every state of the region gives a plan whose campaigns the engine accepts', () => {
    for (const s of data.states) {
      const p = plan(s.country);
      expect(p.country).toBe(s.country);
      for (const c of p.campaigns) expect(() => start(c), `${s.country} ${c.request.template}`).not.toThrow();
      expect(p.campaigns.length + p.notes.length, s.country).toBeGreaterThan(0);
    }
  });

  it('Australia: NPM campaign from the real entry into force with the Art. 24 postponement and extension, overdue', () => {
    const p = plan('au');
    expect(p.campaigns.map((c) => c.request.template)).toEqual(['npm-designation']);
    const [npm] = p.campaigns;
    if (!npm) throw new Error('no campaign');
    expect(npm.request).toMatchObject({
      country: 'AU',
      region: 'asia-pacific',
      version: 1,
      inputs: { opcatEntryIntoForce: '2018-01-20', art24PartIVPostponement: 'P3Y', art24PartIVExtension: 'P1Y' },
      skipped: [{ milestone: 'consultation' }],
      completed: [{ milestone: 'model-chosen', date: '2018-07-01', evidence: { model: 'multiple-bodies' } }],
    });
    expect(npm.rationale).toMatch(/designated only in part/);
    const { state, events } = start(npm);
    // 20 January 2018 + 1 + 3 + 1 years.
    expect(state.milestones['legislation-adopted']?.dueOn).toBe('2023-01-20');
    expect(events).toContain('milestone-overdue legislation-adopted');
    expect(state.milestones['legislation-drafted']?.status).toBe('open');
  });

  it('the Philippines, Cambodia and Nauru: NPM deadlines long passed, entry into force derived from the deposit', () => {
    const expected: Record<string, [string, string]> = {
      // deposit 2012-04-17 + 30 days = 2012-05-17; + 1 year
      PH: ['2012-05-17', '2013-05-17'],
      // deposit 2007-03-30: Mar 31 is +1, Apr 29 is +30; + 1 year
      KH: ['2007-04-29', '2008-04-29'],
      // deposit 2013-01-24: Jan 31 is +7, Feb 23 is +30; + 1 year
      NR: ['2013-02-23', '2014-02-23'],
    };
    for (const [country, [eif, due]] of Object.entries(expected)) {
      const [npm, ...others] = plan(country).campaigns;
      expect(others, country).toEqual([]);
      expect(npm?.request.inputs, country).toEqual({ opcatEntryIntoForce: eif });
      expect(npm?.request.completed, country).toEqual([]);
      if (!npm) continue;
      const { state, events } = start(npm);
      expect(state.milestones['legislation-adopted']?.dueOn, country).toBe(due);
      expect(events, country).toContain('milestone-overdue legislation-adopted');
    }
    expect(plan('KH').campaigns[0]?.rationale).toMatch(/not considered an independent NPM/);
  });

  it('states with a designated NPM get no campaign, only notes', () => {
    for (const country of ['MN', 'MV', 'NZ', 'LK']) {
      const p = plan(country);
      expect(p.campaigns, country).toEqual([]);
      expect(
        p.notes.some((n) => n.startsWith('NPM designated')),
        country,
      ).toBe(true);
    }
  });

  it('India: UNCAT signed in 1997 -> UNCAT campaign from the signature, OPCAT campaign with uncatStatus signed', () => {
    const p = plan('IN');
    expect(p.campaigns.map((c) => c.request.template)).toEqual(['uncat-ratification', 'opcat-ratification']);
    const [uncat, opcat] = p.campaigns;
    expect(uncat?.request.completed).toEqual([
      expect.objectContaining({ milestone: 'signature', date: '1997-10-14', evidence: { documentUrl: data.sources['untc-uncat']?.url } }),
    ]);
    expect(uncat?.request.skipped.map((s) => s.milestone)).toEqual([
      'ministry-dialogue',
      'inter-ministerial-review',
      'government-decision',
    ]);
    expect(opcat?.request.inputs).toEqual({ uncatStatus: 'signed' });
    expect(opcat?.rationale).toMatch(/Art\. 27\(2\)/);
    if (!uncat) throw new Error('no campaign');
    const { state } = start(uncat);
    expect(state.milestones.signature).toMatchObject({ status: 'done', completedOn: '1997-10-14' });
    expect(state.milestones['accession-decision']?.status).toBe('skipped');
    expect(state.milestones['parliamentary-approval']?.status).toBe('open');
  });

  it('Malaysia: UNCAT from the start, no OPCAT campaign yet (Art. 27)', () => {
    const p = plan('MY');
    expect(p.campaigns.map((c) => c.request.template)).toEqual(['uncat-ratification']);
    expect(p.campaigns[0]?.request).toMatchObject({ completed: [], skipped: [], inputs: {} });
    expect(p.notes.join(' ')).toMatch(/OPCAT Art\. 27/);
  });

  it('Viet Nam and Thailand: party to UNCAT -> OPCAT campaign with the right uncatStatus', () => {
    expect(plan('VN').campaigns.map((c) => [c.request.template, c.request.inputs])).toEqual([
      ['opcat-ratification', { uncatStatus: 'ratified' }],
    ]);
    expect(plan('TH').campaigns.map((c) => [c.request.template, c.request.inputs])).toEqual([
      ['opcat-ratification', { uncatStatus: 'acceded' }],
    ]);
  });

  it('Timor-Leste: OPCAT signed; an unverified date is used with a warning, or skipped with verifiedOnly', () => {
    const [opcat] = plan('TL').campaigns;
    expect(opcat?.request.completed).toEqual([expect.objectContaining({ milestone: 'signature', date: '2005-09-16' })]);
    expect(opcat?.request.completed[0]?.note).toMatch(/NOT VERIFIED/);

    const [strict] = seedCampaigns(data, 'TL', templates, { verifiedOnly: true }).campaigns;
    expect(strict?.request.completed).toEqual([]);
    expect(strict?.request.skipped.find((s) => s.milestone === 'signature')?.reason).toMatch(/2005-09-16.*unverified/);
    if (!strict) throw new Error('no campaign');
    expect(start(strict).state.milestones.signature?.status).toBe('skipped');
  });

  it('an unknown country or a missing template is an error', () => {
    expect(() => plan('KZ')).toThrow(SeedError);
    expect(() =>
      seedCampaigns(
        data,
        'AU',
        templates.filter((t) => t.id !== 'npm-designation'),
      ),
    ).toThrow(/npm-designation/);
  });

  it('a template that lost a milestone the seed relies on is an error, not a silent drop', () => {
    const broken = templates.map((t) =>
      t.id === 'uncat-ratification' ? { ...t, milestones: t.milestones.filter((m) => m.id !== 'inter-ministerial-review') } : t,
    );
    expect(() => seedCampaigns(data, 'IN', broken)).toThrow(/no milestone "inter-ministerial-review"/);
  });
});
