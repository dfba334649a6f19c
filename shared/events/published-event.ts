import { z } from 'zod';
import {
  campaignCancelled,
  campaignCompleted,
  campaignPaused,
  campaignResumed,
  campaignStarted,
  deadlineExtended,
  followOnStarted,
  inputChanged,
  milestoneBlocked,
  milestoneCompleted,
  milestoneOpened,
  milestoneOverdue,
  milestoneReopened,
  milestoneSkipped,
  noteAdded,
  ownerAssigned,
  reminderDue,
  type DomainEvent,
} from '../campaign/domain-events.js';
import { isPersonId, personId } from '../ids.js';

/**
 * What leaves the engine on NATS: the domain event without any text a person wrote. Domain events stay
 * in the campaign's (encrypted) history; subscribers, notification channels and the JetStream store are
 * outside the engine's access control, so they get ids, dates and codes only:
 * - `owner` is a person's or team's id (`personId`); an owner recorded as free text before owners became
 *   ids is left out.
 * - `deadline-extended` has no `legalBasis` (free text); the campaign view shows it to those allowed.
 * Notes, reasons, evidence and input values were never in events.
 */
const owner = { owner: personId.optional().describe("A person's or team's id, never a name") };

export const publishedEventSchema = z.discriminatedUnion('type', [
  campaignStarted,
  milestoneOpened,
  milestoneCompleted,
  milestoneSkipped,
  milestoneReopened,
  milestoneBlocked,
  milestoneOverdue.extend(owner),
  reminderDue.extend(owner),
  deadlineExtended.omit({ legalBasis: true }),
  ownerAssigned.extend(owner),
  noteAdded,
  inputChanged,
  campaignPaused,
  campaignResumed,
  campaignCancelled,
  campaignCompleted,
  followOnStarted,
]);
export type PublishedEvent = z.infer<typeof publishedEventSchema>;

/** The published form of a domain event: free text dropped, as `publishedEventSchema` says. */
export function toPublishedEvent(event: DomainEvent | PublishedEvent): PublishedEvent {
  const copy: Record<string, unknown> = { ...event };
  if (event.type === 'deadline-extended') delete copy.legalBasis;
  if ('owner' in event && event.owner !== undefined && !isPersonId(event.owner)) delete copy.owner;
  return copy as PublishedEvent;
}
