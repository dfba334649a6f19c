import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  isGrpcDeadlineError,
  isGrpcServiceError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { TemplateLookup } from '../activities/resolve-template.js';
import type { Template } from '../shared/template/validate.js';
import {
  CAMPAIGN_WORKFLOW_TYPE,
  campaignCommandSchema,
  checkCommandQuery,
  commandSignal,
  commandUpdate,
  currentBehaviour,
  judgeStart,
  resolveMapping,
  startCampaignSchema,
  viewQuery,
  type CampaignView,
  type CommandResult,
  type StartCampaign,
} from '../shared/campaign/index.js';
import { campaignIdProblems } from '../shared/campaign/campaign-id.js';
import {
  listFilterSchema,
  startInputOf,
  startRequestSchema,
  type CampaignPage,
  type CampaignSummary,
  type ListFilter,
} from '../shared/campaign/requests.js';
import { searchAttributesOf } from '../shared/campaign/search.js';
import {
  brokenExecutions,
  describeUnreadable,
  executionOf,
  listStatus,
  visibilityStatus,
  type Execution,
  type ListStatus,
  type UnreadableCampaign,
  type UnreadableFacts,
} from '../shared/campaign/unreadable.js';
import {
  WORK_LIST_MAX_CAMPAIGNS,
  dueHorizon,
  selectWorkItems,
  workListFilterSchema,
  type WorkItem,
  type WorkListFilter,
  type WorkReport,
} from '../shared/campaign/work-list.js';
import { CampaignError, refusalCodeSchema } from '../shared/errors.js';
import { actorSchema, roleAllows, type Actor } from '../shared/ids.js';
import { dateOfInstant } from '../shared/dates.js';
import {
  CampaignCountry,
  CampaignNextDue,
  CampaignOverdue,
  CampaignRegion,
  CampaignStage,
  CampaignStatus,
  CampaignTemplate,
} from '../shared/search-attributes.js';
import { parseOrThrow as parse } from '../shared/validation.js';
import { campaignWorkflow } from '../workflows/campaign.js';
import { mapLimit } from '../infra/map-limit.js';
import { BadCursorError, visibilityPage } from '../infra/visibility-page.js';

/**
 * The one facade over Temporal that the CLI, the HTTP API, the dashboard and the NATS bridge use, so
 * every entry point validates, authorises and answers the same way. Errors are `CampaignError`s with
 * a code from `shared/errors.ts` and field-level issues.
 */

// The types of the facade's own signatures, for callers that name them (the schemas live in shared/).
export type { CampaignPage, CampaignSummary, ListFilter, StartRequest } from '../shared/campaign/requests.js';
export type { WorkItem, WorkListFilter, WorkReport } from '../shared/campaign/work-list.js';
export type { UnreadableCampaign } from '../shared/campaign/unreadable.js';

/** A caller's country scope, checked before it goes into a visibility query. */
const countryScopeSchema = z.array(z.string().regex(/^[A-Z]{2}$/, 'expected upper-case ISO 3166-1 alpha-2 codes'));

/** How many campaign views the work list queries at once. */
const WORK_LIST_CONCURRENCY = 8;
/** How long one campaign's view query may take by default (CAMPAIGN_QUERY_TIMEOUT_MS). */
const DEFAULT_QUERY_TIMEOUT_MS = 5000;

/** Temporal's gRPC statuses: a server it cannot reach; a request the workflow's state does not allow. */
const GRPC_UNAVAILABLE = 14;
const GRPC_FAILED_PRECONDITION = 9;
const GRPC_INVALID_ARGUMENT = 3;

/** Visibility clauses for each list status: a campaign is only as live as its workflow. */
const running = `ExecutionStatus = '${visibilityStatus.running}'`;
const runningOrDone = `ExecutionStatus IN ('${visibilityStatus.running}', '${visibilityStatus.completed}')`;
const stopped = (...executions: Execution[]) =>
  `ExecutionStatus IN (${executions.map((e) => `'${visibilityStatus[e as keyof typeof visibilityStatus]}'`).join(', ')})`;
