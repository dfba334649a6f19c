import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import { campaignStateSchema, domainEventSchema, type FollowOnRequest, type InformRequest } from '../shared/campaign/index.js';
import type { campaignWorkflow } from './campaign.js';

/** What a run hands to the next one: the state and everything asked for but not yet done. */
export const continuedSchema = z.object({
  state: campaignStateSchema,
  outbox: z.array(domainEventSchema),
  followOns: z.array(z.custom<FollowOnRequest>()),
  informs: z.array(z.custom<InformRequest>()).default([]),
});
export type Continued = z.input<typeof continuedSchema>;

/** Temporal suggests it when the history grows large; tests lower the bar with `continueAsNewAfter` (history events). */
export function continueAsNewCheck(threshold: number | undefined): () => boolean {
  return () => workflowInfo().continueAsNewSuggested || (threshold !== undefined && workflowInfo().historyLength > threshold);
}

/**
 * Continues as new, carrying everything not yet done; waits first for in-flight work (handlers, a batch
 * being published, a follow-on being started) so nothing is sent twice or dropped. `carry` is read only
 * then, as the wait may change what is left.
 */
export async function continueAsNewWhenIdle(
  inFlight: readonly { readonly busy: boolean }[],
  carry: () => Continued,
  threshold: number | undefined,
): Promise<never> {
  await condition(() => allHandlersFinished() && inFlight.every((w) => !w.busy));
  return continueAsNew<typeof campaignWorkflow>({
    continued: carry(),
    ...(threshold !== undefined ? { continueAsNewAfter: threshold } : {}),
  });
}
