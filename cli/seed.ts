import type { Command } from 'commander';
import { z } from 'zod';
import { defaultRegionStatusPath, loadRegionStatus } from '../infra/region-status.js';
import type { TemplateRegistry } from '../infra/templates.js';
import { countrySchema } from '../shared/countries.js';
import { CampaignError } from '../shared/errors.js';
import { seedCampaigns, SeedError, type SeedPlan, type SeedStartRequest } from '../shared/region-seed.js';
import { RegionStatusError, type RegionStatus } from '../shared/region-status.js';
import type { CliContext, ResolvedActor } from './command-context.js';
import { collect, parseFlags } from './flags.js';
import { CliError, errorReport, table, type Colors, type ErrorReport } from './output.js';
import { actorText, forbiddenHint } from './render.js';

/**
 * `advocacy seed --country PH [--country ...]`: starts, for each state, the campaigns its treaty status
 * in data/region-status.yaml calls for, part-way with the real dates (shared/region-seed.ts), through the
 * campaign facade. Campaign ids are `<prefix><country>-<template>`, so seeding twice starts nothing new:
 * a campaign that already runs is reported as such.
 */

export const seedFlagsSchema = z.object({
  country: z.array(countrySchema).min(1, 'name at least one state, e.g. --country PH'),
  dryRun: z.boolean().default(false),
  verifiedOnly: z.boolean().default(false),
  data: z.string().trim().min(1).optional(),
  idPrefix: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and -, e.g. "seed-"')
    .max(60)
    .optional(),
});
export type SeedFlags = z.output<typeof seedFlagsSchema>;

export type SeedOutcome = 'planned' | 'started' | 'exists' | 'failed';

export interface SeedResult {
  country: string;
  template: string;
  version: number;
  campaignId: string;
  rationale: string;
  outcome: SeedOutcome;
  stage?: string;
  overdue?: string[];
  error?: ErrorReport;
  request: SeedStartRequest;
}

export function seedCampaignId(prefix: string | undefined, request: Pick<SeedStartRequest, 'country' | 'template'>): string {
  return `${prefix ?? ''}${request.country.toLowerCase()}-${request.template}`;
}

/** The plans of all countries first: a bad country stops the command before anything starts. */
export function seedPlans(
  data: RegionStatus,
  countries: readonly string[],
  templates: Parameters<typeof seedCampaigns>[2],
  verifiedOnly: boolean,
): SeedPlan[] {
  const unique = [...new Set(countries)];
  return unique.map((country) => {
    try {
      return seedCampaigns(data, country, templates, { verifiedOnly });
    } catch (err) {
      if (err instanceof SeedError) {
        const missing = !data.states.some((s) => s.country === country);
        throw new CliError(
          missing ? 'not-found' : 'invalid',
          err.message,
          [`--country ${country}: ${err.message}`],
          missing
            ? `the region data covers: ${data.states.map((s) => s.country).join(' ')}`
            : 'check the templates and the region data file',
        );
      }
      throw err;
    }
  });
}

const outcomeText = (c: Colors, r: SeedResult): string =>
  r.outcome === 'started'
    ? c.green('started')
    : r.outcome === 'exists'
      ? c.dim('already running')
      : r.outcome === 'failed'
        ? c.red(`failed: ${r.error?.message ?? ''}`)
        : c.cyan('planned');

export function renderSeed(c: Colors, plans: SeedPlan[], results: SeedResult[], dryRun: boolean): string {
  const out: string[] = [];
  for (const plan of plans) {
    out.push(`\n${c.bold(`${plan.country} ${plan.name}`)}\n`);
    const mine = results.filter((r) => r.country === plan.country);
    for (const r of mine) {
      out.push(`  ${c.bold(r.template)} v${r.version} → ${r.campaignId}  ${outcomeText(c, r)}\n`);
      out.push(`    ${c.dim(r.rationale)}\n`);
      if (dryRun) {
        for (const done of r.request.completed) out.push(`    ${c.green('✔')} ${done.milestone} on ${done.date}\n`);
        for (const skip of r.request.skipped) out.push(`    ${c.dim(`– ${skip.milestone}: ${skip.reason}`)}\n`);
        const inputs = Object.entries(r.request.inputs);
        if (inputs.length) out.push(`    ${c.dim('inputs:')} ${inputs.map(([k, v]) => `${k}=${String(v)}`).join(', ')}\n`);
      } else if (r.overdue?.length) out.push(`    ${c.red(`overdue: ${r.overdue.join(', ')}`)}\n`);
    }
    if (mine.length === 0) out.push(`  ${c.dim('no campaign to start')}\n`);
    for (const note of plan.notes) out.push(`  ${c.dim(`note: ${note}`)}\n`);
  }
  if (!dryRun && results.length) {
    const count = (o: SeedOutcome) => results.filter((r) => r.outcome === o).length;
    out.push(
      `\n${table(c, ['STARTED', 'ALREADY RUNNING', 'FAILED'], [[count('started'), count('exists'), count('failed') ? c.red(String(count('failed'))) : 0]])}`,
    );
  } else if (dryRun) out.push(`\n${c.dim('dry run: nothing was started; run again without --dry-run to start these campaigns')}\n`);
  return out.join('');
}

