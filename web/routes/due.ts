import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { requireCaller } from '../../http/access.js';
import type { RouteContext } from '../../http/route-context.js';
import { DUE_SOON_DAYS } from '../../shared/campaign/view.js';
import type { WorkReport } from '../../shared/campaign/work-list.js';
import { CampaignError } from '../../shared/errors.js';
import { pageLinks, pagePosition, type PageLinks } from '../paging.js';
import { dueView } from '../views/due.js';
import { param } from './input.js';
import { pageRenderer, sessionRoute } from './page.js';

/** The work list: what is overdue or due soon across the campaigns the key may see. */
export const dueRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  const { campaigns } = ctx;
  const { render } = pageRenderer(ctx.sessions);

  app.get('/ui/due', { config: sessionRoute('viewer'), schema: { hide: true } }, async (request, reply) => {
    const caller = requireCaller(request);
    const country = param(request.query, 'country')?.trim().toUpperCase() || undefined;
    const within = param(request.query, 'within')?.trim();
    const withinDays = within && /^\d{1,3}$/.test(within) ? Number(within) : DUE_SOON_DAYS;
    const position = pagePosition(param(request.query, 'cursor'), param(request.query, 'back'));
    let report: WorkReport = { items: [], unreadable: [] };
    let error: string | undefined;
    try {
      report = await campaigns.workReport(
        { ...(country ? { country } : {}), withinDays, ...(position.cursor ? { cursor: position.cursor } : {}) },
        caller,
      );
    } catch (err) {
      if (!(err instanceof CampaignError) || err.code === 'unavailable') throw err;
      error = err.message;
    }
    const filters = { ...(country ? { country } : {}), withinDays };
    const pages: PageLinks = pageLinks('/ui/due', { country, within: withinDays }, position, report.nextCursor);
    return render(request, reply, 200, 'Due & overdue', dueView({ ...report, filters, pages, ...(error ? { error } : {}) }), 'due');
  });
  done();
};
