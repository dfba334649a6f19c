import { z } from 'zod';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { CampaignError } from '../../shared/errors.js';
import type { RouteContext } from '../../http/route-context.js';
import { errorResponses, json, templateParams, templateQuery, templateResponse, templateSummarySchema } from '../schemas.js';

/** Process templates: the list (newest version of each) and one template in full. Any role may read. */
export const templateRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  app.get(
    '/templates',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['templates'],
        summary: 'List process templates',
        response: { 200: json('Templates, newest version of each', z.array(templateSummarySchema)), ...errorResponses(401, 403) },
      },
    },
    () => ctx.templates.listTemplates().map(({ source: _source, ...summary }) => summary),
  );

  app.get(
    '/templates/:id',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['templates'],
        summary: 'Show a template (newest version unless ?version= is given)',
        params: templateParams,
        querystring: templateQuery,
        response: { 200: json('The template', templateResponse), ...errorResponses(400, 401, 403, 404) },
      },
    },
    (request) => {
      const { id } = request.params;
      const { version } = request.query;
      const template = ctx.templates.findTemplate(id, version);
      if (!template)
        throw new CampaignError('not-found', `unknown template ${id}${version ? ` v${version}` : ''}`, [
          'id: not found; see GET /templates',
        ]);
      return template;
    },
  );
  done();
};
