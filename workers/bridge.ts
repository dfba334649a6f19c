import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { Client, Connection } from '@temporalio/client';
import { pathToFileURL } from 'node:url';
import { CampaignClient } from '../clients/campaign-client.js';
import { loadConfigOrExit, orExitOnConfigError } from '../infra/config.js';
import { createLogger, type Logger } from '../infra/logger.js';
import { connectNats } from '../infra/nats.js';
import { dataConverterFor } from '../infra/payload-codec.js';
import { temporalConnectionOptions } from '../infra/temporal-connection.js';
import { loadTemplates } from '../infra/templates.js';
import type { CommandResult } from '../shared/campaign/commands.js';
import type { Config } from '../shared/config.js';
import { CampaignError } from '../shared/errors.js';
import {
  commandBodySchema,
  commandSubscriptionSubject,
  parseCommandSubject,
  type CommandReply,
} from '../shared/events/command-messages.js';
import { invalidError } from '../shared/validation.js';
import { loadCommandSenders, type CommandSenders } from './command-senders.js';

/**
 * The inbound command bridge: other systems send a campaign command as a NATS request to
 * `<COMMANDS_SUBJECT_PREFIX>.<sender>.<campaignId>.<type>`; the bridge validates it with the same zod
 * contract as the HTTP API, applies it through the campaign client facade (a Temporal update) and
 * replies with the result or the reason it was refused.
 *
 * Who acts is decided by the subject, never the body: NATS permissions let each user publish under its
 * own sender token only (docs/nats-permissions.md), and COMMANDS_SENDERS_FILE maps the token to an actor
 * (`nats:<name>`), a role and, optionally, countries, which the facade applies as it does an API key's.
 */

/** The part of the facade the bridge uses. */
export type CommandExecutor = Pick<CampaignClient, 'execute'>;

export interface BridgeDeps {
  nc: NatsConnection;
  campaigns: CommandExecutor;
  config: Pick<Config, 'COMMANDS_SUBJECT_PREFIX'>;
  /** Who each sender token acts as (workers/command-senders.ts). */
  senders: CommandSenders;
  logger: Logger;
  /** Queue group: several bridge processes share the requests, each answered once. */
  queue?: string;
}

export interface Bridge {
  /** Stops taking requests and waits for the ones in progress to be answered. */
  stop(): Promise<void>;
}

const refusal = (requestId: string, code: CampaignError['code'], message: string, issues: string[] = []): CommandReply => ({
  ok: false,
  requestId,
  code,
  message,
  issues,
});

/** Turns one request into its reply; never throws (a thrown error would leave the requester waiting). */
export async function answerCommand(
  deps: Pick<BridgeDeps, 'campaigns' | 'config' | 'senders'>,
  subject: string,
  body: string,
): Promise<CommandReply> {
  const address = parseCommandSubject(deps.config.COMMANDS_SUBJECT_PREFIX, subject);
  if (!address)
    return refusal('', 'invalid', `no sender, campaign id and command type in subject ${subject}`, [
      'subject: <prefix>.<sender>.<campaignId>.<type>',
    ]);
  const sender = deps.senders.get(address.sender);
  if (!sender)
    // The server let this user publish under the token, so the NATS permissions and the senders file disagree.
    return refusal('', 'forbidden', `sender "${address.sender}" may not send commands: it is not in the command senders file`, [
      `subject: no sender "${address.sender}" in COMMANDS_SENDERS_FILE`,
    ]);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return refusal('', 'invalid', 'the request body is not JSON', ['(body): expected a JSON campaign command']);
  }
  const fields = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  const requestId = typeof fields.requestId === 'string' ? fields.requestId : '';
  if (Object.hasOwn(fields, 'actor'))
    // Refused rather than ignored: a sender that believes it acts as someone else should be told.
    return refusal(requestId, 'invalid', "the actor comes from the sender's NATS identity; leave it out of the body", [
      `actor: not allowed; commands from sender "${address.sender}" act as ${sender.actor.id}`,
    ]);
  const parsed = commandBodySchema.safeParse(json);
  if (!parsed.success) {
    // The sender knows its message as a body, as in the non-JSON answer above.
    const invalid = invalidError('command', parsed.error, { root: '(body)' });
    return refusal(requestId, invalid.code, invalid.message, invalid.issues);
  }
  const command = parsed.data;
  if (command.type !== address.type)
    // The permissions may allow some command types only: what runs must be what the subject said.
    return refusal(requestId, 'invalid', `the body is a ${command.type} command, the subject says ${address.type}`, [
      `type: must be ${address.type}, as in the subject`,
    ]);
  try {
    const caller = { actor: sender.actor, ...(sender.countries ? { countries: sender.countries } : {}) };
    const result: CommandResult = await deps.campaigns.execute(address.campaignId, command, caller, command.requestId);
    return result.ok ? result : { ...result, issues: [] };
  } catch (err) {
    if (err instanceof CampaignError) return refusal(requestId, err.code, err.message, err.issues);
    return refusal(requestId, 'unavailable', `the command could not be applied now: ${(err as Error).message}`);
  }
}

