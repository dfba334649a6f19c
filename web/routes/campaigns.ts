import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { CampaignSummary, ListFilter } from '../../clients/campaign-client.js';
import { requireCaller } from '../../http/access.js';
import type { RouteContext } from '../../http/route-context.js';
import { mapLimit } from '../../infra/map-limit.js';
import { temporalWorkflowUrl } from '../../shared/config.js';
import { CampaignError } from '../../shared/errors.js';
import { slug } from '../../shared/ids.js';
import { formatDate } from '../format.js';
import { pageLinks, pagePosition, type PageLinks } from '../paging.js';
import { campaignView } from '../views/campaign.js';
import { campaignsView, type CampaignRow, type ListFilters } from '../views/campaigns.js';
import { completable, loadCampaign } from './campaign-access.js';
import { param } from './input.js';
import { pageRenderer, sessionRoute } from './page.js';

/** The campaign list, by country and process, and one campaign's page. */

/** Campaigns on one page of the list: each is read for its progress, so a page stays small. */
const DASHBOARD_PAGE_SIZE = 100;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

export const campaignRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  const { campaigns, templates, keys, config } = ctx;
  const { render } = pageRenderer(ctx.sessions);

  app.get('/ui', { config: sessionRoute('viewer'), schema: { hide: true } }, async (request, reply) => {
    const caller = requireCaller(request);
    const [country, template, status] = ['country', 'template', 'status'].map((n) => param(request.query, n)?.trim());
    const filters: ListFilters = {
      ...(country ? { country: country.toUpperCase() } : {}),
      ...(template ? { template } : {}),
      ...(status ? { status } : {}),
      ...(param(request.query, 'overdue') === 'true' ? { overdue: true } : {}),
    };
    const templateList = templates.listTemplates().map((t) => ({ id: t.id, title: t.title }));
    const position = pagePosition(param(request.query, 'cursor'), param(request.query, 'back'));
    let summaries: CampaignSummary[] = [];
    let pages: PageLinks | undefined;
    let error: string | undefined;
    try {
      const page = await campaigns.listPage(
        { ...(filters as ListFilter), limit: DASHBOARD_PAGE_SIZE, ...(position.cursor ? { cursor: position.cursor } : {}) },
        caller,
      );
      summaries = page.campaigns;
      pages = pageLinks('/ui', { ...filters }, position, page.nextCursor);
    } catch (err) {
      if (!(err instanceof CampaignError) || err.code === 'unavailable') throw err;
      error = err.message;
    }
    // Each campaign is read on its own and bounded: one that cannot be read is flagged on the page, never fatal.
    const reads = await mapLimit(summaries, config.DASHBOARD_VIEW_CONCURRENCY, (s) =>
      withTimeout(campaigns.readView(s, caller), config.DASHBOARD_VIEW_TIMEOUT_MS),
    );
    const rows: CampaignRow[] = summaries.map((summary, i) => {
      const read = reads[i];
      return {
        summary,
        ...(read && 'view' in read ? { view: read.view } : {}),
        ...(read && 'unreadable' in read ? { unreadable: read.unreadable } : {}),
      };
    });
    return render(
      request,
      reply,
      200,
      'Campaigns',
      campaignsView({ rows, filters, templates: templateList, ...(error ? { error } : {}), ...(pages ? { pages } : {}) }),
      'campaigns',
    );
  });

  app.get('/ui/campaigns/:id', { config: sessionRoute('viewer'), schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const view = await loadCampaign(campaigns, request, id);
    const user = request.apiKey;
    const ids = new Set([
      ...view.history.map((h) => h.actor.id),
      ...view.milestones.flatMap((m) => (m.completedBy ? [m.completedBy.id] : [])),
    ]);
    const actors = new Map<string, string>();
    await Promise.all(
      [...ids].map(async (actorId) => {
        const key = /^key-[0-9a-f]{12}$/.test(actorId) ? await keys.get(actorId) : undefined;
        if (key) actors.set(actorId, key.label);
      }),
    );
    const recorded = param(request.query, 'recorded');
    const recordedMilestone = recorded && slug.safeParse(recorded).success ? view.milestones.find((m) => m.id === recorded) : undefined;
    const body = campaignView({
      view,
      template: templates.findTemplate(view.templateId, view.templateVersion),
      completable: user ? completable(view, user.role) : new Set(),
      actors,
      temporalUrl: temporalWorkflowUrl(config, view.campaignId),
      ...(recordedMilestone
        ? {
            flash: `Recorded: “${recordedMilestone.title}” is done${recordedMilestone.completedOn ? `, on ${formatDate(recordedMilestone.completedOn)}` : ''}.`,
          }
        : {}),
    });
    return render(request, reply, 200, `${view.templateTitle} — ${view.country}`, body, 'campaigns');
  });
  done();
};
