import type { Command } from 'commander';
import { z } from 'zod';
import {
  WORK_LIST_MAX_CAMPAIGNS,
  WORK_LIST_MAX_DAYS,
  compareWorkItems,
  workListFilterSchema,
  type WorkItem,
} from '../shared/campaign/work-list.js';
import type { UnreadableCampaign } from '../shared/campaign/unreadable.js';
import type { CliContext } from './command-context.js';
import { optionalText, parseFlags } from './flags.js';
import { clip, table, type Colors } from './output.js';
import { milestoneStatusText, warnUnreadable } from './render.js';

/** `advocacy due`: what is overdue or due soon across all running campaigns (the facade's work list). */

const filter = workListFilterSchema.shape;
export const dueFlagsSchema = z.object({
  country: filter.country,
  region: filter.region,
  template: filter.template,
  owner: optionalText(128),
  within: z.coerce.number().int().min(0).max(WORK_LIST_MAX_DAYS).optional(),
  blocked: z.boolean().default(true),
  limit: z.coerce.number().int().min(1).max(WORK_LIST_MAX_CAMPAIGNS).optional(),
  cursor: filter.cursor,
  all: z.boolean().optional(),
});

function leftText(c: Colors, item: WorkItem): string {
  if (item.daysLeft < 0) return c.red(`${-item.daysLeft} d late`);
  if (item.daysLeft === 0) return c.yellow('due today');
  return `${item.daysLeft} d left`;
}

export function workListTable(c: Colors, items: WorkItem[], withinDays: number): string {
  if (items.length === 0) return `${c.dim(`nothing overdue or due within ${withinDays} days`)}\n`;
  return table(
    c,
    ['STATUS', 'DUE', 'LEFT', 'CAMPAIGN', 'MILESTONE', 'OWNER', 'ROLE'],
    items.map((i) => [
      milestoneStatusText(c, i.display),
      i.display === 'overdue' ? c.red(i.dueOn) : i.dueOn,
      leftText(c, i),
      `${i.campaignId} ${c.dim(`(${i.country})`)}`,
      clip(i.title, 44),
      i.owner ?? '',
      i.role,
    ]),
  );
}

export function registerDue(program: Command, ctx: CliContext): void {
  program
    .command('due')
    .description(
      'what is overdue or due soon across all active and paused campaigns, overdue first; campaigns that cannot be read are named on stderr',
    )
    .option('--country <ISO2>', 'only this state')
    .option('--region <slug>', 'only this region, e.g. asia-pacific')
    .option('--template <id>', 'only this process template')
    .option('--owner <name>', "only milestones this person owns (the milestone's owner, else the campaign's)")
    .option('--within <days>', `due within this many days (0 to ${WORK_LIST_MAX_DAYS}; default 30)`)
    .option('--no-blocked', 'leave out milestones still waiting on earlier ones (overdue ones always show)')
    .option('--limit <n>', `a page holds the work of at most this many due campaigns (default ${WORK_LIST_MAX_CAMPAIGNS})`)
    .option('--cursor <cursor>', 'the next page, as a previous page named it')
    .option('--all', 'every page, sorted as one list')
    .action(async (opts: Record<string, unknown>) => {
      const flags = parseFlags(dueFlagsSchema, opts);
      const who = ctx.actor();
      const request = {
        ...(flags.country ? { country: flags.country } : {}),
        ...(flags.region ? { region: flags.region } : {}),
        ...(flags.template ? { template: flags.template } : {}),
        ...(flags.owner ? { owner: flags.owner } : {}),
        ...(flags.within !== undefined ? { withinDays: flags.within } : {}),
        includeBlocked: flags.blocked,
        ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
      };
      const withinDays = workListFilterSchema.parse(request).withinDays;
      const { items, unreadable, nextCursor } = await ctx.withCampaigns(async (campaigns) => {
        const report = { items: [] as WorkItem[], unreadable: [] as UnreadableCampaign[], nextCursor: flags.cursor };
        do {
          const page = await campaigns.workReport(
            { ...request, ...(report.nextCursor ? { cursor: report.nextCursor } : {}) },
            { actor: who.actor },
          );
          report.items.push(...page.items);
          report.unreadable.push(...page.unreadable);
          report.nextCursor = page.nextCursor;
        } while (flags.all && report.nextCursor);
        // Each page is sorted on its own; pages joined by --all are sorted as one list.
        report.items.sort(compareWorkItems);
        return report;
      });
      ctx.out.result(items, (c) => workListTable(c, items, withinDays));
      ctx.out.nextPage(nextCursor, 'due campaigns');
      warnUnreadable(ctx.out, unreadable, 'their work is not listed above');
    });
}
