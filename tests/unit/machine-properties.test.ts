/**
 * Property tests of the campaign state machine: random valid templates, random start requests (part-way,
 * with real past dates) and random sessions of commands (any actor, any date, good and bad evidence,
 * repeated request ids) interleaved with ticks at increasing times. After every step the invariants
 * below must hold; the same inputs must give the same outputs, also across continue-as-new.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyCommand,
  campaignCommandSchema,
  commandResultSchema,
  campaignStateSchema,
  campaignViewSchema,
  domainEventSchema,
  dueDate,
  automaticDate,
  nextWakeUp,
  startCampaign,
  StartError,
  tick,
  viewCampaign,
  type CampaignCommand,
  type CampaignState,
  type CommandResult,
  type DomainEvent,
  type Effects,
} from '../../shared/campaign/index.js';
import { scheduleFacts } from '../../shared/campaign/transition.js';
import { dateOfInstant, startOfDay, type IsoDate } from '../../shared/dates.js';
import type { Template } from '../../shared/template/index.js';
import {
  badEvidenceValue,
  buildStart,
  MODES,
  opArb,
  plusDays,
  POSTPONEMENTS,
  startPlanArb,
  templateArb,
  validEvidence,
  type Op,
  type StartPlan,
} from '../support/templates/index.js';
import { awkwardString, FC_SEED, propertyRuns, prototypeKeys } from '../support/properties.js';

const HOUR = 3_600_000;
const NUM_RUNS = propertyRuns(200).numRuns;

interface Step {
  kind: string;
  command?: CampaignCommand;
  result?: CommandResult;
  effects: Effects;
  state: CampaignState;
}

interface Trace {
  startError?: string[];
  steps: Step[];
}

/** Coverage counters: a property that never reaches the interesting cases proves nothing. */
const seen = {
  starts: 0,
  startErrors: 0,
  accepted: 0,
  rejected: 0,
  repeats: 0,
  completions: 0,
  automatic: 0,
  alternatives: 0,
  reminders: 0,
  overdue: 0,
  reopened: 0,
  extended: 0,
  notApplicable: 0,
  campaignsCompleted: 0,
  followOns: 0,
};

function pickMilestone(op: Op, template: Template, state: CampaignState): string {
  const ids = template.milestones.map((m) => m.id);
  if (op.pickOpen) {
    const wanted = op.kind === 'reopen' ? ['done', 'skipped'] : op.kind === 'extend' ? ['open', 'blocked'] : ['open'];
    const candidates = ids.filter(
      (id) => wanted.includes(state.milestones[id]?.status ?? '') && (op.kind !== 'extend' || state.milestones[id]?.dueOn !== undefined),
    );
    if (candidates.length) return candidates[op.milestone % candidates.length] as string;
  }
  return op.milestone < ids.length ? (ids[op.milestone] as string) : 'no-such-step';
}

function inputValue(op: Op): { name: string; value: string | number | boolean } {
  const invalid = op.value % 5 === 4;
  switch (op.input) {
    case 'mode':
      return { name: 'mode', value: invalid ? 'z' : (MODES[op.value % MODES.length] as string) };
    case 'flag':
      return { name: 'flag', value: invalid ? 'yes' : op.value % 2 === 0 };
    case 'since':
      return { name: 'since', value: invalid ? 'yesterday' : plusDays('2019-01-01', op.value % 2500) };
    case 'delay':
      return { name: 'delay', value: invalid ? 'soon' : (POSTPONEMENTS[op.value % POSTPONEMENTS.length] as string) };
    case 'unknown':
      return { name: 'budget', value: op.value };
  }
}

