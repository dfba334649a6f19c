import type { FastifyRequest } from 'fastify';
import type { CommandType } from '../shared/campaign/commands.js';
import type { CampaignView } from '../shared/campaign/view.js';
import { CampaignError } from '../shared/errors.js';
import { requireCaller } from '../http/access.js';
import type { RouteContext } from '../http/route-context.js';

export interface CommandAccepted {
  requestId: string;
  events: number[];
  campaign: CampaignView;
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
  const result = await ctx.campaigns.execute(campaignId, command, caller, idempotencyKey);
  if (!result.ok) throw new CampaignError(result.code, result.message, [result.message]);
  const campaign = await ctx.campaigns.view(campaignId, caller);
  return { requestId: result.requestId, events: result.events, campaign };
}
