import type { DomainEvent, DomainEventType } from '../campaign/domain-events.js';

/**
 * NATS subjects of the events: `<prefix>.<templateId>.<country>.<event-type>`, so a consumer picks what it
 * wants with wildcards (`advocacy.*.id.>` = everything about Indonesia, `advocacy.*.*.reminder-due`
 * = every reminder). Tokens are lower-case: template ids and event types already are, and ISO country
 * codes are lowered so a filter written either way matches.
 */

/** One NATS subject token: no separators, wildcards or whitespace, which would change a subject's meaning. */
const tokenPattern = /^[^\s.*>]+$/;

export function subjectToken(value: string, what: string): string {
  if (!tokenPattern.test(value)) throw new Error(`${what} "${value}" cannot be a NATS subject token`);
  return value;
}

export function countryToken(country: string): string {
  return subjectToken(country.trim().toLowerCase(), 'country');
}

export function eventSubject(prefix: string, event: Pick<DomainEvent, 'templateId' | 'country' | 'type'>): string {
  return [prefix, subjectToken(event.templateId, 'template id'), countryToken(event.country), event.type].join('.');
}

/**
 * Everything the events stream holds: exactly three tokens after the prefix, not `<prefix>.>`, so other
 * subjects under the same root stay out of the stream — above all the inbound commands
 * (`advocacy.commands.<sender>.<campaignId>.<type>`), which the stream would otherwise store and answer with a PubAck.
 */
export function allEventsSubject(prefix: string): string {
  return `${prefix}.*.*.*`;
}

export interface EventFilter {
  templateId?: string;
  country?: string;
  type?: DomainEventType;
}

/** A subject filter for a consumer; each field left out is a `*` wildcard. */
export function eventFilterSubject(prefix: string, filter: EventFilter = {}): string {
  const template = filter.templateId === undefined ? '*' : subjectToken(filter.templateId, 'template id');
  const country = filter.country === undefined ? '*' : countryToken(filter.country);
  const type = filter.type ?? '*';
  return [prefix, template, country, type].join('.');
}

export interface EventFilterSet {
  templateIds?: readonly string[];
  countries?: readonly string[];
  types?: readonly DomainEventType[];
}

/**
 * The subject filters covering every combination of the given lists (an empty or missing list means
 * "any"). Consumers combine them with `filter_subjects` (nats-server 2.10+) or match in process.
 */
export function eventFilterSubjects(prefix: string, set: EventFilterSet = {}): string[] {
  const orAny = <T>(values: readonly T[] | undefined): (T | undefined)[] => (values && values.length > 0 ? [...values] : [undefined]);
  const out: string[] = [];
  for (const templateId of orAny(set.templateIds)) {
    for (const country of orAny(set.countries)) {
      for (const type of orAny(set.types)) {
        out.push(eventFilterSubject(prefix, { templateId, country, type }));
      }
    }
  }
  return [...new Set(out)];
}

/** NATS wildcard matching: `*` matches one token, a final `>` matches one or more. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    const token = f[i];
    if (token === '>') return i === f.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return f.length === s.length;
}

/**
 * Dead letters live outside `<prefix>.>` (one stream may not overlap another's subjects): the last prefix
 * token gets a `_dlq` suffix, so `advocacy` -> `advocacy_dlq`, `org.advocacy` -> `org.advocacy_dlq`.
 */
export function deadLetterPrefix(prefix: string): string {
  return `${prefix}_dlq`;
}

/** `<dlq prefix>.<consumer>.<original subject without the prefix>`: who gave up, on what. */
export function deadLetterSubject(prefix: string, consumer: string, originalSubject: string): string {
  const rest = originalSubject.startsWith(`${prefix}.`) ? originalSubject.slice(prefix.length + 1) : originalSubject;
  return `${deadLetterPrefix(prefix)}.${subjectToken(consumer, 'consumer name')}.${rest}`;
}

export function eventsDeadLetterStream(eventsStream: string): string {
  return `${eventsStream}_DLQ`;
}
