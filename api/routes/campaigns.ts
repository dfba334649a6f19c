import { z } from 'zod';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { requireCaller } from '../../http/access.js';
import type { RouteContext } from '../../http/route-context.js';
import { linkNextPage, pagingHeadersDoc } from '../pages.js';
import {
  json,
  campaignPageSchema,
  campaignParams,
  campaignSummarySchema,
  campaignView,
  errorResponses,
  listQuery,
  startBody,
  writeHeaders,
} from '../schemas.js';

/**
 * Campaigns: start (programme leads), list with filters and show (any role). Country-scoped keys see
 * and start only campaigns of their countries.
 */
export const campaignRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  app.post(
    '/campaigns',
    {
      config: { access: 'programme-lead', what: 'start request', action: 'start campaigns' },
      schema: {
        tags: ['campaigns'],
        summary: 'Start a campaign for a country and a process template',
        description:
          'A campaign may start part-way: list milestones already done (with their real dates) in `completed`. ' +
          'With an Idempotency-Key and no campaignId, a repeated request answers 200 with the campaign it started.',
        headers: writeHeaders,
        body: startBody,
        response: {
          201: json('Started: the campaign as it is now (Location names it)', campaignView),
          200: json('Already started with this Idempotency-Key: the campaign it started', campaignView),
          ...errorResponses(400, 401, 403, 404, 409, 413, 503),
        },
      },
    },
    async (request, reply) => {
      const caller = requireCaller(request);
      const idempotencyKey = request.headers['idempotency-key'];
      const { view, replayed } =
        idempotencyKey === undefined
          ? { view: await ctx.campaigns.start(request.body, caller), replayed: false }
          : await ctx.campaigns.startOnce(request.body, caller, idempotencyKey);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply
        .code(replayed ? 200 : 201)
        .header('location', `/campaigns/${encodeURIComponent(view.campaignId)}`)
        .send(view);
    },
  );

  app.get(
    '/campaigns',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['campaigns'],
        summary: 'List campaigns, filtered by country, region, template, status or overdue',
        description:
          "Read from the campaigns' search attributes and Temporal's execution status, never from the campaigns themselves, so " +
          'one broken campaign cannot fail the list. `execution` says how the workflow stands; `status` is failed, terminated or ' +
          'timed-out when the workflow stopped without the campaign finishing (filter by it to find them), so such a campaign is ' +
          'never listed as active.\n\n' +
          'Paged: at most `limit` campaigns (default 200); when more follow, the `Next-Cursor` header gives the `cursor` of the ' +
          'next page. With `envelope=true` the answer is a CampaignPage `{ campaigns, nextCursor }`. A cursor the list did not ' +
          'give is refused with 400 naming `cursor`.',
        querystring: listQuery,
        response: {
          200: json(
            `Matching campaigns (only those of your countries for a country-scoped key); a CampaignPage with \`envelope=true\`. ${pagingHeadersDoc}`,
            z.union([z.array(campaignSummarySchema), campaignPageSchema]),
          ),
          ...errorResponses(400, 401, 403, 503),
        },
      },
    },
    async (request, reply) => {
      const caller = requireCaller(request);
      const { country, region, template, status, overdue, limit, cursor, envelope } = request.query;
      const page = await ctx.campaigns.listPage(
        {
          ...(country ? { country } : {}),
          ...(region ? { region } : {}),
          ...(template ? { template } : {}),
          ...(status ? { status } : {}),
          ...(overdue !== undefined ? { overdue } : {}),
          ...(limit ? { limit } : {}),
          ...(cursor ? { cursor } : {}),
        },
        caller,
      );
      linkNextPage(request, reply, page.nextCursor);
      return envelope ? page : page.campaigns;
    },
  );

  app.get(
    '/campaigns/:id',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['campaigns'],
        summary: 'Show a campaign: milestones, due dates, owners, progress and history',
        params: campaignParams,
        response: { 200: json('The campaign', campaignView), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => ctx.campaigns.view(request.params.id, requireCaller(request)),
  );
  done();
};
