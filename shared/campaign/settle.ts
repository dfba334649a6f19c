import { subtractDuration } from '../dates.js';
import type { Actor } from '../ids.js';
import type { InputMapping, Milestone } from '../template/schema.js';
import type { CampaignState } from './state.js';
import { dependenciesMet, systemActor, type Transition } from './transition.js';
import { automaticDate, dueDate, topologicalOrder } from './schedule.js';

/**
 * Brings a campaign up to date after any change or the passing of time: conditions, due dates,
 * blocked/open status, automatic milestones, reminders, overdue notices and completion.
 * Idempotent: settling a settled state emits nothing.
 *
 * `pending` is used while a start request's prior completions are applied one by one: it names those
 * not applied yet. Settling then only derives (due dates, blocked/open, automatic milestones), leaves
 * the pending milestones to the facts given for them, and neither announces nor completes the campaign.
 */
export function settle(tx: Transition, pending?: ReadonlySet<string>): void {
  const { state } = tx;
  if (state.status === 'cancelled' || state.status === 'completed') return;
  const order = topologicalOrder(state.template);

  // Automatic completions can unblock further automatic milestones, so repeat until nothing moves.
  for (let moved = true; moved;) {
    moved = false;
    for (const def of order) if (settleMilestone(tx, def, pending ?? new Set())) moved = true;
  }
  if (pending) return;
  for (const def of order) announceTime(tx, def);
  completeIfDone(tx);
}

function applies(tx: Transition, def: Milestone): boolean {
  return !def.when || def.when.in.includes(tx.state.inputs[def.when.input] ?? '');
}

/**
 * A milestone skipped as not applicable stays skipped when the campaign has moved past it: a dependent
 * was done on the strength of the skip, or an alternative to it was chosen.
 */
function movedPast(tx: Transition, def: Milestone): boolean {
  const { milestones, template } = tx.state;
  return (
    template.milestones.some((d) => d.dependsOn.includes(def.id) && milestones[d.id]?.status === 'done') ||
    def.alternativeTo.some((a) => milestones[a]?.status === 'done')
  );
}

/** Returns true when the milestone completed or changed in a way that can affect others. */
function settleMilestone(tx: Transition, def: Milestone, pending: ReadonlySet<string>): boolean {
  const m = tx.milestone(def.id);
  const given = pending.has(def.id);
  const applicable = given || applies(tx, def);
  if (m.status === 'skipped' && m.skipCause === 'not-applicable' && applicable && !movedPast(tx, def)) {
    // An input changed and the milestone applies again.
    m.status = 'blocked';
    delete m.skipCause;
    delete m.skipReason;
    tx.emit({ type: 'milestone-reopened', milestone: def.id }, systemActor);
  }
  if (m.status === 'done' || m.status === 'skipped') return false;
  if (!applicable) {
    m.status = 'skipped';
    m.skipCause = 'not-applicable';
    m.skipReason = `applies only when ${def.when?.input} is one of ${def.when?.in.join(', ')}`;
    tx.emit({ type: 'milestone-skipped', milestone: def.id, cause: 'not-applicable' }, systemActor);
    return true;
  }

  const due = dueDate(
    def,
    tx.facts(),
    m.extensions.map((e) => e.by),
  );
  if (due !== m.dueOn) {
    if (due) m.dueOn = due;
    else delete m.dueOn;
    m.remindersSent = [];
    m.overdueNotified = false;
  }

  const ready = dependenciesMet(tx.state, def);
  if (m.status === 'blocked' && ready) {
    m.status = 'open';
    tx.emit({ type: 'milestone-opened', milestone: def.id, ...(m.dueOn ? { dueOn: m.dueOn } : {}) }, systemActor);
  } else if (m.status === 'open' && !ready) {
    m.status = 'blocked';
    if (tx.options.announceBlocked) tx.emit({ type: 'milestone-blocked', milestone: def.id }, systemActor);
  }

  // An automatic milestone waits while it, or an alternative to it, is still to be given as done.
  if (ready && def.automatic && !given && !def.alternativeTo.some((a) => pending.has(a))) {
    const date = automaticDate(def, tx.facts());
    if (date && date <= tx.today) {
      m.status = 'done';
      m.completedOn = date;
      m.completedBy = systemActor;
      m.recordedAt = tx.at;
      tx.record(systemActor, 'completed automatically', {
        milestone: def.id,
        detail: def.automatic.legalBasis ? `per ${def.automatic.legalBasis}` : undefined,
      });
      tx.emit(
        {
          type: 'milestone-completed',
          milestone: def.id,
          completedOn: date,
          late: m.dueOn !== undefined && date > m.dueOn,
          automatic: true,
          ...(m.dueOn ? { dueOn: m.dueOn } : {}),
        },
        systemActor,
      );
      skipAlternatives(tx, def, systemActor);
      requestFollowOns(tx, def);
      return true;
    }
  }
  return false;
}

