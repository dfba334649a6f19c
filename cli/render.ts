import type { CampaignSummary } from '../clients/campaign-client.js';
import type { CampaignView, MilestoneView } from '../shared/campaign/index.js';
import type { ResolvedActor } from './command-context.js';
import { clip, fields, progressBar, table, type Colors } from './output.js';

/**
 * How campaigns, milestones and the acting user look in the terminal: the renderings several commands
 * share (`campaign`, `milestone`, `due`, `events`, `keys`, `seed`). The generic building blocks (tables,
 * fields, clipping) are in output.ts.
 */

/** `2026-03-01T09:15:02.123Z` -> `2026-03-01 09:15` (UTC, as the engine's calendar days are). */
export const instant = (iso: string): string => iso.replace('T', ' ').slice(0, 16);

export function statusText(c: Colors, status: string): string {
  switch (status) {
    case 'active':
      return c.green(status);
    case 'paused':
      return c.yellow(status);
    case 'completed':
      return c.cyan(status);
    case 'cancelled':
      return c.red(status);
    default:
      return status;
  }
}

export function milestoneStatusText(c: Colors, display: MilestoneView['display']): string {
  switch (display) {
    case 'done':
      return c.green('✔ done');
    case 'skipped':
      return c.dim('– skipped');
    case 'open':
      return c.cyan('● open');
    case 'overdue':
      return c.red(c.bold('! OVERDUE'));
    case 'blocked':
      return c.dim('· blocked');
  }
}

function daysLeftText(c: Colors, m: MilestoneView): string {
  if (m.daysLeft === undefined) return '';
  if (m.daysLeft < 0) return c.red(`${-m.daysLeft} d late`);
  if (m.daysLeft === 0) return c.yellow('due today');
  return m.daysLeft <= 30 ? c.yellow(`${m.daysLeft} d left`) : `${m.daysLeft} d left`;
}

function outcomeText(m: MilestoneView): string {
  if (m.status === 'done') return `${m.completedOn ?? ''}${m.completedBy ? ` by ${m.completedBy.id}` : ''}`;
  if (m.status === 'skipped') return m.skipCause && m.skipCause !== 'manual' ? m.skipCause : clip(m.skipReason, 40);
  return '';
}

export function milestonesTable(c: Colors, view: CampaignView): string {
  return table(
    c,
    ['STATUS', 'MILESTONE', 'TITLE', 'DUE', 'LEFT', 'OWNER', 'DONE / SKIPPED'],
    view.milestones.map((m) => [
      milestoneStatusText(c, m.display),
      m.id,
      `${clip(m.title, 44)}${m.optional ? c.dim(' (optional)') : ''}${m.automatic ? c.dim(' (automatic)') : ''}`,
      `${m.dueOn ?? ''}${m.extensions.length ? c.dim(` (+${m.extensions.map((e) => e.by).join('+')})`) : ''}`,
      daysLeftText(c, m),
      m.owner ?? '',
      outcomeText(m),
    ]),
  );
}

export function timelineTable(c: Colors, view: CampaignView): string {
  return table(
    c,
    ['AT (UTC)', 'BY', 'ACTION', 'MILESTONE', 'DETAIL'],
    view.history.map((h) => [
      c.dim(instant(h.at)),
      `${h.actor.id} ${c.dim(`(${h.actor.role})`)}`,
      h.action,
      h.milestone ?? '',
      clip(h.detail, 60),
    ]),
  );
}

export function renderCampaign(c: Colors, view: CampaignView, options: { history?: boolean } = {}): string {
  const { progress } = view;
  const head = `${c.bold(view.campaignId)}  ${view.templateTitle} ${c.dim(`(${view.templateId} v${view.templateVersion})`)}\n`;
  const summary = fields(c, [
    ['country', `${view.country} (${view.region})`],
    ['status', `${statusText(c, view.status)} · stage ${c.bold(view.stage)}`],
    ['progress', `${progressBar(progress.percent)}  ${progress.done} done, ${progress.skipped} skipped of ${progress.total}`],
    ['started', view.startDate],
    ['owner', view.owner],
    ['parent', view.parentCampaignId],
    [
      'inputs',
      Object.entries(view.inputs)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', '),
    ],
    ['overdue', view.overdue.length ? c.red(view.overdue.join(', ')) : undefined],
    ['due soon', view.dueSoon.length ? c.yellow(view.dueSoon.join(', ')) : undefined],
    ['follow-ons', view.followOns.map((f) => `${f.campaignId} (${f.templateId}, after ${f.milestone})`).join(', ')],
  ]);
  const parts = [head, summary, `\n${c.bold('Milestones')}\n`, milestonesTable(c, view)];
  if (options.history !== false) parts.push(`\n${c.bold('Timeline')}\n`, timelineTable(c, view));
  return parts.join('');
}

export function campaignsTable(c: Colors, list: CampaignSummary[]): string {
  if (list.length === 0) return `${c.dim('no campaigns match')}\n`;
  return table(
    c,
    ['CAMPAIGN', 'COUNTRY', 'REGION', 'TEMPLATE', 'STAGE', 'STATUS', 'OVERDUE', 'STARTED (UTC)'],
    list.map((s) => [
      s.campaignId,
      s.country,
      s.region,
      s.template,
      s.stage,
      statusText(c, s.status),
      s.overdue ? c.red('yes') : c.dim('no'),
      c.dim(instant(s.startedAt)),
    ]),
  );
}

export function actorText(c: Colors, { actor, roleFrom }: ResolvedActor): string {
  return c.dim(`as ${actor.id}, ${actor.role}${roleFrom === 'default' ? ' (the default role)' : ''}`);
}

/** What the user can do next when refused for their role. */
export function forbiddenHint({ actor, roleFrom }: ResolvedActor): string {
  return (
    `you act as "${actor.id}" with role ${actor.role}${roleFrom === 'default' ? ' (the default)' : roleFrom === 'env' ? ' (from ADVOCACY_ROLE)' : ' (from --role)'}; ` +
    'ask someone with the role this needs, or pass --role (or set ADVOCACY_ROLE) if you hold it'
  );
}
