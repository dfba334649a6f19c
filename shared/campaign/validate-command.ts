import { z } from 'zod';
import { durationExceeds, isoDate, isoDuration, sumDurations } from '../dates.js';
import { roleAllows, type Role } from '../ids.js';
import type { EvidenceField, InputDefinition, Milestone } from '../template/schema.js';
import type { CampaignCommand, CommandResult } from './commands.js';
import { historyFull } from './limits.js';
import { scheduleFacts } from './transition.js';
import { ruleDueDate } from './schedule.js';
import type { CampaignState, MilestoneState } from './state.js';

export type Rejection = Extract<CommandResult, { ok: false }>;

type Check = Omit<Rejection, 'ok' | 'requestId'> | undefined;

const reject = (code: Rejection['code'], message: string): Check => ({ code, message });

/** Role each command needs; `complete` needs the milestone's own role instead. */
const commandRole: Record<CampaignCommand['type'], Role> = {
  complete: 'staff',
  skip: 'staff',
  reopen: 'staff',
  assign: 'staff',
  note: 'staff',
  extend: 'programme-lead',
  pause: 'programme-lead',
  resume: 'programme-lead',
  cancel: 'programme-lead',
  'set-input': 'programme-lead',
};

const evidenceType: Record<EvidenceField['type'], z.ZodType<string>> = {
  text: z.string(),
  url: z.url(),
  date: isoDate,
  duration: isoDuration,
  enum: z.string(),
};

/** Checks evidence against the milestone's fields: required present, no unknown fields, right types. */
export function checkEvidence(def: Milestone, evidence: Record<string, string>): string | undefined {
  for (const field of def.evidence) {
    const value = evidence[field.name];
    if (value === undefined) {
      if (field.required) return `evidence "${field.name}" (${field.label}) is required for "${def.id}"`;
      continue;
    }
    if (field.type === 'enum' && field.values && !field.values.includes(value))
      return `evidence "${field.name}" must be one of ${field.values.join(', ')}`;
    if (!evidenceType[field.type].safeParse(value).success) return `evidence "${field.name}" must be a valid ${field.type}`;
    if (field.type === 'duration' && field.max && durationExceeds(value, field.max))
      return `evidence "${field.name}" may be at most ${field.max}${def.legalBasis ? ` (${def.legalBasis})` : ''}`;
  }
  const unknown = Object.keys(evidence).filter((k) => !def.evidence.some((f) => f.name === k));
  if (unknown.length) return `unknown evidence field(s) ${unknown.join(', ')} for "${def.id}"`;
  return undefined;
}

function milestoneOf(state: CampaignState, id: string): { def: Milestone; m: MilestoneState } | undefined {
  const def = state.template.milestones.find((x) => x.id === id);
  const m = state.milestones[id];
  return def && m ? { def, m } : undefined;
}

/** What reopening a milestone changes, worked out before anything changes. */
export interface ReopenPlan {
  /** The milestone itself, then the done automatic milestones derived from what is reopened. */
  reopened: string[];
  /** Alternatives that were skipped because a reopened milestone was chosen: pending again. */
  restored: string[];
  /** Done (non-automatic) milestones depending on something reopened or restored: reopen them first. */
  blockers: Milestone[];
}

/**
 * Reopening turns a milestone back to pending, and with it the alternatives skipped because it was
 * chosen (unless another of their group is done). Automatic milestones derived from anything turned
 * back are re-derived, so the reopen cascades through them; any other done dependent blocks it, since
 * a done milestone must keep its dependencies done or skipped.
 */