const statusClauses: Record<ListStatus, string[]> = {
  active: [`${CampaignStatus.name} = 'active'`, running],
  paused: [`${CampaignStatus.name} = 'paused'`, running],
  completed: [`${CampaignStatus.name} = 'completed'`, runningOrDone],
  cancelled: [`${CampaignStatus.name} = 'cancelled'`, runningOrDone],
  failed: [stopped('failed')],
  terminated: [stopped('terminated', 'cancelled')],
  'timed-out': [stopped('timed-out')],
};

/** What a read of one campaign's view gives: the view, or why it cannot be read. */
export type CampaignRead = { view: CampaignView } | { unreadable: UnreadableCampaign };

/** Who is asking: an actor and, for country-scoped API keys, the countries they may touch. */
export interface Caller {
  actor: Actor;
  countries?: readonly string[];
}

/** The answer for a campaign outside the caller's countries: the same bytes as `translate`'s for an unknown id. */
function noCampaign(campaignId: string): CampaignError {
  return new CampaignError('not-found', `no campaign with id ${campaignId}`);
}

export interface CampaignClientDeps {
  client: Client;
  taskQueue: string;
  templates: TemplateLookup;
  now?: () => number;
  /**
   * How long one campaign's view query may take, in milliseconds (CAMPAIGN_QUERY_TIMEOUT_MS); a query with
   * no worker to answer it would otherwise wait for the caller's own deadline.
   */
  queryTimeoutMs?: number;
  /** A campaign's page in the Temporal Web UI, named in the advice about a campaign that cannot be read. */
  workflowUrl?: (campaignId: string) => string;
}

/** How long a start waits for the new campaign's first view before reporting the worker as not answering. */
const FIRST_VIEW_TIMEOUT_MS = 30_000;

export class CampaignClient {
  private readonly now: () => number;
  private readonly queryTimeoutMs: number;

  constructor(private readonly deps: CampaignClientDeps) {
    this.now = deps.now ?? Date.now;
    this.queryTimeoutMs = deps.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  }

  /** Runs one per-campaign Temporal call with the short query deadline. */
  private bounded<T>(fn: () => Promise<T>, timeoutMs = this.queryTimeoutMs): Promise<T> {
    return this.deps.client.withDeadline(Date.now() + timeoutMs, fn);
  }

  /**
   * The one country-scope rule for every interface: a scoped caller may act on, read and list only the
   * campaigns of its countries. Unscoped callers (no `countries`) pass. A campaign outside the scope
   * (`campaignId` given) is answered exactly as an unknown id is, so a caller never learns that it
   * exists; a country the caller names itself (a start, a list filter) is refused with 403, which tells
   * nothing about any campaign.
   */
  private checkCountry(caller: Caller, country: string, campaignId?: string): void {
    if (!caller.countries || caller.countries.includes(country)) return;
    if (campaignId !== undefined) throw noCampaign(campaignId);
    throw new CampaignError('forbidden', `this key is not allowed to act on campaigns in ${country}`);
  }

  /** As `checkCountry`, for a campaign known by id (its country is in its view). */
  private async checkCampaignCountry(caller: Caller, campaignId: string): Promise<void> {
    if (caller.countries) this.checkCountry(caller, (await this.view(campaignId)).country, campaignId);
  }

