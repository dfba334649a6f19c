import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { domainEventTypes, type DomainEventType } from '../shared/campaign/domain-events.js';
import { configSchema } from '../shared/config.js';
import { commandBodySchema, commandReplySchema } from '../shared/events/command-messages.js';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  EVENT_SCHEMA_VERSION,
  cloudEventDataSchema,
  cloudEventSchemaFor,
  cloudEventType,
} from '../shared/events/cloudevent.js';
import { deadLetterPrefix } from '../shared/events/subjects.js';

/**
 * Generates docs/events/ from the zod schemas, so the published contract cannot drift from the code:
 * an AsyncAPI 3 document, one JSON Schema (draft 2020-12) per event type's CloudEvents envelope, and
 * the schemas of the NATS command request and reply. tests/unit/event-docs.test.ts fails when the
 * committed files differ. Regenerate with:
 *
 *     npm run docs:events
 */

export const REGENERATE_COMMAND = 'npm run docs:events';
export const docsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'events');

const descriptions: Record<DomainEventType, string> = {
  'campaign-started': 'A campaign began, possibly part-way through its template with earlier milestones already done.',
  'milestone-opened': 'A milestone became actionable; `dueOn` is set when it has a deadline.',
  'milestone-completed': 'A milestone was completed, by a person or automatically; `late` when after its due date.',
  'milestone-skipped': 'A milestone will not be done: skipped by hand, replaced by an alternative, or not applicable.',
  'milestone-reopened': 'A completed or skipped milestone was opened again.',
  'milestone-blocked': 'An open milestone waits again, because a milestone it depends on was reopened.',
  'milestone-overdue': 'A milestone passed its due date without being completed.',
  'reminder-due': 'A milestone is due soon: its reminder period before `dueOn` has begun.',
  'deadline-extended': "A milestone's deadline moved, on the legal basis given (e.g. OPCAT Art. 24).",
  'owner-assigned': 'A milestone got a new owner.',
  'note-added': 'A note was recorded. The note itself stays in the campaign: events carry no free text.',
  'input-changed': "One of the campaign's inputs changed (its name only; values stay in the campaign).",
  'campaign-paused': 'The campaign was paused: no reminders until it resumes; legal deadlines still fall due and are announced.',
  'campaign-resumed': 'The campaign resumed after a pause.',
  'campaign-cancelled': 'The campaign was cancelled.',
  'campaign-completed': 'Every milestone of the campaign is done or skipped.',
  'follow-on-started': 'A milestone started a follow-on campaign (e.g. NPM designation after OPCAT ratification).',
};

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const schemaFile = (type: DomainEventType) => `schemas/${type}.v${EVENT_SCHEMA_VERSION}.json`;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function jsonSchema(schema: z.ZodType, id: string): Record<string, unknown> {
  // Input side: what a producer must send (defaults optional), and open to added fields, so consumers
  // validating with these schemas keep working when a later version adds one.
  const { $schema, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
  return { $schema, $id: id, ...rest };
}

function asyncApi(eventsPrefix: string, commandsPrefix: string): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemaFormat = 'application/schema+json;version=draft-2020-12';

  for (const type of domainEventTypes) {
    const name = camel(type);
    messages[name] = {
      name: type,
      title: type,
      summary: descriptions[type],
      contentType: CLOUDEVENTS_CONTENT_TYPE,
      correlationId: { description: 'CloudEvents id: <campaignId>:<sequence>', location: '$message.payload#/id' },
      headers: {
        type: 'object',
        properties: {
          'Nats-Msg-Id': { type: 'string', description: 'Same as the CloudEvents id; JetStream drops repeats.' },
          'Content-Type': { type: 'string', const: CLOUDEVENTS_CONTENT_TYPE },
        },
      },
      payload: { schemaFormat, schema: { $ref: `./${schemaFile(type)}` } },
    };
    channels[name] = {
      address: `${eventsPrefix}.{templateId}.{country}.${type}`,
      title: `${type} events`,
      description: `${descriptions[type]} CloudEvents type \`${cloudEventType(type)}\`.`,
      parameters: {
        templateId: { description: 'Template id of the campaign (a slug), e.g. `opcat-ratification`.' },
        country: { description: 'ISO 3166-1 alpha-2 code of the state, lower case, e.g. `id`.' },
      },
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
    };
    operations[`publish${name[0]?.toUpperCase()}${name.slice(1)}`] = {
      action: 'send',
      title: `Publish ${type}`,
      description: 'Published to the JetStream events stream by the engine, once per campaign change, in sequence order per campaign.',
      channel: { $ref: `#/channels/${name}` },
      messages: [{ $ref: `#/channels/${name}/messages/${name}` }],
    };
  }

  messages.campaignCommand = {
    name: 'campaign-command',
    title: 'Campaign command',
    summary:
      'A milestone command (complete, skip, reopen, assign, note, extend, pause, resume, cancel, set-input), without an actor: ' +
      "the bridge acts as the sender's token says (COMMANDS_SENDERS_FILE) and refuses a body that names one.",
    contentType: 'application/json',
    payload: { schemaFormat, schema: { $ref: './schemas/campaign-command.json' } },
  };
  messages.commandReply = {
    name: 'command-reply',
    title: 'Command reply',
    summary: 'The result: accepted with the sequence numbers of the events caused, or refused with a code and the problems.',
    contentType: 'application/json',
    payload: { schemaFormat, schema: { $ref: './schemas/command-reply.json' } },
  };
  channels.campaignCommands = {
    address: `${commandsPrefix}.{sender}.{campaignId}.{type}`,
    title: 'Campaign commands (NATS request/reply)',
    description:
      'Requests to change one campaign. NATS subject permissions let each user publish under its own sender token only; ' +
      'the bridge acts as the actor, role and countries COMMANDS_SENDERS_FILE gives that token (docs/nats-permissions.md).',
    parameters: {
      sender: { description: 'Who sends: a token the NATS permissions pin to one user, mapped to an actor `nats:<name>`.' },
      campaignId: { description: 'The campaign (workflow) id, a single subject token.' },
      type: { description: "The command's type, as in the body (e.g. `note`), so permissions can allow some commands only." },
    },
    messages: {
      campaignCommand: { $ref: '#/components/messages/campaignCommand' },
      commandReply: { $ref: '#/components/messages/commandReply' },
    },
  };
  operations.executeCommand = {
    action: 'receive',
    title: 'Execute a campaign command',
    description: "The bridge worker applies the command as a Temporal update and replies on the request's NATS reply subject (its inbox).",
    channel: { $ref: '#/channels/campaignCommands' },
    messages: [{ $ref: '#/channels/campaignCommands/messages/campaignCommand' }],
    reply: {
      messages: [{ $ref: '#/channels/campaignCommands/messages/commandReply' }],
    },
  };
  channels.deadLetters = {
    address: `${deadLetterPrefix(eventsPrefix)}.{consumer}.{templateId}.{country}.{type}`,
    title: 'Dead letters',
    description:
      'Events a consumer gave up on, with the original body and Advocacy-Dead-Letter-* headers (consumer, stream sequence, deliveries, reason).',
    parameters: {
      consumer: { description: 'Durable name of the consumer that gave up.' },
      templateId: { description: 'As in the event subject.' },
      country: { description: 'As in the event subject.' },
      type: { description: 'As in the event subject.' },
    },
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Advocacy engine: campaign events and commands',
      version: String(EVENT_SCHEMA_VERSION),
      description: [
        'Milestone events of torture-prevention advocacy campaigns, as CloudEvents 1.0 (structured JSON) on NATS JetStream,',
        'and milestone commands from other systems over NATS request/reply. Generated from the zod schemas by',
        `\`${REGENERATE_COMMAND}\`; do not edit by hand.`,
        '',
        `Subjects use the default prefixes (\`EVENTS_SUBJECT_PREFIX=${eventsPrefix}\`, \`COMMANDS_SUBJECT_PREFIX=${commandsPrefix}\`).`,
        'Each event is stored once (message id = CloudEvents id = `<campaignId>:<sequence>`), in sequence order per campaign.',
        'Consumers filter with wildcards, e.g. `advocacy.*.id.>` (one country) or `advocacy.*.*.reminder-due` (one type).',
        'Events carry no free-text notes or evidence.',
      ].join('\n'),
    },
    defaultContentType: CLOUDEVENTS_CONTENT_TYPE,
    channels,
    operations,
    components: { messages },
  };
}

