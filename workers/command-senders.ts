import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Caller } from '../clients/campaign-client.js';
import { parseStrictYaml } from '../infra/yaml.js';
import type { Config } from '../shared/config.js';
import { countrySchema } from '../shared/countries.js';
import { roleAllows, roleSchema, slug } from '../shared/ids.js';
import { formatIssues, problemList } from '../shared/validation.js';

/**
 * Who may send NATS commands, from the YAML file named by COMMANDS_SENDERS_FILE:
 *
 * ```yaml
 * senders:
 *   partner-a:                    # the sender token: commands go to advocacy.commands.partner-a.<campaign>.<type>
 *     role: staff                 # at most COMMANDS_MAX_ROLE; never system
 *     countries: [PH]             # optional: only these countries' campaigns (others answer "not found")
 *     label: Partner A case system
 *   monitor:
 *     actor: parliament-monitor   # optional: recorded as nats:parliament-monitor (default: nats:<token>)
 *     role: viewer
 * ```
 *
 * The sender token is trusted because the NATS server lets each user publish under its own token only
 * (docs/nats-permissions.conf); the body of a command cannot name another actor. Actor ids of senders
 * are `nats:<name>`, which no API key id (`key-<hex>`) and no other sender namespace can equal, so the
 * campaign history always tells a NATS sender from a key holder.
 */

/** Actor ids of NATS senders begin with it; API key ids (`key-` and hex) never contain a colon. */
export const NATS_ACTOR_PREFIX = 'nats:';

export function natsActorId(name: string): string {
  return `${NATS_ACTOR_PREFIX}${slug.parse(name)}`;
}

const senderSchema = z
  .object({
    /** Recorded as `nats:<actor>`; lets a renamed NATS user keep its actor in the campaign history. */
    actor: slug.optional(),
    role: roleSchema.refine((role) => role !== 'system', 'a NATS sender may never act as system (it would bypass every role check)'),
    countries: z
      .array(countrySchema)
      .min(1, 'list at least one country, or leave countries out for every country')
      .optional()
      .transform((c) => (c ? [...new Set(c)].sort() : undefined)),
    label: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export const sendersFileSchema = z
  .object({
    // A sender token is one NATS subject token, lower-case like the other tokens.
    senders: z.record(slug, senderSchema),
  })
  .strict();
export type SendersFile = z.input<typeof sendersFileSchema>;

export interface CommandSender extends Caller {
  label?: string;
}

/** Sender token → who that sender acts as. A Map: a token such as "constructor" is looked up as data. */
export type CommandSenders = ReadonlyMap<string, CommandSender>;

export class CommandSendersError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(problemList(`Invalid command senders (${source})`, problems));
    this.name = 'CommandSendersError';
  }
}

/** Validates parsed file content; every role is checked against the cap. Throws with every problem at once. */
export function resolveCommandSenders(raw: unknown, config: Pick<Config, 'COMMANDS_MAX_ROLE'>, source = 'command senders'): CommandSenders {
  const parsed = sendersFileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new CommandSendersError(source, formatIssues(parsed.error));
  const problems: string[] = [];
  const senders = new Map<string, CommandSender>();
  for (const [token, sender] of Object.entries(parsed.data.senders)) {
    if (!roleAllows(config.COMMANDS_MAX_ROLE, sender.role))
      problems.push(`senders.${token}.role: ${sender.role} is above COMMANDS_MAX_ROLE (${config.COMMANDS_MAX_ROLE})`);
    senders.set(token, {
      actor: { id: natsActorId(sender.actor ?? token), role: sender.role },
      ...(sender.countries ? { countries: sender.countries } : {}),
      ...(sender.label ? { label: sender.label } : {}),
    });
  }
  if (problems.length > 0) throw new CommandSendersError(source, problems);
  return senders;
}

/**
 * Reads COMMANDS_SENDERS_FILE (YAML, of which JSON is a subset). No file: no senders, so every command
 * is refused. Written by hand, so parsed strictly (a repeated key is an error).
 */
export async function loadCommandSenders(path: string | undefined, config: Pick<Config, 'COMMANDS_MAX_ROLE'>): Promise<CommandSenders> {
  if (path === undefined) return new Map();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CommandSendersError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  const raw = parseStrictYaml(text, (problems) => new CommandSendersError(path, problems));
  return resolveCommandSenders(raw, config, path);
}
