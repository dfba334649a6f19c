import { addDuration, maxDate, sumDurations, type IsoDate } from '../dates.js';
import type { Anchor, Milestone } from '../template/schema.js';
import type { Template } from '../template/validate.js';

/**
 * Pure date rules of a template: when a milestone falls due and when an automatic milestone completes
 * itself. Both count calendar days from an anchor (campaign start, a milestone's completion date, or a
 * date input), so a campaign started part-way with real past dates gets its real deadlines.
 */
export interface ScheduleFacts {
  startDate: IsoDate;
  inputs: Record<string, string | number | boolean>;
  /** Completion date of each done milestone. */
  completedOn: Record<string, IsoDate | undefined>;
}

export function anchorDate(anchor: Anchor, facts: ScheduleFacts): IsoDate | undefined {
  if ('start' in anchor) return facts.startDate;
  if ('milestone' in anchor) return facts.completedOn[anchor.milestone];
  const value = facts.inputs[anchor.input];
  return typeof value === 'string' ? value : undefined;
}

/** Due date by the template rule, before any extension granted while the campaign runs. */
export function ruleDueDate(milestone: Milestone, facts: ScheduleFacts): IsoDate | undefined {
  const rule = milestone.deadline;
  if (!rule) return undefined;
  const from = anchorDate(rule.after, facts);
  if (!from) return undefined;
  const postponements = rule.postponedBy
    .map((name) => facts.inputs[name])
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
  const due = addDuration(from, sumDurations([rule.duration, ...postponements]));
  return rule.notBefore ? maxDate(due, rule.notBefore) : due;
}

/** Due date including extensions (each an ISO duration added to the rule's date). */
export function dueDate(milestone: Milestone, facts: ScheduleFacts, extensions: readonly string[] = []): IsoDate | undefined {
  const due = ruleDueDate(milestone, facts);
  if (!due || extensions.length === 0) return due;
  return addDuration(due, sumDurations([...extensions]));
}

/**
 * The day an automatic milestone completes itself, once its anchor is known: never before a done
 * dependency (an anchor on the start or an input may fall before the last dependency was done).
 */
export function automaticDate(milestone: Milestone, facts: ScheduleFacts): IsoDate | undefined {
  const rule = milestone.automatic;
  if (!rule) return undefined;
  const from = anchorDate(rule.after, facts);
  if (!from) return undefined;
  let date = addDuration(from, rule.duration);
  if (rule.notBefore) date = maxDate(date, rule.notBefore);
  for (const d of milestone.dependsOn) {
    const depDate = facts.completedOn[d];
    if (depDate) date = maxDate(date, depDate);
  }
  return date;
}

/** Milestones in an order where every milestone comes after all it depends on. */
export function topologicalOrder(template: Template): Milestone[] {
  const byId = new Map(template.milestones.map((m) => [m.id, m]));
  const seen = new Set<string>();
  const order: Milestone[] = [];
  const visit = (m: Milestone) => {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    for (const d of m.dependsOn) {
      const dep = byId.get(d);
      if (dep) visit(dep);
    }
    order.push(m);
  };
  template.milestones.forEach(visit);
  return order;
}
