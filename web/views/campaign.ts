import type { CampaignView, MilestoneView } from '../../shared/campaign/view.js';
import type { Template } from '../../shared/template/validate.js';
import { countryName, daysLeftText, displayLabel, formatDate, formatInstant, humanize } from '../format.js';
import { html, type Html } from '../html.js';

export interface CampaignPageOptions {
  view: CampaignView;
  template: Template | undefined;
  /** Milestone ids the signed-in key may record as done now. */
  completable: Set<string>;
  /** Actor id → display name (API key labels). */
  actors: Map<string, string>;
  temporalUrl: string;
  flash?: string;
}

const markers: Record<MilestoneView['display'], string> = { done: '✓', skipped: '–', overdue: '!', open: '●', blocked: '○' };

function who(actors: Map<string, string>, actor: { id: string; role: string } | undefined): Html {
  if (!actor) return html``;
  return html`${actors.get(actor.id) ?? actor.id} <span class="actor-role">(${actor.role})</span>`;
}

function milestoneItem(m: MilestoneView, options: CampaignPageOptions, campaignId: string): Html {
  const def = options.template?.milestones.find((d) => d.id === m.id);
  const labelOf = (name: string) => def?.evidence.find((e) => e.name === name)?.label ?? name;
  const evidence = Object.entries(m.evidence ?? {});
  const pending = m.status === 'open' || m.status === 'blocked';
  const waitingFor =
    m.status === 'blocked'
      ? m.dependsOn.filter((d) => !['done', 'skipped'].includes(options.view.milestones.find((x) => x.id === d)?.status ?? ''))
      : [];
  const titleOf = (id: string) => options.view.milestones.find((x) => x.id === id)?.title ?? id;
  return html`<li class="milestone milestone--${m.display}" id="m-${m.id}">
    <span class="milestone__marker" aria-hidden="true">${markers[m.display]}</span>
    <div class="milestone__body">
      <h3 class="milestone__title">
        ${m.title}
        <span class="badge badge--${m.display}">${displayLabel[m.display]}</span>
        ${m.optional ? html`<span class="tag">optional</span>` : ''}${m.automatic ? html`<span class="tag">automatic</span>` : ''}
      </h3>
      ${m.legalBasis || m.stage ? html`<p class="milestone__meta">${m.legalBasis ? html`<span>${m.legalBasis}</span>` : ''}${m.stage ? html`<span>Stage: ${humanize(m.stage)}</span>` : ''}</p>` : ''}
      <dl class="facts">
        ${
          m.dueOn
            ? html`<div>
                <dt>Due</dt>
                <dd>
                  ${formatDate(m.dueOn)}${pending ? html` <span class="${(m.daysLeft ?? 0) < 0 ? 'overdue-text' : 'muted'}">(${daysLeftText(m.daysLeft)})</span>` : ''}${m.extensions.length ? html` <span class="muted">· extended ${m.extensions.map((e) => e.by).join(', ')}</span>` : ''}
                </dd>
              </div>`
            : ''
        }
        ${
          m.owner
            ? html`<div>
                <dt>Owner</dt>
                <dd>${m.owner}</dd>
              </div>`
            : ''
        }
        ${
          m.role !== 'staff' && pending
            ? html`<div>
                <dt>Who records it</dt>
                <dd>A ${m.role.replace('-', ' ')}</dd>
              </div>`
            : ''
        }
        ${
          m.completedOn
            ? html`<div>
                <dt>Done on</dt>
                <dd>
                  ${formatDate(m.completedOn)}${m.completedBy ? html` <span class="muted">by ${who(options.actors, m.completedBy)}</span>` : ''}
                </dd>
              </div>`
            : ''
        }
        ${
          evidence.length
            ? html`<div>
                <dt>Evidence</dt>
                <dd>
                  <ul class="evidence">
                    ${evidence.map(([k, v]) => html`<li><span class="muted">${labelOf(k)}:</span> ${/^https?:\/\//.test(v) ? html`<a href="${v}" rel="noopener noreferrer">${v}</a>` : v}</li>`)}
                  </ul>
                </dd>
              </div>`
            : ''
        }
        ${
          m.note
            ? html`<div>
                <dt>Note</dt>
                <dd>${m.note}</dd>
              </div>`
            : ''
        }
        ${
          m.skipReason
            ? html`<div>
                <dt>Skipped</dt>
                <dd>${m.skipReason}</dd>
              </div>`
            : ''
        }
        ${
          waitingFor.length
            ? html`<div>
                <dt>Waiting for</dt>
                <dd>${waitingFor.map(titleOf).join(', ')}</dd>
              </div>`
            : ''
        }
      </dl>
      ${
        options.completable.has(m.id)
          ? html`<p class="milestone__actions">
              <a class="button button--small" href="/ui/campaigns/${encodeURIComponent(campaignId)}/milestones/${m.id}/complete"
                >Record completion<span class="visually-hidden"> of ${m.title}</span></a
              >
            </p>`
          : ''
      }
    </div>
  </li>`;
}

