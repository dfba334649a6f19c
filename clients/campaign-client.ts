import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { TemplateLookup } from '../activities/resolve-template.js';
import type { Template } from '../shared/template/validate.js';
import {
  CAMPAIGN_WORKFLOW_TYPE,
  campaignCommandSchema,
  checkStart,
  commandSignal,
  commandUpdate,
  resolveMapping,
  startCampaignSchema,
  viewQuery,
  type CampaignView,
  type CommandResult,
  type StartCampaign,
} from '../shared/campaign/index.js';
import { campaignIdProblems } from '../shared/campaign/campaign-id.js';
import { listFilterSchema, startRequestSchema, type CampaignSummary, type ListFilter } from '../shared/campaign/requests.js';
import { searchAttributesOf } from '../shared/campaign/search.js';
import { selectWorkItems, workListFilterSchema, type WorkItem, type WorkListFilter } from '../shared/campaign/work-list.js';
import { defaultRegion } from '../shared/countries.js';
import { dateOfInstant } from '../shared/dates.js';
import { CampaignError, refusalCodeSchema } from '../shared/errors.js';
import { actorSchema, roleAllows, type Actor } from '../shared/ids.js';
import {
  CampaignCountry,
  CampaignOverdue,
  CampaignRegion,
  CampaignStage,
  CampaignStatus,
  CampaignTemplate,
} from '../shared/search-attributes.js';
import { parseOrThrow as parse } from '../shared/validation.js';
import { campaignWorkflow } from '../workflows/campaign.js';
import { mapLimit } from '../infra/map-limit.js';

/**
 * The one facade over Temporal that the CLI, the HTTP API, the dashboard and the NATS bridge use, so
 * every entry point validates, authorises and answers the same way. Errors are `CampaignError`s with
 * a code from `shared/errors.ts` and field-level issues.
 */

// The types of the facade's own signatures, for callers that name them (the schemas live in shared/).
export type { CampaignSummary, ListFilter, StartRequest } from '../shared/campaign/requests.js';
export type { WorkItem, WorkListFilter } from '../shared/campaign/work-list.js';

/** A caller's country scope, checked before it goes into a visibility query. */
const countryScopeSchema = z.array(z.string().regex(/^[A-Z]{2}$/, 'expected upper-case ISO 3166-1 alpha-2 codes'));

/** How many campaign views the work list queries at once. */
const WORK_LIST_CONCURRENCY = 8;
/** How many running campaigns (per status) the work list reads at most. */
const WORK_LIST_MAX_CAMPAIGNS = 1000;

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
}

export class CampaignClient {
  private readonly now: () => number;

