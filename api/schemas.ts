import { z } from 'zod';
import {
  assignCommand,
  cancelCommand,
  completeCommand,
  extendCommand,
  noteCommand,
  pauseCommand,
  reopenCommand,
  setInputCommand,
  skipCommand,
} from '../shared/campaign/commands.js';
import { cursorSchema } from '../shared/campaign/cursor.js';
import { campaignPageSchema, campaignSummarySchema, listFilterSchema, startRequestSchema } from '../shared/campaign/requests.js';
import { campaignViewSchema } from '../shared/campaign/view.js';
import {
  WORK_LIST_MAX_CAMPAIGNS,
  WORK_LIST_MAX_DAYS,
  workItemSchema,
  workListFilterSchema,
  workReportSchema,
} from '../shared/campaign/work-list.js';
import { countrySchema } from '../shared/countries.js';
import { fieldName, slug } from '../shared/ids.js';
import { templateObjectSchema } from '../shared/template/schema.js';
import { apiErrorCodes } from './errors.js';

/**
 * Request and response schemas of the HTTP API. They are built from the engine's own zod schemas (the
 * commands, the start request and the campaign view), so the API validates with the same rules and
 * messages as the facade, the CLI and the dashboard; the OpenAPI document is generated from them.
 */

// ---------------------------------------------------------------------------------------------------
// Errors

export const errorSchema = z
  .object({
    statusCode: z.number().int(),
    code: z.string().describe(apiErrorCodes.join(', ')),
    error: z.string(),
    message: z.string(),
    issues: z.array(z.string()).describe('Field-level problems, each "path: message"'),
  })
  .meta({ id: 'Error' });

/** A documented JSON response: the description shows in the OpenAPI document and /docs. */
export function json<T extends z.ZodType>(description: string, schema: T) {
  return { description, content: { 'application/json': { schema } } };
}

const errorDescriptions = {
  400: 'Bad input: `issues` lists each problem as "field.path: message"',
  401: 'No API key, or a wrong or revoked one',
  403: "The key's role or countries do not allow this",
  404: 'No such campaign, milestone or template',
  409: 'Conflicts with the campaign as it is now (e.g. the milestone is already done, the campaign is cancelled, or its workflow stopped: the message says why and what to do)',
  413: 'The body is larger than the limit (API_BODY_LIMIT)',
  422: 'A precondition does not hold (e.g. a treaty rule, or a deadline that cannot be extended further)',
  503: 'Temporal is not reachable, or no engine worker answered for the campaign in time (the message says which); try again later',
} as const;
type ErrorStatus = keyof typeof errorDescriptions;

/** The error responses a route can give, for its `response` schema. */
export function errorResponses(...codes: ErrorStatus[]) {
  return Object.fromEntries(codes.map((c) => [c, json(errorDescriptions[c], errorSchema)])) as Record<
    ErrorStatus,
    ReturnType<typeof json<typeof errorSchema>>
  >;
}

// ---------------------------------------------------------------------------------------------------
// Parameters and headers

export const campaignIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$/, 'letters, digits and . _ ~ - only')
  .describe('Campaign id (the Temporal workflow id)');

export const campaignParams = z.object({ id: campaignIdSchema });
export const milestoneParams = z.object({ id: campaignIdSchema, milestone: slug.describe('Milestone id from the template') });
export const inputParams = z.object({ id: campaignIdSchema, name: fieldName.describe('Input name from the template') });
export const templateParams = z.object({ id: slug });
export const templateQuery = z.object({ version: z.coerce.number().int().positive().optional() }).strict();

export const writeHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,100}$/, 'use 1 to 100 visible ASCII characters')
    .optional()
    .describe('Repeat a write with the same key to get the first answer again, without a second change'),
});

export const listQuery = z
  .object({
    country: countrySchema.optional(),
    region: slug.optional(),
    template: slug.optional(),
    status: listFilterSchema.shape.status,
    overdue: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true')),
    limit: z.coerce.number().int().min(1).max(1000).optional().describe('Page size: at most this many campaigns (default 200)'),
    cursor: cursorSchema.optional(),
    envelope: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => v === 'true')
      .describe('Answer `{ campaigns, nextCursor }` (a CampaignPage) instead of the bare array'),
  })
  .strict();

const work = workListFilterSchema.shape;
export const workQuery = z
  .object({
    country: work.country,
    region: work.region,
    template: work.template,
    owner: work.owner,
    withinDays: z.coerce
      .number()
      .int()
      .min(0)
      .max(WORK_LIST_MAX_DAYS)
      .optional()
      .describe('Due within this many days of today (default 30)'),
    includeBlocked: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true'))
      .describe('Include milestones still waiting on earlier ones (default true)'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(WORK_LIST_MAX_CAMPAIGNS)
      .optional()
      .describe(`A page holds the work of at most this many due campaigns (default ${WORK_LIST_MAX_CAMPAIGNS}), sorted within the page`),
    cursor: cursorSchema.optional(),
    envelope: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => v === 'true')
      .describe('Answer `{ items, unreadable }` (a WorkReport) instead of the bare array, naming the campaigns that could not be read'),
  })
  .strict();

// ---------------------------------------------------------------------------------------------------
// Bodies: the command schemas without what the URL, the key and the Idempotency-Key header supply

export const startBody = startRequestSchema.strict().meta({ id: 'StartCampaign' });
export const completeBody = completeCommand.pick({ date: true, evidence: true, note: true }).strict().meta({ id: 'CompleteMilestone' });
export const skipBody = skipCommand.pick({ reason: true }).strict();
export const reopenBody = reopenCommand.pick({ reason: true }).strict();
export const assignBody = assignCommand.pick({ owner: true }).strict();
export const noteBody = noteCommand.pick({ text: true }).strict();
export const extendBody = extendCommand.pick({ by: true, reason: true, legalBasis: true }).strict();
/** Pause and resume may come without a body. */
export const pauseBody = pauseCommand.pick({ reason: true }).strict().nullish();
export const resumeBody = z.object({}).strict().nullish();
export const cancelBody = cancelCommand.pick({ reason: true }).strict();
export const setInputBody = setInputCommand.pick({ value: true, reason: true }).strict();

// ---------------------------------------------------------------------------------------------------
// Responses

export const campaignView = campaignViewSchema.meta({ id: 'Campaign' });

export { campaignPageSchema, campaignSummarySchema };

export const workItem = workItemSchema;
export const workReport = workReportSchema;

export const commandResponse = z
  .object({
    requestId: z.string(),
    events: z.array(z.number().int()).describe('Sequence numbers of the events the command caused (empty on a repeat)'),
    campaign: campaignView,
  })
  .meta({ id: 'CommandAccepted' });

export const templateSummarySchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    title: z.string(),
    process: z.string(),
    versions: z.array(z.number().int()),
  })
  .meta({ id: 'TemplateSummary' });

export const templateResponse = templateObjectSchema.meta({ id: 'Template' });
