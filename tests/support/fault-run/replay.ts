import type { PublishedEvent } from '../../../shared/events/published-event.js';
import {
  applyCommand,
  nextWakeUp,
  startCampaign,
  tick,
  type CampaignCommand,
  type CampaignState,
  type CampaignView,
  type CommandResult,
  type DomainEvent,
} from '../../../shared/campaign/index.js';
import type { StartCampaign } from '../../../shared/campaign/state.js';

/**
 * The pure state machine run over what a campaign accepted, as the workflow runs it: the start, then
 * each accepted command at the instant the workflow applied it, with a tick at every wake-up in between
 * (the workflow's single timer), and up to `until`. What it yields is what the campaign must be, and
 * the events it must have published, in order.
 */
export interface ReplayInput {
  start: StartCampaign;
  startedAt: number;
  commands: { command: CampaignCommand; at: number }[];
  until: number;
}

export interface Replay {
  state: CampaignState;
  events: DomainEvent[];
  /** Events the passing of time caused (reminders, overdue notices, automatic completions). */
  timerEvents: DomainEvent[];
  /** Wake-ups that fell due: each one firing of the workflow's timer. */
  wakeUps: number;
}

export function replayCampaign(input: ReplayInput): Replay {
  const started = startCampaign(input.start, input.startedAt);
  let clock: Clocked = { state: started.state, now: input.startedAt };
  const events: DomainEvent[] = [...started.effects.events];
  const timerEvents: DomainEvent[] = [];
  let wakeUps = 0;
  const advance = (to: number) => {
    const passed = advanceTo(clock, to);
    clock = passed;
    wakeUps += passed.wakeUps;
    events.push(...passed.events);
    timerEvents.push(...passed.events);
  };
  for (const { command, at } of input.commands) {
    advance(at);
    const applied = applyAt(clock, command, at);
    if (!applied.result.ok)
      throw new Error(
        `replay of ${clock.state.campaignId}: accepted command ${command.requestId} is refused by the machine: ${applied.result.message}`,
      );
    clock = applied;
    events.push(...applied.events);
  }
  advance(input.until);
  return { state: clock.state, events, timerEvents, wakeUps };
}

/** A campaign's state and the instant it is up to date with. */
export interface Clocked {
  state: CampaignState;
  now: number;
}

/** The passing of time up to `to`: a tick at every wake-up, as the workflow's timer does. */
export function advanceTo(from: Clocked, to: number): Clocked & { events: DomainEvent[]; wakeUps: number } {
  let { state, now } = from;
  const events: DomainEvent[] = [];
  for (let guard = 0; ; guard++) {
    const wake = nextWakeUp(state, now);
    if (wake === undefined || wake > to) return { state, now, events, wakeUps: guard };
    const at = Math.max(wake, now);
    const outcome = tick(state, at);
    // A wake-up that is due and changes nothing would make the workflow spin on zero-length timers.
    if ((outcome.effects.events.length === 0 && wake <= now) || guard > 10_000)
      throw new Error(`replay of ${state.campaignId}: a wake-up at ${new Date(wake).toISOString()} changes nothing`);
    state = outcome.state;
    events.push(...outcome.effects.events);
    now = at;
  }
}

/** A command at `at`, then the tick the workflow runs after every change. */
export function applyAt(from: Clocked, command: CampaignCommand, at: number): Clocked & { events: DomainEvent[]; result: CommandResult } {
  const now = Math.max(from.now, at);
  const outcome = applyCommand(from.state, command, now);
  const after = tick(outcome.state, now);
  return { state: after.state, now, events: [...outcome.effects.events, ...after.effects.events], result: outcome.result };
}

/** Differences between the campaign as the engine holds it and as the machine says it must be. */
export function compareWithView(view: CampaignView, expected: CampaignState): string[] {
  const out: string[] = [];
  const same = (what: string, actual: unknown, wanted: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted))
      out.push(`${what}: engine ${JSON.stringify(actual)}, machine ${JSON.stringify(wanted)}`);
  };
  same('status', view.status, expected.status);
  same('sequence', view.sequence, expected.sequence);
  same('startDate', view.startDate, expected.startDate);
  same('inputs', view.inputs, expected.inputs);
  for (const m of view.milestones) {
    const e = expected.milestones[m.id];
    if (!e) {
      out.push(`milestone ${m.id}: unknown to the machine`);
      continue;
    }
    same(`${m.id}.status`, m.status, e.status);
    same(`${m.id}.dueOn`, m.dueOn, e.dueOn);
    same(`${m.id}.completedOn`, m.completedOn, e.completedOn);
    same(`${m.id}.skipCause`, m.skipCause, e.skipCause);
    same(`${m.id}.owner`, m.owner, e.owner);
    same(
      `${m.id}.extensions`,
      m.extensions.map((x) => x.by),
      e.extensions.map((x) => x.by),
    );
    same(`${m.id}.remindersSent`, [...m.remindersSent].sort(), [...e.remindersSent].sort());
    same(`${m.id}.overdueNotified`, m.overdueNotified, e.overdueNotified);
  }
  same('milestones', view.milestones.map((m) => m.id).sort(), Object.keys(expected.milestones).sort());
  // The whole history but its instants: who did what, in which order, once.
  const entry = ({ at: _at, ...rest }: CampaignState['history'][number]) => stableJson(rest);
  const actual = view.history.map(entry);
  const wanted = expected.history.map(entry);
  const first = actual.findIndex((a, i) => a !== wanted[i]);
  if (first >= 0 || actual.length !== wanted.length) {
    const i = first >= 0 ? first : Math.min(actual.length, wanted.length);
    out.push(
      `history differs at entry ${i} of ${actual.length} (machine: ${wanted.length}): engine ${actual[i] ?? '(none)'}, machine ${wanted[i] ?? '(none)'}`,
    );
  }
  return out;
}

/** What identifies an event for the comparison: everything but the instant it was processed at. */
export function eventSignature(e: DomainEvent | PublishedEvent): string {
  const { occurredAt: _occurredAt, ...rest } = e;
  return stableJson(rest);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export const isTimerEvent = (e: DomainEvent | PublishedEvent): boolean =>
  e.type === 'reminder-due' || e.type === 'milestone-overdue' || (e.type === 'milestone-completed' && e.automatic);
