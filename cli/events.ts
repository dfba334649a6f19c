import {
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
} from '@nats-io/jetstream';
import type { Command } from 'commander';
import { z } from 'zod';
import type { NatsConnection } from '../infra/nats.js';
import { countrySchema } from '../shared/countries.js';
import {
  allEventsSubject,
  domainEventTypes,
  eventFilterSubjects,
  parseCloudEvent,
  subjectMatches,
  type CampaignCloudEvent,
  type DomainEventType,
} from '../shared/events/index.js';
import { slug } from '../shared/ids.js';
import type { CliContext } from './command-context.js';
import { collect, countFlag, parseFlags } from './flags.js';
import { CliError, type Colors } from './output.js';
import { instant } from './render.js';

/**
 * `advocacy events tail`: follows the events stream with an ordered consumer (ephemeral, no state on
 * the server, nothing acknowledged), printing one line — or one CloudEvent JSON document — per event,
 * until Ctrl-C or `--count` events.
 */

export const tailFlagsSchema = z.object({
  template: z.array(slug).default([]),
  country: z.array(countrySchema).default([]),
  type: z.array(z.enum(domainEventTypes as [DomainEventType, ...DomainEventType[]])).default([]),
  campaign: z.string().trim().min(1).optional(),
  fromStart: z.boolean().default(false),
  count: countFlag(1_000_000).optional(),
});
export type TailFlags = z.output<typeof tailFlagsSchema>;

/** nats-server 2.10 and later accept several filter subjects on one consumer. */
export function supportsFilterSubjects(serverVersion: string | undefined): boolean {
  const [major = 0, minor = 0] = (serverVersion ?? '').split('.').map((n) => Number.parseInt(n, 10) || 0);
  return major > 2 || (major === 2 && minor >= 10);
}

export interface TailPlan {
  /** The consumer's filter: one subject, or several where the server supports it. */
  filter: string | string[];
  /** Subjects to match in the CLI when the server cannot filter on all of them. */
  matchInProcess?: string[];
}

/** The subjects to follow: every combination of the given templates, countries and types. */
export function tailPlan(
  prefix: string,
  flags: Pick<TailFlags, 'template' | 'country' | 'type'>,
  serverVersion: string | undefined,
): TailPlan {
  const subjects = eventFilterSubjects(prefix, { templateIds: flags.template, countries: flags.country, types: flags.type });
  if (subjects.length === 1) return { filter: subjects[0] ?? allEventsSubject(prefix) };
  if (supportsFilterSubjects(serverVersion)) return { filter: subjects };
  return { filter: allEventsSubject(prefix), matchInProcess: subjects };
}

const common = new Set([
  'type',
  'campaignId',
  'templateId',
  'templateVersion',
  'country',
  'region',
  'sequence',
  'occurredAt',
  'actor',
  'milestone',
]);

function typeText(c: Colors, type: string): string {
  if (type === 'milestone-completed' || type === 'campaign-completed') return c.green(type);
  if (type === 'milestone-overdue' || type === 'campaign-cancelled') return c.red(type);
  if (type === 'reminder-due' || type === 'campaign-paused' || type === 'deadline-extended') return c.yellow(type);
  return c.cyan(type);
}

/** `2026-03-01 09:15  ph  opcat-ratification  milestone-completed  deposit  ph-opcat-1#7  completedOn=2026-02-27 late=false  by ana (staff)` */
export function eventLine(c: Colors, event: CampaignCloudEvent): string {
  const d = event.data;
  const details = Object.entries(d)
    .filter(([k, v]) => !common.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  const milestone = 'milestone' in d && d.milestone ? d.milestone : '';
  return [
    c.dim(instant(d.occurredAt)),
    d.country.toLowerCase(),
    d.templateId,
    typeText(c, d.type),
    milestone,
    c.bold(`${d.campaignId}#${d.sequence}`),
    details,
    d.actor ? c.dim(`by ${d.actor.id} (${d.actor.role})`) : '',
  ]
    .filter((p) => p !== '')
    .join('  ');
}

/** Fails with a next step when the stream is missing or JetStream does not answer. */
async function requireStream(nc: NatsConnection, stream: string): Promise<void> {
  try {
    await (await jetstreamManager(nc)).streams.info(stream);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)
      throw new CliError(
        'not-found',
        `there is no event stream ${stream}`,
        [],
        'the engine worker creates it when it starts (`npm run worker`); check EVENTS_STREAM',
      );
    throw new CliError(
      'unavailable',
      `JetStream did not answer: ${err instanceof Error ? err.message : String(err)}`,
      [],
      'check that nats-server runs with JetStream enabled (NATS_URL)',
    );
  }
}

export function registerEvents(program: Command, ctx: CliContext): void {
  const group = program.command('events').description('the campaign events published on NATS JetStream');

  group
    .command('tail')
    .description('print events as they happen (Ctrl-C stops); filters combine: any of each given list')
    .option('--template <id>', 'only this process template; repeatable', collect)
    .option('--country <ISO2>', 'only this state; repeatable', collect)
    .option('--type <event-type>', `only this event type; repeatable (${domainEventTypes.join(', ')})`, collect)
    .option('--campaign <id>', 'only this campaign')
    .option('--from-start', 'replay every stored event first (default: only new events)')
    .option('--count <n>', 'stop after this many events', Number)
    .action(async (opts: Record<string, unknown>) => {
      const flags = parseFlags(tailFlagsSchema, opts);
      const { EVENTS_STREAM: stream, EVENTS_SUBJECT_PREFIX: prefix } = ctx.config;
      const nc = await ctx.nats();
      await requireStream(nc, stream);
      const plan = tailPlan(prefix, flags, nc.info?.version);
      let stopped = false;
      let messages: ConsumerMessages | undefined;
      const removeHandler = ctx.deps.onInterrupt(() => {
        stopped = true;
        void messages?.close();
      });
      let seen = 0;
      try {
        const consumer = await jetstream(nc).consumers.get(stream, {
          filter_subjects: plan.filter,
          deliver_policy: flags.fromStart ? DeliverPolicy.All : DeliverPolicy.New,
        });
        messages = await consumer.consume();
        ctx.out.notice(
          `listening on ${[plan.filter].flat().join(', ')} in stream ${stream}${flags.fromStart ? ', from the first stored event' : ', new events only'}; Ctrl-C stops`,
        );
        if (stopped) await messages.close();
        for await (const msg of messages) {
          if (plan.matchInProcess && !plan.matchInProcess.some((f) => subjectMatches(f, msg.subject))) continue;
          const parsed = parseCloudEvent(msg.string());
          if (!parsed.ok) {
            ctx.out.notice(`skipped an invalid message on ${msg.subject} (stream sequence ${msg.seq}): ${parsed.error}`);
            continue;
          }
          if (flags.campaign && parsed.event.data.campaignId !== flags.campaign) continue;
          ctx.out.line(parsed.event, (c) => eventLine(c, parsed.event));
          seen++;
          if (flags.count !== undefined && seen >= flags.count) break;
        }
      } finally {
        removeHandler();
        await messages?.close();
      }
      ctx.out.notice(`stopped after ${seen} event${seen === 1 ? '' : 's'}`);
    });
}