/** Turns an abstract operation into a concrete command for the current state and day. */
function materialize(op: Op, template: Template, state: CampaignState, today: IsoDate, used: string[]): CampaignCommand {
  const requestId = op.reuse !== undefined && used.length > 0 ? (used[op.reuse % used.length] as string) : `r-${used.length}`;
  used.push(requestId);
  const actor = { id: `${op.role}-${op.value % 3}`, role: op.role };
  const milestone = pickMilestone(op, template, state);
  const common = { requestId, actor };
  let raw: unknown;
  switch (op.kind) {
    case 'complete': {
      const valid = validEvidence(template, milestone);
      const evidence =
        op.evidence === 'valid'
          ? valid
          : op.evidence === 'none'
            ? {}
            : op.evidence === 'bad'
              ? Object.fromEntries(Object.keys(valid).map((k) => [k, badEvidenceValue[k] ?? 'x']))
              : { ...valid, bogusField: 'x' };
      raw = { ...common, type: 'complete', milestone, date: plusDays(today, -op.daysBack), evidence, note: 'minutes on file' };
      break;
    }
    case 'skip':
    case 'reopen':
      raw = { ...common, type: op.kind, milestone, reason: 'correction' };
      break;
    case 'assign':
      raw = { ...common, type: 'assign', milestone, owner: `owner-${op.value % 4}` };
      break;
    case 'note':
      raw = { ...common, type: 'note', text: 'called the ministry', ...(op.value % 2 ? { milestone } : {}) };
      break;
    case 'extend':
      raw = { ...common, type: 'extend', milestone, by: op.by, reason: 'more time granted', legalBasis: 'Art. 24(2)' };
      break;
    case 'pause':
    case 'resume':
    case 'cancel':
      raw = { ...common, type: op.kind, reason: 'programme decision' };
      if (op.kind === 'resume') delete (raw as { reason?: string }).reason;
      break;
    case 'set-input':
      raw = { ...common, type: 'set-input', ...inputValue(op), reason: 'new information' };
      break;
    case 'tick':
      throw new Error('a tick is not a command');
  }
  return campaignCommandSchema.parse(raw);
}

function applies(state: CampaignState, def: Template['milestones'][number]): boolean {
  return !def.when || def.when.in.includes(state.inputs[def.when.input] ?? '');
}

/**
 * Every invariant of a campaign state, on the calendar day `today` (time only moves forward here).
 * `settled`: the state was just brought up to date (after a tick or an accepted command); a state left
 * unchanged by a rejected command may lag behind the clock, so the time-driven checks are skipped.
 */
