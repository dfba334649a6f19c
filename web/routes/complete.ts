import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { callerOf } from '../../http/access.js';
import type { RouteContext } from '../../http/route-context.js';
import type { CampaignView } from '../../shared/campaign/view.js';
import { CampaignError, errorCodes } from '../../shared/errors.js';
import { completeView, noErrors, placeErrors, type CompleteFormValues } from '../views/complete.js';
import { completable, loadCampaign } from './campaign-access.js';
import { field, formBody } from './input.js';
import { pageRenderer, sessionRoute } from './page.js';

/**
 * Recording a milestone as done (staff): the form, and its submission through the facade, whose refusal
 * comes back as the form again with the engine's messages placed at their fields.
 */
export const completeRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  const { campaigns, templates } = ctx;
  const { render, csrfOf } = pageRenderer(ctx.sessions);

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
    return render(
      request,
      reply,
      status,
      `${errors.summary.length ? 'Error: ' : ''}Record completion — ${milestone.title}`,
      body,
      'campaigns',
    );
  };

  app.get(
    '/ui/campaigns/:id/milestones/:milestone/complete',
    { config: sessionRoute('staff', 'complete'), schema: { hide: true } },
    async (request, reply) => {
      const { id, milestone } = request.params as { id: string; milestone: string };
      const view = await loadCampaign(campaigns, request, id);
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
        throw new CampaignError(
          m.status !== 'open' || m.automatic || (view.status !== 'active' && view.status !== 'paused') ? 'conflict' : 'forbidden',
          why,
        );
      }
      return completePage(request, reply, 200, view, milestone, { date: view.today, evidence: {}, note: '' }, [], randomUUID());
    },
  );

  app.post(
    '/ui/campaigns/:id/milestones/:milestone/complete',
    { config: sessionRoute('staff', 'complete'), schema: { hide: true, body: formBody } },
    async (request, reply) => {
      const { id, milestone } = request.params as { id: string; milestone: string };
      const body = request.body;
      const values: CompleteFormValues = { date: field(body, 'date'), note: field(body, 'note'), evidence: {} };
      for (const name of Object.keys(body ?? {}))
        if (name.startsWith('evidence.')) values.evidence[name.slice('evidence.'.length)] = field(body, name);
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
        const view = await loadCampaign(campaigns, request, id);
        return completePage(
          request,
          reply,
          errorCodes[err.code].http,
          view,
          milestone,
          values,
          err.issues.length ? err.issues : [err.message],
          requestId,
        );
      }
      request.log.info({ campaignId: id, milestone, keyId: caller.actor.id }, 'milestone recorded from the dashboard');
      return reply.redirect(`/ui/campaigns/${encodeURIComponent(id)}?recorded=${encodeURIComponent(milestone)}#m-${milestone}`, 303);
    },
  );
  done();
};
