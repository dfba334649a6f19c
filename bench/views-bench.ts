import type { Client } from '@temporalio/client';
import { performance } from 'node:perf_hooks';
import type { CampaignClient } from '../clients/campaign-client.js';
import { searchAttributesOf } from '../shared/campaign/search.js';
import { CAMPAIGN_WORKFLOW_TYPE } from '../shared/campaign/index.js';
import { dateOfInstant, subtractDuration } from '../shared/dates.js';
import { campaignWorkflow } from '../workflows/campaign.js';
import { bounded, type LoopOutcome } from './loop.js';
import { formatMs, roundSig, roundSummary, summarize, type Summary } from './stats.js';

/**
 * 7. Views at scale (issue 12): N open campaigns on their own task queue, of which a few have something
 * overdue (npm-designation campaigns whose Protocol entered into force two years ago) and the rest have
 * nothing due within the work list's 30 days (entered into force today: the designation is due in a year).
 * In the same run, the work list (`CampaignClient.workReport`) and one page of the campaign list
 * (`listPage`) are timed next to one raw visibility page of the same size (`ListWorkflowExecutions`), so
 * the ratio says what the engine adds on top of Temporal's own index.
 */

export interface ViewsBounds {
  /** Open campaigns to start. */
  campaigns: number;
  /** How many of them have an overdue milestone (the rest have nothing due within 30 days). */
  due: number;
  /** Timed repetitions of each view. */
  samples: number;
  /** Bound on starting and indexing the campaigns. */
  timeMs: number;
}

export interface ViewsResult {
  campaigns: number;
  due: number;
  start: LoopOutcome & { perSecond: number };
  /** From the first start until every campaign carried CampaignNextDue in visibility (or the bound passed). */
  indexedAfterMs: number;
  /** Campaigns carrying CampaignNextDue when the views were timed; the others are read as not indexed yet. */
  indexed: number;
  /** One raw visibility page of the campaign list's size (200), and of the work list's (1000). */
  rawPage200Ms: Summary;
  rawPage1000Ms: Summary;
  /** `listPage({ limit: 200 })`: one page of the campaign list. */
  listPageMs: Summary;
  /** Every page of the list at 1000 a page (what `advocacy campaign list --all --limit 1000` does). */
  listAllMs: Summary;
  /** `workReport({})`: the due campaigns found by one visibility query, then each of them queried. */
  workReportMs: Summary;
  workItems: number;
  workUnreadable: number;
  /** p50 ratios to the raw page of the same size. */
  ratios: { listPageToRaw200: number | null; workReportToRaw1000: number | null };
}

const lead = { actor: { id: 'bench-lead', role: 'programme-lead' as const } };
const viewer = { actor: { id: 'bench-viewer', role: 'viewer' as const } };
const countries = ['TH', 'ID', 'PH', 'MN', 'KH', 'VN', 'MY', 'LA'];

async function timed(samples: number, op: () => Promise<unknown>): Promise<Summary> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await op();
    ms.push(performance.now() - t);
  }
  return roundSummary(summarize(ms));
}