function plannedResults(plans: SeedPlan[], idPrefix: string | undefined): SeedResult[] {
  return plans.flatMap((plan) =>
    plan.campaigns.map((campaign) => ({
      country: plan.country,
      template: campaign.request.template,
      version: campaign.request.version,
      campaignId: seedCampaignId(idPrefix, campaign.request),
      rationale: campaign.rationale,
      outcome: 'planned',
      request: campaign.request,
    })),
  );
}

async function regionData(path: string): Promise<RegionStatus> {
  try {
    return await loadRegionStatus(path);
  } catch (err) {
    if (err instanceof RegionStatusError)
      throw new CliError(
        'invalid',
        `the region data does not load: ${err.problems.join('; ')}`,
        err.problems,
        'fix the file named above, or pass another with --data',
      );
    throw err;
  }
}

/** Starts the planned campaigns one at a time, recording each outcome in its result and reporting progress. */
async function startSeeded(
  ctx: CliContext,
  who: ResolvedActor,
  registry: TemplateRegistry,
  plans: SeedPlan[],
  results: SeedResult[],
): Promise<void> {
  ctx.hints.forbidden = forbiddenHint(who);
  ctx.out.progress(
    ctx.out.c.dim(
      `starting ${results.length} campaign${results.length === 1 ? '' : 's'} for ${plans.map((p) => p.country).join(', ')} ${actorText(ctx.out.c, who)}`,
    ),
  );
  for (const [i, r] of results.entries()) {
    const step = `[${i + 1}/${results.length}] ${r.country} ${r.template}`;
    try {
      const view = await ctx.withCampaigns(
        (campaigns) => campaigns.start({ ...r.request, campaignId: r.campaignId }, { actor: who.actor }),
        registry,
      );
      Object.assign(r, { outcome: 'started', stage: view.stage, overdue: view.overdue });
      ctx.out.progress(
        `${step} … ${ctx.out.c.green('started')} ${r.campaignId} (stage ${view.stage}${view.overdue.length ? `, ${view.overdue.length} overdue` : ''})`,
      );
    } catch (err) {
      if (err instanceof CampaignError && err.code === 'conflict') {
        r.outcome = 'exists';
        ctx.out.progress(`${step} … ${ctx.out.c.dim(`already running as ${r.campaignId}`)}`);
        continue;
      }
      // Unreachable servers stop the run: every further start would fail the same way.
      if (err instanceof CampaignError && err.code === 'unavailable') throw err;
      r.outcome = 'failed';
      r.error = errorReport(err, ctx.hints);
      ctx.out.progress(`${step} … ${ctx.out.c.red(`failed: ${r.error.message}`)}`);
    }
  }
}

/** The error the command ends with when some campaigns did not start, with the code of the first failure. */
function seedFailure(results: SeedResult[]): Error | undefined {
  const failed = results.filter((r) => r.outcome === 'failed');
  const first = failed[0]?.error;
  if (!first) return undefined;
  const message = `${failed.length} of ${results.length} campaigns did not start (the others are listed above)`;
  if (first.code === 'unexpected') return new Error(message);
  return new CliError(
    first.code,
    message,
    failed.map((r) => `${r.country} ${r.template}: ${r.error?.message ?? ''}`),
    'fix the cause and run the same command again: campaigns already running are left as they are',
  );
}

export function registerSeed(program: Command, ctx: CliContext): void {
  program
    .command('seed')
    .description("start each state's campaigns from the region's treaty status, part-way with the real dates (programme lead)")
    .option('--country <ISO2>', 'a state of the region data; repeatable', collect)
    .option('--dry-run', 'show what would start, start nothing')
    .option('--verified-only', 'record only verified dates as completions; unverified ones become skips that name the date')
    .option('--data <file>', `the region status file (default: ${defaultRegionStatusPath.replace(/.*\/(data\/)/, '$1')})`)
    .option('--id-prefix <prefix>', 'campaign ids are <prefix><country>-<template> (default: no prefix)')
    .action(async (opts: Record<string, unknown>) => {
      const flags = parseFlags(seedFlagsSchema, { ...opts, country: opts.country ?? [] });
      const who = flags.dryRun ? undefined : ctx.actor();
      const data = await regionData(flags.data ?? defaultRegionStatusPath);
      const registry = await ctx.templates();
      const plans = seedPlans(data, flags.country, registry.allTemplates(), flags.verifiedOnly);
      const results = plannedResults(plans, flags.idPrefix);

      if (!flags.dryRun && who) await startSeeded(ctx, who, registry, plans, results);

      ctx.out.result(
        {
          dryRun: flags.dryRun,
          countries: plans.map((p) => ({
            country: p.country,
            name: p.name,
            notes: p.notes,
            campaigns: results.filter((r) => r.country === p.country),
          })),
        },
        (c) => renderSeed(c, plans, results, flags.dryRun),
      );
      const failure = seedFailure(results);
      if (failure) throw failure;
    });
}
