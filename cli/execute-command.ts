import type { CampaignView, CommandResult } from '../shared/campaign/index.js';
import { CampaignError } from '../shared/errors.js';
import type { Actor } from '../shared/ids.js';
import type { CliContext } from './command-context.js';
import type { Colors } from './output.js';
import { actorText, forbiddenHint } from './render.js';

/** How `advocacy campaign` and `advocacy milestone` send a command to a running campaign. */

export interface CommandOutcome {
  result: Extract<CommandResult, { ok: true }>;
  actor: Actor;
  campaign: CampaignView;
}

/**
 * Sends one command through the facade (a Temporal update: validated by the workflow, idempotent by
 * request id), then reads the campaign back, and prints what changed.
 */
export async function executeCommand(
  ctx: CliContext,
  campaignId: string,
  body: Record<string, unknown>,
  done: (c: Colors, view: CampaignView) => string,
  details: (c: Colors, view: CampaignView) => string = () => '',
): Promise<CommandOutcome> {
  const who = ctx.actor();
  ctx.hints.forbidden = forbiddenHint(who);
  ctx.hints['not-found'] = `see \`advocacy campaign list\`, and \`advocacy campaign show ${campaignId}\` for its milestones`;
  ctx.hints.conflict = `\`advocacy campaign show ${campaignId}\` shows what is already done and whether the campaign is still running`;
  ctx.hints.precondition = `\`advocacy campaign show ${campaignId}\` shows which milestones are open and what they wait for`;
  const outcome = await ctx.withCampaigns(async (campaigns) => {
    const result = await campaigns.execute(campaignId, body, { actor: who.actor });
    if (!result.ok) throw new CampaignError(result.code, result.message, [result.message]);
    return { result, actor: who.actor, campaign: await campaigns.view(campaignId) };
  });
  const events = outcome.result.events;
  ctx.out.result(
    { ok: true, requestId: outcome.result.requestId, events, actor: outcome.actor, campaign: outcome.campaign },
    (c) =>
      `${c.green('✔')} ${done(c, outcome.campaign)}  ${actorText(c, who)}${events.length ? c.dim(`; event${events.length > 1 ? 's' : ''} #${events.join(', #')}`) : ''}${details(c, outcome.campaign)}\n`,
  );
  return outcome;
}
