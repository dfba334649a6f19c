import { z } from 'zod';
import { countrySchema } from '../countries.js';
import { isoDate, isoDuration } from '../dates.js';
import { actorSchema, fieldName, slug } from '../ids.js';
import { templateSchema } from '../template/validate.js';
import { commandResultSchema } from './commands.js';

const inputValue = z.union([z.string(), z.number(), z.boolean()]);

/** A milestone already done before the campaign started (the campaign starts part-way, with real dates). */
export const priorCompletionSchema = z.object({
  milestone: slug,
  date: isoDate,
  evidence: z.record(fieldName, z.string().min(1).max(2000)).default({}),
  note: z.string().max(4000).optional(),
});

/** Everything a campaign workflow starts from. The template is a snapshot, never a reference. */
export const startCampaignSchema = z.object({
  campaignId: z.string().min(1).max(200),
  template: templateSchema,
  country: countrySchema,
  region: slug,
  /** Day the campaign starts; deadlines "after start" count from it. */
  startDate: isoDate,
  inputs: z.record(fieldName, inputValue).default({}),
  owner: z.string().min(1).max(128).optional(),
  actor: actorSchema,
  completed: z.array(priorCompletionSchema).default([]),
  skipped: z.array(z.object({ milestone: slug, reason: z.string().min(1).max(1000) })).default([]),
  parentCampaignId: z.string().optional(),
});
export type StartCampaign = z.infer<typeof startCampaignSchema>;
export type StartCampaignInput = z.input<typeof startCampaignSchema>;

export const milestoneStatusSchema = z.enum(['blocked', 'open', 'done', 'skipped']);

export const extensionSchema = z.object({
  by: isoDuration,
  reason: z.string(),
  legalBasis: z.string(),
  actor: actorSchema,
  at: z.string(),
});

export const milestoneStateSchema = z.object({
  id: slug,
  status: milestoneStatusSchema,
  /** Due date from the template rule plus extensions; absent when the anchor is not known yet. */
  dueOn: isoDate.optional(),
  extensions: z.array(extensionSchema).default([]),
  completedOn: isoDate.optional(),
  completedBy: actorSchema.optional(),
  recordedAt: z.string().optional(),
  evidence: z.record(z.string(), z.string()).optional(),
  note: z.string().optional(),
  skipReason: z.string().optional(),
  skipCause: z.enum(['manual', 'alternative-chosen', 'not-applicable']).optional(),
  owner: z.string().optional(),
  /** Reminder offsets already announced for the current due date. */
  remindersSent: z.array(isoDuration).default([]),
  overdueNotified: z.boolean().default(false),
});
export type MilestoneState = z.infer<typeof milestoneStateSchema>;

export const historyEntrySchema = z.object({
  at: z.string(),
  actor: actorSchema,
  action: z.string(),
  milestone: slug.optional(),
  /** Free text kept only in the campaign's history (never in events). */
  detail: z.string().optional(),
  requestId: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/**
 * Something the engine could not do for a campaign after retrying (start a follow-on campaign, inform
 * other campaigns), kept in its state so that people see it; retried on the campaign's next change and
 * hourly, and removed once done.
 */
export const campaignProblemSchema = z.object({
  kind: z.enum(['follow-on', 'inform']),
  milestone: slug,
  templateId: slug,
  /** The follow-on campaign to start, or the one campaign to inform. */
  campaignId: z.string().optional(),
  message: z.string(),
  /** When it first failed (ISO instant) and how many rounds of attempts failed since. */
  since: z.string(),
  attempts: z.number().int().positive(),
  /** What someone can do about it. */
  action: z.string(),
});
export type CampaignProblem = z.infer<typeof campaignProblemSchema>;

export const campaignStatusSchema = z.enum(['active', 'paused', 'completed', 'cancelled']);
export type CampaignStatus = z.infer<typeof campaignStatusSchema>;

export const campaignStateSchema = z.object({
  campaignId: z.string(),
  template: templateSchema,
  country: z.string(),
  region: z.string(),
  startDate: isoDate,
  inputs: z.record(z.string(), inputValue),
  owner: z.string().optional(),
  parentCampaignId: z.string().optional(),
  status: campaignStatusSchema,
  milestones: z.record(z.string(), milestoneStateSchema),
  history: z.array(historyEntrySchema),
  /** Sequence number of the last emitted event; the next one is sequence + 1. */
  sequence: z.number().int().nonnegative(),
  /** Results of processed request ids, so a repeated request returns the first answer. */
  requests: z.record(z.string(), commandResultSchema),
  followOns: z.array(z.object({ milestone: slug, templateId: slug, campaignId: z.string() })),
  /** What the engine could not do for this campaign yet; absent when nothing is outstanding. */
  problems: z.array(campaignProblemSchema).optional(),
});
export type CampaignState = z.infer<typeof campaignStateSchema>;
