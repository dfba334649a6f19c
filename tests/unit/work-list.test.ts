import { describe, expect, it } from 'vitest';
import type { CampaignView, MilestoneView } from '../../shared/campaign/view.js';
import { selectWorkItems, workListFilterSchema, type WorkListFilter } from '../../shared/campaign/work-list.js';

/** The cross-campaign work list: which pending milestones it shows, and in what order. */

const today = '2026-03-10';
const plus = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function milestone(id: string, display: MilestoneView['display'], daysLeft?: number, extra: Partial<MilestoneView> = {}): MilestoneView {
  const status = display === 'overdue' ? 'open' : display;
  return {
    id,
    status,
    title: `Title of ${id}`,
    display,
    ...(daysLeft !== undefined ? { dueOn: plus(daysLeft), daysLeft } : {}),
    extensions: [],
    remindersSent: [],
    overdueNotified: false,
    optional: false,
    automatic: false,
    role: 'staff',
    dependsOn: [],
    ...extra,
  };
}

function campaign(campaignId: string, milestones: MilestoneView[], extra: Partial<CampaignView> = {}): CampaignView {
  return {
    campaignId,
    country: 'PH',
    region: 'asia-pacific',
    templateId: 'opcat-ratification',
    templateTitle: 'OPCAT ratification',
    status: 'active',
    today,
    milestones,
    ...extra,
  } as CampaignView;
}

const select = (views: CampaignView[], filter: WorkListFilter = {}) => selectWorkItems(views, workListFilterSchema.parse(filter));
const ids = (views: CampaignView[], filter: WorkListFilter = {}) => select(views, filter).map((i) => `${i.campaignId}/${i.milestone}`);

describe('selectWorkItems', () => {
  it('due today is open with 0 days left; due yesterday is overdue', () => {
    const items = select([campaign('c', [milestone('today', 'open', 0), milestone('yesterday', 'overdue', -1)])]);
    expect(items.map((i) => [i.milestone, i.display, i.daysLeft, i.dueOn])).toEqual([
      ['yesterday', 'overdue', -1, plus(-1)],
      ['today', 'open', 0, today],
    ]);
  });

  it('includes exactly withinDays and excludes withinDays + 1', () => {
    const view = campaign('c', [
      milestone('in30', 'open', 30),
      milestone('in31', 'open', 31),
      milestone('in7', 'blocked', 7),
      milestone('in8', 'open', 8),
    ]);
    expect(ids([view])).toEqual(['c/in7', 'c/in8', 'c/in30']);
    expect(ids([view], { withinDays: 7 })).toEqual(['c/in7']);
    expect(ids([view], { withinDays: 0 })).toEqual([]);
  });

  it('includes blocked milestones by default and leaves them out on request (overdue ones always show)', () => {
    const view = campaign('c', [
      milestone('waiting', 'blocked', 5),
      milestone('open', 'open', 6),
      milestone('late', 'overdue', -3, { status: 'blocked' }),
    ]);
    expect(select([view]).map((i) => [i.milestone, i.display])).toEqual([
      ['late', 'overdue'],
      ['waiting', 'blocked'],
      ['open', 'open'],
    ]);
    expect(ids([view], { includeBlocked: false })).toEqual(['c/late', 'c/open']);
  });

  it('leaves out done and skipped milestones and open ones without a deadline', () => {
    const view = campaign('c', [
      milestone('done', 'done', undefined, { dueOn: plus(2) }),
      milestone('skipped', 'skipped', undefined, { dueOn: plus(2) }),
      milestone('no-deadline', 'open'),
      milestone('due', 'open', 2),
    ]);
    expect(ids([view])).toEqual(['c/due']);
  });

  it('covers active and paused campaigns only', () => {
    const views = (['active', 'paused', 'completed', 'cancelled'] as const).map((status) =>
      campaign(status, [milestone('m', 'overdue', -1)], { status }),
    );
    expect(ids(views)).toEqual(['active/m', 'paused/m']);
  });

  it('sorts overdue first by due date, then the rest by due date, across campaigns', () => {
    const views = [
      campaign('b', [milestone('b-soon', 'open', 3), milestone('b-late', 'overdue', -2)]),
      campaign('a', [milestone('a-later', 'blocked', 20), milestone('a-very-late', 'overdue', -40), milestone('a-soon', 'open', 3)]),
    ];
    expect(ids(views)).toEqual(['a/a-very-late', 'b/b-late', 'a/a-soon', 'b/b-soon', 'a/a-later']);
  });

  it('filters by country, region, template and owner (the milestone owner, else the campaign owner)', () => {
    const views = [
      campaign('ph', [milestone('m', 'open', 1, { owner: 'Sari' }), milestone('n', 'open', 2)], { owner: 'Ana' }),
      campaign('th', [milestone('m', 'open', 1)], { country: 'TH', templateId: 'uncat-ratification', region: 'south-east-asia' }),
    ];
    expect(ids(views, { country: 'TH' })).toEqual(['th/m']);
    expect(ids(views, { region: 'south-east-asia' })).toEqual(['th/m']);
    expect(ids(views, { template: 'opcat-ratification' })).toEqual(['ph/m', 'ph/n']);
    expect(ids(views, { owner: 'Sari' })).toEqual(['ph/m']);
    expect(ids(views, { owner: 'Ana' })).toEqual(['ph/n']);
    expect(select(views).map((i) => i.owner)).toEqual(['Sari', undefined, 'Ana']);
  });

  it('validates the filter: withinDays 0..366, default 30; blocked included by default', () => {
    expect(workListFilterSchema.parse({})).toEqual({ withinDays: 30, includeBlocked: true });
    expect(workListFilterSchema.safeParse({ withinDays: 366 }).success).toBe(true);
    expect(workListFilterSchema.safeParse({ withinDays: 367 }).success).toBe(false);
    expect(workListFilterSchema.safeParse({ withinDays: -1 }).success).toBe(false);
    expect(workListFilterSchema.safeParse({ withinDays: 1.5 }).success).toBe(false);
    expect(workListFilterSchema.safeParse({ country: 'XX1' }).success).toBe(false);
  });
});
