import type { CampaignView, DomainEvent } from '../../../shared/campaign/index.js';
import { toPublishedEvent, type PublishedEvent } from '../../../shared/events/published-event.js';
import type { TrackedCampaign } from './driver.js';
import { compareWithView, eventSignature, isTimerEvent, replayCampaign } from './replay.js';

/**
 * The checks after recovery, per campaign:
 * - exactly the accepted commands are in its history, once each, in the order they were accepted, and
 *   none of the refused ones;
 * - its state is what the pure machine makes of its start and the accepted commands at the instants the
 *   workflow applied them, with time passing up to now (statuses, dates, reminders sent, sequence...);
 * - its events in the stream are 1..N in order, none missing or repeated, N its sequence, and each the
 *   event the machine emitted with that number (so every timer that fell due fired once).
 */
export interface CampaignCheck {
  campaignId: string;
  problems: string[];
  events: number;
  timerEvents: DomainEvent[];
  /** Timers of the campaign's workflow that fell due (wake-ups of the machine). */
  wakeUps: number;
  accepted: number;
  refused: number;
}

export function checkCampaign(campaign: TrackedCampaign, view: CampaignView, stored: PublishedEvent[], until: number): CampaignCheck {
  const problems: string[] = [];
  const accepted = campaign.commands.filter((c) => c.answer?.kind === 'accepted');
  const refused = campaign.commands.filter((c) => c.answer?.kind === 'refused');
  const pending = campaign.commands.filter((c) => !c.answer);
  if (pending.length) problems.push(`commands without a definitive answer: ${pending.map((c) => c.key).join(', ')}`);

  // Request ids in the order the workflow applied them, each with the instant it did.
  const applied: { requestId: string; at: number }[] = [];
  for (const h of view.history) {
    if (!h.requestId) continue;
    if (applied.at(-1)?.requestId === h.requestId) continue; // one command, several entries (a reopen)
    if (applied.some((a) => a.requestId === h.requestId)) problems.push(`request ${h.requestId} applied twice`);
    applied.push({ requestId: h.requestId, at: Date.parse(h.at) });
  }
  const acceptedIds = accepted.map((c) => c.requestId);
  if (JSON.stringify(applied.map((a) => a.requestId)) !== JSON.stringify(acceptedIds))
    problems.push(
      `applied requests ${JSON.stringify(applied.map((a) => a.requestId))} differ from the accepted ones ${JSON.stringify(acceptedIds)}`,
    );
  for (const r of refused)
    if (applied.some((a) => a.requestId === r.requestId))
      problems.push(`refused request ${r.requestId} (${r.answer?.kind === 'refused' ? r.answer.code : ''}) was applied`);

  const started = view.history[0];
  if (started?.action !== 'campaign started') problems.push(`history does not begin with the start: ${JSON.stringify(started)}`);
  let timerEvents: DomainEvent[] = [];
  let wakeUps = 0;
  if (problems.length === 0 && started) {
    const at = new Map(applied.map((a) => [a.requestId, a.at]));
    try {
      const replay = replayCampaign({
        start: campaign.start,
        startedAt: Date.parse(started.at),
        commands: accepted.map((c) => ({ command: c.command, at: at.get(c.requestId) ?? 0 })),
        until,
      });
      timerEvents = replay.timerEvents.filter(isTimerEvent);
      wakeUps = replay.wakeUps;
      problems.push(...compareWithView(view, replay.state));
      problems.push(...compareEvents(stored, replay.events, view.sequence));
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  return {
    campaignId: campaign.campaignId,
    problems,
    events: stored.length,
    timerEvents,
    wakeUps,
    accepted: accepted.length,
    refused: refused.length,
  };
}

function compareEvents(stored: PublishedEvent[], expected: DomainEvent[], sequence: number): string[] {
  const problems: string[] = [];
  const sequences = stored.map((e) => e.sequence);
  const wanted = Array.from({ length: sequence }, (_, i) => i + 1);
  if (JSON.stringify(sequences) !== JSON.stringify(wanted)) {
    const seen = new Set<number>();
    const repeated = sequences.filter((s) => seen.has(s) || !seen.add(s));
    const missing = wanted.filter((s) => !seen.has(s));
    problems.push(
      `stream sequences are not 1..${sequence} in order: ${stored.length} events` +
        `${repeated.length ? `, repeated ${repeated.join(',')}` : ''}${missing.length ? `, missing ${missing.join(',')}` : ''}` +
        `${repeated.length || missing.length ? '' : `, out of order: ${sequences.join(',')}`}`,
    );
  }
  if (expected.length !== sequence) problems.push(`the machine emitted ${expected.length} events, the campaign's sequence is ${sequence}`);
  for (const emitted of expected) {
    // The stream holds the published form (no free text); compare like with like.
    const e = toPublishedEvent(emitted);
    const got = stored.find((s) => s.sequence === e.sequence);
    if (got && eventSignature(got) !== eventSignature(e))
      problems.push(`event ${e.sequence}: stream ${eventSignature(got)}, machine ${eventSignature(e)}`);
  }
  return problems;
}

export { isTimerEvent };