export function startBridge(deps: BridgeDeps): Bridge {
  const logger = deps.logger.child({ component: 'bridge' });
  const inFlight = new Set<Promise<void>>();
  const subject = commandSubscriptionSubject(deps.config.COMMANDS_SUBJECT_PREFIX);

  const handle = async (msg: Msg) => {
    if (!msg.reply) {
      logger.warn({ subject: msg.subject }, 'command without a reply subject ignored; send it as a request');
      return;
    }
    const started = Date.now();
    const reply = await answerCommand(deps, msg.subject, msg.string());
    // A requester that gave up has no inbox any more; the command may still have been applied, which
    // its requestId makes safe to send again.
    msg.respond(JSON.stringify(reply));
    const address = parseCommandSubject(deps.config.COMMANDS_SUBJECT_PREFIX, msg.subject);
    const sender = address && deps.senders.get(address.sender);
    if (address && !sender)
      logger.warn(
        { subject: msg.subject, sender: address.sender },
        'command from a sender missing in COMMANDS_SENDERS_FILE refused: the NATS permissions let a user publish under a token the bridge does not know',
      );
    const log = { subject: msg.subject, actor: sender?.actor.id, requestId: reply.requestId, ok: reply.ok, ms: Date.now() - started };
    if (reply.ok) logger.info(log, 'command applied');
    else logger.info({ ...log, code: reply.code, issues: reply.issues }, 'command refused');
  };

  const sub: Subscription = deps.nc.subscribe(subject, {
    queue: deps.queue ?? 'advocacy-bridge',
    // Requests run concurrently (different campaigns must not wait for each other); the workflow
    // serialises the commands of one campaign.
    callback: (err, msg) => {
      if (err) {
        logger.error({ err }, 'command subscription failed');
        return;
      }
      const p = handle(msg).catch((e: unknown) => logger.error({ err: e }, 'command handling failed'));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    },
  });
  logger.info({ subject, queue: deps.queue ?? 'advocacy-bridge' }, 'command bridge listening');

  return {
    async stop() {
      await sub.drain();
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** `tsx workers/bridge.ts`: runs until SIGINT/SIGTERM, answering the requests in progress first. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger('bridge', config.LOG_LEVEL);
  const dataConverter = orExitOnConfigError(() => dataConverterFor(config));
  const templates = await loadTemplates({ extraDirs: config.TEMPLATES_DIR ? [config.TEMPLATES_DIR] : [] });
  const connection = await Connection.connect({ ...temporalConnectionOptions(config) });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const campaigns = new CampaignClient({
    client,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    templates,
    queryTimeoutMs: config.CAMPAIGN_QUERY_TIMEOUT_MS,
  });
  const senders = await loadCommandSenders(config.COMMANDS_SENDERS_FILE, config).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(78);
  });
  if (senders.size === 0) logger.warn('no command senders (COMMANDS_SENDERS_FILE): every command will be refused');
  const nc = await connectNats(config, { name: 'command-bridge', logger, waitOnFirstConnect: true });
  const bridge = startBridge({ nc, campaigns, config, senders, logger });
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'bridge stopping');
    // Draining waits for NATS; during an outage it would wait forever, so give it a bound.
    setTimeout(() => process.exit(1), 15_000).unref();
    await bridge.stop();
    await nc.drain();
    await connection.close();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void shutdown(signal).finally(() => process.exit(0)));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
