import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { RouteContext } from '../../http/route-context.js';
import { retryLaterMessage } from '../../http/access.js';
import { clearSessionCookie, setSessionCookie } from '../../http/sessions.js';
import { loginView } from '../views/login.js';
import { field, formBody, param } from './input.js';
import { pageRenderer, sessionRoute } from './page.js';

/**
 * Signing in with an API key (the cookie holds a signed session, never the key) and signing out. Sign-in
 * checks the key as the API does (http/key-authenticator.ts): after too many failures from one address
 * or for one key it backs off, answering 429 with Retry-After until the failure window ends. Signing
 * out ends every session of the key, wherever its cookie was copied to.
 */

/** Only local dashboard paths, so the login form cannot be made to redirect elsewhere. */
function safeNext(next: string | undefined): string {
  return next && /^\/ui(?:[/?#]|$)/.test(next) && !next.startsWith('//') ? next : '/ui';
}

/** "3 minutes", "40 seconds": how long to wait, in words. */
function waitWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export const signInRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  const { keys, sessions, authenticator } = ctx;
  const { render } = pageRenderer(sessions);

  app.get('/ui/login', { config: sessionRoute('public'), schema: { hide: true } }, async (request, reply) => {
    const next = safeNext(param(request.query, 'next'));
    if (request.apiKey) return reply.redirect(next, 303);
    return render(request, reply, 200, 'Sign in', loginView({ next }), 'login');
  });

  app.post('/ui/login', { config: sessionRoute('public'), schema: { hide: true, body: formBody } }, async (request, reply) => {
    const next = safeNext(field(request.body, 'next'));
    const secret = field(request.body, 'key').trim();
    if (!secret) return render(request, reply, 401, 'Sign in', loginView({ error: 'Enter your API key.', next }), 'login');
    const check = await authenticator.check(secret, request.ip);
    if (!check.ok && check.status !== 401) {
      request.log.warn({ status: check.status }, 'dashboard sign-in refused unchecked: failure limit or verification queue full');
      const error =
        check.status === 429
          ? `Too many failed sign-ins. Wait ${waitWords(check.retryAfterSeconds)} and try again.`
          : `${retryLaterMessage(check.status, check.retryAfterSeconds)}.`;
      reply.header('retry-after', String(check.retryAfterSeconds));
      return render(
        request,
        reply,
        check.status,
        'Sign in',
        loginView({ error: error.charAt(0).toUpperCase() + error.slice(1), next }),
        'login',
      );
    }
    if (!check.ok) {
      request.log.warn('dashboard sign-in refused');
      return render(request, reply, 401, 'Sign in', loginView({ error: 'That key is not valid, or it was revoked.', next }), 'login');
    }
    const key = check.key;
    setSessionCookie(request, reply, sessions, sessions.issue(key.id, key.sessionEpoch ?? 0));
    request.log.info({ keyId: key.id, role: key.role }, 'dashboard sign-in');
    return reply.redirect(next, 303);
  });

  app.post('/ui/logout', { config: sessionRoute('viewer'), schema: { hide: true, body: formBody } }, async (request, reply) => {
    // Server-side: a copy of the cookie (another browser, a stolen one) stops working too.
    if (request.apiKey) await keys.endSessions(request.apiKey.id);
    request.log.info({ keyId: request.apiKey?.id }, 'dashboard sign-out: every session of the key ended');
    clearSessionCookie(request, reply, sessions);
    return reply.redirect('/ui/login', 303);
  });
  done();
};
