import type { DomainEvent } from './domain-events.js';

/** A follow-on campaign the workflow must start as a child (template resolved by an activity). */
export interface FollowOnRequest {
  milestone: string;
  templateId: string;
  templateVersion?: number;
  campaignId: string;
  inputs: Record<string, string | number | boolean>;
}

/** Inputs to set on the running campaigns of another template for the same state. */
export interface InformRequest {
  milestone: string;
  templateId: string;
  /** One campaign to inform (a follow-on after a correction); absent: every running one of the template. */
  campaignId?: string;
  /** Sequence at the time, making the request ids of the resulting commands unique and stable. */
  sequence: number;
  inputs: Record<string, string | number | boolean>;
}

/** What a transition asks the outside world to do; timers are derived from state by `nextWakeUp`. */
export interface Effects {
  events: DomainEvent[];
  followOns: FollowOnRequest[];
  informs: InformRequest[];
}
