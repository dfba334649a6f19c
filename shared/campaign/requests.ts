import { z } from 'zod';
import { countrySchema, defaultRegion } from '../countries.js';
import { dateOfInstant, isoDate } from '../dates.js';
import { fieldName, personId, slug, type Actor } from '../ids.js';
import type { Template } from '../template/validate.js';
import { priorCompletionSchema, type StartCampaignInput } from './state.js';
import { cursorSchema } from './cursor.js';
import { executionSchema, listStatusSchema } from './unreadable.js';

/**
 * What callers ask the campaign facade (clients/campaign-client.ts) for, beside the commands: starting a
 * campaign and listing campaigns, with the list's rows. The interfaces build their own request schemas
 * from these (the API's bodies and queries, the CLI's flags), so every entry point accepts the same.
 */

/** A start as a caller asks for it; the facade resolves the template and the defaults into a `StartCampaign`. */
export const startRequestSchema = z.object({
  template: slug,
  version: z.number().int().positive().optional(),
  country: countrySchema,
  region: slug.optional(),
  startDate: isoDate.optional(),
  inputs: z.record(fieldName, z.union([z.string(), z.number(), z.boolean()])).default({}),
  owner: personId.optional(),
  completed: z.array(priorCompletionSchema).default([]),
  skipped: z.array(z.object({ milestone: slug, reason: z.string().min(1).max(1000) })).default([]),
  /** Optional; see campaign-id.ts for who may use which ids (`~` is reserved for follow-on campaigns). */
  campaignId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'letters, digits and . _ - only ("~" is reserved for follow-on campaigns)')
    .optional(),
});
export type StartRequest = z.input<typeof startRequestSchema>;

/**
 * The workflow's input for a start request once its template is known: the defaults filled in (region
 * from the country, today as start date), inputs learned from other campaigns under the given ones. The
 * facade starts with it; `advocacy seed` judges its plans with it before starting any.
 */
export function startInputOf(
  request: z.output<typeof startRequestSchema>,
  template: Template,
  context: { campaignId: string; now: number; actor: Actor; learned?: Record<string, string | number | boolean> },
): StartCampaignInput {
  return {
    campaignId: context.campaignId,
    template,
    country: request.country,
    region: request.region ?? defaultRegion(request.country),
    startDate: request.startDate ?? dateOfInstant(context.now),
    inputs: { ...context.learned, ...request.inputs },
    ...(request.owner ? { owner: request.owner } : {}),
    actor: context.actor,
    completed: request.completed,
    skipped: request.skipped,
  };
}

export const listFilterSchema = z.object({
  country: countrySchema.optional(),
  region: slug.optional(),
  template: slug.optional(),
  /** The campaign's own status (active, paused, completed, cancelled) or how its workflow stopped (failed, terminated, timed-out). */
  status: listStatusSchema.optional(),
  overdue: z.boolean().optional(),
  /** The page size: at most this many campaigns, then `nextCursor` when there are more. */
  limit: z.number().int().min(1).max(1000).default(200),
  cursor: cursorSchema.optional(),
});
export type ListFilter = z.input<typeof listFilterSchema>;

/**
 * One row of the campaign list, read from the campaign's search attributes and its execution status in
 * Temporal's visibility (no workflow query), so listing never depends on a campaign answering.
 */
export const campaignSummarySchema = z
  .object({
    campaignId: z.string(),
    country: z.string(),
    region: z.string(),
    template: z.string(),
    stage: z.string(),
    status: z
      .string()
      .describe(
        "The campaign's status (active, paused, completed, cancelled), or failed, terminated or timed-out when its workflow stopped " +
          'without the campaign finishing (see `execution`)',
      ),
    execution: executionSchema,
    overdue: z.boolean(),
    startedAt: z.string(),
  })
  .meta({ id: 'CampaignSummary' });
export type CampaignSummary = z.infer<typeof campaignSummarySchema>;

/** One page of the campaign list, and the cursor of the next when there is one. */
export const campaignPageSchema = z
  .object({
    campaigns: z.array(campaignSummarySchema),
    nextCursor: cursorSchema.optional().describe('Give it as `cursor` for the next page; absent on the last page'),
  })
  .meta({ id: 'CampaignPage' });
export type CampaignPage = z.infer<typeof campaignPageSchema>;
