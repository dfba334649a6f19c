import { addDuration, dateOfInstant, startOfDay, subtractDuration } from '../dates.js';
import { problemList } from '../validation.js';
import { type CampaignCommand, type CommandResult } from './commands.js';
import type { Effects } from './effects.js';
import { forgetOldRequests } from './limits.js';
import { currentBehaviour, dependenciesMet, scheduleFacts, Transition, type MachineOptions } from './transition.js';
import { automaticDate, dueDate, topologicalOrder } from './schedule.js';
import { requestFollowOns, settle, skipAlternatives } from './settle.js';
import type { CampaignState, MilestoneState, StartCampaign } from './state.js';
import { checkCommand, checkEvidence, checkInputValue, reopenBlockers, reopenPlan } from './validate-command.js';

/**
 * The campaign state machine: `(state, command | time) -> { state, effects }`. Pure and deterministic
 * (time comes in as an argument), so the workflow is a thin shell around it and every rule is tested
 * without a server.
 */
export interface Outcome {
  state: CampaignState;
  effects: Effects;
}

export class StartError extends Error {
  constructor(readonly problems: string[]) {
    super(problemList('The campaign cannot start', problems));
    this.name = 'StartError';
  }
}

/** Problems with a start request, each naming its field; empty when it can start. */
export function checkStart(input: StartCampaign, today: string): string[] {
  const problems: string[] = [];
  const { template } = input;
  for (const [name, def] of Object.entries(template.inputs)) {
    const value = input.inputs[name] ?? def.default;
    if (value === undefined) {
      if (def.required) problems.push(`inputs.${name}: required (${def.description || def.type})`);
      continue;
    }
    const bad = checkInputValue(name, def, value);
    if (bad) problems.push(`inputs.${name}: ${bad.message}`);
  }
  for (const name of Object.keys(input.inputs))
    if (!template.inputs[name]) problems.push(`inputs.${name}: unknown input for template ${template.id}`);
  const ids = new Set(template.milestones.map((m) => m.id));
  const dates = new Map(input.completed.map((c) => [c.milestone, c.date]));
  input.completed.forEach((c, i) => {
    const def = template.milestones.find((m) => m.id === c.milestone);
    if (!def) return problems.push(`completed.${i}.milestone: unknown milestone "${c.milestone}"`);
    const first = input.completed.findIndex((x) => x.milestone === c.milestone);
    if (first < i) problems.push(`completed.${i}.milestone: "${c.milestone}" is given twice (also completed.${first})`);
    if (c.date > today) problems.push(`completed.${i}.date: ${c.date} is in the future`);
    for (const d of def.dependsOn) {
      const depDate = dates.get(d);
      if (depDate && c.date < depDate) problems.push(`completed.${i}.date: ${c.date} is before "${d}" (${depDate})`);
    }
    // Historic facts often lack documents, so only the shape of given evidence is checked here.
    const given = Object.fromEntries(Object.entries(c.evidence));
    const problem = checkEvidence({ ...def, evidence: def.evidence.map((f) => ({ ...f, required: false })) }, given);
    if (problem) problems.push(`completed.${i}.evidence: ${problem}`);
  });
  input.skipped.forEach((s, i) => {
    if (!ids.has(s.milestone)) problems.push(`skipped.${i}.milestone: unknown milestone "${s.milestone}"`);
  });
  return problems;
}

