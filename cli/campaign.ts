import type { Command } from 'commander';
import { z } from 'zod';
import { listFilterSchema, startRequestSchema, type CampaignSummary } from '../shared/campaign/requests.js';
import { cancelCommand, pauseCommand, setInputCommand } from '../shared/campaign/index.js';
import { brokenExecutions } from '../shared/campaign/unreadable.js';
import { isoDate } from '../shared/dates.js';
import { CampaignError } from '../shared/errors.js';
import { fieldName, slug } from '../shared/ids.js';
import type { Template } from '../shared/template/index.js';
import type { CliContext } from './command-context.js';
import { executeCommand } from './execute-command.js';
import { campaignIdArg, collect, pairs, parseFlags, renameIssues } from './flags.js';
import { actorText, campaignsTable, forbiddenHint, renderCampaign, warnUnreadable } from './render.js';

/** `advocacy campaign start|list|show|pause|resume|cancel`. */

// ---------------------------------------------------------------------------------------------------
// Flags

const start = startRequestSchema.shape;
/** `--evidence <milestone>.<field>=<value>`: evidence for a milestone given with --completed. */
const evidenceKey = z
  .string()
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-zA-Z][a-zA-Z0-9]*$/,
    'write the milestone and the evidence field as milestone.field, e.g. deposit.instrumentKind',
  );
export const startFlagsSchema = z
  .object({
    template: start.template,
    templateVersion: start.version,
    country: start.country,
    region: start.region,
    startDate: start.startDate,
    input: pairs(z.record(fieldName, z.string()), 'name=value'),
    completed: pairs(z.record(slug, isoDate), 'milestone=YYYY-MM-DD'),
    evidence: pairs(z.record(evidenceKey, z.string().min(1).max(2000)), 'milestone.field=value'),
    skipped: pairs(z.record(slug, z.string().trim().min(1).max(1000)), 'milestone=reason'),
    owner: start.owner,
    id: start.campaignId,
    requestId: z.string().trim().min(1).max(128).optional(),
  })
  .superRefine((flags, ctx) => {
    // Evidence belongs to a milestone given as done: anything else is a slip of the keyboard.
    for (const key of Object.keys(flags.evidence)) {
      const milestone = key.slice(0, key.indexOf('.'));
      if (!(milestone in flags.completed))
        ctx.addIssue({
          code: 'custom',
          path: ['evidence', key],
          message: `"${milestone}" is not given as done; add --completed ${milestone}=YYYY-MM-DD`,
        });
    }
  });
export type StartFlags = z.output<typeof startFlagsSchema>;

/** Template inputs come as text; a boolean input takes true/false (or yes/no). Anything else stays text. */
export function coerceInputs(template: Template | undefined, raw: Record<string, string>): Record<string, string | boolean> {
  return Object.fromEntries(
    Object.entries(raw).map(([name, value]) => {
      if (template?.inputs[name]?.type !== 'boolean') return [name, value];
      const v = value.trim().toLowerCase();
      return [name, v === 'true' || v === 'yes' ? true : v === 'false' || v === 'no' ? false : value];
    }),
  );
}

/** The facade's start request from the flags. */
export function startBody(flags: StartFlags, template: Template | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {
    template: flags.template,
    country: flags.country,
    inputs: coerceInputs(template, flags.input),
    completed: Object.entries(flags.completed).map(([milestone, date]) => {
      const evidence = Object.fromEntries(
        Object.entries(flags.evidence ?? {}).flatMap(([key, value]) =>
          key.startsWith(`${milestone}.`) ? [[key.slice(milestone.length + 1), value]] : [],
        ),
      );
      return { milestone, date, ...(Object.keys(evidence).length ? { evidence } : {}) };
    }),
    skipped: Object.entries(flags.skipped).map(([milestone, reason]) => ({ milestone, reason })),
  };
  if (flags.templateVersion !== undefined) body.version = flags.templateVersion;
  if (flags.region !== undefined) body.region = flags.region;
  if (flags.startDate !== undefined) body.startDate = flags.startDate;
  if (flags.owner !== undefined) body.owner = flags.owner;
  if (flags.id !== undefined) body.campaignId = flags.id;
  return body;
}

