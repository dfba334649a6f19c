import { checkCommand } from '../../../shared/campaign/validate-command.js';
import type { CampaignCommand, CampaignState } from '../../../shared/campaign/index.js';
import { dateOfInstant, maxDate, subtractDuration } from '../../../shared/dates.js';
import type { Actor } from '../../../shared/ids.js';
import type { Random } from '../random.js';
import type { CommandBody, Who } from './interfaces.js';

/**
 * What the run asks of a campaign next, chosen from the campaign as the pure machine sees it: mostly
 * commands the machine would accept (complete an open milestone, skip an optional one, reopen, extend a
 * deadline, assign, note, pause and resume), and now and then one it must refuse (completing a blocked
 * milestone), which must then change nothing. The last milestone of each template is never completed,
 * so that campaigns stay open; nothing cancels a campaign.
 */
export interface Planned {
  body: CommandBody;
  who: Who;
  /** What the machine says now; the engine's answer decides. */
  expected: 'accepted' | 'refused';
}

export function planCommand(rnd: Random, state: CampaignState, now: number, finalMilestone: string, actorOf: (who: Who) => Actor): Planned {
  const today = dateOfInstant(now);
  const defs = state.template.milestones;
  const options: [() => Omit<Planned, 'expected'>, number][] = [];
  const completedOn = (id: string) => state.milestones[id]?.completedOn;
  for (const def of defs) {
    const m = state.milestones[def.id];
    if (!m) continue;
    const pending = m.status === 'open' || m.status === 'blocked';
    if (m.status === 'open' && !def.automatic && def.id !== finalMilestone) {
      // The real day it happened: today, or a few days back, never before what it depends on.
      const earliest = def.dependsOn.map(completedOn).reduce<string>((a, b) => (b ? maxDate(a, b) : a), state.startDate);
      const back = rnd.chance(0.3) ? rnd.int(1, 5) : 0;
      const date = maxDate(earliest, subtractDuration(today, `P${back}D`));
      options.push([() => ({ who: 'lead', body: { type: 'complete', milestone: def.id, date, evidence: {} } }), 6]);
    }
    if (m.status === 'open' && def.optional)
      options.push([() => ({ who: 'lead', body: { type: 'skip', milestone: def.id, reason: 'not needed this time' } }), 1]);
    if ((m.status === 'done' && !def.automatic) || (m.status === 'skipped' && m.skipCause === 'manual'))
      options.push([() => ({ who: 'lead', body: { type: 'reopen', milestone: def.id, reason: 'recorded too early' } }), 1]);
    if (pending && m.dueOn && def.deadline?.maxExtension)
      options.push([
        () => ({
          who: 'lead',
          body: { type: 'extend', milestone: def.id, by: 'P7D', reason: 'more time granted', legalBasis: 'fault-run rule 8' },
        }),
        1,
      ]);
    if (pending) {
      options.push([
        () => ({
          who: rnd.pick(['lead', 'staff'] as const),
          body: { type: 'assign', milestone: def.id, owner: rnd.pick(['ana', 'sari', 'tomas']) },
        }),
        1,
      ]);
      options.push([
        () => ({ who: rnd.pick(['lead', 'staff'] as const), body: { type: 'note', milestone: def.id, text: 'call with the ministry' } }),
        1,
      ]);
    }
    if (m.status === 'blocked' && !def.automatic && def.id !== finalMilestone)
      options.push([() => ({ who: 'lead', body: { type: 'complete', milestone: def.id, date: today, evidence: {} } }), 0.4]);
  }
  options.push([() => ({ who: rnd.pick(['lead', 'staff'] as const), body: { type: 'note', text: 'campaign note' } }), 1]);
  if (state.status === 'active') options.push([() => ({ who: 'lead', body: { type: 'pause', reason: 'elections' } }), 0.3]);
  if (state.status === 'paused') options.push([() => ({ who: 'lead', body: { type: 'resume' } }), 4]);

  const plan = rnd.weighted(options)();
  const command: CampaignCommand = { ...plan.body, requestId: 'planned', actor: actorOf(plan.who) };
  return { ...plan, expected: checkCommand(state, command, today) ? 'refused' : 'accepted' };
}