/** Every generated file, by path relative to docs/events/. */
export function renderEventDocs(): Map<string, string> {
  const defaults = configSchema.parse({});
  const files = new Map<string, string>();
  files.set('asyncapi.yaml', toYaml(asyncApi(defaults.EVENTS_SUBJECT_PREFIX, defaults.COMMANDS_SUBJECT_PREFIX), { lineWidth: 0 }));
  for (const type of domainEventTypes) {
    files.set(
      schemaFile(type),
      json({ ...jsonSchema(cloudEventSchemaFor(type), cloudEventDataSchema(type)), description: descriptions[type] }),
    );
  }
  files.set('schemas/campaign-command.json', json(jsonSchema(commandBodySchema, 'urn:advocacy:commands:campaign-command')));
  files.set('schemas/command-reply.json', json(jsonSchema(commandReplySchema, 'urn:advocacy:commands:command-reply')));
  return files;
}

/** Generated files that are no longer wanted: only under schemas/, so hand-written docs beside them stay. */
function listGenerated(): string[] {
  try {
    return readdirSync(join(docsDir, 'schemas'), { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(docsDir, join(e.parentPath, e.name)));
  } catch {
    return [];
  }
}

/** Paths (relative to docs/events/) that are missing, different, or no longer generated. */
export function staleEventDocs(): string[] {
  const wanted = renderEventDocs();
  const stale: string[] = [];
  for (const [path, content] of wanted) {
    let current: string | undefined;
    try {
      current = readFileSync(join(docsDir, path), 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== content) stale.push(path);
  }
  for (const path of listGenerated()) if (!wanted.has(path)) stale.push(path);
  return stale.sort();
}

function writeEventDocs(): void {
  const wanted = renderEventDocs();
  for (const path of listGenerated()) if (!wanted.has(path)) rmSync(join(docsDir, path));
  for (const [path, content] of wanted) {
    mkdirSync(dirname(join(docsDir, path)), { recursive: true });
    writeFileSync(join(docsDir, path), content);
  }
  process.stdout.write(`wrote ${wanted.size} files under ${relative(process.cwd(), docsDir) || docsDir}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) writeEventDocs();