/**
 * The facade names request fields (`completed.0.date`) and says how to fix a start in them (`add
 * {"milestone": "x", "date": "YYYY-MM-DD"} to completed`, from `markDoneOrSkipped`); the user typed flags
 * (`--completed signature`, `--completed x=YYYY-MM-DD`).
 */
export function startIssueAsFlag(issue: string, flags: Pick<StartFlags, 'completed' | 'skipped'>): string {
  const completed = Object.keys(flags.completed);
  const skipped = Object.keys(flags.skipped);
  const list = (items: string, flag: string, value: string) =>
    [...items.matchAll(/\{"milestone": "([^"]+)", "\w+": "[^"]*"\}/g)].map((m) => `--${flag} ${m[1] ?? ''}=${value}`).join(' ');
  return issue
    .replace(/^inputs\.(\w+)(?=:)/, '--input $1')
    .replace(/^inputs(?=:)/, '--input')
    .replace(/^completed\.(\d+)\.evidence(?=:)/, (_, i: string) => `--evidence ${completed[Number(i)] ?? i}`)
    .replace(/^completed\.(\d+)(?:\.\w+)?(?=:)/, (_, i: string) => `--completed ${completed[Number(i)] ?? i}`)
    .replace(/^skipped\.(\d+)(?:\.\w+)?(?=:)/, (_, i: string) => `--skipped ${skipped[Number(i)] ?? i}`)
    .replace(/\(add ((?:\{[^}]*\}(?:, )?)+) to completed\)/g, (_, items: string) => `(${list(items, 'completed', 'YYYY-MM-DD')})`)
    .replace(/\(add ((?:\{[^}]*\}(?:, )?)+) to skipped\)/g, (_, items: string) => `(${list(items, 'skipped', '<reason>')})`)
    .replace(/it is also in skipped\.(\d+)/, (_, i: string) => `it is also given with --skipped ${skipped[Number(i)] ?? i}`)
    .replace(/^startDate(?=:)/, '--start-date')
    .replace(/^campaignId(?=:)/, '--id')
    .replace(/^idempotency-key(?=:)/, '--request-id')
    .replace(/^version(?=:)/, '--template-version')
    .replace(/^(template|country|region|owner)(?=:)/, '--$1');
}

export const listFlagsSchema = listFilterSchema.extend({
  /** Every page, following the cursors (`--limit` is then the page size). */
  all: z.boolean().optional(),
});

// ---------------------------------------------------------------------------------------------------
// Commands

const steerFlags = z.object({ campaign: campaignIdArg, requestId: z.string().trim().min(1).max(128).optional() });
const positional = ['campaign', 'milestone'] as const;

