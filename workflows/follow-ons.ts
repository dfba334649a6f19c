import { ParentClosePolicy, condition, proxyActivities, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CampaignActivities, CampaignState, FollowOnRequest, InformRequest, StartCampaign } from '../shared/campaign/index.js';
import { dateOfInstant } from '../shared/dates.js';

const { resolveTemplate, informCampaigns } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5 },
});

/** A follow-on runs the campaign workflow itself; it is passed in so that imports stay one way. */
type CampaignWorkflow = (input: { start: StartCampaign }) => Promise<unknown>;

/**
 * Starts the follow-on starter, which runs for the life of the workflow run: follow-on children and other
 * campaigns of the state to inform, one at a time, in order; a request is removed only once done. `busy`
 * is true while one is under way, so continue-as-new can wait for it.
 */
export function startFollowOnStarter(
  queues: { followOns: FollowOnRequest[]; informs: InformRequest[] },
  parent: () => CampaignState,
  workflow: CampaignWorkflow,
): { readonly busy: boolean } {
  const starter = { busy: false };
  const run = async () => {
    for (;;) {
      await condition(() => queues.followOns.length > 0 || queues.informs.length > 0);
      starter.busy = true;
      const state = parent();
      const followOn = queues.followOns[0];
      if (followOn) {
        await startFollowOn(state, followOn, workflow);
        queues.followOns.shift();
      } else {
        const inform = queues.informs[0] as InformRequest;
        await informCampaigns({ sourceCampaignId: state.campaignId, country: state.country, ...inform });
        queues.informs.shift();
      }
      starter.busy = false;
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
