import type { CampaignView, MilestoneView } from '../../shared/campaign/view.js';
import type { Milestone } from '../../shared/template/schema.js';
import { countryName, daysLeftText, formatDate, humanize } from '../format.js';
import { attrs, html, type Html } from '../html.js';

export interface CompleteFormValues {
  date: string;
  evidence: Record<string, string>;
  note: string;
}

export interface FormErrors {
  /** Messages shown in the summary, in order, each with the id of its field when known. */
  summary: { message: string; field?: string }[];
  /** Field id → message, shown beside the field. */
  fields: Map<string, string>;
}

export const noErrors = (): FormErrors => ({ summary: [], fields: new Map() });

/** Field id of an evidence field. */
export const evidenceFieldId = (name: string) => `evidence-${name}`;

/**
 * Places each message from the facade beside its field: zod issues start with their path ("date: ...",
 * "evidence.minutes: ..."), the engine's refusals name the field ('evidence "minutes" ...', "date ...").
 * Messages are shown exactly as the API and the CLI give them.
 */
export function placeErrors(messages: string[], def: Milestone | undefined): FormErrors {
  const errors = noErrors();
  const known = new Set(def?.evidence.map((e) => e.name) ?? []);
  for (const message of messages) {
    let field: string | undefined;
    let text = message;
    const issue = /^([A-Za-z0-9_.]+): (.*)$/s.exec(message);
    if (issue) {
      const [, path = '', rest = ''] = issue;
      const [head, name] = path.split('.');
      if (head === 'date' || head === 'note') field = head;
      else if (head === 'evidence' && name && known.has(name)) field = evidenceFieldId(name);
      if (field) text = rest;
    } else {
      const evidence = /^evidence "([A-Za-z0-9]+)"/.exec(message);
      if (evidence?.[1] && known.has(evidence[1])) field = evidenceFieldId(evidence[1]);
      else if (/^date\b/.test(message)) field = 'date';
    }
    errors.summary.push({ message, ...(field ? { field } : {}) });
    if (field && !errors.fields.has(field)) errors.fields.set(field, text);
  }
  return errors;
}

function fieldError(id: string, errors: FormErrors): Html {
  const message = errors.fields.get(id);
  return message ? html`<p class="field-error" id="${id}-error"><span class="visually-hidden">Error:</span> ${message}</p>` : html``;
}

