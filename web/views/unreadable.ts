import type { UnreadableCampaign } from '../../shared/campaign/unreadable.js';
import { countryName } from '../format.js';
import { html, type Html } from '../html.js';

/**
 * One visible notice per campaign a shared page could not read: which campaign, what happened and what to
 * do, with a link to its workflow for operators. The page shows everything else as usual.
 */
export function unreadableNotices(list: readonly UnreadableCampaign[], what: string): Html {
  if (list.length === 0) return html``;
  return html`<section class="unreadable" aria-labelledby="unreadable-title">
    <h2 id="unreadable-title" class="visually-hidden">Campaigns that could not be read</h2>
    ${list.map(
      (u) =>
        html`<div class="notice notice--warning" role="status" data-unreadable="${u.campaignId}">
          <p>
            <strong
              ><span aria-hidden="true">⚠</span> ${u.template || 'Campaign'} —
              ${u.country ? countryName(u.country) : 'unknown country'}</strong
            >
            <span class="mono">${u.campaignId}</span>: ${what}. ${capitalize(u.message)}.
          </p>
          <p>
            What to do: ${u.action}.${u.temporalUrl ? html` <a href="${u.temporalUrl}" rel="noopener">Open in Temporal Web UI</a>` : ''}
          </p>
        </div>`,
    )}
  </section>`;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
