import type { CampaignSummary } from '../../clients/campaign-client.js';
import { listStatusSchema, type UnreadableCampaign } from '../../shared/campaign/unreadable.js';
import type { CampaignView } from '../../shared/campaign/view.js';
import { countryName, humanize } from '../format.js';
import { attrs, html, type Html } from '../html.js';
import type { PageLinks } from '../paging.js';
import { pager } from './pager.js';
import { unreadableNotices } from './unreadable.js';

export interface CampaignRow {
  summary: CampaignSummary;
  /** Absent when the campaign could not be queried in time (progress then shows as unknown). */
  view?: CampaignView;
  /** Why the campaign could not be read (its workflow stopped, or no worker answered), shown as a notice. */
  unreadable?: UnreadableCampaign;
}

export interface ListFilters {
  country?: string;
  template?: string;
  status?: string;
  overdue?: boolean;
}

const statuses = listStatusSchema.options;

function progressCell(view: CampaignView | undefined, unreadable: UnreadableCampaign | undefined): Html {
  if (unreadable) return html`<span class="flag flag--overdue"><span aria-hidden="true">⚠</span> cannot be read</span>`;
  if (!view) return html`<span class="muted">not available</span>`;
  const { done, skipped, total, percent } = view.progress;
  return html`<div class="progress">
    <progress max="100" value="${percent}" aria-label="Progress">${percent}%</progress>
    <span class="progress__text">${percent}% <span class="muted">(${done + skipped} of ${total})</span></span>
  </div>`;
}

function statusBadge(status: string): Html {
  return html`<span class="badge badge--${status}">${humanize(status)}</span>`;
}

function overdueFlag(row: CampaignRow): Html {
  const count = row.view?.overdue.length;
  if (!row.summary.overdue && !count) return html`<span class="muted">—</span>`;
  return html`<span class="flag flag--overdue"><span aria-hidden="true">⚠</span> ${count ?? ''} overdue</span>`;
}

function dueSoon(row: CampaignRow): Html {
  const n = row.view?.dueSoon.length ?? 0;
  return n ? html`<span class="flag flag--soon">${n} due soon</span>` : html``;
}

function filterForm(filters: ListFilters, templates: { id: string; title: string }[]): Html {
  return html`<form method="get" action="/ui" class="filters" aria-label="Filter campaigns">
    <div class="field field--inline">
      <label for="f-country">Country code</label>
      <input
        id="f-country"
        name="country"
        maxlength="2"
        size="3"
        autocomplete="off"
        ${attrs({ value: filters.country })}
        aria-describedby="f-country-hint"
      />
      <span class="visually-hidden" id="f-country-hint">Two letters, for example ID or PH</span>
    </div>
    <div class="field field--inline">
      <label for="f-template">Process</label>
      <select id="f-template" name="template">
        <option value="">All processes</option>
        ${templates.map((t) => html`<option value="${t.id}" ${filters.template === t.id ? html` selected` : ''}>${t.title}</option>`)}
      </select>
    </div>
    <div class="field field--inline">
      <label for="f-status">Status</label>
      <select id="f-status" name="status">
        <option value="">Any status</option>
        ${statuses.map((s) => html`<option value="${s}" ${filters.status === s ? html` selected` : ''}>${humanize(s)}</option>`)}
      </select>
    </div>
    <div class="field field--inline field--check">
      <input type="checkbox" id="f-overdue" name="overdue" value="true" ${filters.overdue ? html` checked` : ''} />
      <label for="f-overdue">Overdue only</label>
    </div>
    <button type="submit" class="button button--secondary">Filter</button>
    ${Object.values(filters).some((v) => v !== undefined) ? html`<a href="/ui" class="button button--quiet">Clear</a>` : ''}
  </form>`;
}

/** Campaigns grouped by country, then by process, with progress, stage and overdue flags. */
export function campaignsView(options: {
  rows: CampaignRow[];
  filters: ListFilters;
  templates: { id: string; title: string }[];
  error?: string;
  /** Links to the pages before and after this one, when the list spans several. */
  pages?: PageLinks;
}): Html {
  const { rows, filters, templates } = options;
  const byCountry = new Map<string, CampaignRow[]>();
  for (const row of rows) byCountry.set(row.summary.country, [...(byCountry.get(row.summary.country) ?? []), row]);
  const countries = [...byCountry.keys()].sort((a, b) => countryName(a).localeCompare(countryName(b)));
  const titleOf = (row: CampaignRow) =>
    row.view?.templateTitle ?? templates.find((t) => t.id === row.summary.template)?.title ?? row.summary.template;
  const overdueCount = rows.filter((r) => r.summary.overdue || (r.view?.overdue.length ?? 0) > 0).length;
  const activeCount = rows.filter((r) => r.summary.status === 'active').length;

  return html`<div class="page-head">
      <h1>Campaigns</h1>
      <ul class="stats" aria-label="Summary">
        <li>
          <strong>${rows.length}</strong>
          campaign${rows.length === 1 ? '' : 's'}${options.pages?.next || options.pages?.previous ? ' on this page' : ''}
        </li>
        <li><strong>${countries.length}</strong> countr${countries.length === 1 ? 'y' : 'ies'}</li>
        <li><strong>${activeCount}</strong> active</li>
        <li class="${overdueCount ? 'stats__alert' : ''}"><strong>${overdueCount}</strong> with overdue milestones</li>
      </ul>
    </div>
    ${filterForm(filters, templates)} ${options.error ? html`<div class="notice notice--error" role="alert">${options.error}</div>` : ''}
    ${unreadableNotices(
      rows.flatMap((r) => (r.unreadable ? [r.unreadable] : [])),
      'it is listed below without its progress',
    )}
    ${
      rows.length === 0
        ? html`<p class="empty">
            No campaigns match. ${Object.values(filters).some((v) => v !== undefined) ? html`<a href="/ui">Show all campaigns</a>.` : ''}
          </p>`
        : countries.map((country) => {
            const list = (byCountry.get(country) ?? []).sort(
              (a, b) => titleOf(a).localeCompare(titleOf(b)) || a.summary.startedAt.localeCompare(b.summary.startedAt),
            );
            const headingId = `country-${country}`;
            return html`<section class="country" aria-labelledby="${headingId}">
              <h2 id="${headingId}">${countryName(country)} <span class="code">${country}</span></h2>
              <div class="table-wrap">
                <table class="campaigns">
                  <caption class="visually-hidden">
                    Campaigns in ${countryName(country)}
                  </caption>
                  <colgroup>
                    <col class="c-process" />
                    <col class="c-stage" />
                    <col class="c-progress" />
                    <col class="c-status" />
                    <col class="c-deadlines" />
                  </colgroup>
                  <thead>
                    <tr>
                      <th scope="col">Process</th>
                      <th scope="col">Stage</th>
                      <th scope="col">Progress</th>
                      <th scope="col">Status</th>
                      <th scope="col">Deadlines</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${list.map(
                      (row) =>
                        html`<tr>
                          <th scope="row">
                            <a href="/ui/campaigns/${encodeURIComponent(row.summary.campaignId)}">${titleOf(row)}</a
                            ><span class="sub">${row.summary.campaignId}</span>
                          </th>
                          <td>${humanize(row.view?.stage ?? row.summary.stage)}</td>
                          <td>${progressCell(row.view, row.unreadable)}</td>
                          <td>${statusBadge(row.view?.status ?? row.summary.status)}</td>
                          <td>${overdueFlag(row)} ${dueSoon(row)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>
            </section>`;
          })
    }
    ${pager(options.pages)}`;
}
