import { z } from 'zod';
import { countrySchema } from '../countries.js';
import { isoDate } from '../dates.js';
import { fieldName, slug } from '../ids.js';
import { priorCompletionSchema } from './state.js';

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
  owner: z.string().min(1).max(128).optional(),
  completed: z.array(priorCompletionSchema).default([]),
  skipped: z.array(z.object({ milestone: slug, reason: z.string().min(1).max(1000) })).default([]),
  /** Optional; see campaign-id.ts for who may use which ids (`~` is reserved for follow-on campaigns). */
  campaignId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'letters, digits and . _ - only ("~" is reserved for follow-on campaigns)')
    .optional(),
});
export type StartRequest = z.input<typeof startRequestSchema>;

export const listFilterSchema = z.object({
  country: countrySchema.optional(),
  region: slug.optional(),
  template: slug.optional(),
  status: z.enum(['active', 'paused', 'completed', 'cancelled']).optional(),
  overdue: z.boolean().optional(),
  limit: z.number().int().min(1).max(1000).default(200),
});
export type ListFilter = z.input<typeof listFilterSchema>;

/** One row of the campaign list, read from the campaign's search attributes (no workflow query). */
export const campaignSummarySchema = z
  .object({
    campaignId: z.string(),
    country: z.string(),
    region: z.string(),
    template: z.string(),
    stage: z.string(),
    status: z.string(),
    overdue: z.boolean(),
    startedAt: z.string(),
  })
  .meta({ id: 'CampaignSummary' });
export type CampaignSummary = z.infer<typeof campaignSummarySchema>;
