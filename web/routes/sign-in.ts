import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { RouteContext } from '../../http/route-context.js';
import { clearSessionCookie, setSessionCookie } from '../../http/sessions.js';
import { loginView } from '../views/login.js';
import { field, formBody, param } from './input.js';
import { pageRenderer, sessionRoute } from './page.js';

/** Signing in with an API key (the cookie holds a signed session, never the key) and signing out. */

/** Only local dashboard paths, so the login form cannot be made to redirect elsewhere. */
function safeNext(next: string | undefined): string {
  return next && /^\/ui(?:[/?#]|$)/.test(next) && !next.startsWith('//') ? next : '/ui';
}

export const signInRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  const { keys, sessions } = ctx;
  const { render } = pageRenderer(sessions);

  app.get('/ui/login', { config: sessionRoute('public'), schema: { hide: true } }, async (request, reply) => {
    const next = safeNext(param(request.query, 'next'));
    if (request.apiKey) return reply.redirect(next, 303);
    return render(request, reply, 200, 'Sign in', loginView({ next }), 'login');
  });

  app.post('/ui/login', { config: sessionRoute('public'), schema: { hide: true, body: formBody } }, async (request, reply) => {
    const next = safeNext(field(request.body, 'next'));
    const secret = field(request.body, 'key').trim();
    const key = secret ? await keys.verify(secret) : undefined;
    if (!key) {
      request.log.warn('dashboard sign-in refused');
      const error = secret ? 'That key is not valid, or it was revoked.' : 'Enter your API key.';
      return render(request, reply, 401, 'Sign in', loginView({ error, next }), 'login');
    }
    setSessionCookie(request, reply, sessions.issue(key.id), sessions.maxAgeSeconds);
    request.log.info({ keyId: key.id, role: key.role }, 'dashboard sign-in');
    return reply.redirect(next, 303);
  });

  app.post('/ui/logout', { config: sessionRoute('viewer'), schema: { hide: true, body: formBody } }, async (request, reply) => {
    clearSessionCookie(request, reply);
    return reply.redirect('/ui/login', 303);
  });
  done();
};
