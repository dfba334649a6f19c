import { z } from 'zod';
import { dateOfInstant, daysBetween } from '../dates.js';
import { topologicalOrder } from './schedule.js';
import { campaignStateSchema, milestoneStateSchema, type CampaignState } from './state.js';

/** What a query returns: the state plus what people look for (overdue, due soon, progress, stage). */
export const milestoneViewSchema = milestoneStateSchema.extend({
  title: z.string(),
  display: z.enum(['blocked', 'open', 'done', 'skipped', 'overdue']),
  daysLeft: z.number().int().optional(),
  optional: z.boolean(),
  automatic: z.boolean(),
  role: z.string(),
  legalBasis: z.string().optional(),
  stage: z.string().optional(),
  dependsOn: z.array(z.string()),
});
export type MilestoneView = z.infer<typeof milestoneViewSchema>;

export const campaignViewSchema = campaignStateSchema.omit({ template: true, requests: true, milestones: true }).extend({
  templateId: z.string(),
  templateVersion: z.number(),
  templateTitle: z.string(),
  today: z.string(),
  stage: z.string(),
  progress: z.object({ done: z.number(), skipped: z.number(), total: z.number(), percent: z.number() }),
  overdue: z.array(z.string()),
  dueSoon: z.array(z.string()),
  milestones: z.array(milestoneViewSchema),
});
export type CampaignView = z.infer<typeof campaignViewSchema>;

export const DUE_SOON_DAYS = 30;

export function viewCampaign(state: CampaignState, now: number): CampaignView {
  const today = dateOfInstant(now);
  const milestones: MilestoneView[] = topologicalOrder(state.template).map((def) => {
    const m = state.milestones[def.id] ?? {
      id: def.id,
      status: 'blocked' as const,
      extensions: [],
      remindersSent: [],
      overdueNotified: false,
    };
    const pending = m.status === 'blocked' || m.status === 'open';
    const overdue = pending && m.dueOn !== undefined && m.dueOn < today;
    return {
      ...m,
      title: def.title,
      display: overdue ? 'overdue' : m.status,
      ...(pending && m.dueOn ? { daysLeft: daysBetween(today, m.dueOn) } : {}),
      optional: def.optional,
      automatic: def.automatic !== undefined,
      role: def.role,
      ...(def.legalBasis ? { legalBasis: def.legalBasis } : {}),
      ...(def.stage ? { stage: def.stage } : {}),
      dependsOn: def.dependsOn,
    };
  });
  const done = milestones.filter((m) => m.status === 'done').length;
  const skipped = milestones.filter((m) => m.status === 'skipped').length;
  const total = milestones.length;
  const current = milestones.find((m) => m.status === 'open') ?? [...milestones].reverse().find((m) => m.status === 'done');
  const { template, requests: _requests, milestones: _m, ...rest } = state;
  return {
    ...rest,
    templateId: template.id,
    templateVersion: template.version,
    templateTitle: template.title,
    today,
    stage: state.status === 'completed' || state.status === 'cancelled' ? state.status : (current?.stage ?? current?.id ?? 'not-started'),
    progress: { done, skipped, total, percent: total ? Math.round(((done + skipped) / total) * 100) : 0 },
    overdue: milestones.filter((m) => m.display === 'overdue').map((m) => m.id),
    // Blocked milestones count too: a legal deadline approaches whether or not the steps before are done.
    dueSoon: milestones
      .filter((m) => (m.display === 'open' || m.display === 'blocked') && m.daysLeft !== undefined && m.daysLeft <= DUE_SOON_DAYS)
      .map((m) => m.id),
    milestones,
  };
}