function checkInvariants(state: CampaignState, today: IsoDate, settled: boolean): void {
  const { template } = state;
  const status = (id: string) => state.milestones[id]?.status;
  const live = state.status === 'active' || state.status === 'paused';
  expect(Object.keys(state.milestones).sort()).toEqual(template.milestones.map((m) => m.id).sort());
  for (const def of template.milestones) {
    const m = state.milestones[def.id];
    if (!m) throw new Error('missing milestone state');
    const depsMet = def.dependsOn.every((d) => status(d) === 'done' || status(d) === 'skipped');
    const where = `${def.id} (${m.status})`;
    if (m.status === 'done') {
      // A done milestone has every dependency done or skipped, and was not done before them.
      expect(depsMet, `${where}: dependencies ${def.dependsOn.map((d) => `${d}=${status(d)}`).join(',')}`).toBe(true);
      expect(m.completedOn, where).toBeDefined();
      for (const d of def.dependsOn) {
        const dep = state.milestones[d];
        if (dep?.status === 'done')
          expect(dep.completedOn! <= m.completedOn!, `${where} on ${m.completedOn} before ${d} on ${dep.completedOn}`).toBe(true);
      }
      // Nothing is done in the future, automatic milestones included.
      expect(m.completedOn! <= today, `${where} completed on ${m.completedOn}, today ${today}`).toBe(true);
      expect(m.skipCause, where).toBeUndefined();
      // At most one of an alternative group is done.
      for (const a of def.alternativeTo) expect(status(a), `${where} and its alternative ${a}`).not.toBe('done');
    } else {
      expect(m.completedOn, where).toBeUndefined();
    }
    if (m.status === 'skipped') expect(m.skipCause, where).toBeDefined();
    if (m.status === 'open') expect(depsMet, where).toBe(true);
    if (m.status === 'blocked' && live) expect(depsMet, where).toBe(false);
    if (m.status === 'open' || m.status === 'blocked') {
      // The stored due date is always the template rule plus the extensions granted.
      const facts = scheduleFacts(state);
      expect(m.dueOn, `${where} due date`).toBe(
        dueDate(
          def,
          facts,
          m.extensions.map((e) => e.by),
        ),
      );
      if (live) expect(applies(state, def), `${where} does not apply but is pending`).toBe(true);
      if (live && settled) {
        if (def.automatic && depsMet) {
          const date = automaticDate(def, facts);
          expect(date === undefined || date > today, `${where}: automatic on ${date} missed (today ${today})`).toBe(true);
        }
        if (m.dueOn && m.dueOn < today) expect(m.overdueNotified, `${where}: overdue since ${m.dueOn} not announced`).toBe(true);
      }
    }
  }
  const settledAll = template.milestones.every((d) => ['done', 'skipped'].includes(status(d.id) ?? ''));
  const requiredSettled = template.milestones.every((d) => d.optional || ['done', 'skipped'].includes(status(d.id) ?? ''));
  if (state.status === 'completed') expect(settledAll).toBe(true);
  if (live) expect(requiredSettled, 'all required milestones settled but the campaign is not completed').toBe(false);
  // Continue-as-new safety: the state survives a JSON round trip through its schema unchanged.
  expect(campaignStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
  const view = campaignViewSchema.parse(viewCampaign(state, startOfDay(today)));
  const pendingPastDue = template.milestones
    .filter((d) => ['open', 'blocked'].includes(status(d.id) ?? '') && (state.milestones[d.id]?.dueOn ?? '9999') < today)
    .map((d) => d.id);
  expect([...view.overdue].sort()).toEqual(pendingPastDue.sort());
  expect(view.progress.done + view.progress.skipped).toBe(
    template.milestones.filter((d) => ['done', 'skipped'].includes(status(d.id) ?? '')).length,
  );
  if (state.status === 'completed') expect(view.progress.percent).toBe(100);
}

class Checker {
  sequence = 0;
  followOnIds = new Set<string>();

  events(effects: Effects, state: CampaignState, now: number): void {
    const today = dateOfInstant(now);
    for (const e of effects.events) {
      expect(domainEventSchema.parse(e)).toEqual(e);
      expect(e.sequence, `event ${e.type}`).toBe(this.sequence + 1);
      this.sequence = e.sequence;
      expect(e.occurredAt).toBe(new Date(now).toISOString());
      expect(e.campaignId).toBe(state.campaignId);
      this.count(e, state, today);
    }
    expect(state.sequence).toBe(this.sequence);
    const started = effects.events.filter((e) => e.type === 'follow-on-started');
    expect(started.map((e) => e.followOnCampaignId)).toEqual(effects.followOns.map((f) => f.campaignId));
    for (const f of effects.followOns) {
      expect(this.followOnIds.has(f.campaignId), `follow-on ${f.campaignId} requested twice`).toBe(false);
      this.followOnIds.add(f.campaignId);
      seen.followOns++;
    }
  }

  private count(e: DomainEvent, state: CampaignState, today: IsoDate): void {
    if (e.type === 'milestone-completed') {
      seen.completions++;
      if (e.automatic) seen.automatic++;
      expect(e.completedOn <= today).toBe(true);
    }
    if (e.type === 'milestone-skipped' && e.cause === 'alternative-chosen') seen.alternatives++;
    if (e.type === 'milestone-skipped' && e.cause === 'not-applicable') seen.notApplicable++;
    if (e.type === 'reminder-due') {
      seen.reminders++;
      // Reminders come before the deadline and never while paused.
      expect(today <= e.dueOn).toBe(true);
      expect(state.status).not.toBe('paused');
    }
    if (e.type === 'milestone-overdue') {
      seen.overdue++;
      expect(e.dueOn < today).toBe(true);
    }
    if (e.type === 'milestone-reopened') seen.reopened++;
    if (e.type === 'deadline-extended') seen.extended++;
    if (e.type === 'campaign-completed') seen.campaignsCompleted++;
  }
}

/**
 * Subscribers (dashboards, notifications) follow milestones through events alone: every visible status
 * change of an outcome is announced in it (open -> blocked is the one change without an event type).
 */
function checkAnnounced(before: CampaignState, after: CampaignState, effects: Effects): void {
  const said = (type: DomainEvent['type'], id: string) =>
    effects.events.some((e) => e.type === type && 'milestone' in e && e.milestone === id);
  for (const id of Object.keys(after.milestones)) {
    const b = before.milestones[id]?.status;
    const a = after.milestones[id]?.status;
    const where = `${id}: ${b} -> ${a}`;
    if (a === 'done' && b !== 'done') expect(said('milestone-completed', id), where).toBe(true);
    if (a === 'skipped' && b !== 'skipped') expect(said('milestone-skipped', id), where).toBe(true);
    if ((b === 'done' || b === 'skipped') && (a === 'open' || a === 'blocked')) expect(said('milestone-reopened', id), where).toBe(true);
    if (b === 'blocked' && a === 'open') expect(said('milestone-opened', id), where).toBe(true);
  }
  for (const e of effects.events) {
    if (e.type === 'milestone-completed') {
      expect(after.milestones[e.milestone]?.status).toBe('done');
      expect(e.late, `${e.milestone} late flag`).toBe(e.dueOn !== undefined && e.completedOn > e.dueOn);
    }
  }
  // Other campaigns are told only of a milestone completed in this very outcome.
  for (const inform of effects.informs)
    expect(said('milestone-completed', inform.milestone), `informs from ${inform.milestone}`).toBe(true);
  if (before.status !== after.status) {
    const expected = {
      paused: 'campaign-paused',
      active: 'campaign-resumed',
      cancelled: 'campaign-cancelled',
      completed: 'campaign-completed',
    } as const;
    expect(
      effects.events.some((e) => e.type === expected[after.status]),
      `${before.status} -> ${after.status}`,
    ).toBe(true);
  }
}

const rejections = new Map<string, number>();

const noEffects = (effects: Effects) => {
  expect(effects.events).toEqual([]);
  expect(effects.followOns).toEqual([]);
  for (const [kind, list] of Object.entries(effects)) expect(list, kind).toEqual([]);
};

/**
 * Runs a session. With `check`, every invariant is asserted after every step. With `roundTrip`, the
 * state is carried through JSON and the schema before every step, as continue-as-new does.
 */
function simulate(template: Template, plan: StartPlan, ops: Op[], options: { check: boolean; roundTrip?: boolean }): Trace {
  const { start, now: startedAt } = buildStart(template, plan);
  let now = startedAt;
  let outcome;
  try {
    outcome = startCampaign(start, now);
  } catch (err) {
    if (!(err instanceof StartError)) throw err;
    if (options.check) {
      seen.startErrors++;
      expect(err.problems.length).toBeGreaterThan(0);
    }
    return { startError: err.problems, steps: [] };
  }
  let state = outcome.state;
  const steps: Step[] = [{ kind: 'start', effects: outcome.effects, state }];
  const checker = new Checker();
  const used: string[] = [];
  if (options.check) {
    seen.starts++;
    checker.events(outcome.effects, state, now);
    // Every milestone starts blocked; what the start made of them is announced.
    const initial: CampaignState = {
      ...state,
      status: 'active',
      milestones: Object.fromEntries(
        Object.keys(state.milestones).map((id) => [
          id,
          { id, status: 'blocked', extensions: [], remindersSent: [], overdueNotified: false },
        ]),
      ),
    };
    checkAnnounced(initial, state, outcome.effects);
    checkInvariants(state, dateOfInstant(now), true);
  }

  for (const op of ops) {
    now += op.advanceHours * HOUR;
    const today = dateOfInstant(now);
    if (options.roundTrip) state = campaignStateSchema.parse(JSON.parse(JSON.stringify(state)));
    const before = options.check ? JSON.stringify(state) : '';
    let settled = true;
    if (op.kind === 'tick') {
      const o = tick(state, now);
      steps.push({ kind: 'tick', effects: o.effects, state: o.state });
      if (options.check) {
        expect(JSON.stringify(state), 'tick mutated its input').toBe(before);
        checker.events(o.effects, o.state, now);
        checkAnnounced(state, o.state, o.effects);
        // The workflow keeps a tick's state only when it emitted events: a silent tick changes nothing.
        if (o.effects.events.length === 0) expect(o.state).toEqual(state);
        // Settling is idempotent: a second tick at the same time emits nothing and changes nothing.
        const again = tick(o.state, now);
        noEffects(again.effects);
        expect(again.state).toEqual(o.state);
      }
      state = o.state;
    } else {
      const command = materialize(op, template, state, today, used);
      const previous = state.requests[command.requestId];
      const o = applyCommand(state, command, now);
      settled = o.result.ok && !previous;
      steps.push({ kind: command.type, command, result: o.result, effects: o.effects, state: o.state });
      if (options.check) {
        expect(JSON.stringify(state), 'applyCommand mutated its input').toBe(before);
        if (previous) {
          // A repeated request id returns the first result and changes nothing.
          seen.repeats++;
          expect(o.result).toEqual(previous);
          expect(o.state).toBe(state);
          noEffects(o.effects);
        } else if (!o.result.ok) {
          // A rejected command changes nothing and emits nothing.
          seen.rejected++;
          const reason = `${command.type}: ${o.result.message.replace(/"[^"]*"|\d[\d-]*|P\w+/g, '…').slice(0, 60)}`;
          rejections.set(reason, (rejections.get(reason) ?? 0) + 1);
          expect(o.result.message.length).toBeGreaterThan(0);
          expect(o.state).toBe(state);
          noEffects(o.effects);
        } else {
          seen.accepted++;
          expect(o.result.events).toEqual(o.effects.events.map((e) => e.sequence));
          expect(o.effects.events.length).toBeGreaterThan(0);
          expect(o.state.requests[command.requestId]).toEqual(o.result);
          // An accepted command settles the campaign: a tick at the same time has nothing left to do.
          noEffects(tick(o.state, now).effects);
        }
        checker.events(o.effects, o.state, now);
        checkAnnounced(state, o.state, o.effects);
      }
      state = o.state;
    }
    if (options.check) checkInvariants(state, today, settled);
  }
  return { steps };
}

const sessionArb = templateArb.chain((template) =>
  fc.record({
    template: fc.constant(template),
    plan: startPlanArb(template.milestones.length),
    ops: fc.array(opArb, { minLength: 1, maxLength: 30 }),
  }),
);

// Generous: the suite takes a few seconds, a loaded CI machine may take several times longer.
const TIMEOUT = { timeout: 120_000 };

describe('campaign state machine properties', () => {
  it('random valid templates parse and every generated start request is well-formed', TIMEOUT, () => {
    fc.assert(
      fc.property(templateArb, startPlanArb(8), (template, plan) => {
        const { start } = buildStart(template, { ...plan, prior: plan.prior.slice(0, template.milestones.length) });
        expect(start.template).toEqual(template);
      }),
      propertyRuns(100),
    );
  });

  it('no sequence of commands and ticks breaks an invariant', TIMEOUT, () => {
    fc.assert(
      fc.property(sessionArb, ({ template, plan, ops }) => {
        simulate(template, plan, ops, { check: true });
      }),
      { seed: FC_SEED, numRuns: NUM_RUNS },
    );
    // The sessions reached the interesting cases.
    if (process.env.SHOW_COVERAGE)
      console.log(
        seen,
        [...rejections].sort((a, b) => b[1] - a[1]),
      );
    expect(seen.starts).toBeGreaterThan(NUM_RUNS * 0.7);
    for (const key of [
      'accepted',
      'rejected',
      'repeats',
      'completions',
      'automatic',
      'alternatives',
      'reminders',
      'overdue',
      'reopened',
      'extended',
      'notApplicable',
      'campaignsCompleted',
      'followOns',
    ] as const)
      expect(seen[key], key).toBeGreaterThan(3);
  });

  it('is deterministic, also when the state is carried across continue-as-new before every step', TIMEOUT, () => {
    fc.assert(
      fc.property(sessionArb, ({ template, plan, ops }) => {
        const first = simulate(template, plan, ops, { check: false });
        const second = simulate(template, plan, ops, { check: false });
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
        const carried = simulate(template, plan, ops, { check: false, roundTrip: true });
        expect(carried.startError).toEqual(first.startError);
        expect(carried.steps.map((s) => [s.result, s.effects])).toEqual(first.steps.map((s) => [s.result, s.effects]));
        expect(carried.steps.map((s) => s.state)).toEqual(first.steps.map((s) => s.state));
      }),
      { seed: FC_SEED, numRuns: NUM_RUNS / 2 },
    );
  });

  it('nextWakeUp names the first day something happens by itself: nothing before it, something on it', TIMEOUT, () => {
    fc.assert(
      fc.property(sessionArb, ({ template, plan, ops }) => {
        const trace = simulate(template, plan, ops, { check: false });
        let now = buildStart(template, plan).now;
        trace.steps.forEach((step, i) => {
          if (i > 0) now += (ops[i - 1]?.advanceHours ?? 0) * HOUR;
          const { state } = step;
          // The state may be unsettled (time passed with only rejected commands): due work is then named
          // with a day not after today, so the workflow's timer fires at once.
          const pendingNow = tick(state, now).effects.events.length > 0;
          const wake = nextWakeUp(state, now);
          if (wake === undefined) {
            // Nothing will ever happen by itself, even years later.
            expect(pendingNow).toBe(false);
            noEffects(tick(state, now + 5 * 365 * 24 * HOUR).effects);
            return;
          }
          expect(wake).toBe(startOfDay(dateOfInstant(wake)));
          expect(state.status === 'active' || state.status === 'paused').toBe(true);
          expect(wake <= now, `wake-up ${new Date(wake).toISOString()} vs now ${new Date(now).toISOString()}`).toBe(pendingNow);
          if (pendingNow) return;
          noEffects(tick(state, wake - 1).effects);
          expect(tick(state, wake).effects.events.length, `nothing happened at ${new Date(wake).toISOString()}`).toBeGreaterThan(0);
        });
      }),
      { seed: FC_SEED, numRuns: NUM_RUNS / 2 },
    );
  });

  it('a refused command, whatever its fields, leaves the state deep-equal to before and emits nothing', TIMEOUT, () => {
    const refused = new Map<string, number>();
    fc.assert(
      fc.property(sessionArb, fc.array(oddCommandArb, { minLength: 1, maxLength: 8 }), ({ template, plan, ops }, odd) => {
        const trace = simulate(template, plan, ops, { check: false });
        let now = buildStart(template, plan).now;
        trace.steps.forEach((step, i) => {
          if (i > 0) now += (ops[i - 1]?.advanceHours ?? 0) * HOUR;
          const parsed = campaignCommandSchema.safeParse(oddCommand(odd[i % odd.length] as OddCommand, template));
          if (!parsed.success) return;
          const before = structuredClone(step.state);
          const o = applyCommand(step.state, parsed.data, now);
          // Accepted or not, the state given is never changed; the result is a real result.
          expect(step.state).toEqual(before);
          expect(commandResultSchema.parse(o.result)).toEqual(o.result);
          if (o.result.ok) return;
          refused.set(o.result.code, (refused.get(o.result.code) ?? 0) + 1);
          expect(o.result.message.trim()).not.toBe('');
          expect(o.state).toBe(step.state);
          expect(o.state).toEqual(before);
          noEffects(o.effects);
        });
      }),
      { seed: FC_SEED, numRuns: NUM_RUNS / 2 },
    );
    // Every kind of refusal was reached.
    for (const code of ['invalid', 'forbidden', 'not-found', 'conflict', 'precondition'])
      expect(refused.get(code), code).toBeGreaterThan(3);
  });
});

interface OddCommand {
  type: CampaignCommand['type'];
  requestId: string;
  role: string;
  milestone: number | string;
  date: string;
  by: string;
  name: string;
  value: string | number | boolean;
  text: string;
  evidence: [string, string][];
}

/** Commands with any field odd: prototype keys as ids and names, unknown steps, awkward text, future dates. */
const oddCommandArb: fc.Arbitrary<OddCommand> = fc.record({
  type: fc.constantFrom<CampaignCommand['type']>(
    'complete',
    'skip',
    'reopen',
    'assign',
    'note',
    'extend',
    'pause',
    'resume',
    'cancel',
    'set-input',
  ),
  requestId: fc.oneof(fc.constantFrom(...prototypeKeys, 'r-0', 'r-1'), awkwardString),
  role: fc.constantFrom('viewer', 'staff', 'programme-lead', 'system'),
  milestone: fc.oneof(fc.nat({ max: 12 }), fc.constantFrom('constructor', 'no-such-step', 'hasownproperty')),
  date: fc.integer({ min: -4000, max: 400 }).map((d) => plusDays('2025-01-01', d)),
  by: fc.constantFrom('P1D', 'P6M', 'P1Y', 'P3Y', 'P0D', 'PT1H'),
  name: fc.constantFrom('mode', 'flag', 'since', 'delay', 'budget', ...prototypeKeys),
  value: fc.oneof(fc.constantFrom(...MODES, ...POSTPONEMENTS, '2020-01-01'), awkwardString, fc.integer(), fc.boolean()),
  text: fc.oneof(fc.constant('because'), awkwardString),
  evidence: fc.array(
    fc.tuple(
      fc.constantFrom('documentUrl', 'instrumentKind', 'lawNumber', ...prototypeKeys),
      fc.oneof(fc.constant('https://example.org/x'), awkwardString),
    ),
    { maxLength: 3 },
  ),
});

function oddCommand(odd: OddCommand, template: Template): unknown {
  const ids = template.milestones.map((m) => m.id);
  return {
    type: odd.type,
    requestId: odd.requestId,
    actor: { id: 'odd', role: odd.role },
    milestone: typeof odd.milestone === 'number' ? (ids[odd.milestone % ids.length] as string) : odd.milestone,
    date: odd.date,
    evidence: Object.fromEntries(odd.evidence),
    reason: odd.text,
    owner: odd.text,
    text: odd.text,
    by: odd.by,
    legalBasis: odd.text,
    name: odd.name,
    value: odd.value,
  };
}
