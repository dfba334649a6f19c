import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { callerOf, requireCaller, type AuthOutcome } from '../http/access.js';
import type { RouteContext } from '../http/route-context.js';
import { clearSessionCookie, sameOrigin, setSessionCookie } from '../http/sessions.js';
import type { CampaignSummary, ListFilter } from '../clients/campaign-client.js';
import type { CampaignView } from '../shared/campaign/view.js';
import { DUE_SOON_DAYS } from '../shared/campaign/view.js';
import type { WorkItem } from '../shared/campaign/work-list.js';
import { temporalUiUrl } from '../shared/config.js';
import { CampaignError, errorCodes } from '../shared/errors.js';
import { roleAllows, slug, type Role } from '../shared/ids.js';
import { formatDate } from './format.js';
import type { Html } from './html.js';
import { page, type PageOptions } from './layout.js';
import { campaignView } from './views/campaign.js';
import { campaignsView, type CampaignRow, type ListFilters } from './views/campaigns.js';
import { completeView, noErrors, placeErrors, type CompleteFormValues } from './views/complete.js';
import { dueView } from './views/due.js';
import { errorView } from './views/error.js';
import { loginView } from './views/login.js';
import { mapLimit } from '../infra/map-limit.js';

/**
 * The dashboard: server-rendered pages for people who are not developers, served by the API under /ui.
 * It signs in with an API key (a login form sets an HttpOnly, SameSite=Strict cookie holding a signed
 * session, never the key), and calls the same campaign facade as the API, so it shows the same
 * validation messages and makes the same access decisions. Every form carries a per-session CSRF token;
 * cross-origin POSTs are refused. No JavaScript: pages work with a keyboard and any browser.
 */

const css = readFileSync(new URL('./dashboard.css', import.meta.url), 'utf8');
const favicon =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#163d6b"/>' +
  '<path d="M9 17l5 5 9-11" fill="none" stroke="#ffbf47" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>';

const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const campaignIdPattern = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$/;
const formBody = z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional();

const session = (access: 'public' | 'viewer' | 'staff', action?: string) => ({ access, auth: 'session' as const, ...(action ? { action } : {}) });

function html(reply: FastifyReply, status: number, options: PageOptions): FastifyReply {
  return reply.code(status).header('content-security-policy', CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page(options));
}

