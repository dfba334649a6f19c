import type { Command } from 'commander';
import { z } from 'zod';
import {
  assignCommand,
  completeCommand,
  extendCommand,
  noteCommand,
  reopenCommand,
  skipCommand,
  type CampaignView,
} from '../shared/campaign/index.js';
import type { CliContext } from './command-context.js';
import { executeCommand } from './execute-command.js';
import { campaignIdArg, collect, pairs, parseFlags } from './flags.js';
import type { Colors } from './output.js';

/**
 * `advocacy milestone complete|skip|reopen|assign|note|extend <campaign> <milestone>`: what staff record.
 * The flags are checked with the command schemas the workflow itself uses (shared/campaign/commands.ts).
 */

const base = {
  campaign: campaignIdArg,
  requestId: z.string().trim().min(1).max(128).optional(),
};

export const completeFlagsSchema = z.object({
  ...base,
  milestone: completeCommand.shape.milestone,
  date: completeCommand.shape.date,
  evidence: pairs(completeCommand.shape.evidence, 'name=value'),
  note: completeCommand.shape.note,
});
export const skipFlagsSchema = z.object({ ...base, milestone: skipCommand.shape.milestone, reason: skipCommand.shape.reason });
export const reopenFlagsSchema = z.object({ ...base, milestone: reopenCommand.shape.milestone, reason: reopenCommand.shape.reason });
export const assignFlagsSchema = z.object({ ...base, milestone: assignCommand.shape.milestone, owner: assignCommand.shape.owner });
export const noteFlagsSchema = z.object({ ...base, milestone: noteCommand.shape.milestone, text: noteCommand.shape.text });
export const extendFlagsSchema = z.object({
  ...base,
  milestone: extendCommand.shape.milestone,
  by: extendCommand.shape.by,
  reason: extendCommand.shape.reason,
  legalBasis: extendCommand.shape.legalBasis,
});

const positional = ['campaign', 'milestone'];

/** `open now: deposit (due 2027-01-01), declaration` — what the change made possible. */
export function openNow(c: Colors, view: CampaignView): string {
  const open = view.milestones.filter((m) => m.display === 'open' || m.display === 'overdue');
  if (open.length === 0) return view.status === 'completed' ? `\n  ${c.cyan('the campaign is complete')}` : '';
  const items = open.map((m) => `${m.id}${m.dueOn ? c.dim(` (due ${m.dueOn})`) : ''}${m.display === 'overdue' ? c.red(' overdue') : ''}`);
  return `\n  ${c.dim('open now:')} ${items.join(', ')}`;
}

const title = (view: CampaignView, id: string | undefined) => view.milestones.find((m) => m.id === id)?.title ?? id ?? '';

