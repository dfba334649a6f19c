import type { SearchAttributePair } from '@temporalio/common';
import {
  CampaignCountry,
  CampaignNextDue,
  CampaignOverdue,
  CampaignRegion,
  CampaignStage,
  CampaignStatus,
  CampaignTemplate,
} from '../search-attributes.js';
import type { CampaignView } from './view.js';

/** Search attribute values mirrored from a campaign, so campaigns can be listed and filtered. */
export function searchAttributesOf(
  view: Pick<CampaignView, 'country' | 'region' | 'templateId' | 'stage' | 'status' | 'overdue'>,
): SearchAttributePair[] {
  return [
    { key: CampaignCountry, value: view.country },
    { key: CampaignRegion, value: view.region },
    { key: CampaignTemplate, value: view.templateId },
    { key: CampaignStage, value: view.stage },
    { key: CampaignStatus, value: view.status },
    { key: CampaignOverdue, value: view.overdue.length > 0 },
  ];
}

/**
 * `CampaignNextDue` of a campaign with nothing due (finished, or no pending milestone with a due date).
 * A value rather than no attribute, so "no attribute" keeps meaning "not indexed yet": a campaign that
 * predates the attribute, which the work list must still ask (`CampaignNextDue IS NULL`).
 */
export const NO_DUE_DATE = new Date('9999-12-31T00:00:00.000Z');

/** The `patched()` id of the workflow's `CampaignNextDue` upserts: histories recorded before it replay without them. */
export const NEXT_DUE_PATCH = 'next-due-search-attribute';

const runningStatuses = new Set(['active', 'paused']);

/**
 * The earliest due date among the campaign's pending (open or blocked) milestones, at midnight UTC; the
 * work list shows such a milestone once it is due within its window, blocked or not. Depends on the state
 * only, not on today, so the attribute stays true as days pass and changes only when the campaign does.
 */
export function nextDueOf(view: { status: string; milestones: readonly { status: string; dueOn?: string | undefined }[] }): Date {
  if (!runningStatuses.has(view.status)) return NO_DUE_DATE;
  let next: string | undefined;
  for (const m of view.milestones)
    if ((m.status === 'open' || m.status === 'blocked') && m.dueOn !== undefined && (next === undefined || m.dueOn < next)) next = m.dueOn;
  return next === undefined ? NO_DUE_DATE : new Date(`${next}T00:00:00.000Z`);
}

/** The `CampaignNextDue` pair of a campaign (`nextDueOf`). */
export function nextDueAttributeOf(view: Parameters<typeof nextDueOf>[0]): SearchAttributePair {
  return { key: CampaignNextDue, value: nextDueOf(view) };
}
