import { ActivityFailure, ParentClosePolicy, condition, proxyActivities, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type {
  CampaignActivities,
  CampaignState,
  FollowOnRequest,
  InformRequest,
  ProblemSubject,
  StartCampaign,
} from '../shared/campaign/index.js';
import { dateOfInstant } from '../shared/dates.js';

const { resolveTemplate, informCampaigns } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5 },
});

/** A follow-on runs the campaign workflow itself; it is passed in so that imports stay one way. */
type CampaignWorkflow = (input: { start: StartCampaign }) => Promise<unknown>;

/** Requests taken out of the queues because they failed for good; the workflow puts them back to retry. */
export interface Parked {
  followOns: FollowOnRequest[];
  informs: InformRequest[];
}

/** What the starter tells the workflow: a request failed for good (and was parked), or one was done. */
export interface StarterReports {
  failed(subject: ProblemSubject, message: string): void;
  done(subject: ProblemSubject): void;
}

export const followOnSubject = (r: FollowOnRequest): ProblemSubject => ({
  kind: 'follow-on',
  milestone: r.milestone,
  templateId: r.templateId,
  campaignId: r.campaignId,
});
export const informSubject = (r: InformRequest): ProblemSubject => ({
  kind: 'inform',
  milestone: r.milestone,
  templateId: r.templateId,
  ...(r.campaignId !== undefined ? { campaignId: r.campaignId } : {}),
});

/**
 * Starts the follow-on starter, which runs for the life of the workflow run: follow-on children and other
 * campaigns of the state to inform, one at a time, in order; a request is removed only once done. `busy`
 * is true while one is under way, so continue-as-new can wait for it.
 *
 * A request whose activity fails for good (its retries spent, or a non-retryable error such as a template
 * the worker does not know) must not escape this coroutine: an unhandled rejection fails the workflow
 * task again and again and the whole campaign is stuck. It is parked instead and reported, so the
 * campaign keeps working; the workflow retries parked requests later. Histories without such a failure
 * run exactly the commands they ran before.
 */
export function startFollowOnStarter(
  queues: { followOns: FollowOnRequest[]; informs: InformRequest[] },
  parked: Parked,
  parent: () => CampaignState,
  workflow: CampaignWorkflow,
  reports: StarterReports,
): { readonly busy: boolean } {
  const starter = { busy: false };
  const run = async () => {
    for (;;) {
      await condition(() => queues.followOns.length > 0 || queues.informs.length > 0);
      starter.busy = true;
      const state = parent();
      const followOn = queues.followOns[0];
      const inform = queues.informs[0] as InformRequest;
      const subject = followOn ? followOnSubject(followOn) : informSubject(inform);
      try {
        if (followOn) await startFollowOn(state, followOn, workflow);
        else await informCampaigns({ sourceCampaignId: state.campaignId, country: state.country, ...inform });
        reports.done(subject);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        if (followOn) parked.followOns.push(followOn);
        else parked.informs.push(inform);
        reports.failed(subject, err.cause?.message ?? err.message);
      } finally {
        if (followOn) queues.followOns.shift();
        else queues.informs.shift();
        starter.busy = false;
      }
    }
  };
  void run();
  return starter;
}

async function startFollowOn(parent: CampaignState, request: FollowOnRequest, workflow: CampaignWorkflow): Promise<void> {
  const template = await resolveTemplate(request.templateId, request.templateVersion);
  const start: StartCampaign = {
    campaignId: request.campaignId,
    template,
    country: parent.country,
    region: parent.region,
    startDate: dateOfInstant(Date.now()),
    inputs: request.inputs,
    ...(parent.owner ? { owner: parent.owner } : {}),
    actor: { id: 'engine', role: 'system' },
    completed: [],
    skipped: [],
    parentCampaignId: parent.campaignId,
  };
  try {
    await startChild(workflow, {
      workflowId: request.campaignId,
      args: [{ start }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (err) {
    // Already started by an earlier run of this campaign (e.g. before continue-as-new): nothing to do.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
