import type { FastifyRequest } from 'fastify';
import { requireCaller } from '../../http/access.js';
import type { RouteContext } from '../../http/route-context.js';
import type { CampaignView } from '../../shared/campaign/view.js';
import { CampaignError } from '../../shared/errors.js';
import { roleAllows, type Role } from '../../shared/ids.js';

/** One campaign as the signed-in key may see it, and what that key may record on it. */

const campaignIdPattern = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$/;

/** The campaign's view through the facade, which refuses another country's campaign for a scoped key. */
export async function loadCampaign(campaigns: RouteContext['campaigns'], request: FastifyRequest, id: string): Promise<CampaignView> {
  if (!campaignIdPattern.test(id)) throw new CampaignError('not-found', `no campaign with id ${id}`);
  return campaigns.view(id, requireCaller(request));
}

/**
 * The milestones the role may record as done now, to offer the form only where the engine would accept it
 * (the engine still decides when the form is sent).
 */
export function completable(view: CampaignView, role: Role): Set<string> {
  return new Set(
    view.status === 'active' || view.status === 'paused'
      ? view.milestones
          .filter((m) => m.status === 'open' && !m.automatic && roleAllows(role, 'staff') && roleAllows(role, m.role as Role))
          .map((m) => m.id)
      : [],
  );
}