  constructor(private readonly deps: CampaignClientDeps) {
    this.now = deps.now ?? Date.now;
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

  /** Validates like the workflow will, then starts it; returns the campaign's first view. */
  async start(body: unknown, caller: Caller): Promise<CampaignView> {
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
    const today = dateOfInstant(this.now());
    const campaignId = request.campaignId ?? `${request.country.toLowerCase()}-${template.id}-${randomUUID().slice(0, 8)}`;
    const start: StartCampaign = parse(
      startCampaignSchema,
      {
        campaignId,
        template,
        country: request.country,
        region: request.region ?? defaultRegion(request.country),
        startDate: request.startDate ?? today,
        inputs: { ...learned, ...request.inputs },
        ...(request.owner ? { owner: request.owner } : {}),
        actor: caller.actor,
        completed: request.completed,
        skipped: request.skipped,
      },
      'start request',
    );
    const problems = checkStart(start, today);
    if (problems.length) throw new CampaignError('invalid', `the campaign cannot start: ${problems.join('; ')}`, problems);

    try {
      const handle = await this.deps.client.workflow.start(campaignWorkflow, {
        workflowId: campaignId,
        // An id is never used twice, not even once its campaign has closed: history and events name it.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        taskQueue: this.deps.taskQueue,
        args: [{ start }],
        typedSearchAttributes: searchAttributesOf({
          country: start.country,
          region: start.region,
          templateId: template.id,
          stage: 'not-started',
          status: 'active',
          overdue: [],
        }),
      });
      return await handle.query(viewQuery);
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError)
        throw new CampaignError('conflict', `a campaign with id ${campaignId} already exists`, ['campaignId: already in use']);
      throw this.unavailable(err);
    }
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
        const view = await this.view(sibling.campaignId);
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
   * A finished campaign's workflow takes no more updates and Temporal answers "not found"; the campaign
   * still exists (its view answers), so the truthful answer is a conflict, as while it is closing.
   */
  private async closedOr(error: CampaignError, campaignId: string): Promise<CampaignError> {
    if (error.code !== 'not-found') return error;
    const view = await this.view(campaignId).catch(() => undefined);
    if (!view || (view.status !== 'cancelled' && view.status !== 'completed')) return error;
    const message = `the campaign is ${view.status}; no further changes are accepted`;
    return new CampaignError('conflict', message, [message]);
  }

  /** Fire-and-forget: the workflow logs and drops an invalid command. */
  async signal(campaignId: string, body: unknown, caller: Caller): Promise<void> {
    const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const command = parse(campaignCommandSchema, { ...raw, actor: caller.actor, requestId: raw.requestId ?? randomUUID() }, 'command');
    await this.checkCampaignCountry(caller, campaignId);
    try {
      await this.deps.client.workflow.getHandle(campaignId).signal(commandSignal, command);
    } catch (err) {
      throw await this.closedOr(this.translate(err, campaignId), campaignId);
    }
  }

  async view(campaignId: string, caller?: Caller): Promise<CampaignView> {
    try {
      const view = await this.deps.client.workflow.getHandle(campaignId).query(viewQuery);
      if (caller) this.checkCountry(caller, view.country, campaignId);
      return view;
    } catch (err) {
      throw this.translate(err, campaignId);
    }
  }

  /**
   * Campaigns matching the filter. A scoped caller naming another country is refused (as `view` would
   * refuse each campaign); naming none, it gets its own countries' campaigns only, chosen by the
   * visibility query itself so `limit` counts only campaigns it may see. No caller: the engine's own
   * look-ups, unscoped.
   */
  async list(filter: ListFilter = {}, caller?: Caller): Promise<CampaignSummary[]> {
    const f = parse(listFilterSchema, filter, 'filter');
    const scope = caller?.countries ? parse(countryScopeSchema, caller.countries, 'caller') : undefined;
    if (f.country && caller) this.checkCountry(caller, f.country);
    if (scope?.length === 0) return [];
    // Scoped to this engine's task queue, so engines sharing a namespace never see each other's campaigns.
    const clauses = [`WorkflowType = '${CAMPAIGN_WORKFLOW_TYPE}'`, `TaskQueue = '${this.deps.taskQueue}'`];
    if (f.country) clauses.push(`${CampaignCountry.name} = '${f.country}'`);
    else if (scope) clauses.push(`${CampaignCountry.name} IN (${scope.map((c) => `'${c}'`).join(', ')})`);
    if (f.region) clauses.push(`${CampaignRegion.name} = '${f.region}'`);
    if (f.template) clauses.push(`${CampaignTemplate.name} = '${f.template}'`);
    if (f.status) clauses.push(`${CampaignStatus.name} = '${f.status}'`);
    if (f.overdue !== undefined) clauses.push(`${CampaignOverdue.name} = ${f.overdue}`);
    const out: CampaignSummary[] = [];
    try {
      for await (const wf of this.deps.client.workflow.list({ query: clauses.join(' AND ') })) {
        const sa = wf.typedSearchAttributes;
        const summary: CampaignSummary = {
          campaignId: wf.workflowId,
          country: sa.get(CampaignCountry) ?? '',
          region: sa.get(CampaignRegion) ?? '',
          template: sa.get(CampaignTemplate) ?? '',
          stage: sa.get(CampaignStage) ?? '',
          status: sa.get(CampaignStatus) ?? '',
          overdue: sa.get(CampaignOverdue) ?? false,
          startedAt: wf.startTime.toISOString(),
        };
        out.push(summary);
        if (out.length >= f.limit) break;
      }
    } catch (err) {
      throw this.unavailable(err);
    }
    return out;
  }

  /**
   * The cross-campaign work list: every pending milestone of the active and paused campaigns the caller
   * may see that is overdue or due within `withinDays`, overdue first (shared/campaign/work-list.ts).
   */
  async workList(filter: WorkListFilter, caller: Caller): Promise<WorkItem[]> {
    const f = parse(workListFilterSchema, filter, 'filter');
    parse(actorSchema, caller.actor, 'actor');
    const where = {
      ...(f.country ? { country: f.country } : {}),
      ...(f.region ? { region: f.region } : {}),
      ...(f.template ? { template: f.template } : {}),
      limit: WORK_LIST_MAX_CAMPAIGNS,
    };
    const running = (await Promise.all((['active', 'paused'] as const).map((status) => this.list({ ...where, status }, caller)))).flat();
    const views = await mapLimit(running, WORK_LIST_CONCURRENCY, async (summary) => {
      try {
        return await this.view(summary.campaignId, caller);
      } catch (err) {
        // Gone between the list and the query (search attributes lag a little): not part of the work.
        if (err instanceof CampaignError && err.code === 'not-found') return undefined;
        throw err;
      }
    });
    return selectWorkItems(
      views.filter((v): v is CampaignView => v !== undefined),
      f,
    );
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
    return this.unavailable(err);
  }

  private unavailable(err: unknown): CampaignError {
    if (err instanceof CampaignError) return err;
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    const message = err instanceof Error ? `${err.message}${cause}` : String(err);
    return new CampaignError('unavailable', `Temporal did not answer (${message}); check TEMPORAL_ADDRESS and that the server runs`);
  }
}
