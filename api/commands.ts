import type { FastifyRequest } from 'fastify';
import type { Caller } from '../clients/campaign-client.js';
import type { CommandType } from '../shared/campaign/commands.js';
import type { CampaignView } from '../shared/campaign/view.js';
import { CampaignError } from '../shared/errors.js';
import { requireCaller } from './auth.js';
import type { RouteContext } from './context.js';

export interface CommandAccepted {
  requestId: string;
  events: number[];
  campaign: CampaignView;
}

/**
 * A finished campaign's workflow no longer takes updates, and Temporal says "not found"; the campaign
 * still exists (its view answers), so the truthful answer is a conflict, as the engine gives while the
 * workflow is still closing.
 */
async function closedCampaign(ctx: RouteContext, campaignId: string, caller: Caller, err: unknown): Promise<unknown> {
  if (!(err instanceof CampaignError) || err.code !== 'not-found' || !err.message.startsWith('no campaign with id')) return err;
  const view = await ctx.campaigns.view(campaignId, caller).catch(() => undefined);
  if (!view || (view.status !== 'cancelled' && view.status !== 'completed')) return err;
  const message = `the campaign is ${view.status}; no further changes are accepted`;
  return new CampaignError('conflict', message, [message]);
}

/**
 * Runs one command through the facade as the request's key, and answers with the campaign as it is now.
 * The Idempotency-Key header becomes the command's request id, scoped to the key, so a retried write
 * returns the first answer and changes nothing; a rejected command throws with the workflow's reason.
 */
export async function runCommand(
  ctx: RouteContext,
  request: FastifyRequest,
  campaignId: string,
  command: { type: CommandType } & Record<string, unknown>,
): Promise<CommandAccepted> {
  const caller = requireCaller(request);
  const header = request.headers['idempotency-key'];
  const idempotencyKey = typeof header === 'string' ? `${caller.actor.id}:${header}` : undefined;
  const result = await ctx.campaigns.execute(campaignId, command, caller, idempotencyKey).catch(async (err: unknown) => {
    throw await closedCampaign(ctx, campaignId, caller, err);
  });
  if (!result.ok) throw new CampaignError(result.code, result.message, [result.message]);
  const campaign = await ctx.campaigns.view(campaignId, caller);
  return { requestId: result.requestId, events: result.events, campaign };
}
