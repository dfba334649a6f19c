import { z } from 'zod';
import { commandResultSchema } from '../campaign/commands.js';
import { errorCodeSchema } from '../errors.js';
import { subjectToken } from './subjects.js';

/**
 * Commands from other systems over NATS request/reply (served by workers/bridge.ts): the request goes
 * to `<COMMANDS_SUBJECT_PREFIX>.<campaignId>` with a campaign command as JSON (the same contract as
 * the HTTP API); the reply is the command's result, or why it was not applied.
 */

export function commandSubject(prefix: string, campaignId: string): string {
  return `${prefix}.${subjectToken(campaignId, 'campaign id')}`;
}

/** What the bridge subscribes to: one token per campaign id, so nothing deeper is taken for a command. */
export function commandSubscriptionSubject(prefix: string): string {
  return `${prefix}.*`;
}

export function campaignIdFromCommandSubject(prefix: string, subject: string): string | undefined {
  if (!subject.startsWith(`${prefix}.`)) return undefined;
  const rest = subject.slice(prefix.length + 1);
  return rest.length > 0 && !rest.includes('.') ? rest : undefined;
}

const [accepted] = commandResultSchema.options;

/**
 * The reply: accepted (with the sequence numbers of the events it caused), or refused with a code from
 * the shared error registry, a message, and one "field: problem" line per invalid field.
 */
export const commandReplySchema = z.discriminatedUnion('ok', [
  accepted,
  z.object({
    ok: z.literal(false),
    /** The request's id when it had a readable one, else "". */
    requestId: z.string(),
    code: errorCodeSchema,
    message: z.string(),
    issues: z.array(z.string()).default([]),
  }),
]);
export type CommandReply = z.output<typeof commandReplySchema>;
