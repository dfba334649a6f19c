import { ApplicationFailure, allHandlersFinished, condition, log, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { z } from 'zod';
import {
  applyCommand,
  campaignCommandSchema,
  commandSignal,
  commandUpdate,
  nextWakeUp,
  startCampaign,
  startCampaignSchema,
  StartError,
  tick,
  viewCampaign,
  viewQuery,
  type CampaignCommand,
  type CampaignState,
  type DomainEvent,
  type Effects,
  type FollowOnRequest,
  type InformRequest,
  type MachineOptions,
  type StartCampaign,
} from '../shared/campaign/index.js';
import { checkCommand } from '../shared/campaign/validate-command.js';
import { dateOfInstant } from '../shared/dates.js';
import { searchAttributesOf } from '../shared/campaign/search.js';
import { continueAsNewCheck, continueAsNewWhenIdle, continuedSchema, type Continued } from './continue-as-new.js';
import { startFollowOnStarter } from './follow-ons.js';
import { startPublisher } from './outbox.js';
import { formatIssues } from '../shared/validation.js';

/**
 * One generic workflow runs every campaign: a thin shell around the pure state machine in
 * `shared/campaign`. Commands arrive as updates (validated before they enter history) or signals;
 * time passes through a single timer set to the next day something happens; effects become
 * activities (event publishing, template lookup) and child workflows (follow-on campaigns), run by
 * two coroutines beside this file: the outbox's publisher (`outbox.ts`) and the follow-on starter
 * (`follow-ons.ts`). A long history continues as new (`continue-as-new.ts`).
 */

export type CampaignWorkflowInput =
  { start: StartCampaign; continueAsNewAfter?: number } | { continued: Continued; continueAsNewAfter?: number };

export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<ReturnType<typeof viewCampaign>> {
  let state: CampaignState;
  const outbox: DomainEvent[] = [];
  const followOnQueue: FollowOnRequest[] = [];
  const informQueue: InformRequest[] = [];
  let changes = 0;

  const take = (effects: Effects) => {
    outbox.push(...effects.events);
    followOnQueue.push(...effects.followOns);
    informQueue.push(...effects.informs);
    changes += 1;
  };

  // Behaviour changes for running campaigns: a history recorded before a change replays without it.
  const behaviour: MachineOptions = { announceBlocked: patched('milestone-blocked-event') };

  if ('start' in input) {
    try {
      const outcome = startCampaign(startCampaignSchema.parse(input.start), Date.now(), behaviour);
      state = outcome.state;
      take(outcome.effects);
    } catch (err) {
      if (err instanceof StartError || err instanceof z.ZodError) throw ApplicationFailure.nonRetryable(err.message, 'invalid-start');
      throw err;
    }
  } else {
    const continued = continuedSchema.parse(input.continued);
    state = continued.state;
    outbox.push(...continued.outbox);
    followOnQueue.push(...continued.followOns);
    informQueue.push(...continued.informs);
  }

  // Upsert only what changed: every upsert is a history event.
  const published = new Map<string, unknown>();
  const refreshSearchAttributes = () => {
    const changed = searchAttributesOf(viewCampaign(state, Date.now())).filter((p) => published.get(p.key.name) !== p.value);
    if (changed.length === 0) return;
    upsertSearchAttributes(changed);
    for (const p of changed) published.set(p.key.name, p.value);
  };
  refreshSearchAttributes();

  const parseCommand = (raw: unknown): CampaignCommand => {
    const parsed = campaignCommandSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = formatIssues(parsed.error);
      throw ApplicationFailure.create({ type: 'invalid', message: issues.join('; '), nonRetryable: true, details: [issues] });
    }
    return parsed.data;
  };

  const execute = (cmd: CampaignCommand) => {
    const outcome = applyCommand(state, cmd, Date.now(), behaviour);
    state = outcome.state;
    take(outcome.effects);
    refreshSearchAttributes();
    return outcome.result;
  };

  setHandler(viewQuery, () => viewCampaign(state, Date.now()));
  setHandler(commandUpdate, (raw) => execute(parseCommand(raw)), {
    validator: (raw) => {
      const cmd = parseCommand(raw);
      if (Object.hasOwn(state.requests, cmd.requestId)) return; // a repeat: the handler returns the first result
      const rejection = checkCommand(state, cmd, dateOfInstant(Date.now()));
      if (rejection) throw ApplicationFailure.create({ type: rejection.code, message: rejection.message, nonRetryable: true });
    },
  });
  setHandler(commandSignal, (raw) => {
    // Fire-and-forget callers get no answer, so bad commands are logged and dropped, never fatal.
    const parsed = campaignCommandSchema.safeParse(raw);
    if (!parsed.success) {
      log.warn('dropped invalid command signal', { issues: formatIssues(parsed.error) });
      return;
    }
    const result = execute(parsed.data);
    if (!result.ok) log.warn('rejected command signal', { requestId: result.requestId, code: result.code, reason: result.message });
  });

  const publisher = startPublisher(outbox);
  const followOnStarter = startFollowOnStarter({ followOns: followOnQueue, informs: informQueue }, () => state, campaignWorkflow);

  const threshold = input.continueAsNewAfter;
  const shouldContinueAsNew = continueAsNewCheck(threshold);
  const finished = () => state.status === 'completed' || state.status === 'cancelled';

  while (!finished()) {
    const seen = changes;
    const wake = nextWakeUp(state, Date.now());
    const timeout = wake === undefined ? undefined : Math.max(0, wake - Date.now());
    await condition(() => changes !== seen || shouldContinueAsNew(), timeout);
    const outcome = tick(state, Date.now(), behaviour);
    if (outcome.effects.events.length > 0) {
      state = outcome.state;
      take(outcome.effects);
    }
    refreshSearchAttributes();
    if (shouldContinueAsNew() && !finished())
      await continueAsNewWhenIdle(
        [publisher, followOnStarter],
        () => ({ state, outbox: [...outbox], followOns: [...followOnQueue], informs: [...informQueue] }),
        threshold,
      );
  }
  // Finished: deliver what is left, then close. Follow-ons outlive this workflow (ABANDON).
  await condition(() => outbox.length === 0 && followOnQueue.length === 0 && informQueue.length === 0 && allHandlersFinished());
  return viewCampaign(state, Date.now());
}