export async function runViewsBench(options: {
  client: Client;
  campaigns: CampaignClient;
  taskQueue: string;
  bounds: ViewsBounds;
  say: (line: string) => void;
}): Promise<ViewsResult> {
  const { client, campaigns, taskQueue, bounds, say } = options;
  const today = dateOfInstant(Date.now());
  const began = performance.now();
  // Judged as the facade judges every start, then started directly: `start` would also wait for the
  // first view of each, which measures starts (section 1), not views.
  const start = await bounded({ count: bounds.campaigns, timeMs: bounds.timeMs, concurrency: 16 }, async (i) => {
    const overdue = i < bounds.due;
    const body = {
      template: 'npm-designation',
      country: countries[i % countries.length],
      campaignId: `bench-views-${i}`,
      inputs: { opcatEntryIntoForce: overdue ? subtractDuration(today, 'P2Y') : today },
    };
    const input = await campaigns.prepareStart(body, lead);
    await client.workflow.start(campaignWorkflow, {
      workflowId: input.campaignId,
      taskQueue,
      args: [{ start: input }],
      typedSearchAttributes: searchAttributesOf({
        country: input.country,
        region: input.region,
        templateId: input.template.id,
        stage: 'not-started',
        status: 'active',
        overdue: [],
      }),
    });
  });
  const startedMs = performance.now() - began;
  say(`views: ${start.completed} campaigns started in ${Math.round(startedMs)} ms (${start.failed} failed, stopped by ${start.stoppedBy})`);

  const scope = `WorkflowType = '${CAMPAIGN_WORKFLOW_TYPE}' AND TaskQueue = '${taskQueue}'`;
  // Indexed once each campaign's first workflow task has run and visibility has caught up.
  const indexedCount = async () => (await client.workflow.count(`${scope} AND CampaignNextDue IS NOT NULL`)).count;
  // Twice the start bound: on a busy machine the worker's first tasks lag the starts by minutes, and a
  // campaign not indexed yet is read by every work list (as one that predates the attribute would be).
  const deadline = performance.now() + 2 * bounds.timeMs;
  let indexed = await indexedCount();
  while (indexed < start.completed && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1_000));
    indexed = await indexedCount();
  }
  const indexedAfterMs = Math.round(performance.now() - began);
  say(`views: ${indexed} of ${start.completed} campaigns indexed after ${indexedAfterMs} ms`);

  const raw = (pageSize: number) => () =>
    client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query: `${scope} AND ExecutionStatus = 'Running'`,
      pageSize,
    });
  // One untimed round each, so no figure carries a first call's warm-up.
  await raw(200)();
  await campaigns.workReport({}, viewer);
  const rawPage200Ms = await timed(bounds.samples, raw(200));
  const rawPage1000Ms = await timed(bounds.samples, raw(1000));
  const listPageMs = await timed(bounds.samples, () => campaigns.listPage({ limit: 200 }, viewer));
  const listAllMs = await timed(bounds.samples, async () => {
    let cursor: string | undefined;
    do cursor = (await campaigns.listPage({ limit: 1000, ...(cursor ? { cursor } : {}) }, viewer)).nextCursor;
    while (cursor);
  });
  let report = await campaigns.workReport({}, viewer);
  const workReportMs = await timed(bounds.samples, async () => {
    report = await campaigns.workReport({}, viewer);
  });
  const ratio = (a: Summary, b: Summary) => (a.p50 !== null && b.p50 ? roundSig(a.p50 / b.p50, 3) : null);
  const result: ViewsResult = {
    campaigns: start.completed,
    due: Math.min(bounds.due, start.completed),
    start: { ...start, perSecond: roundSig(start.completed / (startedMs / 1000), 3) },
    indexedAfterMs,
    indexed,
    rawPage200Ms,
    rawPage1000Ms,
    listPageMs,
    listAllMs,
    workReportMs,
    workItems: report.items.length,
    workUnreadable: report.unreadable.length,
    ratios: { listPageToRaw200: ratio(listPageMs, rawPage200Ms), workReportToRaw1000: ratio(workReportMs, rawPage1000Ms) },
  };
  say(
    `views: ${result.campaigns} campaigns, ${result.due} due; work list p50 ${formatMs(workReportMs.p50)} (${result.workItems} items) ` +
      `vs raw page of 1000 p50 ${formatMs(rawPage1000Ms.p50)} (x${result.ratios.workReportToRaw1000 ?? '-'}); ` +
      `list page of 200 p50 ${formatMs(listPageMs.p50)} vs raw p50 ${formatMs(rawPage200Ms.p50)} (x${result.ratios.listPageToRaw200 ?? '-'}); ` +
      `all pages p50 ${formatMs(listAllMs.p50)}`,
  );
  return result;
}