/** Reminders (not while paused) and overdue notices (always: legal deadlines do not pause). */
function announceTime(tx: Transition, def: Milestone): void {
  const m = tx.milestone(def.id);
  if (m.status === 'done' || m.status === 'skipped' || !m.dueOn) return;
  const dueOn = m.dueOn;
  if (tx.state.status !== 'paused' && tx.today <= dueOn) {
    const passed = def.reminders.filter((r) => !m.remindersSent.includes(r) && subtractDuration(dueOn, r) <= tx.today);
    if (passed.length > 0) {
      // Announce only the reminder nearest the deadline; older ones that passed unseen are superseded.
      const nearest = passed.reduce((a, b) => (subtractDuration(dueOn, a) >= subtractDuration(dueOn, b) ? a : b));
      m.remindersSent.push(...passed);
      tx.emit(
        { type: 'reminder-due', milestone: def.id, dueOn, remindBefore: nearest, ...(m.owner ? { owner: m.owner } : {}) },
        systemActor,
      );
    }
  }
  if (dueOn < tx.today && !m.overdueNotified) {
    m.overdueNotified = true;
    tx.emit({ type: 'milestone-overdue', milestone: def.id, dueOn, ...(m.owner ? { owner: m.owner } : {}) }, systemActor);
  }
}

function completeIfDone(tx: Transition): void {
  const { state } = tx;
  const defs = state.template.milestones;
  const settled = (id: string) => ['done', 'skipped'].includes(tx.milestone(id).status);
  if (!defs.every((d) => d.optional || settled(d.id))) return;
  for (const d of defs) {
    if (settled(d.id)) continue;
    const m = tx.milestone(d.id);
    m.status = 'skipped';
    m.skipCause = 'not-applicable';
    m.skipReason = 'optional milestone left open when the campaign completed';
    tx.emit({ type: 'milestone-skipped', milestone: d.id, cause: 'not-applicable' }, systemActor);
  }
  state.status = 'completed';
  tx.record(systemActor, 'campaign completed');
  tx.emit({ type: 'campaign-completed' }, systemActor);
}

/** Completing a milestone chooses it over its alternatives: they are skipped. */
export function skipAlternatives(tx: Transition, def: Milestone, actor: Actor): void {
  for (const alt of def.alternativeTo) {
    const other = tx.milestone(alt);
    if (other.status === 'done' || other.status === 'skipped') continue;
    other.status = 'skipped';
    other.skipCause = 'alternative-chosen';
    other.skipReason = `"${def.id}" was chosen instead`;
    tx.emit({ type: 'milestone-skipped', milestone: alt, cause: 'alternative-chosen' }, actor);
  }
}

/** Values of an input mapping, read from this campaign (inputs, completion dates, evidence). */
export function resolveMapping(
  state: Pick<CampaignState, 'inputs'> & {
    milestones: Record<string, { completedOn?: string; evidence?: Record<string, string> } | undefined>;
  },
  mappings: Record<string, InputMapping>,
): Record<string, string | number | boolean> {
  const inputs: Record<string, string | number | boolean> = {};
  for (const [name, mapping] of Object.entries(mappings)) {
    let value: string | number | boolean | undefined;
    if ('value' in mapping) value = mapping.value;
    else if ('input' in mapping) value = state.inputs[mapping.input];
    else if ('milestoneDate' in mapping) value = state.milestones[mapping.milestoneDate]?.completedOn;
    else {
      const raw = state.milestones[mapping.evidence.milestone]?.evidence?.[mapping.evidence.field];
      value = raw !== undefined && mapping.values ? mapping.values[raw] : raw;
    }
    if (value !== undefined) inputs[name] = value;
  }
  return inputs;
}

/**
 * What a completed milestone sets in motion: follow-on campaigns (with inputs mapped from this one)
 * and the inputs it tells other campaigns of the same state.
 */
export function requestFollowOns(tx: Transition, def: Milestone): void {
  const { state } = tx;
  for (const f of def.informs) {
    const inputs = resolveMapping(state, f.inputs);
    if (Object.keys(inputs).length > 0)
      tx.effects.informs.push({ milestone: def.id, templateId: f.template, sequence: state.sequence, inputs });
  }
  for (const f of def.followOn) {
    const campaignId = `${state.campaignId}~${f.template}`;
    const inputs = resolveMapping(state, f.inputs);
    if (state.followOns.some((x) => x.campaignId === campaignId)) {
      // Completed again after a correction: the running follow-on gets the corrected inputs.
      if (Object.keys(inputs).length > 0)
        tx.effects.informs.push({ milestone: def.id, templateId: f.template, campaignId, sequence: state.sequence, inputs });
      continue;
    }
    state.followOns.push({ milestone: def.id, templateId: f.template, campaignId });
    tx.effects.followOns.push({
      milestone: def.id,
      templateId: f.template,
      ...(f.version ? { templateVersion: f.version } : {}),
      campaignId,
      inputs,
    });
    tx.emit({ type: 'follow-on-started', milestone: def.id, followOnCampaignId: campaignId, followOnTemplateId: f.template }, systemActor);
  }
}