export function startCampaign(input: StartCampaign, now: number, options: MachineOptions = {}): Outcome {
  const empty = (id: string): MilestoneState => ({ id, status: 'blocked', extensions: [], remindersSent: [], overdueNotified: false });
  const inputs: CampaignState['inputs'] = {};
  for (const [name, def] of Object.entries(input.template.inputs)) {
    const value = input.inputs[name] ?? def.default;
    if (value !== undefined) inputs[name] = value;
  }
  const initial: CampaignState = {
    campaignId: input.campaignId,
    template: input.template,
    country: input.country,
    region: input.region,
    startDate: input.startDate,
    inputs,
    ...(input.owner ? { owner: input.owner } : {}),
    ...(input.parentCampaignId ? { parentCampaignId: input.parentCampaignId } : {}),
    status: 'active',
    milestones: Object.fromEntries(input.template.milestones.map((m) => [m.id, empty(m.id)])),
    history: [],
    sequence: 0,
    requests: {},
    followOns: [],
  };
  const tx = new Transition(initial, now, { ...currentBehaviour, ...options });
  const problems = checkStart(input, tx.today);
  if (problems.length) throw new StartError(problems);

  tx.record(input.actor, 'campaign started', { detail: `${input.template.id} v${input.template.version} for ${input.country}` });
  tx.emit(
    {
      type: 'campaign-started',
      startDate: input.startDate,
      ...(input.parentCampaignId ? { parentCampaignId: input.parentCampaignId } : {}),
    },
    input.actor,
  );

  // Prior facts are applied in dependency order, letting automatic milestones derive between them;
  // the ones not applied yet are left alone meanwhile (a given date beats a derived one), and nothing is
  // announced until all are applied (a milestone given as done is never reported overdue).
  const prior = new Map(input.completed.map((c, i) => [c.milestone, { ...c, at: `completed.${i}` }]));
  const skipped = new Map(input.skipped.map((s) => [s.milestone, s]));
  const pending = new Set(prior.keys());
  for (const def of topologicalOrder(input.template)) {
    const m = tx.milestone(def.id);
    const skip = skipped.get(def.id);
    if (skip && m.status !== 'done' && m.status !== 'skipped') {
      m.status = 'skipped';
      m.skipCause = 'manual';
      m.skipReason = skip.reason;
      tx.record(input.actor, 'skipped before start', { milestone: def.id, detail: skip.reason });
      tx.emit({ type: 'milestone-skipped', milestone: def.id, cause: 'manual' }, input.actor);
    }
    const done = prior.get(def.id);
    if (!done || m.status === 'done') continue;
    if (m.status === 'skipped') throw new StartError([`${done.at}.milestone: ${givenButSkipped(def.id, m, input)}`]);
    if (!dependenciesMet(tx.state, def)) {
      const open = def.dependsOn.filter((d) => !['done', 'skipped'].includes(tx.milestone(d).status));
      throw new StartError([
        `${done.at}.milestone: "${def.id}" is given as done but ${open.map((d) => `"${d}"`).join(', ')} ${open.length > 1 ? 'are' : 'is'} not: ${markDoneOrSkipped(open)}`,
      ]);
    }
    for (const d of def.dependsOn) {
      const dep = tx.milestone(d);
      if (dep.status === 'done' && dep.completedOn && done.date < dep.completedOn)
        throw new StartError([
          `${done.at}.date: "${def.id}" on ${done.date} is before "${d}" (${dep.completedOn})${prior.has(d) ? '' : ', derived from the dates given'}`,
        ]);
    }
    markDone(tx, def.id, { date: done.date, evidence: done.evidence, note: done.note }, input.actor);
    pending.delete(def.id);
    settle(tx, pending);
  }
  settle(tx);
  return { state: tx.state, effects: tx.effects };
}

/**
 * How to give milestones as done or skipped in a start request, in the request's own words; the CLI
 * rewrites these exact phrases into its flags (`startIssueAsFlag` in cli/campaign.ts).
 */
export function markDoneOrSkipped(milestones: readonly string[]): string {
  const done = milestones.map((id) => `{"milestone": "${id}", "date": "YYYY-MM-DD"}`).join(', ');
  const skipped = milestones.map((id) => `{"milestone": "${id}", "reason": "..."}`).join(', ');
  return `give ${milestones.length > 1 ? 'them' : 'it'} as done (add ${done} to completed) or as skipped (add ${skipped} to skipped)`;
}

/** Why a milestone given as done was skipped on the way, and what to give instead. */
function givenButSkipped(id: string, m: MilestoneState, input: StartCampaign): string {
  const reason = `"${id}" is given as done but is skipped (${m.skipReason ?? m.skipCause})`;
  if (m.skipCause === 'manual') {
    const at = input.skipped.findIndex((s) => s.milestone === id);
    return `${reason}: it is also in skipped.${at}; give it only once`;
  }
  if (m.skipCause === 'alternative-chosen') return `${reason}: give only one of the alternatives as done`;
  return `${reason}: leave it out, or change the inputs so that it applies`;
}

/**
 * Everything wrong with a start, found by running the start itself as the workflow will (the same
 * template snapshot, inputs, dates and behaviour): empty when it can start. The campaign facade calls
 * it before a workflow exists, so a start the workflow would refuse is refused with its fields named.
 */
