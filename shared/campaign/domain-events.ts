import { z } from 'zod';
import { isoDate, isoDuration } from '../dates.js';
import { actorSchema, slug } from '../ids.js';

/**
 * Domain events: what happened in a campaign. The state machine emits them with a strictly increasing
 * per-campaign `sequence`; the publish activity wraps each in a CloudEvents envelope (see
 * `shared/events/`). By design they carry no free text (notes, reasons, evidence content): those may
 * name people who need protecting, and stay inside the campaign's history.
 */
const common = {
  campaignId: z.string().min(1),
  templateId: slug,
  templateVersion: z.number().int().positive(),
  country: z.string().length(2),
  region: z.string().min(1),
  sequence: z.number().int().positive(),
  /** Workflow time of the change, ISO-8601 instant. */
  occurredAt: z.string().datetime(),
  actor: actorSchema.optional(),
};
const milestone = { milestone: slug };
const dueOn = { dueOn: isoDate.optional() };

const def = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.object({ type: z.literal(type), ...common, ...shape });

export const campaignStarted = def('campaign-started', {
  startDate: isoDate,
  parentCampaignId: z.string().optional(),
});
export const milestoneOpened = def('milestone-opened', { ...milestone, ...dueOn });
export const milestoneCompleted = def('milestone-completed', {
  ...milestone,
  ...dueOn,
  completedOn: isoDate,
  late: z.boolean(),
  automatic: z.boolean(),
});
export const milestoneSkipped = def('milestone-skipped', {
  ...milestone,
  cause: z.enum(['manual', 'alternative-chosen', 'not-applicable']),
});
export const milestoneReopened = def('milestone-reopened', { ...milestone });
/** An open milestone waits again, because a milestone it depends on was reopened. */
export const milestoneBlocked = def('milestone-blocked', { ...milestone });
export const milestoneOverdue = def('milestone-overdue', { ...milestone, dueOn: isoDate, owner: z.string().optional() });
export const reminderDue = def('reminder-due', {
  ...milestone,
  dueOn: isoDate,
  remindBefore: isoDuration,
  owner: z.string().optional(),
});
export const deadlineExtended = def('deadline-extended', {
  ...milestone,
  previousDueOn: isoDate,
  dueOn: isoDate,
  by: isoDuration,
  legalBasis: z.string(),
});
export const ownerAssigned = def('owner-assigned', { ...milestone, owner: z.string() });
export const noteAdded = def('note-added', { milestone: slug.optional() });
export const inputChanged = def('input-changed', { name: z.string() });
export const campaignPaused = def('campaign-paused', {});
export const campaignResumed = def('campaign-resumed', {});
export const campaignCancelled = def('campaign-cancelled', {});
export const campaignCompleted = def('campaign-completed', {});
export const followOnStarted = def('follow-on-started', {
  ...milestone,
  followOnCampaignId: z.string(),
  followOnTemplateId: slug,
});

export const domainEventSchema = z.discriminatedUnion('type', [
  campaignStarted,
  milestoneOpened,
  milestoneCompleted,
  milestoneSkipped,
  milestoneReopened,
  milestoneBlocked,
  milestoneOverdue,
  reminderDue,
  deadlineExtended,
  ownerAssigned,
  noteAdded,
  inputChanged,
  campaignPaused,
  campaignResumed,
  campaignCancelled,
  campaignCompleted,
  followOnStarted,
]);
export type DomainEvent = z.infer<typeof domainEventSchema>;
export type DomainEventType = DomainEvent['type'];
export const domainEventTypes = domainEventSchema.options.map<DomainEventType>((o) => o.shape.type.value);

/** The fields every event has, filled by the state machine. */
export type EventCommon = Pick<
  DomainEvent,
  'campaignId' | 'templateId' | 'templateVersion' | 'country' | 'region' | 'sequence' | 'occurredAt' | 'actor'
>;
