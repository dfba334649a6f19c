import { z } from 'zod';
import { countrySchema } from '../countries.js';
import { isoDate } from '../dates.js';
import { slug } from '../ids.js';
import { cursorSchema } from './cursor.js';
import { unreadableCampaignSchema } from './unreadable.js';
import { DUE_SOON_DAYS, type CampaignView } from './view.js';

/**
 * The cross-campaign work list: what is overdue or due soon in every running campaign, for staff who
 * "need to see what is open, due soon and overdue" across campaigns. Pure: it only selects and sorts
 * milestones from campaign views (whose `display` and `daysLeft` the workflow computed); the campaign
 * facade (`CampaignClient.workList`) fetches the views.
 */

export const WORK_LIST_MAX_DAYS = 366;
/** How many due campaigns one work-list page reads at most. */
export const WORK_LIST_MAX_CAMPAIGNS = 1000;

export const workListFilterSchema = z.object({
  country: countrySchema.optional(),
  region: slug.optional(),
  template: slug.optional(),
  /** The milestone's owner, else the campaign's owner (who answers for it). */
  owner: z.string().trim().min(1).max(128).optional(),
  /** Include pending milestones due within this many days from today (0 = due today). */
  withinDays: z.number().int().min(0).max(WORK_LIST_MAX_DAYS).default(DUE_SOON_DAYS),
  /** Include milestones still waiting on earlier ones (a legal deadline runs regardless). Overdue ones always show. */
  includeBlocked: z.boolean().default(true),
  /**
   * A page covers the work of at most this many due campaigns (a campaign's items are never split), sorted
   * within the page; without it, up to WORK_LIST_MAX_CAMPAIGNS, then `nextCursor`.
   */
  limit: z.number().int().min(1).max(WORK_LIST_MAX_CAMPAIGNS).optional(),
  cursor: cursorSchema.optional(),
});
export type WorkListFilter = z.input<typeof workListFilterSchema>;
export type WorkListOptions = z.output<typeof workListFilterSchema>;

export const workItemSchema = z
  .object({
    campaignId: z.string(),
    country: z.string(),
    templateId: z.string(),
    templateTitle: z.string(),
    milestone: z.string().describe('Milestone id from the template'),
    title: z.string(),
    display: z.enum(['overdue', 'open', 'blocked']).describe('overdue: past its due date; blocked: still waiting on earlier milestones'),
    dueOn: isoDate,
    daysLeft: z.number().int().describe('Days from today to the due date; negative when overdue, 0 when due today'),
    owner: z.string().optional().describe("The milestone's owner, else the campaign's"),
    role: z.string().describe('Least role that may record the milestone'),
  })
  .meta({ id: 'WorkItem' });
export type WorkItem = z.infer<typeof workItemSchema>;

/**
 * The work list with the campaigns it could not read: a campaign whose workflow stopped, or whose view
 * got no answer in time, is named here (with what to do) instead of failing the list for everyone.
 */
export const workReportSchema = z
  .object({
    items: z.array(workItemSchema),
    unreadable: z
      .array(unreadableCampaignSchema)
      .describe('Campaigns in scope whose pending work could not be read; their items are missing from `items`'),
    nextCursor: cursorSchema
      .optional()
      .describe('More due campaigns follow: give it as `cursor` for the next page (sorted on its own); absent on the last page'),
  })
  .meta({ id: 'WorkReport' });
export type WorkReport = z.infer<typeof workReportSchema>;

const runningStatuses = new Set(['active', 'paused']);

/** The work items of campaign views: pending milestones overdue or due within the window, overdue first. */
export function selectWorkItems(views: readonly CampaignView[], options: WorkListOptions): WorkItem[] {
  const items: WorkItem[] = [];
  for (const view of views) {
    if (!runningStatuses.has(view.status)) continue;
    if (options.country && view.country !== options.country) continue;
    if (options.region && view.region !== options.region) continue;
    if (options.template && view.templateId !== options.template) continue;
    for (const m of view.milestones) {
      if (m.display !== 'overdue' && m.display !== 'open' && m.display !== 'blocked') continue;
      if (m.dueOn === undefined || m.daysLeft === undefined) continue;
      if (m.display === 'blocked' && !options.includeBlocked) continue;
      if (m.display !== 'overdue' && (m.daysLeft < 0 || m.daysLeft > options.withinDays)) continue;
      const owner = m.owner ?? view.owner;
      if (options.owner !== undefined && owner !== options.owner) continue;
      items.push({
        campaignId: view.campaignId,
        country: view.country,
        templateId: view.templateId,
        templateTitle: view.templateTitle,
        milestone: m.id,
        title: m.title,
        display: m.display,
        dueOn: m.dueOn,
        daysLeft: m.daysLeft,
        ...(owner !== undefined ? { owner } : {}),
        role: m.role,
      });
    }
  }
  return items.sort(compareWorkItems);
}

/** Overdue first, each group by due date (earliest first), then by campaign and milestone for a stable order. */
export function compareWorkItems(a: WorkItem, b: WorkItem): number {
  const overdue = Number(b.display === 'overdue') - Number(a.display === 'overdue');
  if (overdue !== 0) return overdue;
  return a.dueOn.localeCompare(b.dueOn) || a.campaignId.localeCompare(b.campaignId) || a.milestone.localeCompare(b.milestone);
}

/**
 * The first instant past the work list's window: a campaign whose `CampaignNextDue` (shared/campaign/search.ts)
 * is before it has a pending milestone overdue or due within `withinDays` of `today`; one at or after it has
 * none, so the list need not ask it.
 */
export function dueHorizon(today: string, withinDays: number): Date {
  return new Date(Date.parse(`${today}T00:00:00.000Z`) + (withinDays + 1) * 86_400_000);
}