export function campaignView(options: CampaignPageOptions): Html {
  const { view } = options;
  const { done, skipped, total, percent } = view.progress;
  const titleOf = (id: string) => view.milestones.find((m) => m.id === id)?.title ?? id;
  const next = view.milestones
    .filter((m) => m.display === 'open' || m.display === 'blocked')
    .filter((m) => m.dueOn !== undefined)
    .sort((a, b) => (a.dueOn ?? '').localeCompare(b.dueOn ?? ''))[0];
  return html`<nav aria-label="Breadcrumb" class="breadcrumb">
      <ol>
        <li><a href="/ui">Campaigns</a></li>
        <li><a href="/ui?country=${view.country}">${countryName(view.country)}</a></li>
        <li aria-current="page">${view.templateTitle}</li>
      </ol>
    </nav>
    ${options.flash ? html`<div class="notice notice--success" role="status">${options.flash}</div>` : ''}
    <div class="campaign-head">
      <div>
        <h1>${view.templateTitle}</h1>
        <p class="campaign-head__sub">
          ${countryName(view.country)} <span class="code">${view.country}</span> · <span class="mono">${view.campaignId}</span>
        </p>
      </div>
      <div class="campaign-head__status">
        <span class="badge badge--${view.status}">${humanize(view.status)}</span>
        <span class="badge badge--stage">Stage: ${humanize(view.stage)}</span>
      </div>
    </div>
    <div class="summary-grid">
      <div class="card">
        <h2 class="card__title">Progress</h2>
        <progress max="100" value="${percent}" aria-label="Progress" class="progress--large">${percent}%</progress>
        <p><strong>${percent}%</strong> — ${done} done, ${skipped} skipped, ${total - done - skipped} to go</p>
      </div>
      <div class="card">
        <h2 class="card__title">Deadlines</h2>
        ${view.overdue.length ? html`<p class="overdue-text"><span aria-hidden="true">⚠</span> Overdue: ${view.overdue.map(titleOf).join(', ')}</p>` : html`<p>Nothing overdue.</p>`}
        ${view.dueSoon.length ? html`<p>Due within 30 days: ${view.dueSoon.map(titleOf).join(', ')}</p>` : ''}
        ${next ? html`<p>Next deadline: <strong>${next.title}</strong>, ${formatDate(next.dueOn)} <span class="muted">(${daysLeftText(next.daysLeft)})</span></p>` : view.overdue.length ? '' : html`<p class="muted">No open deadline.</p>`}
      </div>
      <div class="card">
        <h2 class="card__title">About</h2>
        <dl class="facts facts--compact">
          <div>
            <dt>Started</dt>
            <dd>${formatDate(view.startDate)}</dd>
          </div>
          <div>
            <dt>Region</dt>
            <dd>${humanize(view.region)}</dd>
          </div>
          ${
            view.owner
              ? html`<div>
                  <dt>Owner</dt>
                  <dd>${view.owner}</dd>
                </div>`
              : ''
          }
          <div>
            <dt>Template</dt>
            <dd>${view.templateId} v${view.templateVersion}</dd>
          </div>
          ${
            view.parentCampaignId
              ? html`<div>
                  <dt>Follows</dt>
                  <dd><a href="/ui/campaigns/${encodeURIComponent(view.parentCampaignId)}">${view.parentCampaignId}</a></dd>
                </div>`
              : ''
          }
        </dl>
        <p class="operators">For operators: <a href="${options.temporalUrl}" rel="noopener">open in Temporal Web UI</a></p>
      </div>
    </div>
    <section aria-labelledby="milestones-title">
      <h2 id="milestones-title">Milestones</h2>
      <ol class="timeline">
        ${view.milestones.map((m) => milestoneItem(m, options, view.campaignId))}
      </ol>
    </section>
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <div class="table-wrap">
        <table class="history">
          <caption class="visually-hidden">
            Everything recorded in this campaign, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Milestone</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            ${[...view.history].reverse().map(
              (h) =>
                html`<tr>
                  <td class="nowrap">${formatInstant(h.at)}</td>
                  <td>${who(options.actors, h.actor)}</td>
                  <td>${humanize(h.action)}</td>
                  <td>${h.milestone ? titleOf(h.milestone) : ''}</td>
                  <td>${h.detail ?? ''}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>`;
}
