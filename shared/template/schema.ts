import { z } from 'zod';
import { isoDate, isoDuration } from '../dates.js';
import { fieldName, slug } from '../ids.js';

/**
 * Process templates are data: authored as YAML (see `templates/`), validated here, and snapshotted into
 * each campaign at start so that editing a template never changes a running campaign.
 */

const inputValue = z.union([z.string(), z.number(), z.boolean()]);

export const inputDefinitionSchema = z.object({
  type: z.enum(['date', 'duration', 'enum', 'string', 'boolean']),
  description: z.string().default(''),
  values: z.array(z.string()).optional(),
  required: z.boolean().default(false),
  default: inputValue.optional(),
  /** Longest allowed value of a duration input, e.g. P3Y for an OPCAT Art. 24 postponement. */
  max: isoDuration.optional(),
});
export type InputDefinition = z.infer<typeof inputDefinitionSchema>;

/** When a date is counted from: the campaign start, a milestone's completion date, or a date input. */
export const anchorSchema = z.union([
  z.object({ start: z.literal(true) }).strict(),
  z.object({ milestone: slug }).strict(),
  z.object({ input: fieldName }).strict(),
]);
export type Anchor = z.infer<typeof anchorSchema>;

export const deadlineSchema = z.object({
  after: anchorSchema,
  duration: isoDuration,
  /** Duration inputs added to the deadline, e.g. an OPCAT Art. 24 postponement and its extension. */
  postponedBy: z.array(fieldName).default([]),
  /** Earliest possible due date, e.g. a treaty's general entry into force. */
  notBefore: isoDate.optional(),
  legalBasis: z.string().optional(),
  /** Upper bound on the sum of all extensions granted while the campaign runs; absent = no extensions. */
  maxExtension: isoDuration.optional(),
});
export type Deadline = z.infer<typeof deadlineSchema>;

export const automaticSchema = z.object({
  after: anchorSchema,
  duration: isoDuration,
  notBefore: isoDate.optional(),
  legalBasis: z.string().optional(),
});
export type Automatic = z.infer<typeof automaticSchema>;

export const conditionSchema = z.object({
  input: fieldName,
  in: z.array(inputValue).min(1),
});
export type Condition = z.infer<typeof conditionSchema>;

export const preconditionSchema = conditionSchema.extend({
  /** Shown to the user when the milestone is refused, e.g. citing OPCAT Art. 27. */
  reason: z.string().min(1),
});
export type Precondition = z.infer<typeof preconditionSchema>;

export const evidenceFieldSchema = z.object({
  name: fieldName,
  label: z.string().min(1),
  type: z.enum(['text', 'url', 'date', 'duration', 'enum']).default('text'),
  values: z.array(z.string()).optional(),
  required: z.boolean().default(true),
  /** Longest allowed value of a duration field. */
  max: isoDuration.optional(),
});
export type EvidenceField = z.infer<typeof evidenceFieldSchema>;

export const inputMappingSchema = z.union([
  z.object({ value: inputValue }).strict(),
  z.object({ input: fieldName }).strict(),
  z.object({ milestoneDate: slug }).strict(),
  z
    .object({
      evidence: z.object({ milestone: slug, field: fieldName }),
      /** Translates evidence values to the target's vocabulary, e.g. accession -> acceded. */
      values: z.record(z.string(), z.string()).optional(),
    })
    .strict(),
]);
export type InputMapping = z.infer<typeof inputMappingSchema>;

export const followOnSchema = z.object({
  template: slug,
  /** Absent: the newest version the engine knows when the follow-on starts. */
  version: z.number().int().positive().optional(),
  inputs: z.record(fieldName, inputMappingSchema).default({}),
});
export type FollowOn = z.infer<typeof followOnSchema>;

/**
 * Another process of the same state that must learn of this milestone, e.g. a UNCAT deposit tells the
 * state's OPCAT campaign that UNCAT is now ratified (OPCAT Art. 27). The engine sets the mapped inputs
 * on every running campaign of that template for the country, and new campaigns of that template read
 * them from this campaign at start.
 */
export const informsSchema = z.object({
  template: slug,
  inputs: z.record(fieldName, inputMappingSchema),
});
export type Informs = z.infer<typeof informsSchema>;

export const milestoneSchema = z.object({
  id: slug,
  title: z.string().min(1),
  description: z.string().default(''),
  /** Article of the treaty that sets this step, where the law sets it. */
  legalBasis: z.string().optional(),
  /** A coarse label for dashboards and the CampaignStage search attribute, e.g. "ratification". */
  stage: slug.optional(),
  dependsOn: z.array(slug).default([]),
  deadline: deadlineSchema.optional(),
  /** How long before the deadline to remind the owner, e.g. [P3M, P1M, P7D]. */
  reminders: z.array(isoDuration).default([]),
  role: z.enum(['staff', 'programme-lead']).default('staff'),
  evidence: z.array(evidenceFieldSchema).default([]),
  optional: z.boolean().default(false),
  /** Completing any milestone of the group skips the others (signature vs accession). */
  alternativeTo: z.array(slug).default([]),
  automatic: automaticSchema.optional(),
  /** The milestone applies only when the inputs match; otherwise it is skipped as not applicable. */
  when: conditionSchema.optional(),
  /** Completion is refused unless these hold (e.g. OPCAT Art. 27: UNCAT ratified first). */
  requires: z.array(preconditionSchema).default([]),
  followOn: z.array(followOnSchema).default([]),
  informs: z.array(informsSchema).default([]),
});
export type Milestone = z.infer<typeof milestoneSchema>;

export const templateObjectSchema = z.object({
  id: slug,
  version: z.number().int().positive(),
  title: z.string().min(1),
  description: z.string().default(''),
  /** Which kind of process: shown in lists and used for filtering. */
  process: z.enum(['ratification', 'designation', 'project']).default('project'),
  inputs: z.record(fieldName, inputDefinitionSchema).default({}),
  milestones: z.array(milestoneSchema).min(1),
});

export type TemplateInput = z.input<typeof templateObjectSchema>;
