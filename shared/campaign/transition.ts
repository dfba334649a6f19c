import { dateOfInstant, type IsoDate } from '../dates.js';
import type { Actor } from '../ids.js';
import type { Milestone } from '../template/schema.js';
import type { DomainEvent, EventCommon } from './domain-events.js';
import type { Effects } from './effects.js';
import type { ScheduleFacts } from './schedule.js';
import type { CampaignState, MilestoneState } from './state.js';

export const systemActor: Actor = { id: 'engine', role: 'system' };

type EventBody<E extends DomainEvent = DomainEvent> = E extends DomainEvent ? Omit<E, keyof EventCommon> : never;

/**
 * Behaviour changes for campaigns already running. The workflow decides each with `patched()`, so a
 * replayed history keeps the behaviour it was recorded with; pure callers get today's behaviour.
 */
export interface MachineOptions {
  /** Announce an open milestone that becomes blocked again (its dependency was reopened). */
  announceBlocked?: boolean;
}

export const currentBehaviour: Required<MachineOptions> = { announceBlocked: true };

/**
 * A mutable working copy for one transition. Transitions are pure from the outside: they clone the
 * state, change the clone through this object, and return it with the effects.
 */
export class Transition {
  readonly state: CampaignState;
  readonly effects: Effects = { events: [], followOns: [], informs: [] };
  readonly today: IsoDate;
  readonly at: string;

  constructor(
    state: CampaignState,
    readonly now: number,
    readonly options: Required<MachineOptions> = currentBehaviour,
  ) {
    // JSON round trip, not structuredClone: the workflow sandbox has no structuredClone, and the
    // state is plain JSON by construction (it travels through continue-as-new).
    this.state = JSON.parse(JSON.stringify(state)) as CampaignState;
    this.today = dateOfInstant(now);
    this.at = new Date(now).toISOString();
  }

  milestone(id: string): MilestoneState {
    const m = this.state.milestones[id];
    if (!m) throw new Error(`unknown milestone ${id}`);
    return m;
  }

  def(id: string): Milestone {
    const m = this.state.template.milestones.find((x) => x.id === id);
    if (!m) throw new Error(`unknown milestone ${id}`);
    return m;
  }

  facts(): ScheduleFacts {
    return scheduleFacts(this.state);
  }

  emit(body: EventBody, actor?: Actor): number {
    const s = this.state;
    s.sequence += 1;
    const event: DomainEvent = {
      ...body,
      campaignId: s.campaignId,
      templateId: s.template.id,
      templateVersion: s.template.version,
      country: s.country,
      region: s.region,
      sequence: s.sequence,
      occurredAt: this.at,
      ...(actor ? { actor } : {}),
    };
    this.effects.events.push(event);
    return s.sequence;
  }

  record(actor: Actor, action: string, extra: { milestone?: string; detail?: string; requestId?: string } = {}): void {
    this.state.history.push({ at: this.at, actor, action, ...extra });
  }
}

export function scheduleFacts(state: CampaignState): ScheduleFacts {
  const completedOn: Record<string, IsoDate | undefined> = {};
  for (const [id, m] of Object.entries(state.milestones)) if (m.status === 'done') completedOn[id] = m.completedOn;
  return { startDate: state.startDate, inputs: state.inputs, completedOn };
}

/** A dependency is satisfied when it is done or skipped. */
export function dependenciesMet(state: CampaignState, def: Milestone): boolean {
  return def.dependsOn.every((d) => {
    const s = state.milestones[d]?.status;
    return s === 'done' || s === 'skipped';
  });
}