export function judgeStart(input: StartCampaign, now: number, options: MachineOptions = {}): string[] {
  try {
    startCampaign(input, now, options);
    return [];
  } catch (err) {
    if (err instanceof StartError) return err.problems;
    throw err;
  }
}

function markDone(
  tx: Transition,
  id: string,
  c: { date: string; evidence: Record<string, string>; note?: string | undefined },
  actor: CampaignCommand['actor'],
  requestId?: string,
): void {
  const def = tx.def(id);
  const m = tx.milestone(id);
  m.status = 'done';
  m.completedOn = c.date;
  m.completedBy = actor;
  m.recordedAt = tx.at;
  m.evidence = c.evidence;
  if (c.note) m.note = c.note;
  tx.record(actor, 'completed', { milestone: id, detail: c.note, requestId });
  tx.emit(
    {
      type: 'milestone-completed',
      milestone: id,
      completedOn: c.date,
      late: m.dueOn !== undefined && c.date > m.dueOn,
      automatic: false,
      ...(m.dueOn ? { dueOn: m.dueOn } : {}),
    },
    actor,
  );
  skipAlternatives(tx, def, actor);
  requestFollowOns(tx, def);
}

/** Reopens a milestone, the automatic milestones derived from it and the alternatives it had skipped. */
function reopen(tx: Transition, id: string, actor: CampaignCommand['actor'], reason: string, requestId: string): void {
  const plan = reopenPlan(tx.state, id);
  const clear: (keyof MilestoneState)[] = ['completedOn', 'completedBy', 'recordedAt', 'evidence', 'note', 'skipCause', 'skipReason'];
  for (const r of [...plan.reopened, ...plan.restored]) {
    const m = tx.milestone(r);
    for (const key of clear) delete m[key];
    m.status = 'blocked';
    if (r === id) tx.record(actor, 'reopened', { milestone: id, detail: reason, requestId });
    else tx.record(actor, 'reopened', { milestone: r, detail: `with "${id}"`, requestId });
    tx.emit({ type: 'milestone-reopened', milestone: r }, actor);
  }
}

