import { describe, expect, it } from 'vitest';
import { NO_DUE_DATE, nextDueOf } from '../../shared/campaign/search.js';
import { dueHorizon } from '../../shared/campaign/work-list.js';

/** `CampaignNextDue`: what the work list's one visibility query selects campaigns by. */

const m = (status: string, dueOn?: string) => ({ status, ...(dueOn ? { dueOn } : {}) });

describe('nextDueOf', () => {
  it('is the earliest due date of an open or blocked milestone, at midnight UTC', () => {
    const view = {
      status: 'active',
      milestones: [m('done', '2026-01-01'), m('open', '2026-05-01'), m('blocked', '2026-04-02'), m('open')],
    };
    expect(nextDueOf(view).toISOString()).toBe('2026-04-02T00:00:00.000Z');
  });

  it('counts a paused campaign, whose deadlines run on', () => {
    expect(nextDueOf({ status: 'paused', milestones: [m('open', '2026-05-01')] }).toISOString()).toBe('2026-05-01T00:00:00.000Z');
  });

  it('is NO_DUE_DATE when nothing pending has a due date, or the campaign finished', () => {
    expect(nextDueOf({ status: 'active', milestones: [m('open'), m('skipped', '2026-01-01'), m('done', '2026-01-01')] })).toBe(NO_DUE_DATE);
    expect(nextDueOf({ status: 'completed', milestones: [m('open', '2026-01-01')] })).toBe(NO_DUE_DATE);
    expect(nextDueOf({ status: 'cancelled', milestones: [m('blocked', '2026-01-01')] })).toBe(NO_DUE_DATE);
  });
});

describe('dueHorizon', () => {
  it('is the midnight after the last day of the window, so a milestone due on that day is inside', () => {
    expect(dueHorizon('2026-03-10', 0).toISOString()).toBe('2026-03-11T00:00:00.000Z');
    expect(dueHorizon('2026-03-10', 30).toISOString()).toBe('2026-04-10T00:00:00.000Z');
    const dueOnLastDay = nextDueOf({ status: 'active', milestones: [m('open', '2026-04-09')] });
    expect(dueOnLastDay < dueHorizon('2026-03-10', 30)).toBe(true);
    expect(nextDueOf({ status: 'active', milestones: [m('open', '2026-04-10')] }) < dueHorizon('2026-03-10', 30)).toBe(false);
  });
});
