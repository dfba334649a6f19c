import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CampaignCommand, CommandResult } from './commands.js';
import type { CampaignView } from './view.js';

/**
 * Message contracts of the campaign workflow, shared by the workflow and every client. Version 1:
 * a changed payload shape gets a new name (`command.v2`) so running campaigns keep working.
 */
export const commandUpdate = defineUpdate<CommandResult, [CampaignCommand]>('command.v1');
export const commandSignal = defineSignal<[CampaignCommand]>('command.v1');
export const viewQuery = defineQuery<CampaignView>('view.v1');
/**
 * Would the campaign accept this command now? Answers as the command would (a repeated request id is
 * accepted, with no events), changing nothing; the facade asks before sending a fire-and-forget signal.
 */
export const checkCommandQuery = defineQuery<CommandResult, [CampaignCommand]>('check-command.v1');

export const CAMPAIGN_WORKFLOW_TYPE = 'campaignWorkflow';
