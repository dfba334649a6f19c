import { z } from 'zod';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { RouteContext } from '../../http/route-context.js';
import { json } from '../schemas.js';

const started = Date.now();

/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: Temporal answers too). */
export const healthRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        security: [],
        response: { 200: json('The process is up', z.object({ status: z.literal('ok'), uptimeSeconds: z.number() })) },
      },
    },
    () => ({ status: 'ok' as const, uptimeSeconds: Math.round((Date.now() - started) / 1000) }),
  );

  const readiness = z.object({ status: z.enum(['ready', 'unavailable']), temporal: z.string() });
  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Readiness: Temporal is reachable',
        security: [],
        response: { 200: json('Temporal answers', readiness), 503: json('Temporal does not answer', readiness) },
      },
    },
    async (request, reply) => {
      try {
        await ctx.checkTemporal();
        return { status: 'ready' as const, temporal: 'ok' };
      } catch (err) {
        // The probe is public: Temporal's own answer (addresses, versions) goes to the log only.
        request.log.warn({ err: (err as Error).message }, 'not ready: Temporal does not answer');
        return reply.code(503).send({ status: 'unavailable' as const, temporal: 'not answering' });
      }
    },
  );
  done();
};
