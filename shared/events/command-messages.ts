import { z } from 'zod';
import {
  assignCommand,
  cancelCommand,
  commandResultSchema,
  completeCommand,
  extendCommand,
  noteCommand,
  pauseCommand,
  reopenCommand,
  resumeCommand,
  setInputCommand,
  skipCommand,
  type CommandType,
} from '../campaign/commands.js';
import { errorCodeSchema } from '../errors.js';
import { subjectToken } from './subjects.js';

/**
 * Commands from other systems over NATS request/reply (served by workers/bridge.ts): the request goes
 * to `<COMMANDS_SUBJECT_PREFIX>.<sender>.<campaignId>.<type>` with a campaign command as JSON (the HTTP
 * API's contract, without `actor`); the reply is the command's result, or why it was not applied.
 *
 * `<sender>` is who sends: the NATS permissions let each user publish under its own token only, and
 * the bridge takes the actor from that token (COMMANDS_SENDERS_FILE), never from the body. The campaign
 * and the command type are tokens too, so permissions can also narrow a sender to some campaigns or some
 * commands (`advocacy.commands.monitor.*.note`). Five tokens with the default prefix: never an event
 * subject (`advocacy.*.*.*`).
 */

export function commandSubject(prefix: string, sender: string, campaignId: string, type: CommandType): string {
  return [prefix, subjectToken(sender, 'sender'), subjectToken(campaignId, 'campaign id'), type].join('.');
}

/** What the bridge subscribes to: exactly sender, campaign and type after the prefix. */
export function commandSubscriptionSubject(prefix: string): string {
  return `${prefix}.*.*.*`;
}

export interface CommandAddress {
  sender: string;
  campaignId: string;
  /** As written in the subject; checked against the body's type. */
  type: string;
}

export function parseCommandSubject(prefix: string, subject: string): CommandAddress | undefined {
  if (!subject.startsWith(`${prefix}.`)) return undefined;
  const [sender, campaignId, type, ...rest] = subject.slice(prefix.length + 1).split('.');
  if (!sender || !campaignId || !type || rest.length > 0) return undefined;
  return { sender, campaignId, type };
}

/**
 * The request body: a campaign command without `actor`, which the bridge derives from the subject's
 * sender token (a body naming one is refused).
 */
const withoutActor = { actor: true } as const;
export const commandBodySchema = z.discriminatedUnion('type', [
  completeCommand.omit(withoutActor),
  skipCommand.omit(withoutActor),
  reopenCommand.omit(withoutActor),
  assignCommand.omit(withoutActor),
  noteCommand.omit(withoutActor),
  extendCommand.omit(withoutActor),
  pauseCommand.omit(withoutActor),
  resumeCommand.omit(withoutActor),
  cancelCommand.omit(withoutActor),
  setInputCommand.omit(withoutActor),
]);
export type CommandBody = z.input<typeof commandBodySchema>;

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
