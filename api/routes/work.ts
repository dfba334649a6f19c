import { z } from 'zod';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { requireCaller } from '../../http/access.js';
import type { RouteContext } from '../../http/route-context.js';
import { linkNextPage, pagingHeadersDoc } from '../pages.js';
import { errorResponses, json, workItem, workQuery, workReport } from '../schemas.js';

/**
 * The cross-campaign work list (any role): pending milestones of active and paused campaigns that are
 * overdue or due within `withinDays`, overdue first. Country-scoped keys see only their countries. The
 * campaigns that could not be read are counted in a header, or named in the envelope (`envelope=true`).
 */
export const workRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  app.get(
    '/work',
    {
      config: { access: 'viewer', what: 'filter' },
      schema: {
        tags: ['campaigns'],
        summary: 'What is overdue or due soon across campaigns (the work list)',
        description:
          'Every pending milestone of the active and paused campaigns you may see that is overdue or has a due date within ' +
          '`withinDays` (default 30) of today, overdue first, each group by due date. Open milestones without a due date are ' +
          'not listed. `includeBlocked=false` leaves out milestones still waiting on earlier ones (overdue ones always show). ' +
          "`owner` matches the milestone's owner, else the campaign's.\n\n" +
          'A campaign that cannot be read never fails the list: one whose workflow stopped (failed, terminated, timed out) ' +
          'while it was active or paused, or whose view got no answer within CAMPAIGN_QUERY_TIMEOUT_MS, is left out of the ' +
          'items and counted in the `Unreadable-Campaigns` header; with `envelope=true` the answer is a WorkReport ' +
          '`{ items, unreadable }` that names each with what happened and what to do. The bare array stays the default so ' +
          'existing clients keep working.\n\n' +
          'Only campaigns with something due in the window are read (their `CampaignNextDue` search attribute says so), so ' +
          'campaigns with nothing due cost nothing. Paged by campaign: a page holds the work of at most `limit` due campaigns ' +
          '(default 1000), sorted within the page; when more follow, the `Next-Cursor` header (and `nextCursor` in the ' +
          'envelope) gives the `cursor` of the next page. A cursor the list did not give is refused with 400 naming `cursor`.',
        querystring: workQuery,
        response: {
          200: json(
            'Overdue and due-soon milestones (only those of your countries for a country-scoped key); a WorkReport with ' +
              `\`envelope=true\`. Header \`Unreadable-Campaigns\`: how many campaigns in scope could not be read. ${pagingHeadersDoc}`,
            z.union([z.array(workItem), workReport]),
          ),
          ...errorResponses(400, 401, 403, 503),
        },
      },
    },
    async (request, reply) => {
      const { country, region, template, owner, withinDays, includeBlocked, limit, cursor, envelope } = request.query;
      const report = await ctx.campaigns.workReport(
        {
          ...(country ? { country } : {}),
          ...(region ? { region } : {}),
          ...(template ? { template } : {}),
          ...(owner ? { owner } : {}),
          ...(withinDays !== undefined ? { withinDays } : {}),
          ...(includeBlocked !== undefined ? { includeBlocked } : {}),
          ...(limit ? { limit } : {}),
          ...(cursor ? { cursor } : {}),
        },
        requireCaller(request),
      );
      if (report.unreadable.length)
        request.log.warn({ unreadable: report.unreadable.map((u) => [u.campaignId, u.problem]) }, 'work list: campaigns could not be read');
      void reply.header('unreadable-campaigns', String(report.unreadable.length));
      linkNextPage(request, reply, report.nextCursor);
      return envelope ? report : report.items;
    },
  );
  done();
};
