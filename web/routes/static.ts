import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { readFileSync } from 'node:fs';
import type { RouteContext } from '../../http/route-context.js';

/** The dashboard's style sheet and icon, and the site root, which leads to the dashboard. */

const css = readFileSync(new URL('../dashboard.css', import.meta.url), 'utf8');
const favicon =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#163d6b"/>' +
  '<path d="M9 17l5 5 9-11" fill="none" stroke="#ffbf47" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>';

export const staticRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, _opts, done) => {
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui'));

  app.get('/ui/static/dashboard.css', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(css),
  );

  app.get('/ui/static/favicon.svg', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(favicon),
  );
  app.get('/favicon.ico', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.redirect('/ui/static/favicon.svg', 301),
  );
  done();
};
