import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from '../infra/logger.js';
import type { InformCampaignsRequest } from '../shared/campaign/activities.js';
import { CAMPAIGN_WORKFLOW_TYPE, commandSignal } from '../shared/campaign/index.js';
import { CampaignCountry, CampaignTemplate } from '../shared/search-attributes.js';

/**
 * Tells the running campaigns of another process for the same state what this one learned (e.g. the
 * OPCAT campaign learns that UNCAT was ratified). Signals, not updates: a campaign that cannot take
 * the input logs and drops it instead of failing this activity; request ids make retries harmless.
 */
export function createInformActivities({ client, taskQueue, logger }: { client: Client; taskQueue: string; logger: Logger }) {
  const log = logger.child({ component: 'inform-campaigns' });
  return {
    async informCampaigns(request: InformCampaignsRequest): Promise<number> {
      const query =
        `WorkflowType = '${CAMPAIGN_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}' AND ` +
        `${CampaignCountry.name} = '${request.country}' AND ${CampaignTemplate.name} = '${request.templateId}'`;
      const targets = request.campaignId ? [{ workflowId: request.campaignId }] : client.workflow.list({ query });
      let told = 0;
      for await (const wf of targets) {
        const handle = client.workflow.getHandle(wf.workflowId);
        try {
          for (const [name, value] of Object.entries(request.inputs)) {
            await handle.signal(commandSignal, {
              type: 'set-input',
              name,
              value,
              reason: `${request.sourceCampaignId}: "${request.milestone}" done`,
              requestId: `inform:${request.sourceCampaignId}:${request.sequence}:${name}`,
              actor: { id: request.sourceCampaignId, role: 'system' },
            });
          }
        } catch (err) {
          // A campaign that has closed meanwhile has nothing left to learn.
          if (err instanceof WorkflowNotFoundError) continue;
          throw err;
        }
        told += 1;
        log.info({ from: request.sourceCampaignId, to: wf.workflowId, inputs: Object.keys(request.inputs) }, 'campaign informed');
      }
      return told;
    },
  };
}