function field(body: Record<string, string | string[]> | undefined, name: string): string {
  const v = body?.[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** A query parameter as one string (the first, when repeated). */
function param(query: unknown, name: string): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[name];
  const one: unknown = Array.isArray(v) ? v[0] : v;
  return typeof one === 'string' ? one : undefined;
}

/** Only local dashboard paths, so the login form cannot be made to redirect elsewhere. */
function safeNext(next: string | undefined): string {
  return next && /^\/ui(?:[/?#]|$)/.test(next) && !next.startsWith('//') ? next : '/ui';
}

/** How the dashboard answers a request the access check refused: the login page, or a 403 page. */
export function dashboardAuthFailure(request: FastifyRequest, reply: FastifyReply, outcome: Extract<AuthOutcome, { ok: false }>): FastifyReply {
  if (outcome.status === 401) {
    const next = request.method === 'GET' ? request.url : '/ui';
    return reply.code(303).header('location', `/ui/login?next=${encodeURIComponent(next)}`).send();
  }
  return html(reply, 403, { title: 'Not allowed', body: errorView(403, outcome.message), user: request.apiKey });
}


function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

export const dashboardRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  const { campaigns, templates, keys, sessions, config } = ctx;

  const csrfOf = (request: FastifyRequest) => (request.session ? sessions.csrfToken(request.session) : '');
  const render = (request: FastifyRequest, reply: FastifyReply, status: number, title: string, body: Html, current?: PageOptions['current']) =>
    html(reply, status, { title, body, user: request.apiKey, csrf: csrfOf(request), ...(current ? { current } : {}) });

  // Forms: same origin, and (once signed in) the session's CSRF token.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const ok = sameOrigin(request) && (request.routeOptions.config.access === 'public' || sessions.checkCsrf(request.session ?? '', field(request.body as Record<string, string>, '_csrf')));
    if (!ok) {
      request.log.warn({ url: request.url }, 'refused a dashboard form: cross-origin or bad CSRF token');
      return render(request, reply, 403, 'Not allowed', errorView(403, 'This form is out of date or came from another site. Go back, reload the page and try again.'));
    }
  });

  app.setErrorHandler((err, request, reply) => {
    const status = err instanceof CampaignError ? errorCodes[err.code].http : (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500 && !(err instanceof CampaignError)) request.log.error({ err }, 'dashboard request failed');
    const message = err instanceof CampaignError || status < 500 ? (err as Error).message : 'Something went wrong on the server; the log has the details.';
    return render(request, reply, status, 'Error', errorView(status, message));
  });

  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui'));

  app.get('/ui/static/dashboard.css', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(css),
  );

  app.get('/ui/static/favicon.svg', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(favicon),
  );
  app.get('/favicon.ico', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui/static/favicon.svg', 301));

  // ------------------------------------------------------------------------------------------------
  // Signing in and out

  app.get('/ui/login', { config: session('public'), schema: { hide: true } }, async (request, reply) => {
    const next = safeNext(param(request.query, 'next'));
    if (request.apiKey) return reply.redirect(next, 303);
    return render(request, reply, 200, 'Sign in', loginView({ next }), 'login');
  });

  app.post('/ui/login', { config: session('public'), schema: { hide: true, body: formBody } }, async (request, reply) => {
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

  app.post('/ui/logout', { config: session('viewer'), schema: { hide: true, body: formBody } }, async (request, reply) => {
    clearSessionCookie(request, reply);
    return reply.redirect('/ui/login', 303);
  });

  // ------------------------------------------------------------------------------------------------
  // Campaign list: by country and process

  app.get('/ui', { config: session('viewer'), schema: { hide: true } }, async (request, reply) => {
    const caller = requireCaller(request);
    const [country, template, status] = ['country', 'template', 'status'].map((n) => param(request.query, n)?.trim());
    const filters: ListFilters = {
      ...(country ? { country: country.toUpperCase() } : {}),
      ...(template ? { template } : {}),
      ...(status ? { status } : {}),
      ...(param(request.query, 'overdue') === 'true' ? { overdue: true } : {}),
    };
    const templateList = templates.listTemplates().map((t) => ({ id: t.id, title: t.title }));
    let summaries: CampaignSummary[] = [];
    let error: string | undefined;
    try {
      summaries = await campaigns.list(filters as ListFilter, caller);
    } catch (err) {
      if (!(err instanceof CampaignError) || err.code === 'unavailable') throw err;
      error = err.message;
    }
    const views = await mapLimit(summaries, config.DASHBOARD_VIEW_CONCURRENCY, (s) => withTimeout(campaigns.view(s.campaignId, caller), config.DASHBOARD_VIEW_TIMEOUT_MS));
    const rows: CampaignRow[] = summaries.map((summary, i) => ({ summary, ...(views[i] ? { view: views[i] } : {}) }));
    return render(request, reply, 200, 'Campaigns', campaignsView({ rows, filters, templates: templateList, ...(error ? { error } : {}) }), 'campaigns');
  });

  // ------------------------------------------------------------------------------------------------
  // Work list: what is overdue or due soon across campaigns

  app.get('/ui/due', { config: session('viewer'), schema: { hide: true } }, async (request, reply) => {
    const caller = requireCaller(request);
    const country = param(request.query, 'country')?.trim().toUpperCase() || undefined;
    const within = param(request.query, 'within')?.trim();
    const withinDays = within && /^\d{1,3}$/.test(within) ? Number(within) : DUE_SOON_DAYS;
    let items: WorkItem[] = [];
    let error: string | undefined;
    try {
      items = await campaigns.workList({ ...(country ? { country } : {}), withinDays }, caller);
    } catch (err) {
      if (!(err instanceof CampaignError) || err.code === 'unavailable') throw err;
      error = err.message;
    }
    return render(request, reply, 200, 'Due & overdue', dueView({ items, filters: { ...(country ? { country } : {}), withinDays }, ...(error ? { error } : {}) }), 'due');
  });

  // ------------------------------------------------------------------------------------------------
  // One campaign

  const loadCampaign = async (request: FastifyRequest, id: string): Promise<CampaignView> => {
    if (!campaignIdPattern.test(id)) throw new CampaignError('not-found', `no campaign with id ${id}`);
    return campaigns.view(id, requireCaller(request));
  };

  const completable = (view: CampaignView, role: Role) =>
    new Set(
      view.status === 'active' || view.status === 'paused'
        ? view.milestones.filter((m) => m.status === 'open' && !m.automatic && roleAllows(role, 'staff') && roleAllows(role, m.role as Role)).map((m) => m.id)
        : [],
    );

  app.get('/ui/campaigns/:id', { config: session('viewer'), schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const view = await loadCampaign(request, id);
    const user = request.apiKey;
    const ids = new Set([...view.history.map((h) => h.actor.id), ...view.milestones.flatMap((m) => (m.completedBy ? [m.completedBy.id] : []))]);
    const actors = new Map<string, string>();
    await Promise.all(
      [...ids].map(async (actorId) => {
        const key = /^key-[0-9a-f]{12}$/.test(actorId) ? await keys.get(actorId) : undefined;
        if (key) actors.set(actorId, key.label);
      }),
    );
    const recorded = param(request.query, 'recorded');
    const recordedMilestone = recorded && slug.safeParse(recorded).success ? view.milestones.find((m) => m.id === recorded) : undefined;
    const body = campaignView({
      view,
      template: templates.findTemplate(view.templateId, view.templateVersion),
      completable: user ? completable(view, user.role) : new Set(),
      actors,
      temporalUrl: `${temporalUiUrl(config)}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(view.campaignId)}`,
      ...(recordedMilestone ? { flash: `Recorded: “${recordedMilestone.title}” is done${recordedMilestone.completedOn ? `, on ${formatDate(recordedMilestone.completedOn)}` : ''}.` } : {}),
    });
    return render(request, reply, 200, `${view.templateTitle} — ${view.country}`, body, 'campaigns');
  });

  // ------------------------------------------------------------------------------------------------
  // Recording a milestone as done

  const completePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    view: CampaignView,
    milestoneId: string,
    values: CompleteFormValues,
    messages: string[],
    requestId: string,
  ) => {
    const milestone = view.milestones.find((m) => m.id === milestoneId);
    if (!milestone) throw new CampaignError('not-found', `unknown milestone "${milestoneId}" in template ${view.templateId}`);
    const def = templates.findTemplate(view.templateId, view.templateVersion)?.milestones.find((m) => m.id === milestoneId);
    const errors = messages.length ? placeErrors(messages, def) : noErrors();
    const body = completeView({ view, milestone, def, values, errors, csrf: csrfOf(request), requestId });
    return render(request, reply, status, `${errors.summary.length ? 'Error: ' : ''}Record completion — ${milestone.title}`, body, 'campaigns');
  };

  app.get('/ui/campaigns/:id/milestones/:milestone/complete', { config: session('staff', 'complete'), schema: { hide: true } }, async (request, reply) => {
    const { id, milestone } = request.params as { id: string; milestone: string };
    const view = await loadCampaign(request, id);
    const m = view.milestones.find((x) => x.id === milestone);
    if (!m) throw new CampaignError('not-found', `unknown milestone "${milestone}" in template ${view.templateId}`);
    if (!completable(view, request.apiKey?.role ?? 'viewer').has(m.id)) {
      const why =
        m.status !== 'open'
          ? `“${m.title}” is ${m.status === 'blocked' ? 'waiting for earlier milestones' : m.status}; it cannot be recorded now.`
          : m.automatic
            ? `“${m.title}” completes itself.`
            : view.status !== 'active' && view.status !== 'paused'
              ? `The campaign is ${view.status}.`
              : `“${m.title}” may be recorded only by ${m.role}.`;
      throw new CampaignError(m.status !== 'open' || m.automatic || (view.status !== 'active' && view.status !== 'paused') ? 'conflict' : 'forbidden', why);
    }
    return completePage(request, reply, 200, view, milestone, { date: view.today, evidence: {}, note: '' }, [], randomUUID());
  });

  app.post('/ui/campaigns/:id/milestones/:milestone/complete', { config: session('staff', 'complete'), schema: { hide: true, body: formBody } }, async (request, reply) => {
    const { id, milestone } = request.params as { id: string; milestone: string };
    const body = request.body;
    const values: CompleteFormValues = { date: field(body, 'date'), note: field(body, 'note'), evidence: {} };
    for (const name of Object.keys(body ?? {})) if (name.startsWith('evidence.')) values.evidence[name.slice('evidence.'.length)] = field(body, name);
    const given = field(body, 'requestId');
    const requestId = /^[0-9a-f-]{36}$/.test(given) ? given : randomUUID();
    const caller = callerOf(request.apiKey as NonNullable<typeof request.apiKey>);
    const evidence = Object.fromEntries(Object.entries(values.evidence).filter(([, v]) => v.trim() !== ''));
    try {
      await campaigns.execute(
        id,
        { type: 'complete', milestone, date: values.date.trim(), evidence, ...(values.note.trim() ? { note: values.note } : {}) },
        caller,
        `${caller.actor.id}:${requestId}`,
      );
    } catch (err) {
      if (!(err instanceof CampaignError) || !['invalid', 'conflict', 'precondition', 'forbidden'].includes(err.code)) throw err;
      const view = await loadCampaign(request, id);
      return completePage(request, reply, errorCodes[err.code].http, view, milestone, values, err.issues.length ? err.issues : [err.message], requestId);
    }
    request.log.info({ campaignId: id, milestone, keyId: caller.actor.id }, 'milestone recorded from the dashboard');
    return reply.redirect(`/ui/campaigns/${encodeURIComponent(id)}?recorded=${encodeURIComponent(milestone)}#m-${milestone}`, 303);
  });
  done();
};