export function registerMilestone(program: Command, ctx: CliContext): void {
  const group = program.command('milestone').description('record what happened: complete, skip, reopen, assign, note, extend');
  const requestId = ['--request-id <id>', 'idempotency key: repeating the command with it changes nothing'] as const;

  group
    .command('complete <campaign> <milestone>')
    .description('record that a milestone is done, on the day it really happened (may be in the past)')
    .option('--date <YYYY-MM-DD>', 'the day it happened (required; not in the future)')
    .option('--evidence <name=value>', 'evidence the template asks for (document link, law number...); repeatable', collect)
    .option('--note <text>', 'a note for the campaign history (never published in events)')
    .option(...requestId)
    .action(async (campaign: string, milestone: string, opts: Record<string, unknown>) => {
      const f = parseFlags(completeFlagsSchema, { ...opts, campaign, milestone }, positional);
      ctx.hints.invalid = `\`advocacy campaign show ${f.campaign}\` lists the milestones; \`advocacy templates show <template>\` the evidence each needs`;
      await executeCommand(
        ctx,
        f.campaign,
        { type: 'complete', milestone: f.milestone, date: f.date, evidence: f.evidence, note: f.note, requestId: f.requestId },
        (c, v) => `completed ${c.bold(f.milestone)} (${title(v, f.milestone)}) on ${f.date} in ${v.campaignId}`,
        openNow,
      );
    });

  group
    .command('skip <campaign> <milestone>')
    .description('skip a milestone that does not apply, with the reason')
    .option('--reason <text>', 'why (required; kept in the campaign history)')
    .option(...requestId)
    .action(async (campaign: string, milestone: string, opts: Record<string, unknown>) => {
      const f = parseFlags(skipFlagsSchema, { ...opts, campaign, milestone }, positional);
      await executeCommand(
        ctx,
        f.campaign,
        { type: 'skip', milestone: f.milestone, reason: f.reason, requestId: f.requestId },
        (c, v) => `skipped ${c.bold(f.milestone)} in ${v.campaignId}`,
        openNow,
      );
    });

  group
    .command('reopen <campaign> <milestone>')
    .description('reopen a milestone recorded as done or skipped by mistake (its dependents reopen too)')
    .option('--reason <text>', 'why (required; kept in the campaign history)')
    .option(...requestId)
    .action(async (campaign: string, milestone: string, opts: Record<string, unknown>) => {
      const f = parseFlags(reopenFlagsSchema, { ...opts, campaign, milestone }, positional);
      await executeCommand(
        ctx,
        f.campaign,
        { type: 'reopen', milestone: f.milestone, reason: f.reason, requestId: f.requestId },
        (c, v) => `reopened ${c.bold(f.milestone)} in ${v.campaignId}`,
        openNow,
      );
    });

  group
    .command('assign <campaign> <milestone>')
    .description('make someone responsible for a milestone (they get its reminders)')
    .option('--owner <name>', 'who (required)')
    .option(...requestId)
    .action(async (campaign: string, milestone: string, opts: Record<string, unknown>) => {
      const f = parseFlags(assignFlagsSchema, { ...opts, campaign, milestone }, positional);
      await executeCommand(
        ctx,
        f.campaign,
        { type: 'assign', milestone: f.milestone, owner: f.owner, requestId: f.requestId },
        (c, v) => `assigned ${c.bold(f.milestone)} to ${f.owner} in ${v.campaignId}`,
      );
    });

  group
    .command('note <campaign> [milestone]')
    .description('add a note to the campaign history, about one milestone or the whole campaign')
    .option('--text <text>', 'the note (required; never published in events)')
    .option(...requestId)
    .action(async (campaign: string, milestone: string | undefined, opts: Record<string, unknown>) => {
      const f = parseFlags(noteFlagsSchema, { ...opts, campaign, milestone }, positional);
      await executeCommand(
        ctx,
        f.campaign,
        { type: 'note', ...(f.milestone ? { milestone: f.milestone } : {}), text: f.text, requestId: f.requestId },
        (c, v) => `noted${f.milestone ? ` on ${c.bold(f.milestone)}` : ''} in ${v.campaignId}`,
      );
    });

  group
    .command('extend <campaign> <milestone>')
    .description("extend a milestone's deadline where the law allows it (e.g. OPCAT Art. 24(2)), within the template's limit")
    .option('--by <duration>', 'ISO-8601 duration, e.g. P6M or P1Y (required)')
    .option('--reason <text>', 'why (required)')
    .option('--legal-basis <text>', 'the rule that allows it, e.g. "OPCAT Art. 24(2)" (required)')
    .option(...requestId)
    .action(async (campaign: string, milestone: string, opts: Record<string, unknown>) => {
      const f = parseFlags(extendFlagsSchema, { ...opts, campaign, milestone }, positional);
      await executeCommand(
        ctx,
        f.campaign,
        { type: 'extend', milestone: f.milestone, by: f.by, reason: f.reason, legalBasis: f.legalBasis, requestId: f.requestId },
        (c, v) =>
          `extended ${c.bold(f.milestone)} by ${f.by}: now due ${v.milestones.find((m) => m.id === f.milestone)?.dueOn ?? '?'} in ${v.campaignId}`,
      );
    });
}
