import { z } from 'zod';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { requireCaller } from '../../http/access.js';
import type { RouteContext } from '../../http/route-context.js';
import { errorResponses, json, workItem, workQuery } from '../schemas.js';

/**
 * The cross-campaign work list (any role): pending milestones of active and paused campaigns that are
 * overdue or due within `withinDays`, overdue first. Country-scoped keys see only their countries.
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
          "`owner` matches the milestone's owner, else the campaign's.",
        querystring: workQuery,
        response: {
          200: json('Overdue and due-soon milestones (only those of your countries for a country-scoped key)', z.array(workItem)),
          ...errorResponses(400, 401, 403, 503),
        },
      },
    },
    async (request) => {
      const { country, region, template, owner, withinDays, includeBlocked } = request.query;
      return ctx.campaigns.workList(
        {
          ...(country ? { country } : {}),
          ...(region ? { region } : {}),
          ...(template ? { template } : {}),
          ...(owner ? { owner } : {}),
          ...(withinDays !== undefined ? { withinDays } : {}),
          ...(includeBlocked !== undefined ? { includeBlocked } : {}),
        },
        requireCaller(request),
      );
    },
  );
  done();
};
