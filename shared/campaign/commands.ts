import { z } from 'zod';
import { isoDate, isoDuration } from '../dates.js';
import { refusalCodeSchema } from '../errors.js';
import { actorSchema, fieldName, personId, slug } from '../ids.js';

/**
 * Commands change a campaign. They arrive as Temporal updates (validated before they enter history) or
 * signals, from the CLI, the HTTP API, the dashboard and the NATS bridge — all through this one contract.
 */
const base = {
  /** Idempotency key: a repeated request id returns the first result and changes nothing. */
  requestId: z
    .string()
    .min(1)
    .max(128)
    // The campaign keeps results by request id in a record, where this key cannot be stored.
    .refine((id) => id !== '__proto__', '"__proto__" is reserved; choose another request id'),
  actor: actorSchema,
};
const text = (max: number) => z.string().trim().min(1).max(max);
const evidenceValue = z.string().trim().min(1).max(2000);

export const completeCommand = z.object({
  ...base,
  type: z.literal('complete'),
  milestone: slug,
  /** The day it really happened; may be in the past, never in the future. */
  date: isoDate,
  evidence: z.record(fieldName, evidenceValue).default({}),
  note: text(4000).optional(),
});
export const skipCommand = z.object({ ...base, type: z.literal('skip'), milestone: slug, reason: text(1000) });
export const reopenCommand = z.object({ ...base, type: z.literal('reopen'), milestone: slug, reason: text(1000) });
export const assignCommand = z.object({ ...base, type: z.literal('assign'), milestone: slug, owner: personId });
export const noteCommand = z.object({ ...base, type: z.literal('note'), milestone: slug.optional(), text: text(4000) });
export const extendCommand = z.object({
  ...base,
  type: z.literal('extend'),
  milestone: slug,
  by: isoDuration,
  reason: text(1000),
  legalBasis: text(500),
});
export const pauseCommand = z.object({ ...base, type: z.literal('pause'), reason: text(1000).optional() });
export const resumeCommand = z.object({ ...base, type: z.literal('resume') });
export const cancelCommand = z.object({ ...base, type: z.literal('cancel'), reason: text(1000) });
export const setInputCommand = z.object({
  ...base,
  type: z.literal('set-input'),
  name: fieldName,
  value: z.union([z.string(), z.number(), z.boolean()]),
  reason: text(1000),
});

export const campaignCommandSchema = z.discriminatedUnion('type', [
  completeCommand,
  skipCommand,
  reopenCommand,
  assignCommand,
  noteCommand,
  extendCommand,
  pauseCommand,
  resumeCommand,
  cancelCommand,
  setInputCommand,
]);
export type CampaignCommand = z.infer<typeof campaignCommandSchema>;
export type CommandType = CampaignCommand['type'];

/** What a command returns: accepted (with the events it caused) or rejected with a reason. */
export const commandResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), requestId: z.string(), events: z.array(z.number().int()) }),
  z.object({
    ok: z.literal(false),
    requestId: z.string(),
    code: refusalCodeSchema,
    message: z.string(),
  }),
]);
export type CommandResult = z.infer<typeof commandResultSchema>;
