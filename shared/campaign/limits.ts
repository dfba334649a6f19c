import type { CampaignCommand } from './commands.js';
import type { CampaignState } from './state.js';

/**
 * Bounds on what a campaign carries. Its state travels whole in every view query's answer, every update's
 * result and across continue-as-new, and Temporal refuses a payload over 2 MB (its default blob size
 * limit): a campaign past that could no longer be read or continued. The only parts that grow with use
 * are the history (notes, reasons, evidence, one entry per change) and the remembered request ids.
 */

/**
 * Characters of history a campaign may hold: half of Temporal's payload limit, leaving room for the
 * template snapshot, the milestones and the remembered requests (and for encryption's overhead). About
 * 250 notes of the longest kind, or several thousand of a few lines each.
 */
export const HISTORY_BUDGET = 1_000_000;

/**
 * Accepted request ids whose results a campaign remembers, so a retried request gets the first answer.
 * The oldest are forgotten first; a retry comes within minutes, not after a thousand other changes.
 */
export const REQUESTS_REMEMBERED = 1_000;

/** What an entry costs besides its text: date, actor, action, milestone and request id, as JSON. */
const ENTRY_OVERHEAD = 160;

/** The size a campaign's history counts against `HISTORY_BUDGET`. */
export function historySize(state: Pick<CampaignState, 'history'>): number {
  let size = 0;
  for (const entry of state.history) size += ENTRY_OVERHEAD + (entry.detail?.length ?? 0);
  return size;
}

/**
 * Commands that only change the campaign's course are always taken, however full its history: a
 * campaign can still be paused, resumed or cancelled.
 */
const alwaysTaken = new Set<CampaignCommand['type']>(['pause', 'resume', 'cancel']);

/** Why the command would take the history past its budget, or undefined when it fits. */
export function historyFull(state: Pick<CampaignState, 'history'>, cmd: CampaignCommand): string | undefined {
  if (alwaysTaken.has(cmd.type)) return undefined;
  const used = historySize(state);
  // What the command can add: its text fields and an entry or two; its JSON is an upper bound.
  const adds = JSON.stringify(cmd).length + 2 * ENTRY_OVERHEAD;
  if (used + adds <= HISTORY_BUDGET) return undefined;
  const kb = (n: number) => `${Math.round(n / 1000)} KB`;
  return (
    `the campaign's history is full: it holds ${kb(used)} of notes, reasons and evidence, and a campaign may hold ` +
    `${kb(HISTORY_BUDGET)} (Temporal's payload limit). Keep long texts outside the engine and give their address as ` +
    `evidence, or record the rest in a follow-up campaign; pausing, resuming and cancelling still work`
  );
}

/** Forgets the oldest remembered requests past `REQUESTS_REMEMBERED` (insertion order, so deterministic). */
export function forgetOldRequests(requests: Record<string, unknown>): void {
  const ids = Object.keys(requests);
  for (let i = 0; i < ids.length - REQUESTS_REMEMBERED; i++) delete requests[ids[i] as string];
}