function describedBy(id: string, errors: FormErrors, hint: boolean): string | undefined {
  const ids = [hint ? `${id}-hint` : '', errors.fields.has(id) ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function evidenceInput(field: Milestone['evidence'][number], value: string, errors: FormErrors): Html {
  const id = evidenceFieldId(field.name);
  const invalid = errors.fields.has(id);
  const hintText =
    field.type === 'url'
      ? 'A link, starting with https://'
      : field.type === 'duration'
        ? 'An ISO-8601 duration, e.g. P30D or P1Y'
        : field.type === 'date'
          ? 'The date on the document'
          : '';
  const common = {
    id,
    name: `evidence.${field.name}`,
    'aria-describedby': describedBy(id, errors, Boolean(hintText)),
    'aria-invalid': invalid ? 'true' : undefined,
    required: field.required,
    'aria-required': field.required ? 'true' : undefined,
  };
  const control =
    field.type === 'enum'
      ? html`<select${attrs(common)}><option value="">Choose…</option>${(field.values ?? []).map((v) => html`<option value="${v}" ${v === value ? html` selected` : ''}>${v}</option>`)}</select>`
      : html`<input${attrs({ ...common, type: field.type === 'url' ? 'url' : field.type === 'date' ? 'date' : 'text', value, inputmode: field.type === 'url' ? 'url' : undefined, spellcheck: field.type === 'url' ? 'false' : undefined })}></input${attrs({ ...common, type: field.type === 'url' ? 'url' : field.type === 'date' ? 'date' : 'text', value, inputmode: field.type === 'url' ? 'url' : undefined, spellcheck: field.type === 'url' ? 'false' : undefined })}>`;
  return html`<div class="field${invalid ? ' field--error' : ''}">
    <label for="${id}">${field.label}${field.required ? '' : html` <span class="optional">(optional)</span>`}</label>
    ${hintText ? html`<p class="hint" id="${id}-hint">${hintText}</p>` : ''} ${fieldError(id, errors)} ${control}
  </div>`;
}

export function completeView(options: {
  view: CampaignView;
  milestone: MilestoneView;
  def: Milestone | undefined;
  values: CompleteFormValues;
  errors: FormErrors;
  csrf: string;
  requestId: string;
}): Html {
  const { view, milestone, def, values, errors, csrf, requestId } = options;
  const campaignUrl = `/ui/campaigns/${encodeURIComponent(view.campaignId)}`;
  const dateInvalid = errors.fields.has('date');
  const noteInvalid = errors.fields.has('note');
  return html`<nav aria-label="Breadcrumb" class="breadcrumb"><ol><li><a href="/ui">Campaigns</a></li><li><a href="${campaignUrl}">${view.templateTitle} — ${countryName(view.country)}</a></li><li aria-current="page">Record completion</li></ol></nav>
<div class="form-layout">
<div class="card">
  <h1>Record completion <span class="h1-sub">${milestone.title}</span></h1>
  ${def?.description ? html`<p class="lead">${def.description}</p>` : ''}
  <p class="milestone__meta">${milestone.legalBasis ? html`<span>${milestone.legalBasis}</span>` : ''}${milestone.dueOn ? html`<span>Due ${formatDate(milestone.dueOn)} (${daysLeftText(milestone.daysLeft)})</span>` : ''}</p>
  ${
    errors.summary.length
      ? html`<div class="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">
          <h2 id="error-summary-title">The milestone was not recorded</h2>
          <ul>
            ${errors.summary.map((e) => html`<li>${e.field ? html`<a href="#${e.field}">${e.message}</a>` : e.message}</li>`)}
          </ul>
        </div>`
      : ''
  }
  <form method="post" action="${campaignUrl}/milestones/${milestone.id}/complete" novalidate>
    <input type="hidden" name="_csrf" value="${csrf}">
    <input type="hidden" name="requestId" value="${requestId}">
    <div class="field${dateInvalid ? ' field--error' : ''}">
      <label for="date">Date it happened</label>
      <p class="hint" id="date-hint">The real date; it may be in the past, never in the future (today is ${formatDate(view.today)}).</p>
      ${fieldError('date', errors)}
      <input${attrs({ id: 'date', name: 'date', type: 'date', value: values.date, max: view.today, required: true, 'aria-required': 'true', 'aria-describedby': describedBy('date', errors, true), 'aria-invalid': dateInvalid ? 'true' : undefined })}>
    </div>
    ${
      def?.evidence.length
        ? html`<fieldset>
            <legend>Evidence</legend>
            ${def.evidence.map((f) => evidenceInput(f, values.evidence[f.name] ?? '', errors))}
          </fieldset>`
        : html`<p class="muted">This milestone asks for no evidence.</p>`
    }
    <div class="field${noteInvalid ? ' field--error' : ''}">
      <label for="note">Note <span class="optional">(optional)</span></label>
      <p class="hint" id="note-hint">Kept in the campaign history only; never sent to other systems. Do not name people who need protecting.</p>
      ${fieldError('note', errors)}
      <textarea${attrs({ id: 'note', name: 'note', rows: 4, maxlength: 4000, 'aria-describedby': describedBy('note', errors, true), 'aria-invalid': noteInvalid ? 'true' : undefined })}>${values.note}</textarea>
    </div>
    <div class="actions">
      <button type="submit" class="button">Record completion</button>
      <a href="${campaignUrl}" class="button button--quiet">Cancel</a>
    </div>
  </form>
</div>
<aside class="card" aria-labelledby="context-title">
  <h2 id="context-title" class="card__title">Campaign</h2>
  <p><strong>${view.templateTitle}</strong></p>
  <p>${countryName(view.country)} <span class="code">${view.country}</span></p>
  <p class="muted">${view.progress.percent}% done · stage: ${humanize(view.stage).toLowerCase()}</p>
  ${milestone.dependsOn.length ? html`<p>Follows: ${milestone.dependsOn.map((d) => view.milestones.find((x) => x.id === d)?.title ?? d).join(', ')}</p>` : ''}
  <p class="muted">What you record here is kept in the campaign history with your name. Other systems are told only that the milestone is done, never the evidence or the note.</p>
</aside>
</div>`;
}