  /**
   * Judges the start in full (`prepareStart`), then starts the workflow; returns the campaign's first view.
   * A start refused here leaves nothing behind: no workflow exists until the start has been judged.
   */
  async start(body: unknown, caller: Caller): Promise<CampaignView> {
    const start = await this.prepareStart(body, caller);
    try {
      await this.deps.client.workflow.start(campaignWorkflow, {
        workflowId: start.campaignId,
        // An id is never used twice, not even once its campaign has closed: history and events name it.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        taskQueue: this.deps.taskQueue,
        args: [{ start }],
        typedSearchAttributes: searchAttributesOf({
          country: start.country,
          region: start.region,
          templateId: start.template.id,
          stage: 'not-started',
          status: 'active',
          overdue: [],
        }),
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError)
        throw new CampaignError('conflict', `a campaign with id ${start.campaignId} already exists`, ['campaignId: already in use']);
      throw this.unavailable(err);
    }
    // Should the workflow still refuse its start (a bug: it disagrees with the judgement above), the view
    // says so truthfully (`explainUnreadable`), and lists show the campaign as failed.
    try {
      // The first view waits for the workflow's first task, which a busy worker may take a while to pick
      // up: a start already made is not reported as failed for a few slow seconds (a retry would be 409).
      return await this.bounded(
        () => this.deps.client.workflow.getHandle(start.campaignId).query(viewQuery),
        Math.max(this.queryTimeoutMs, FIRST_VIEW_TIMEOUT_MS),
      );
    } catch (err) {
      throw await this.explainUnreadable(err, start.campaignId, { starting: true });
    }
  }

  /**
   * A start that may be sent again (the API's `Idempotency-Key`, the CLI's `--request-id`): when the body
   * names no campaign id, the key names the campaign (per caller), so a retried start whose first answer
   * was lost finds the campaign it began instead of a conflict. `replayed` says an earlier request began it.
   */
  async startOnce(body: unknown, caller: Caller, key: string): Promise<{ view: CampaignView; replayed: boolean }> {
    const request = parse(startRequestSchema, body, 'start request');
    if (request.campaignId !== undefined) return { view: await this.start(body, caller), replayed: false };
    const digest = createHash('sha256').update(`${caller.actor.id}\n${key}`).digest('hex').slice(0, 12);
    const campaignId = `${request.country.toLowerCase()}-${request.template}-${digest}`;
    try {
      return { view: await this.start({ ...request, campaignId }, caller), replayed: false };
    } catch (err) {
      if (!(err instanceof CampaignError && err.code === 'conflict')) throw err;
      const existing = await this.view(campaignId, caller);
      if (existing.country !== request.country || existing.templateId !== request.template)
        throw new CampaignError('conflict', 'this request id was already used to start a different campaign', [
          'idempotency-key: already used for a different campaign',
        ]);
      return { view: existing, replayed: true };
    }
  }

  /**
   * Judges a start as the workflow will run it, without starting anything: the request, the caller's role
   * and countries, the template, the inputs learned from other campaigns, then the pure start itself
   * (`judgeStart`: the same template snapshot, inputs and dates, with the behaviour of a new campaign).
   * Returns the workflow's input, or throws `invalid` naming each field and what is wrong with it.
   */
  async prepareStart(body: unknown, caller: Caller): Promise<StartCampaign> {
    const request = parse(startRequestSchema, body, 'start request');
    parse(actorSchema, caller.actor, 'actor');
    if (!roleAllows(caller.actor.role, 'programme-lead'))
      throw new CampaignError('forbidden', `role ${caller.actor.role} may not start campaigns; it needs programme-lead`);
    this.checkCountry(caller, request.country);
    const idProblems = request.campaignId ? campaignIdProblems(request.campaignId, request.country, caller.countries !== undefined) : [];
    if (idProblems.length) throw new CampaignError('invalid', `invalid start request: ${idProblems.join('; ')}`, idProblems);
    const template = this.deps.templates.findTemplate(request.template, request.version);
    if (!template)
      throw new CampaignError('not-found', `unknown template ${request.template}${request.version ? ` v${request.version}` : ''}`, [
        'template: not found; see `advocacy templates list`',
      ]);
    const learned = await this.inputsFromOtherCampaigns(template, request.country, request.inputs);
    const now = this.now();
    const campaignId = request.campaignId ?? `${request.country.toLowerCase()}-${template.id}-${randomUUID().slice(0, 8)}`;
    const start: StartCampaign = parse(
      startCampaignSchema,
      startInputOf(request, template, { campaignId, now, actor: caller.actor, learned }),
      'start request',
    );
    const problems = judgeStart(start, now, currentBehaviour);
    if (problems.length) throw new CampaignError('invalid', `the campaign cannot start: ${problems.join('; ')}`, problems);
    return start;
  }

  /**
   * Inputs this campaign can learn from other campaigns of the same state whose templates `inform` it
   * (e.g. the OPCAT campaign learns the UNCAT status from the state's UNCAT campaign). Given inputs win.
   */
  private async inputsFromOtherCampaigns(
    template: Template,
    country: string,
    given: Record<string, unknown>,
  ): Promise<Record<string, string | number | boolean>> {
    const learned: Record<string, string | number | boolean> = {};
    const sources = (this.deps.templates.allTemplates?.() ?? []).filter((t) =>
      t.milestones.some((m) => m.informs.some((i) => i.template === template.id && Object.keys(i.inputs).some((n) => !(n in given)))),
    );
    for (const source of sources) {
      const siblings = (await this.list({ country, template: source.id })).filter((c) => c.status !== 'cancelled');
      for (const sibling of siblings) {
        // A campaign that cannot be read teaches nothing, and must not stop another from starting.
        const view = await this.view(sibling.campaignId).catch(() => undefined);
        if (!view) continue;
        const facts = { inputs: view.inputs, milestones: Object.fromEntries(view.milestones.map((m) => [m.id, m])) };
        for (const m of view.milestones) {
          if (m.status !== 'done') continue;
          for (const rule of source.milestones.find((d) => d.id === m.id)?.informs ?? [])
            if (rule.template === template.id) Object.assign(learned, resolveMapping(facts, rule.inputs));
        }
      }
    }
    return learned;
  }

  /**
   * Runs a command as a Temporal update and returns its result; a rejected command throws with the
   * workflow's reason. The request id comes from the body, else `requestId` (an Idempotency-Key), else
   * a fresh one.
   */
  async execute(campaignId: string, body: unknown, caller: Caller, requestId?: string): Promise<CommandResult> {
    const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const command = parse(
      campaignCommandSchema,
      { ...raw, actor: caller.actor, requestId: raw.requestId ?? requestId ?? randomUUID() },
      'command',
    );
    await this.checkCampaignCountry(caller, campaignId);
    try {
      return await this.deps.client.workflow.getHandle(campaignId).executeUpdate(commandUpdate, { args: [command] });
    } catch (err) {
      throw await this.closedOr(this.translate(err, campaignId), campaignId);
    }
  }

  /**
   * A closed campaign's workflow takes no more updates or signals and Temporal answers "not found"; the
   * campaign still exists, so the truthful answer is a conflict saying why: it finished (its view says
   * cancelled or completed), or its workflow stopped without it finishing (failed, terminated, timed out).
   */
  private async closedOr(error: CampaignError, campaignId: string): Promise<CampaignError> {
    if (error.code !== 'not-found') return error;
    const handle = this.deps.client.workflow.getHandle(campaignId);
    const described = await this.bounded(() => handle.describe()).catch(() => undefined);
    if (!described) return error;
    const execution = executionOf(described.status.name);
    if (brokenExecutions.includes(execution)) {
      const unreadable = await this.stoppedCampaign({ campaignId, ...this.placeOf(described.typedSearchAttributes) }, execution);
      const message = `the campaign takes no changes: ${unreadable.message}`;
      return new CampaignError('conflict', `${message}. What to do: ${unreadable.action}`, [message]);
    }
    const view = await this.view(campaignId).catch(() => undefined);
    if (!view || (view.status !== 'cancelled' && view.status !== 'completed')) return error;
    const message = `the campaign is ${view.status}; no further changes are accepted`;
    return new CampaignError('conflict', message, [message]);
  }

  /**
   * A command as a Temporal signal, for callers that do not wait for the result. What the workflow would
   * drop is refused here first: the campaign is asked whether it would accept the command now
   * (`check-command.v1`, the update validator's own check, changing nothing). When it cannot answer (no
   * engine worker in time, or a run that predates that query), the signal is sent anyway, as before: the
   * workflow checks it on arrival and logs what it drops. The campaign may change between the check and the
   * signal's arrival; an update (`execute`) is the way to be told for certain.
   */
  async signal(campaignId: string, body: unknown, caller: Caller): Promise<void> {
    const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const command = parse(campaignCommandSchema, { ...raw, actor: caller.actor, requestId: raw.requestId ?? randomUUID() }, 'command');
    await this.checkCampaignCountry(caller, campaignId);
    const handle = this.deps.client.workflow.getHandle(campaignId);
    // Only a "no" from the campaign refuses: a campaign that cannot be asked (no worker in time, one that
    // cannot run it, a run from before this query, a closed one) gets the signal, whose own answer decides.
    const verdict = await this.bounded(() => handle.query(checkCommandQuery, command)).catch(() => undefined);
    if (verdict && !verdict.ok) throw new CampaignError(verdict.code, verdict.message, [verdict.message]);
    try {
      await handle.signal(commandSignal, command);
    } catch (err) {
      throw await this.closedOr(this.translate(err, campaignId), campaignId);
    }
  }

  /**
   * One campaign's view. The query waits at most the query timeout: a campaign that cannot answer is
   * reported for what it is (its workflow failed or stopped, or no engine worker answered), never as
   * Temporal being down.
   */
  async view(campaignId: string, caller?: Caller): Promise<CampaignView> {
    let view: CampaignView;
    try {
      view = await this.bounded(() => this.deps.client.workflow.getHandle(campaignId).query(viewQuery));
    } catch (err) {
      throw await this.explainUnreadable(err, campaignId);
    }
    if (caller) this.checkCountry(caller, view.country, campaignId);
    return view;
  }

  /**
   * One listed campaign, read for a shared view: its view, why it cannot be read (its workflow stopped, or
   * it did not answer in time), or nothing when it has gone since it was listed. Never throws for the
   * campaign's own sake, so one broken campaign cannot fail a list; only an unreachable Temporal does.
   */
  async readView(summary: CampaignSummary, caller?: Caller): Promise<CampaignRead | undefined> {
    if (brokenExecutions.includes(summary.execution)) return { unreadable: await this.stoppedCampaign(summary, summary.execution) };
    try {
      const view = await this.bounded(() => this.deps.client.workflow.getHandle(summary.campaignId).query(viewQuery));
      if (caller) this.checkCountry(caller, view.country, summary.campaignId);
      return { view };
    } catch (err) {
      if (err instanceof CampaignError) throw err;
      if (err instanceof WorkflowNotFoundError) return undefined;
      if (this.temporalDown(err)) throw this.unavailable(err);
      const facts = await this.whyUnreadable(err, summary.campaignId);
      if (brokenExecutions.includes(facts.execution)) return { unreadable: await this.stoppedCampaign(summary, facts.execution) };
      return {
        unreadable: this.describe({ ...facts, campaignId: summary.campaignId, country: summary.country, template: summary.template }),
      };
    }
  }

  /**
   * Campaigns matching the filter. A scoped caller naming another country is refused (as `view` would
   * refuse each campaign); naming none, it gets its own countries' campaigns only, chosen by the
   * visibility query itself so `limit` counts only campaigns it may see. No caller: the engine's own
   * look-ups, unscoped. Each row says how the campaign's workflow stands (`execution`), and its status is
   * failed, terminated or timed-out when the workflow stopped without the campaign finishing.
   */
  async list(filter: ListFilter = {}, caller?: Caller): Promise<CampaignSummary[]> {
    return (await this.listPage(filter, caller)).campaigns;
  }

  /**
   * As `list`, one page at a time: at most `limit` campaigns, and `nextCursor` when more follow; the
   * filter's `cursor` (a previous page's `nextCursor`) goes on from there. A cursor Temporal does not
   * accept is refused as invalid, naming the field.
   */
  async listPage(filter: ListFilter = {}, caller?: Caller): Promise<CampaignPage> {
    const f = parse(listFilterSchema, filter, 'filter');
    return this.search(f, caller, f.status ? statusClauses[f.status] : []);
  }

  private async search(f: z.output<typeof listFilterSchema>, caller: Caller | undefined, where: string[]): Promise<CampaignPage> {
    const scope = caller?.countries ? parse(countryScopeSchema, caller.countries, 'caller') : undefined;
    if (f.country && caller) this.checkCountry(caller, f.country);
    if (scope?.length === 0) return { campaigns: [] };
    // Scoped to this engine's task queue, so engines sharing a namespace never see each other's campaigns;
    // a run that continued as new is the same campaign as the run it continued in.
    const clauses = [
      `WorkflowType = '${CAMPAIGN_WORKFLOW_TYPE}'`,
      `TaskQueue = '${this.deps.taskQueue}'`,
      `ExecutionStatus != '${visibilityStatus['continued-as-new']}'`,
    ];
    if (f.country) clauses.push(`${CampaignCountry.name} = '${f.country}'`);
    else if (scope) clauses.push(`${CampaignCountry.name} IN (${scope.map((c) => `'${c}'`).join(', ')})`);
    if (f.region) clauses.push(`${CampaignRegion.name} = '${f.region}'`);
    if (f.template) clauses.push(`${CampaignTemplate.name} = '${f.template}'`);
    if (f.overdue !== undefined) clauses.push(`${CampaignOverdue.name} = ${f.overdue}`);
    clauses.push(...where);
    let page;
    try {
      page = await visibilityPage(this.deps.client, clauses.join(' AND '), f.limit, f.cursor);
    } catch (err) {
      throw this.badCursor(err, f.cursor) ?? this.unavailable(err);
    }
    const campaigns = page.executions.map((wf): CampaignSummary => {
      const sa = wf.typedSearchAttributes;
      const execution = executionOf(wf.status.name);
      return {
        campaignId: wf.workflowId,
        country: sa.get(CampaignCountry) ?? '',
        region: sa.get(CampaignRegion) ?? '',
        template: sa.get(CampaignTemplate) ?? '',
        stage: sa.get(CampaignStage) ?? '',
        status: listStatus(sa.get(CampaignStatus) ?? '', execution),
        execution,
        overdue: sa.get(CampaignOverdue) ?? false,
        startedAt: wf.startTime.toISOString(),
      };
    });
    return { campaigns, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /** A page token Temporal refused: the caller's cursor is not one it gave (or it belongs to another list). */
  private badCursor(err: unknown, cursor: string | undefined): CampaignError | undefined {
    if (cursor === undefined) return undefined;
    const cause = err instanceof Error && isGrpcServiceError(err.cause) ? err.cause : err;
    const refused = err instanceof BadCursorError || (isGrpcServiceError(cause) && Number(cause.code) === GRPC_INVALID_ARGUMENT);
    if (!refused) return undefined;
    const message = 'cursor: not a cursor this list gave; start again without it';
    return new CampaignError('invalid', `invalid filter: ${message}`, [message]);
  }

  /**
   * The cross-campaign work list: every pending milestone of the active and paused campaigns the caller
   * may see that is overdue or due within `withinDays`, overdue first (shared/campaign/work-list.ts). The
   * items only; `workReport` also names the campaigns that could not be read.
   */
  async workList(filter: WorkListFilter, caller: Caller): Promise<WorkItem[]> {
    return (await this.workReport(filter, caller)).items;
  }

  /**
   * The work list and the campaigns in its scope that could not be read. Only running workflows are
   * queried, each with the short query timeout; a campaign that cannot answer, and one that was active or
   * paused when its workflow stopped (failed, terminated, timed out), is named in `unreadable` with what to
   * do, and the others' work is listed as usual. When a whole round of queries gets no answer (the engine
   * worker is down), the rest are not queried: they are reported unanswered at once.
   */
  async workReport(filter: WorkListFilter, caller: Caller): Promise<WorkReport> {
    const f = parse(workListFilterSchema, filter, 'filter');
    parse(actorSchema, caller.actor, 'actor');
    const where = parse(
      listFilterSchema,
      {
        ...(f.country ? { country: f.country } : {}),
        ...(f.region ? { region: f.region } : {}),
        ...(f.template ? { template: f.template } : {}),
        ...(f.cursor ? { cursor: f.cursor } : {}),
        limit: f.limit ?? WORK_LIST_MAX_CAMPAIGNS,
      },
      'filter',
    );
    // One visibility query picks the campaigns with something due in the window (CampaignNextDue), those
    // not indexed yet (started before the attribute: asked as before until they index themselves), and
    // those that stopped while active or paused (flagged); a campaign with nothing due costs nothing.
    const horizon = dueHorizon(dateOfInstant(this.now()), f.withinDays).toISOString();
    const due = `(${CampaignNextDue.name} < '${horizon}' OR ${CampaignNextDue.name} IS NULL)`;
    const page = await this.search(where, caller, [
      `${CampaignStatus.name} IN ('active', 'paused')`,
      `((${running} AND ${due}) OR ${stopped(...brokenExecutions)})`,
    ]);
    const live = page.campaigns.filter((c) => !brokenExecutions.includes(c.execution));
    const stoppedWithWork = page.campaigns.filter((c) => brokenExecutions.includes(c.execution));
    let unanswered = 0;
    const reads = await mapLimit(live, WORK_LIST_CONCURRENCY, async (summary) => {
      if (unanswered >= WORK_LIST_CONCURRENCY)
        return {
          unreadable: this.describe({
            ...summary,
            problem: 'no-answer',
            detail: 'not queried, as the campaigns queried before it did not answer either',
          }),
        };
      const read = await this.readView(summary, caller);
      if (read && 'unreadable' in read && read.unreadable.problem === 'no-answer') unanswered += 1;
      else if (read) unanswered = 0;
      return read;
    });
    const stoppedReads = await mapLimit(stoppedWithWork, WORK_LIST_CONCURRENCY, (summary) =>
      this.stoppedCampaign(summary, summary.execution),
    );
    const views = reads.flatMap((r) => (r && 'view' in r ? [r.view] : []));
    const unreadable = [...reads.flatMap((r) => (r && 'unreadable' in r ? [r.unreadable] : [])), ...stoppedReads];
    return { items: selectWorkItems(views, f), unreadable, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /** Country and template of a campaign, from its search attributes. */
  private placeOf(sa: { get: (key: typeof CampaignCountry) => string | undefined }): { country: string; template: string } {
    return { country: sa.get(CampaignCountry) ?? '', template: sa.get(CampaignTemplate) ?? '' };
  }

  private describe(
    facts: Pick<UnreadableFacts, 'campaignId' | 'country' | 'template' | 'problem' | 'detail' | 'failureType'>,
  ): UnreadableCampaign {
    return describeUnreadable({
      ...facts,
      taskQueue: this.deps.taskQueue,
      timeoutMs: this.queryTimeoutMs,
      temporalUrl: this.deps.workflowUrl?.(facts.campaignId),
    });
  }

  /** A campaign whose workflow stopped: why (the failure or the termination reason, when Temporal has one). */
  private async stoppedCampaign(
    place: Pick<CampaignSummary, 'campaignId' | 'country' | 'template'>,
    execution: Execution,
  ): Promise<UnreadableCampaign> {
    const closure = await this.closureOf(this.deps.client.workflow.getHandle(place.campaignId));
    const problem = execution === 'failed' || execution === 'timed-out' ? execution : 'terminated';
    return this.describe({ ...place, problem, ...closure });
  }

  /** How a closed workflow ended, from its result (immediate for a closed workflow, bounded all the same). */
  private async closureOf(handle: WorkflowHandle): Promise<{ detail?: string; failureType?: string; problems?: string[] }> {
    try {
      await this.bounded(() => handle.result());
      return {};
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) return {};
      const cause = err.cause;
      if (!cause) return { detail: err.message };
      if (cause instanceof ApplicationFailure) {
        const details = cause.details?.[0];
        return {
          detail: cause.message,
          failureType: cause.type ?? undefined,
          ...(Array.isArray(details) ? { problems: details.map(String) } : {}),
        };
      }
      return { detail: cause.message };
    }
  }

  /** Why a campaign's view query failed: no answer in time, its workflow stopped, or the query itself failed. */
  private async whyUnreadable(
    err: unknown,
    campaignId: string,
  ): Promise<{ problem: UnreadableFacts['problem']; execution: Execution; country: string; template: string; detail?: string }> {
    const described = await this.bounded(() => this.deps.client.workflow.getHandle(campaignId).describe()).catch(() => undefined);
    const execution = described ? executionOf(described.status.name) : 'unknown';
    const place = described ? this.placeOf(described.typedSearchAttributes) : { country: '', template: '' };
    if (brokenExecutions.includes(execution))
      return { problem: execution === 'failed' || execution === 'timed-out' ? execution : 'terminated', execution, ...place };
    // A workflow task tried more than once keeps failing: the worker cannot run the campaign. Temporal then
    // refuses its queries, or holds them until the deadline, depending on the moment.
    const failing = (described?.raw.pendingWorkflowTask?.attempt ?? 0) > 1;
    const refused =
      err instanceof Error &&
      isGrpcServiceError(err.cause) &&
      Number(err.cause.code) === GRPC_FAILED_PRECONDITION &&
      /workflow task in failed state/i.test(err.cause.message);
    if (failing || refused) return { problem: 'stuck', execution, ...place };
    if (isGrpcDeadlineError(err)) return { problem: 'no-answer', execution, ...place };
    const detail = err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err);
    return { problem: 'query-failed', execution, ...place, detail };
  }

  /**
   * The error for a view query that failed, saying what really happened: no such campaign (404); a start
   * the workflow refused (400, with its problems); a workflow that stopped (409, with the reason and what
   * to do); no engine worker answering, or a view the engine cannot compute (503, saying so). Only an
   * unreachable Temporal is reported as such.
   */
  private async explainUnreadable(err: unknown, campaignId: string, options: { starting?: boolean } = {}): Promise<CampaignError> {
    if (err instanceof CampaignError || err instanceof WorkflowNotFoundError || this.temporalDown(err))
      return this.translate(err, campaignId);
    const facts = await this.whyUnreadable(err, campaignId);
    if (facts.execution === 'unknown' && err instanceof Error && /not found/i.test(err.message)) return this.translate(err, campaignId);
    if (brokenExecutions.includes(facts.execution)) {
      const handle = this.deps.client.workflow.getHandle(campaignId);
      const closure = await this.closureOf(handle);
      if (closure.failureType === 'invalid-start') {
        // The caller's start was bad (400); for anyone reading it later, the campaign is what conflicts (409).
        const problems = closure.problems ?? [closure.detail ?? 'invalid start'];
        const message = `campaign ${campaignId} never started: its workflow refused its start: ${problems.join('; ')}`;
        if (options.starting) return new CampaignError('invalid', message, problems);
        return new CampaignError('conflict', `${message}. What to do: start the campaign again with valid input`, problems);
      }
      const unreadable = this.describe({
        campaignId,
        country: facts.country,
        template: facts.template,
        problem: facts.problem,
        ...closure,
      });
      return new CampaignError(
        'conflict',
        `campaign ${campaignId} cannot be shown: ${unreadable.message}. What to do: ${unreadable.action}`,
        [unreadable.message],
      );
    }
    // No worker answered, or none can run the campaign: a server-side condition that may pass (503).
    const unreadable = this.describe({ campaignId, ...facts });
    return new CampaignError(
      'unavailable',
      `campaign ${campaignId} cannot be shown: ${unreadable.message}. What to do: ${unreadable.action}`,
      [],
      { forClients: true },
    );
  }

  /** True when the error says Temporal itself could not be reached (not a campaign that could not answer). */
  private temporalDown(err: unknown): boolean {
    const cause = err instanceof Error && isGrpcServiceError(err.cause) ? err.cause : err;
    return isGrpcServiceError(cause) && Number(cause.code) === GRPC_UNAVAILABLE;
  }

  private translate(err: unknown, campaignId: string): CampaignError {
    if (err instanceof CampaignError) return err;
    if (err instanceof WorkflowNotFoundError) return new CampaignError('not-found', `no campaign with id ${campaignId}`);
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      // The workflow fails an update with the code of its refusal as the failure's type.
      const refused = refusalCodeSchema.safeParse(err.cause.type);
      const code = refused.success ? refused.data : 'invalid';
      const details = err.cause.details?.[0];
      return new CampaignError(code, err.cause.message, Array.isArray(details) ? details.map(String) : [err.cause.message]);
    }
    const message = err instanceof Error ? err.message : String(err);
    if (/not found/i.test(message)) return new CampaignError('not-found', `no campaign with id ${campaignId}`);
    if (isGrpcDeadlineError(err) && !this.temporalDown(err))
      return new CampaignError(
        'unavailable',
        `campaign ${campaignId} did not answer in time: check that an engine worker (\`npm run worker\`) runs and polls task queue "${this.deps.taskQueue}"`,
        [],
        { forClients: true },
      );
    return this.unavailable(err);
  }

  /**
   * The error for a Temporal call that failed for Temporal's sake. Only a gRPC failure is "Temporal did not
   * answer"; anything else (a workflow's own failure never gets here) is reported with its own message.
   */
  private unavailable(err: unknown): CampaignError {
    if (err instanceof CampaignError) return err;
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    const message = err instanceof Error ? `${err.message}${cause}` : String(err);
    const fromTemporal =
      isGrpcServiceError(err) ||
      (err instanceof Error && isGrpcServiceError(err.cause)) ||
      !(err instanceof Error) ||
      err.name === 'ServiceError';
    if (!fromTemporal)
      return new CampaignError(
        'unavailable',
        `the engine could not complete the request (${message}); try again, and report it if it persists`,
      );
    return new CampaignError('unavailable', `Temporal did not answer (${message}); check TEMPORAL_ADDRESS and that the server runs`);
  }
}
