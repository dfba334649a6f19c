import { z } from 'zod';

/**
 * Campaigns that cannot be read, and how the shared views (lists, the work list, the dashboard) flag
 * them instead of failing for everyone: a campaign whose workflow failed, was terminated or timed out,
 * or whose view query got no answer (no engine worker, or one that cannot run it). Pure: the campaign
 * facade finds them; this says what happened and what to do, in the same words for every interface.
 */

/** The state of a campaign's workflow execution (Temporal's `ExecutionStatus`), in the engine's words. */
export const executionSchema = z
  .enum(['running', 'completed', 'failed', 'terminated', 'cancelled', 'timed-out', 'continued-as-new', 'unknown'])
  .describe(
    "The campaign's workflow execution: running, or how it closed. A campaign that finished closes as completed (also when " +
      'the campaign was cancelled); failed, terminated, cancelled (through Temporal, not the campaign) and timed-out mean the ' +
      'workflow stopped without the campaign finishing.',
  );
export type Execution = z.infer<typeof executionSchema>;

/** Temporal's names (`RUNNING`, `TIMED_OUT`, ... as the client's `status.name`) in the engine's. */
export function executionOf(temporalName: string | undefined): Execution {
  const name = (temporalName ?? '').toLowerCase().replace(/_/g, '-');
  return executionSchema.safeParse(name).data ?? 'unknown';
}

/** Executions that stopped without the campaign finishing: the campaign takes no commands and shows no live view. */
export const brokenExecutions: readonly Execution[] = ['failed', 'terminated', 'cancelled', 'timed-out'];

/** Temporal's visibility values (`ExecutionStatus = '...'`) for each execution, for list queries. */
export const visibilityStatus: Record<Exclude<Execution, 'unknown'>, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  terminated: 'Terminated',
  cancelled: 'Canceled',
  'timed-out': 'TimedOut',
  'continued-as-new': 'ContinuedAsNew',
};

/** The statuses a campaign list shows and filters by: the campaign's own, or why its workflow stopped. */
export const listStatusSchema = z.enum(['active', 'paused', 'completed', 'cancelled', 'failed', 'terminated', 'timed-out']);
export type ListStatus = z.infer<typeof listStatusSchema>;

/**
 * A campaign's status as lists show it: its own (from its search attributes), unless its workflow stopped
 * without the campaign finishing; then that, so a failed campaign is never listed as active.
 */
export function listStatus(campaignStatus: string, execution: Execution): string {
  if (execution === 'failed' || execution === 'timed-out') return execution;
  if (execution === 'terminated' || execution === 'cancelled') return 'terminated';
  return campaignStatus;
}

export const unreadableProblemSchema = z
  .enum(['failed', 'terminated', 'timed-out', 'stuck', 'no-answer', 'query-failed'])
  .describe(
    "failed, terminated, timed-out: the campaign's workflow stopped so; stuck: its workflow task fails again and again (the " +
      'engine worker cannot run it); no-answer: no engine worker answered its view query in time; query-failed: the engine ' +
      'could not compute its view',
  );
export type UnreadableProblem = z.infer<typeof unreadableProblemSchema>;

export const unreadableCampaignSchema = z
  .object({
    campaignId: z.string(),
    country: z.string(),
    template: z.string(),
    problem: unreadableProblemSchema,
    message: z.string().describe('What happened, with the failure or termination reason when Temporal has one'),
    action: z.string().describe('What to do about it'),
    temporalUrl: z.string().optional().describe("The campaign's workflow in the Temporal Web UI, when the engine knows its address"),
  })
  .meta({ id: 'UnreadableCampaign' });
export type UnreadableCampaign = z.infer<typeof unreadableCampaignSchema>;

export interface UnreadableFacts {
  campaignId: string;
  country: string;
  template: string;
  problem: UnreadableProblem;
  /** The failure message, the termination reason or the query's error, when known. */
  detail?: string | undefined;
  /** The failure's type: `invalid-start` means the workflow refused its start input. */
  failureType?: string | undefined;
  /** The engine's task queue, named in the advice when no worker answered. */
  taskQueue: string;
  /** How long the view query waited, in milliseconds. */
  timeoutMs: number;
  temporalUrl?: string | undefined;
}

/** What happened to an unreadable campaign and what to do, in one sentence each. */
export function describeUnreadable(facts: UnreadableFacts): UnreadableCampaign {
  const { campaignId, problem, detail, temporalUrl } = facts;
  const because = detail ? `: ${detail.replace(/\s+/g, ' ').trim()}` : '';
  const where = temporalUrl ? `see it in the Temporal UI at ${temporalUrl}` : `see workflow ${campaignId} in the Temporal UI`;
  const reset = `restart it from its last good state with \`temporal workflow reset --workflow-id ${campaignId} --type LastWorkflowTask --reason "<why>"\``;
  let message: string;
  let action: string;
  switch (problem) {
    case 'failed':
      message = `the campaign's workflow failed${because}`;
      action =
        facts.failureType === 'invalid-start'
          ? `it never started: start the campaign again with valid input; ${where}`
          : `${where}; once the cause is fixed, ${reset}`;
      break;
    case 'terminated':
      message = `the campaign's workflow was stopped by an operator in Temporal${because}`;
      action = `${where}; if it was stopped by mistake, ${reset}`;
      break;
    case 'timed-out':
      message = `the campaign's workflow timed out${because}`;
      action = `${where}; ${reset}`;
      break;
    case 'stuck':
      message = `the engine worker cannot run the campaign: its workflow task fails again and again${because}`;
      action =
        `${where}: its workflow task failures say why. A campaign the worker cannot decode or replay (another engine's, ` +
        `or one from a newer version) needs the right worker; anything else is a bug to report. It resumes by itself once a worker can run it`;
      break;
    case 'no-answer':
      message = `no engine worker answered for the campaign within ${Math.round(facts.timeoutMs / 100) / 10} s${detail ? ` (${detail})` : ''}`;
      action =
        `check that an engine worker (\`npm run worker\`) runs and polls task queue "${facts.taskQueue}"; ` +
        `if other campaigns answer, the worker cannot run this one: ${where} (its workflow task failures say why)`;
      break;
    case 'query-failed':
      message = `the engine could not compute the campaign's view${because}`;
      action = `${where}: its workflow task failures may say why; if it persists, report it with the message above`;
      break;
  }
  return {
    campaignId,
    country: facts.country,
    template: facts.template,
    problem,
    message,
    action,
    ...(temporalUrl ? { temporalUrl } : {}),
  };
}

/** Each unreadable campaign on one line: `<id> (<country>): <message>; <action>`. */
export function unreadableLines(list: readonly UnreadableCampaign[]): string[] {
  return list.map((u) => `${u.campaignId} (${u.country}): ${u.message}. What to do: ${u.action}`);
}
