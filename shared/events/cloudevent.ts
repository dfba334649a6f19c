import { z } from 'zod';
import type { DomainEvent, DomainEventType } from '../campaign/domain-events.js';
import { publishedEventSchema, toPublishedEvent, type PublishedEvent } from './published-event.js';

/**
 * The CloudEvents 1.0 envelope (structured JSON mode) every published event travels in. `data` is the
 * domain event in its published form (published-event.ts: no free text), so the envelope repeats nothing a consumer could see disagree: `id`, `source`,
 * `type`, `subject` and `time` are derived from it, and parsing checks that they still match.
 */

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';
/** Bumped when an event's `data` changes incompatibly; both versions are then published side by side. */
export const EVENT_SCHEMA_VERSION = 1;

/** `org.advocacy.campaign.milestone-completed.v1` */
export function cloudEventType(type: DomainEventType): string {
  return `org.advocacy.campaign.${type}.v${EVENT_SCHEMA_VERSION}`;
}

/** The JSON Schema `$id` of a type's envelope, as generated under docs/events/schemas. */
export function cloudEventDataSchema(type: DomainEventType): string {
  return `urn:advocacy:events:${type}:v${EVENT_SCHEMA_VERSION}`;
}

/**
 * The CloudEvents id and the JetStream message id: campaign id + per-campaign sequence. Never the
 * workflow run id, which changes at continue-as-new; so a retried or repeated publish of the same
 * change is the same message, and JetStream drops it as a duplicate.
 */
export function eventMessageId(event: Pick<PublishedEvent, 'campaignId' | 'sequence'>): string {
  return `${event.campaignId}:${event.sequence}`;
}

export function eventSource(campaignId: string): string {
  return `/advocacy/campaigns/${encodeURIComponent(campaignId)}`;
}

/** What the event is about within its campaign: a milestone, or the campaign as a whole. */
export function eventSubjectAttribute(event: DomainEvent | PublishedEvent): string {
  return 'milestone' in event && event.milestone !== undefined ? `milestones/${event.milestone}` : 'campaign';
}

function envelopeShape<T extends z.ZodType<string>, D extends z.ZodType>(type: T, data: D) {
  return {
    specversion: z.literal('1.0'),
    id: z.string().min(1),
    source: z.string().min(1),
    type,
    subject: z.string().min(1),
    time: z.string().datetime(),
    datacontenttype: z.literal('application/json'),
    dataschema: z.string().min(1),
    data,
  };
}

/** The envelope of one event type, for documentation (JSON Schema / AsyncAPI) generation. */
export function cloudEventSchemaFor(type: DomainEventType) {
  const data = publishedEventSchema.options.find((o) => o.shape.type.value === type);
  if (!data) throw new Error(`unknown event type ${type}`);
  return z
    .object(envelopeShape(z.literal(cloudEventType(type)), data))
    .meta({ title: `${type} event (CloudEvents ${cloudEventType(type)})` });
}

/** Any campaign event's envelope, checked for agreement between the attributes and `data`. */
export const cloudEventSchema = z.object(envelopeShape(z.string().min(1), publishedEventSchema)).superRefine((ce, ctx) => {
  const expected = toCloudEvent(ce.data);
  for (const key of ['id', 'source', 'type', 'subject', 'time', 'dataschema'] as const) {
    if (ce[key] !== expected[key]) {
      ctx.addIssue({ code: 'custom', path: [key], message: `expected "${expected[key]}" (derived from data)` });
    }
  }
});

export interface CampaignCloudEvent<E extends PublishedEvent = PublishedEvent> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema: string;
  data: E;
}

/** The envelope of a domain event, which carries its published form. */
export function toCloudEvent(event: DomainEvent | PublishedEvent): CampaignCloudEvent {
  return {
    specversion: '1.0',
    id: eventMessageId(event),
    source: eventSource(event.campaignId),
    type: cloudEventType(event.type),
    subject: eventSubjectAttribute(event),
    time: event.occurredAt,
    datacontenttype: 'application/json',
    dataschema: cloudEventDataSchema(event.type),
    data: toPublishedEvent(event),
  };
}

export type ParsedCloudEvent = { ok: true; event: CampaignCloudEvent } | { ok: false; error: string };

/** Decodes and validates a message body; never throws, so a consumer can log and terminate bad input. */
export function parseCloudEvent(body: string): ParsedCloudEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const result = cloudEventSchema.safeParse(json);
  if (!result.success) return { ok: false, error: z.prettifyError(result.error) };
  return { ok: true, event: result.data };
}