export function reopenPlan(state: CampaignState, id: string): ReopenPlan {
  const plan: ReopenPlan = { reopened: [], restored: [], blockers: [] };
  const defs = state.template.milestones;
  const status = (m: string) => state.milestones[m]?.status;
  const seen = new Set<string>();
  const visit = (mid: string, restore: boolean) => {
    if (seen.has(mid)) return;
    seen.add(mid);
    (restore ? plan.restored : plan.reopened).push(mid);
    const def = defs.find((d) => d.id === mid);
    if (!restore && status(mid) === 'done')
      for (const a of def?.alternativeTo ?? []) {
        const altDef = defs.find((d) => d.id === a);
        const chosenElsewhere = altDef?.alternativeTo.some((x) => x !== mid && !seen.has(x) && status(x) === 'done');
        if (state.milestones[a]?.skipCause === 'alternative-chosen' && !chosenElsewhere) visit(a, true);
      }
    for (const d of defs)
      if (d.dependsOn.includes(mid) && status(d.id) === 'done') {
        if (d.automatic) visit(d.id, false);
        else if (!plan.blockers.includes(d)) plan.blockers.push(d);
      }
  };
  visit(id, false);
  return plan;
}

/** Done milestones that must be reopened before `id` can be. */
export function reopenBlockers(state: CampaignState, id: string): Milestone[] {
  return reopenPlan(state, id).blockers;
}

/**
 * Decides whether a command may be applied, without changing anything: the update validator runs this
 * so that a bad command never enters workflow history. `today` is the workflow's calendar day.
 */
