import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Sessions } from '../../http/sessions.js';
import type { Html } from '../html.js';
import { page, type PageOptions } from '../layout.js';

/** How a dashboard route is declared, and how it answers with a page. */

const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** A dashboard route's config: its least role and, for a refusal's wording, what it does; signed in by session cookie. */
export const sessionRoute = (access: 'public' | 'viewer' | 'staff', action?: string) => ({
  access,
  auth: 'session' as const,
  ...(action ? { action } : {}),
});

export function sendPage(reply: FastifyReply, status: number, options: PageOptions): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', CSP)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page(options));
}

export type Render = (
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  title: string,
  body: Html,
  current?: PageOptions['current'],
) => FastifyReply;

/** Page helpers bound to the session store: every page shows who is signed in and carries the session's CSRF token. */
export function pageRenderer(sessions: Sessions): { render: Render; csrfOf: (request: FastifyRequest) => string } {
  const csrfOf = (request: FastifyRequest) => (request.session ? sessions.csrfToken(request.session) : '');
  const render: Render = (request, reply, status, title, body, current) =>
    sendPage(reply, status, { title, body, user: request.apiKey, csrf: csrfOf(request), ...(current ? { current } : {}) });
  return { render, csrfOf };
}
