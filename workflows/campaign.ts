import { ApplicationFailure, allHandlersFinished, condition, log, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { z } from 'zod';
import {
  applyCommand,
  behaviourOf,
  campaignCommandSchema,
  checkCommandQuery,
  commandSignal,
  commandUpdate,
  nextWakeUp,
  recordProblem,
  solveProblem,
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
import { NEXT_DUE_PATCH, nextDueAttributeOf, searchAttributesOf } from '../shared/campaign/search.js';
import { continueAsNewCheck, continueAsNewWhenIdle, continuedSchema, type Continued } from './continue-as-new.js';
import { startFollowOnStarter, type Parked } from './follow-ons.js';
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

/** How long parked follow-on requests wait before they are tried again (unless the campaign changes first). */
const RETRY_PARKED_MS = 60 * 60 * 1000;

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
  const behaviour: MachineOptions = behaviourOf(patched);

  // A bad input never fails the workflow task (that would retry it forever, a campaign stuck half-born):
  // the run ends at once as Failed, with a non-retryable failure of type `invalid-start` that names every
  // problem. The campaign facade judges a start with the same pure start first, so only a start made
  // with Temporal directly gets here; lists show such a campaign as failed (docs/architecture.md).
  const refuse = (err: unknown): never => {
    if (err instanceof StartError)
      throw ApplicationFailure.create({ type: 'invalid-start', message: err.message, nonRetryable: true, details: [err.problems] });
    if (err instanceof z.ZodError) {
      const issues = formatIssues(err);
      throw ApplicationFailure.create({
        type: 'invalid-start',
        message: `invalid workflow input: ${issues.join('; ')}`,
        nonRetryable: true,
        details: [issues],
      });
    }
    throw err;
  };
  if ('start' in input) {
    try {
      const outcome = startCampaign(startCampaignSchema.parse(input.start), Date.now(), behaviour);
      state = outcome.state;
      take(outcome.effects);
    } catch (err) {
      refuse(err);
      throw err;
    }
  } else {
    let continued: z.output<typeof continuedSchema>;
    try {
      continued = continuedSchema.parse(input.continued);
    } catch (err) {
      refuse(err);
      throw err;
    }
    state = continued.state;
    outbox.push(...continued.outbox);
    followOnQueue.push(...continued.followOns);
    informQueue.push(...continued.informs);
  }

  // Upsert only what changed: every upsert is a history event. Dates compare by their instant.
  const published = new Map<string, unknown>();
  const comparable = (value: unknown) => (value instanceof Date ? value.getTime() : value);
  const refreshSearchAttributes = () => {
    const view = viewCampaign(state, Date.now());
    const pairs = searchAttributesOf(view);
    // Asked at every refresh, not once per run: a campaign started before the attribute replays its
    // history without it, then indexes itself at its first new activation (its next change or timer).
    if (patched(NEXT_DUE_PATCH)) pairs.push(nextDueAttributeOf(view));
    const changed = pairs.filter((p) => published.get(p.key.name) !== comparable(p.value));
    if (changed.length === 0) return;
    upsertSearchAttributes(changed);
    for (const p of changed) published.set(p.key.name, comparable(p.value));
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
  setHandler(checkCommandQuery, (raw) => {
    const parsed = campaignCommandSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, requestId: '', code: 'invalid', message: formatIssues(parsed.error).join('; ') };
    const cmd = parsed.data;
    const rejection = state.requests[cmd.requestId] ? undefined : checkCommand(state, cmd, dateOfInstant(Date.now()));
    return rejection ? { ok: false, requestId: cmd.requestId, ...rejection } : { ok: true, requestId: cmd.requestId, events: [] };
  });
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
  // Follow-ons and informs that failed for good wait here; they are retried on the campaign's next change,
  // hourly meanwhile, once more when it finishes, and carried across continue-as-new.
  const parked: Parked = { followOns: [], informs: [] };
  let retryParkedAt: number | undefined;
  const retryParked = () => {
    followOnQueue.unshift(...parked.followOns.splice(0));
    informQueue.unshift(...parked.informs.splice(0));
    retryParkedAt = undefined;
  };
  const followOnStarter = startFollowOnStarter({ followOns: followOnQueue, informs: informQueue }, parked, () => state, campaignWorkflow, {
    failed(subject, message) {
      log.warn('parked a follow-on request that failed for good', { kind: subject.kind, templateId: subject.templateId, message });
      state = recordProblem(state, subject, message, Date.now());
      retryParkedAt ??= Date.now() + RETRY_PARKED_MS;
    },
    done(subject) {
      state = solveProblem(state, subject, Date.now());
    },
  });

  const threshold = input.continueAsNewAfter;
  const shouldContinueAsNew = continueAsNewCheck(threshold);
  const finished = () => state.status === 'completed' || state.status === 'cancelled';

  while (!finished()) {
    const seen = changes;
    const wake = nextWakeUp(state, Date.now());
    // Only a campaign with parked requests waits for their retry: the others set the timers they always did.
    const next = retryParkedAt === undefined ? wake : Math.min(wake ?? retryParkedAt, retryParkedAt);
    const timeout = next === undefined ? undefined : Math.max(0, next - Date.now());
    await condition(() => changes !== seen || shouldContinueAsNew(), timeout);
    if (retryParkedAt !== undefined && (changes !== seen || Date.now() >= retryParkedAt)) retryParked();
    const outcome = tick(state, Date.now(), behaviour);
    if (outcome.effects.events.length > 0) {
      state = outcome.state;
      take(outcome.effects);
    }
    refreshSearchAttributes();
    if (shouldContinueAsNew() && !finished())
      await continueAsNewWhenIdle(
        [publisher, followOnStarter],
        () => ({
          state,
          outbox: [...outbox],
          followOns: [...parked.followOns, ...followOnQueue],
          informs: [...parked.informs, ...informQueue],
        }),
        threshold,
      );
  }
  // Finished: deliver what is left, then close. Follow-ons outlive this workflow (ABANDON). Parked requests
  // get one last try; if they fail again, the final state (its view) keeps the problem and what to do.
  if (retryParkedAt !== undefined) retryParked();
  await condition(() => outbox.length === 0 && followOnQueue.length === 0 && informQueue.length === 0 && allHandlersFinished());
  return viewCampaign(state, Date.now());
}
