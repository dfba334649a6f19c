import fastifyFormbody from '@fastify/formbody';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { Duration } from 'luxon';
import { randomUUID } from 'node:crypto';
import { authorize } from '../http/access.js';
import type { AppDeps, RouteContext } from '../http/route-context.js';
import { Sessions } from '../http/sessions.js';
import { dashboardAuthFailure, dashboardRoutes } from '../web/dashboard.js';
import { apiErrorHandler, errorBody, frameworkErrorHandler, MAX_PATH_PARAM_LENGTH, sendError } from './errors.js';
import { campaignRoutes } from './routes/campaigns.js';
import { healthRoutes } from './routes/health.js';
import { milestoneRoutes } from './routes/milestones.js';
import { steeringRoutes } from './routes/steering.js';
import { templateRoutes } from './routes/templates.js';
import { workRoutes } from './routes/work.js';

export type { AppDeps } from '../http/route-context.js';
export type App = Awaited<ReturnType<typeof buildApp>>;

/** Paths served by plugins we do not write (Swagger UI): public, like the OpenAPI document. */
const publicPrefixes = ['/docs'];

/**
 * Builds the HTTP API and the dashboard on one Fastify instance, from injected dependencies (the campaign
 * facade, the template registry, the API-key store, the frozen config and a pino logger). Nothing is
 * read from the environment here; `api/server.ts` does that once and listens.
 */
export async function buildApp(deps: AppDeps) {
  const { config } = deps;
  const ctx: RouteContext = {
    ...deps,
    now: deps.now ?? Date.now,
    sessions: new Sessions(config.API_SESSION_SECRET, Duration.fromISO(config.API_SESSION_TTL).as('milliseconds'), deps.now),
    checkTemporal:
      deps.checkTemporal ??
      (async () => {
        await deps.campaigns.list({ limit: 1 });
      }),
  };

  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: config.API_BODY_LIMIT,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('apiKey', null);
  app.decorateRequest('session', null);

  app.addHook('onRoute', (route) => {
    if (publicPrefixes.some((p) => route.url === p || route.url.startsWith(`${p}/`))) route.config = { ...route.config, access: 'public' };
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (!request.routeOptions.url) return; // no route: the not-found handler answers
    const outcome = await authorize(request, ctx.keys, ctx.sessions);
    if (outcome.ok) return;
    if (request.routeOptions.config.auth === 'session') return dashboardAuthFailure(request, reply, outcome);
    return sendError(reply, errorBody(outcome.status, outcome.message));
  });
  app.setErrorHandler(apiErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, errorBody(404, `no route ${request.method} ${request.url.split('?')[0] ?? ''}; see /docs`)),
  );

  // JSON as usual (prototype poisoning refused), but an empty body with a JSON content type is no body,
  // so `curl -X POST -H 'content-type: application/json' .../resume` works.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, null);
      return;
    }
    void defaultJson(request, text, done);
  });

  await app.register(fastifyFormbody, { bodyLimit: config.API_BODY_LIMIT });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Advocacy campaigns API',
        version: '1',
        description:
          'Start and steer torture-prevention advocacy campaigns (UNCAT, OPCAT, NPM designation, capacity building) and record ' +
          'their milestones. Every write is recorded in the campaign history with the API key id as its actor. Errors have ' +
          'one shape: `{ statusCode, code, error, message, issues }`, where `issues` lists "field.path: problem".',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key made with `advocacy keys create`' },
        },
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'templates', description: 'Process templates' },
        { name: 'campaigns', description: 'Start, list and show campaigns' },
        { name: 'milestones', description: 'Record what happened (staff)' },
        { name: 'steering', description: 'Pause, resume, cancel, correct (programme leads)' },
        { name: 'health', description: 'Probes' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  await app.register(healthRoutes, { ctx });
  await app.register(templateRoutes, { ctx });
  await app.register(campaignRoutes, { ctx });
  await app.register(workRoutes, { ctx });
  await app.register(milestoneRoutes, { ctx });
  await app.register(steeringRoutes, { ctx });
  await app.register(dashboardRoutes, { ctx });

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, () => app.swagger());
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true, persistAuthorization: false } });
  return app;
}