/** Applies a command. Rejected commands change nothing; a repeated request id returns its first result. */
export function applyCommand(
  state: CampaignState,
  cmd: CampaignCommand,
  now: number,
  options: MachineOptions = {},
): Outcome & { result: CommandResult } {
  // Own keys only: a request id such as "constructor" is not a result already given.
  const previous = Object.hasOwn(state.requests, cmd.requestId) ? state.requests[cmd.requestId] : undefined;
  if (previous) return { state, effects: { events: [], followOns: [], informs: [] }, result: previous };

  // Check before the transition copies the state: a refusal then costs no copy.
  const rejection = checkCommand(state, cmd, dateOfInstant(now));
  if (rejection)
    return { state, effects: { events: [], followOns: [], informs: [] }, result: { ok: false, requestId: cmd.requestId, ...rejection } };
  const tx = new Transition(state, now, { ...currentBehaviour, ...options });

  const { actor, requestId } = cmd;
  const s = tx.state;
  switch (cmd.type) {
    case 'complete':
      markDone(tx, cmd.milestone, cmd, actor, requestId);
      break;
    case 'skip': {
      const m = tx.milestone(cmd.milestone);
      m.status = 'skipped';
      m.skipCause = 'manual';
      m.skipReason = cmd.reason;
      tx.record(actor, 'skipped', { milestone: cmd.milestone, detail: cmd.reason, requestId });
      tx.emit({ type: 'milestone-skipped', milestone: cmd.milestone, cause: 'manual' }, actor);
      break;
    }
    case 'reopen':
      reopen(tx, cmd.milestone, actor, cmd.reason, requestId);
      break;
    case 'assign':
      tx.milestone(cmd.milestone).owner = cmd.owner;
      tx.record(actor, 'assigned', { milestone: cmd.milestone, detail: cmd.owner, requestId });
      tx.emit({ type: 'owner-assigned', milestone: cmd.milestone, owner: cmd.owner }, actor);
      break;
    case 'note':
      tx.record(actor, 'note', { ...(cmd.milestone ? { milestone: cmd.milestone } : {}), detail: cmd.text, requestId });
      tx.emit({ type: 'note-added', ...(cmd.milestone ? { milestone: cmd.milestone } : {}) }, actor);
      break;
    case 'extend': {
      const m = tx.milestone(cmd.milestone);
      const previousDueOn = m.dueOn as string;
      m.extensions.push({ by: cmd.by, reason: cmd.reason, legalBasis: cmd.legalBasis, actor, at: tx.at });
      // The same rule settle applies (rule date + all extensions), so the event and the state agree.
      const dueOn =
        dueDate(
          tx.def(cmd.milestone),
          tx.facts(),
          m.extensions.map((e) => e.by),
        ) ?? addDuration(previousDueOn, cmd.by);
      m.dueOn = dueOn;
      m.remindersSent = [];
      m.overdueNotified = false;
      tx.record(actor, 'deadline extended', {
        milestone: cmd.milestone,
        detail: `${cmd.by} (${cmd.legalBasis}): ${cmd.reason}`,
        requestId,
      });
      tx.emit({ type: 'deadline-extended', milestone: cmd.milestone, previousDueOn, dueOn, by: cmd.by, legalBasis: cmd.legalBasis }, actor);
      break;
    }
    case 'pause':
      s.status = 'paused';
      tx.record(actor, 'paused', { detail: cmd.reason, requestId });
      tx.emit({ type: 'campaign-paused' }, actor);
      break;
    case 'resume':
      s.status = 'active';
      // Reminders that fell due while paused are not announced late.
      for (const def of s.template.milestones) {
        const m = tx.milestone(def.id);
        if (m.dueOn)
          for (const r of def.reminders)
            if (subtractDuration(m.dueOn, r) < tx.today && !m.remindersSent.includes(r)) m.remindersSent.push(r);
      }
      tx.record(actor, 'resumed', { requestId });
      tx.emit({ type: 'campaign-resumed' }, actor);
      break;
    case 'cancel':
      s.status = 'cancelled';
      tx.record(actor, 'cancelled', { detail: cmd.reason, requestId });
      tx.emit({ type: 'campaign-cancelled' }, actor);
      break;
    case 'set-input':
      s.inputs[cmd.name] = cmd.value;
      tx.record(actor, 'input changed', { detail: `${cmd.name} = ${String(cmd.value)}: ${cmd.reason}`, requestId });
      tx.emit({ type: 'input-changed', name: cmd.name }, actor);
      break;
  }
  const first = tx.effects.events[0]?.sequence;
  settle(tx);
  const result: CommandResult = {
    ok: true,
    requestId,
    events: tx.effects.events.map((e) => e.sequence).filter((seq) => first !== undefined && seq >= first),
  };
  s.requests[requestId] = result;
  forgetOldRequests(s.requests);
  return { state: tx.state, effects: tx.effects, result };
}

/** The passing of time: automatic milestones, reminders, overdue notices. */
export function tick(state: CampaignState, now: number, options: MachineOptions = {}): Outcome {
  const tx = new Transition(state, now, { ...currentBehaviour, ...options });
  settle(tx);
  return { state: tx.state, effects: tx.effects };
}

/**
 * When (epoch ms, start of a UTC day) something will next happen by itself; undefined if never. A state
 * that is not up to date with `now` (e.g. carried across continue-as-new over midnight) gets a time not
 * after `now`, so that the caller ticks at once instead of sleeping past what is due.
 */
export function nextWakeUp(state: CampaignState, now: number): number | undefined {
  if (state.status === 'cancelled' || state.status === 'completed') return undefined;
  const today = dateOfInstant(now);
  const facts = scheduleFacts(state);
  const days: string[] = [];
  for (const def of state.template.milestones) {
    const m = state.milestones[def.id];
    if (!m || m.status === 'done' || m.status === 'skipped') continue;
    if (def.automatic && dependenciesMet(state, def)) {
      const date = automaticDate(def, facts);
      if (date) days.push(date);
    }
    if (!m.dueOn) continue;
    // Reminders are announced up to the due date, never after it.
    if (state.status !== 'paused' && today <= m.dueOn)
      for (const r of def.reminders) if (!m.remindersSent.includes(r)) days.push(subtractDuration(m.dueOn, r));
    if (!m.overdueNotified) days.push(addDuration(m.dueOn, 'P1D'));
  }
  const first = days.sort()[0];
  return first ? startOfDay(first) : undefined;
}

export { reopenBlockers };
