import type { UnreadableCampaign } from '../../shared/campaign/unreadable.js';
import type { WorkItem } from '../../shared/campaign/work-list.js';
import { countryName, daysLeftText, displayLabel, formatDate, humanize } from '../format.js';
import { attrs, html, type Html } from '../html.js';
import type { PageLinks } from '../paging.js';
import { pager } from './pager.js';
import { unreadableNotices } from './unreadable.js';

export interface DueFilters {
  country?: string;
  withinDays: number;
}

function filterForm(filters: DueFilters): Html {
  return html`<form method="get" action="/ui/due" class="filters" aria-label="Filter the work list">
    <div class="field field--inline">
      <label for="d-country">Country code</label>
      <input id="d-country" name="country" maxlength="2" size="3" autocomplete="off" ${attrs({ value: filters.country })} />
    </div>
    <div class="field field--inline">
      <label for="d-within">Due within (days)</label>
      <input id="d-within" name="within" type="number" min="0" max="366" size="4" ${attrs({ value: filters.withinDays })} />
    </div>
    <button type="submit" class="button button--secondary">Filter</button>
  </form>`;
}

/** Overdue and due-soon milestones across campaigns, overdue first; each links to its campaign. */
export function dueView(options: {
  items: WorkItem[];
  unreadable?: UnreadableCampaign[];
  filters: DueFilters;
  error?: string;
  /** Links to the pages before and after this one (each holds the work of a page of due campaigns). */
  pages?: PageLinks;
}): Html {
  const { items, filters } = options;
  const overdue = items.filter((i) => i.display === 'overdue').length;
  return html`<div class="page-head">
      <h1>Due &amp; overdue</h1>
      <ul class="stats" aria-label="Summary">
        <li class="${overdue ? 'stats__alert' : ''}"><strong>${overdue}</strong> overdue</li>
        <li><strong>${items.length - overdue}</strong> due within ${filters.withinDays} days</li>
      </ul>
    </div>
    <p class="muted">
      Milestones of active and paused campaigns that are overdue or due soon, overdue first. Waiting means earlier milestones are not done
      yet.
    </p>
    ${filterForm(filters)} ${options.error ? html`<div class="notice notice--error" role="alert">${options.error}</div>` : ''}
    ${unreadableNotices(options.unreadable ?? [], 'its milestones are missing from this list')}
    ${
      items.length === 0
        ? html`<p class="empty">Nothing is overdue or due within ${filters.withinDays} days.</p>`
        : html`<div class="table-wrap">
            <table class="campaigns work-list">
              <caption class="visually-hidden">
                Overdue and due-soon milestones
              </caption>
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Due</th>
                  <th scope="col">Milestone</th>
                  <th scope="col">Campaign</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Role</th>
                </tr>
              </thead>
              <tbody>
                ${items.map(
                  (i) =>
                    html`<tr data-campaign="${i.campaignId}" data-milestone="${i.milestone}">
                      <td>
                        ${
                          i.display === 'overdue'
                            ? html`<span class="flag flag--overdue"><span aria-hidden="true">⚠</span> Overdue</span>`
                            : html`<span class="badge badge--${i.display}">${displayLabel[i.display]}</span>`
                        }
                      </td>
                      <td>
                        ${formatDate(i.dueOn)}
                        <span class="${i.daysLeft < 0 ? 'overdue-text' : 'muted'}">(${daysLeftText(i.daysLeft)})</span>
                      </td>
                      <th scope="row"><a href="/ui/campaigns/${encodeURIComponent(i.campaignId)}#m-${i.milestone}">${i.title}</a></th>
                      <td>
                        <a href="/ui/campaigns/${encodeURIComponent(i.campaignId)}">${i.templateTitle}</a>
                        <span class="sub">${countryName(i.country)} · ${i.campaignId}</span>
                      </td>
                      <td>${i.owner ?? html`<span class="muted">—</span>`}</td>
                      <td>${humanize(i.role)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    ${pager(options.pages)}`;
}