export function registerCampaign(program: Command, ctx: CliContext): void {
  const group = program.command('campaign').description('start, list, show and steer campaigns');

  group
    .command('start')
    .description('start a campaign for one state, possibly part-way (milestones already done, with their real dates)')
    .option('--template <id>', 'process template (see `advocacy templates list`)')
    .option('--template-version <n>', 'a specific template version (default: the newest)', Number)
    .option('--country <ISO2>', 'the state, as an ISO 3166-1 alpha-2 code, e.g. PH')
    .option('--region <slug>', 'programme region (default: from the country, e.g. asia-pacific)')
    .option('--start-date <YYYY-MM-DD>', 'day the campaign starts (default: today); deadlines "after start" count from it')
    .option('--input <name=value>', 'a template input (see `advocacy templates show`); repeatable', collect)
    .option('--completed <milestone=YYYY-MM-DD>', 'a milestone already done before the campaign, on its real date; repeatable', collect)
    .option(
      '--evidence <milestone.field=value>',
      'evidence for a milestone given with --completed, e.g. deposit.art24PartIVPostponement=P3Y (see `advocacy templates show`); repeatable',
      collect,
    )
    .option('--skipped <milestone=reason>', 'a milestone that does not apply, with the reason; repeatable', collect)
    .option('--owner <id>', "who leads the campaign: a person's or team's id, e.g. sari (owners are published in events)")
    .option('--id <campaign-id>', 'the campaign id (default: <country>-<template>-<random>, or made from --request-id)')
    .option(
      '--request-id <id>',
      'idempotency key: without --id it names the campaign, so the same start sent again shows the campaign it began',
    )
    .addHelpText(
      'after',
      `
A part-way start gives each milestone already done, with its real date; every milestone before it must be
given as done or skipped too, and the whole start is checked before anything is started. Example: OPCAT
ratified on 2020-03-01 with an Art. 24 declaration postponing Part IV by three years:
  advocacy campaign start --template opcat-ratification --country PH --input uncatStatus=ratified \\
    --skipped awareness-dialogue="before the campaign" --skipped national-consultation="before the campaign" \\
    --completed government-decision=2019-06-01 --completed accession-decision=2019-07-01 \\
    --completed parliamentary-approval=2020-01-15 --completed deposit=2020-03-01 \\
    --evidence deposit.instrumentKind=accession --evidence deposit.art24PartIVPostponement=P3Y`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const flags = parseFlags(startFlagsSchema, opts);
      const who = ctx.actor();
      ctx.hints.forbidden = forbiddenHint(who);
      ctx.hints['not-found'] = 'see the templates with `advocacy templates list`';
      ctx.hints.conflict = flags.id
        ? `\`advocacy campaign show ${flags.id}\` shows the campaign that has this id; choose another --id`
        : undefined;
      ctx.hints.invalid = `\`advocacy templates show ${flags.template}\` lists the template's inputs and milestones`;
      const registry = await ctx.templates();
      const template = registry.findTemplate(flags.template, flags.templateVersion);
      const { view, replayed } = await ctx
        .withCampaigns(async (campaigns) => {
          const body = startBody(flags, template);
          const caller = { actor: who.actor };
          return flags.requestId === undefined
            ? { view: await campaigns.start(body, caller), replayed: false }
            : campaigns.startOnce(body, caller, flags.requestId);
        }, registry)
        .catch((err: unknown) => {
          throw err instanceof CampaignError ? renameIssues(err, (issue) => startIssueAsFlag(issue, flags)) : err;
        });
      const done = replayed ? 'already started (by an earlier run with this --request-id)' : 'started';
      ctx.out.result(
        view,
        (c) => `${c.green('✔')} ${done} ${c.bold(view.campaignId)}  ${actorText(c, who)}\n\n${renderCampaign(c, view, { history: false })}`,
      );
    });

  group
    .command('list')
    .description('campaigns, newest first, with their stage, status and overdue flag')
    .option('--country <ISO2>', 'only this state')
    .option('--region <slug>', 'only this region, e.g. asia-pacific')
    .option('--template <id>', 'only this process template')
    .option(
      '--status <status>',
      'active, paused, completed or cancelled; or failed, terminated or timed-out for campaigns whose workflow stopped',
    )
    .option('--overdue', 'only campaigns with an overdue milestone')
    .option('--limit <n>', 'at most this many on a page (default 200)', Number)
    .option('--cursor <cursor>', 'the next page, as a previous page named it')
    .option('--all', 'every page, not only the first')
    .action(async (opts: Record<string, unknown>) => {
      const { all, ...filter } = parseFlags(listFlagsSchema, opts);
      const { list, stopped, nextCursor } = await ctx.withCampaigns(async (campaigns) => {
        const found: CampaignSummary[] = [];
        let cursor = filter.cursor;
        do {
          const page = await campaigns.listPage({ ...filter, ...(cursor ? { cursor } : {}) });
          found.push(...page.campaigns);
          cursor = page.nextCursor;
        } while (all && cursor);
        // Campaigns whose workflow stopped without finishing are flagged with what happened and what to do.
        const reads = await Promise.all(found.filter((s) => brokenExecutions.includes(s.execution)).map((s) => campaigns.readView(s)));
        return { list: found, stopped: reads.flatMap((r) => (r && 'unreadable' in r ? [r.unreadable] : [])), nextCursor: cursor };
      });
      ctx.out.result(list, (c) => campaignsTable(c, list));
      ctx.out.nextPage(nextCursor, 'campaigns');
      warnUnreadable(ctx.out, stopped, 'their workflows stopped without the campaign finishing');
    });

  group
    .command('show <campaign>')
    .description('one campaign: its milestones with status, due dates and owners, and its timeline')
    .option('--no-history', 'leave out the timeline')
    .action(async (campaign: string, opts: { history?: boolean }) => {
      const { campaign: id } = parseFlags(z.object({ campaign: campaignIdArg }), { campaign }, positional);
      ctx.hints['not-found'] = 'see the campaigns with `advocacy campaign list`';
      const view = await ctx.withCampaigns((campaigns) => campaigns.view(id));
      ctx.out.result(view, (c) => renderCampaign(c, view, { history: opts.history !== false }));
    });

  group
    .command('pause <campaign>')
    .description('pause a campaign: no reminders or overdue notices until it resumes (programme lead)')
    .option('--reason <text>', 'why, kept in the campaign history')
    .option('--request-id <id>', 'idempotency key: repeating the command with it changes nothing')
    .action(async (campaign: string, opts: Record<string, unknown>) => {
      const flags = parseFlags(steerFlags.extend({ reason: pauseCommand.shape.reason }), { ...opts, campaign }, positional);
      await executeCommand(
        ctx,
        flags.campaign,
        { type: 'pause', reason: flags.reason, requestId: flags.requestId },
        (c, v) => `paused ${c.bold(v.campaignId)}`,
      );
    });

  group
    .command('resume <campaign>')
    .description('resume a paused campaign (programme lead)')
    .option('--request-id <id>', 'idempotency key: repeating the command with it changes nothing')
    .action(async (campaign: string, opts: Record<string, unknown>) => {
      const flags = parseFlags(steerFlags, { ...opts, campaign }, positional);
      await executeCommand(
        ctx,
        flags.campaign,
        { type: 'resume', requestId: flags.requestId },
        (c, v) => `resumed ${c.bold(v.campaignId)}`,
      );
    });

  group
    .command('set-input <campaign>')
    .description("change a campaign input, e.g. OPCAT's uncatStatus when the state ratifies UNCAT (programme lead)")
    .option('--name <input>', 'the input (see `advocacy templates show <template>`)')
    .option('--value <value>', 'its new value (true/false for a boolean input)')
    .option('--reason <text>', 'why (required; kept in the campaign history)')
    .option('--request-id <id>', 'idempotency key: repeating the command with it changes nothing')
    .action(async (campaign: string, opts: Record<string, unknown>) => {
      const flags = parseFlags(
        steerFlags.extend({ name: setInputCommand.shape.name, value: z.string(), reason: setInputCommand.shape.reason }),
        { ...opts, campaign },
        positional,
      );
      // A boolean input takes a boolean: read it from the campaign's own template version.
      const [registry, current] = await Promise.all([ctx.templates(), ctx.withCampaigns((campaigns) => campaigns.view(flags.campaign))]);
      const value = coerceInputs(registry.findTemplate(current.templateId, current.templateVersion), { [flags.name]: flags.value })[
        flags.name
      ];
      await executeCommand(
        ctx,
        flags.campaign,
        { type: 'set-input', name: flags.name, value, reason: flags.reason, requestId: flags.requestId },
        (c, v) => `set ${c.bold(flags.name)} = ${String(value)} in ${v.campaignId}`,
      );
    });

  group
    .command('cancel <campaign>')
    .description('cancel a campaign for good (programme lead); the reason is required and kept in its history')
    .option('--reason <text>', 'why the campaign ends (required)')
    .option('--request-id <id>', 'idempotency key: repeating the command with it changes nothing')
    .action(async (campaign: string, opts: Record<string, unknown>) => {
      const flags = parseFlags(steerFlags.extend({ reason: cancelCommand.shape.reason }), { ...opts, campaign }, positional);
      await executeCommand(
        ctx,
        flags.campaign,
        { type: 'cancel', reason: flags.reason, requestId: flags.requestId },
        (c, v) => `cancelled ${c.bold(v.campaignId)}`,
      );
    });
}
