import type { Template } from '../template/validate.js';
import type { InformRequest } from './effects.js';
import type { DomainEvent } from './domain-events.js';

export interface InformCampaignsRequest extends InformRequest {
  sourceCampaignId: string;
  country: string;
}

/** The I/O the campaign workflow asks for; implemented in `activities/`, typed here for the workflow. */
export interface CampaignActivities {
  /** Publishes events in order, idempotently (message id = campaign id + sequence). */
  publishEvents(events: DomainEvent[]): Promise<{ published: number; duplicates: number }>;
  /** Snapshot of a template, for a follow-on campaign; newest version when `version` is absent. */
  resolveTemplate(id: string, version?: number): Promise<Template>;
  /** Sets inputs on the running campaigns of a template for a country; returns how many were told. */
  informCampaigns(request: InformCampaignsRequest): Promise<number>;
}
