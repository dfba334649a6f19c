import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { AuthOutcome } from '../http/access.js';
import type { RouteContext } from '../http/route-context.js';
import { logServerFault, serverFaultMessage } from '../http/server-faults.js';
import { sameOrigin } from '../http/sessions.js';
import { CampaignError, errorCodes } from '../shared/errors.js';
import { campaignRoutes } from './routes/campaigns.js';
import { completeRoutes } from './routes/complete.js';
import { dueRoutes } from './routes/due.js';
import { field } from './routes/input.js';
import { pageRenderer, sendPage } from './routes/page.js';
import { signInRoutes } from './routes/sign-in.js';
import { staticRoutes } from './routes/static.js';
import { errorView } from './views/error.js';

/**
 * The dashboard: server-rendered pages for people who are not developers, served by the API under /ui.
 * It signs in with an API key (a login form sets an HttpOnly, SameSite=Strict cookie holding a signed
 * session, never the key), and calls the same campaign facade as the API, so it shows the same
 * validation messages and makes the same access decisions. Every form carries a per-session CSRF token;
 * cross-origin POSTs are refused. No JavaScript: pages work with a keyboard and any browser.
 */

/** How the dashboard answers a request the access check refused: the login page, or a 403 page. */
export function dashboardAuthFailure(
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: Extract<AuthOutcome, { ok: false }>,
): FastifyReply {
  if (outcome.status === 401) {
    const next = request.method === 'GET' ? request.url : '/ui';
    return reply
      .code(303)
      .header('location', `/ui/login?next=${encodeURIComponent(next)}`)
      .send();
  }
  return sendPage(reply, 403, { title: 'Not allowed', body: errorView(403, outcome.message), user: request.apiKey });
}

/** The dashboard's routes, with the form checks and the error page that apply to all of them (and only them). */
export const dashboardRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  const { sessions } = ctx;
  const { render } = pageRenderer(sessions);

  // Forms: same origin, and (once signed in) the session's CSRF token.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const ok =
      sameOrigin(request) &&
      (request.routeOptions.config.access === 'public' ||
        sessions.checkCsrf(request.session ?? '', field(request.body as Record<string, string>, '_csrf')));
    if (!ok) {
      request.log.warn({ url: request.url }, 'refused a dashboard form: cross-origin or bad CSRF token');
      return render(
        request,
        reply,
        403,
        'Not allowed',
        errorView(403, 'This form is out of date or came from another site. Go back, reload the page and try again.'),
      );
    }
  });

  // Server faults: the page says what to do, the log (under the request id) says what happened.
  app.setErrorHandler((err, request, reply) => {
    const status = err instanceof CampaignError ? errorCodes[err.code].http : ((err as { statusCode?: number }).statusCode ?? 500);
    logServerFault(err, request, status);
    const message = status < 500 ? (err as Error).message : serverFaultMessage(err, 'dashboard');
    return render(request, reply, status, 'Error', errorView(status, message));
  });

  // Registered after the hook and the error handler, so they apply inside each of these plugins.
  for (const routes of [staticRoutes, signInRoutes, campaignRoutes, dueRoutes, completeRoutes]) void app.register(routes, { ctx });
  done();
};