export function checkCommand(state: CampaignState, cmd: CampaignCommand, today: string): Check {
  if (state.status === 'cancelled') return reject('conflict', 'the campaign is cancelled; no further changes are accepted');
  if (state.status === 'completed') return reject('conflict', 'the campaign is completed; start a new campaign to continue');
  if (!roleAllows(cmd.actor.role, commandRole[cmd.type]))
    return reject('forbidden', `role ${cmd.actor.role} may not ${cmd.type}; it needs ${commandRole[cmd.type]}`);
  const full = historyFull(state, cmd);
  if (full) return reject('precondition', full);

  switch (cmd.type) {
    case 'pause':
      return state.status === 'paused' ? reject('conflict', 'the campaign is already paused') : undefined;
    case 'resume':
      return state.status !== 'paused' ? reject('conflict', 'the campaign is not paused') : undefined;
    case 'cancel':
      return undefined;
    case 'set-input': {
      const def = state.template.inputs[cmd.name];
      if (!def)
        return reject(
          'invalid',
          `unknown input "${cmd.name}"; the template declares ${Object.keys(state.template.inputs).join(', ') || 'none'}`,
        );
      return checkInputValue(cmd.name, def, cmd.value);
    }
    case 'note':
      if (cmd.milestone && !milestoneOf(state, cmd.milestone)) return reject('not-found', `unknown milestone "${cmd.milestone}"`);
      return undefined;
  }

  const found = milestoneOf(state, cmd.milestone);
  if (!found) return reject('not-found', `unknown milestone "${cmd.milestone}" in template ${state.template.id}`);
  const { def, m } = found;

  switch (cmd.type) {
    case 'complete': {
      if (m.status === 'done') return reject('conflict', `"${def.id}" is already done (on ${m.completedOn})`);
      if (m.status === 'skipped') return reject('conflict', `"${def.id}" was skipped; reopen it first`);
      if (def.automatic)
        return reject('invalid', `"${def.id}" completes itself${def.automatic.legalBasis ? ` (${def.automatic.legalBasis})` : ''}`);
      if (!roleAllows(cmd.actor.role, def.role)) return reject('forbidden', `"${def.id}" may be completed only by ${def.role}`);
      const open = def.dependsOn.filter((d) => !['done', 'skipped'].includes(state.milestones[d]?.status ?? ''));
      if (open.length) return reject('precondition', `"${def.id}" depends on ${open.map((d) => `"${d}"`).join(', ')}, not done yet`);
      for (const r of def.requires) if (!r.in.includes(state.inputs[r.input] ?? '')) return reject('precondition', r.reason);
      if (cmd.date > today) return reject('invalid', `date ${cmd.date} is in the future (today is ${today})`);
      for (const d of def.dependsOn) {
        const dep = state.milestones[d];
        if (dep?.status === 'done' && dep.completedOn && cmd.date < dep.completedOn)
          return reject('invalid', `date ${cmd.date} is before "${d}" was done (${dep.completedOn})`);
      }
      const problem = checkEvidence(def, cmd.evidence);
      return problem ? reject('invalid', problem) : undefined;
    }
    case 'skip':
      if (m.status === 'done') return reject('conflict', `"${def.id}" is done; reopen it instead`);
      if (m.status === 'skipped') return reject('conflict', `"${def.id}" is already skipped`);
      if (!def.optional && def.alternativeTo.length === 0)
        return reject('precondition', `"${def.id}" is required; only optional milestones can be skipped`);
      // Skipping a required alternative means taking another path: one of the group must remain.
      if (!def.optional && def.alternativeTo.every((a) => state.milestones[a]?.status === 'skipped'))
        return reject(
          'precondition',
          `"${def.id}" is required: its alternatives ${def.alternativeTo.map((a) => `"${a}"`).join(', ')} are skipped, so it is the remaining path`,
        );
      return undefined;
    case 'reopen': {
      if (m.status !== 'done' && m.status !== 'skipped') return reject('conflict', `"${def.id}" is not done or skipped`);
      if (m.skipCause === 'not-applicable') return reject('precondition', `"${def.id}" does not apply to this campaign's inputs`);
      const chosen = def.alternativeTo.filter((a) => state.milestones[a]?.status === 'done');
      if (m.status === 'skipped' && chosen.length)
        return reject('conflict', `${chosen.map((a) => `"${a}"`).join(', ')} was chosen instead of "${def.id}"; reopen it first`);
      const blockers = reopenBlockers(state, def.id);
      if (blockers.length)
        return reject(
          'conflict',
          `reopen ${blockers.map((b) => `"${b.id}"`).join(', ')} first: done, and depends on "${def.id}" or what reopening it restores`,
        );
      return undefined;
    }
    case 'assign':
      if (m.status === 'done' || m.status === 'skipped') return reject('conflict', `"${def.id}" is already ${m.status}`);
      return undefined;
    case 'extend': {
      if (m.status === 'done' || m.status === 'skipped') return reject('conflict', `"${def.id}" is already ${m.status}`);
      if (!def.deadline) return reject('precondition', `"${def.id}" has no deadline`);
      if (!m.dueOn) return reject('precondition', `"${def.id}" has no due date yet: its deadline's starting point is not known`);
      if (!def.deadline.maxExtension) return reject('precondition', `the deadline of "${def.id}" cannot be extended under this template`);
      // Measured on the calendar from the rule's due date, the date the extensions are added to.
      const total = sumDurations([...m.extensions.map((e) => e.by), cmd.by]);
      if (durationExceeds(total, def.deadline.maxExtension, ruleDueDate(def, scheduleFacts(state))))
        return reject('precondition', `extensions of "${def.id}" may total at most ${def.deadline.maxExtension}; this would make ${total}`);
      return undefined;
    }
  }
}

export function checkInputValue(
  name: string,
  { type, values, max }: Pick<InputDefinition, 'type' | 'values' | 'max'>,
  value: unknown,
): Check {
  if (type === 'duration' && max && typeof value === 'string' && isoDuration.safeParse(value).success && durationExceeds(value, max))
    return reject('invalid', `input "${name}" may be at most ${max}`);
  const ok =
    type === 'date'
      ? isoDate.safeParse(value).success
      : type === 'duration'
        ? isoDuration.safeParse(value).success
        : type === 'boolean'
          ? typeof value === 'boolean'
          : type === 'enum'
            ? typeof value === 'string' && (values ?? []).includes(value)
            : typeof value === 'string';
  if (ok) return undefined;
  const expected = type === 'enum' ? `one of ${(values ?? []).join(', ')}` : `a ${type}`;
  return reject('invalid', `input "${name}" must be ${expected}`);
}
