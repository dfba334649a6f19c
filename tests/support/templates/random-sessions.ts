/** Arbitraries of start requests (part-way, with real past dates) and of random sessions of operations. */
import fc from 'fast-check';
import type { CampaignCommand, StartCampaign } from '../../../shared/campaign/index.js';
import type { IsoDate } from '../../../shared/dates.js';
import type { Role } from '../../../shared/ids.js';
import type { Template } from '../../../shared/template/index.js';
import { startRequest } from './hand-written.js';
import { chance, dateArb, sometimes } from './random.js';
import { MODES, POSTPONEMENTS, validEvidence } from './random-templates.js';
import { on, plusDays } from './time-and-actors.js';

export interface StartPlan {
  startDate: IsoDate;
  /** Days from startDate to the moment the campaign starts (the workflow's now). */
  startedAfterDays: number;
  mode: (typeof MODES)[number];
  flag: boolean;
  since?: IsoDate;
  delay?: string;
  /** Per milestone: given as already completed, with a day offset from startDate (negative = before). */
  prior: { given: boolean; offset: number }[];
  skipOptional: boolean[];
}

export const startPlanArb = (n: number): fc.Arbitrary<StartPlan> =>
  fc.record({
    startDate: dateArb(7300, 9100),
    startedAfterDays: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 800 })),
    mode: fc.constantFrom(...MODES),
    flag: fc.boolean(),
    since: sometimes(dateArb(6500, 9100), 2),
    delay: sometimes(fc.constantFrom(...POSTPONEMENTS), 2),
    prior: fc.array(fc.record({ given: chance(4), offset: fc.integer({ min: -2000, max: 0 }) }), {
      minLength: n,
      maxLength: n,
    }),
    skipOptional: fc.array(chance(6), { minLength: n, maxLength: n }),
  });

/**
 * Builds a start request from a plan: prior completions are closed under dependencies, never both of an
 * alternative group, dated in dependency order; optional milestones may be given as skipped.
 */
export function buildStart(template: Template, plan: StartPlan, campaignId = 'c-1'): { start: StartCampaign; now: number } {
  const completed: { milestone: string; date: IsoDate; evidence: Record<string, string> }[] = [];
  const skipped: { milestone: string; reason: string }[] = [];
  const dates = new Map<string, IsoDate>();
  const now = on(plusDays(plan.startDate, plan.startedAfterDays), 9);
  const today = plusDays(plan.startDate, plan.startedAfterDays);
  let offset = Math.min(...plan.prior.map((p) => p.offset), 0);
  template.milestones.forEach((m, i) => {
    const p = plan.prior[i];
    const alternativeTaken = m.alternativeTo.some((a) => dates.has(a));
    if (p?.given && !alternativeTaken && m.dependsOn.every((d) => dates.has(d))) {
      offset = Math.max(offset, p.offset);
      const date = plusDays(plan.startDate, offset) > today ? today : plusDays(plan.startDate, offset);
      const latestDep = m.dependsOn.map((d) => dates.get(d) as IsoDate).reduce((a, b) => (a > b ? a : b), date);
      dates.set(m.id, latestDep);
      completed.push({ milestone: m.id, date: latestDep, evidence: validEvidence(template, m.id) });
    } else if (plan.skipOptional[i] && m.optional && !dates.has(m.id)) {
      skipped.push({ milestone: m.id, reason: 'done elsewhere' });
    }
  });
  const start = startRequest(template, {
    campaignId,
    startDate: plan.startDate,
    inputs: {
      mode: plan.mode,
      flag: plan.flag,
      ...(plan.since ? { since: plan.since } : {}),
      ...(plan.delay ? { delay: plan.delay } : {}),
    },
    completed,
    skipped,
  });
  return { start, now };
}

export type OpKind = 'tick' | CampaignCommand['type'];

/** One step of a random session: time passes (in hours), then a tick or a command. */
export interface Op {
  advanceHours: number;
  kind: OpKind;
  /** Index into the template's milestones (>= length: an unknown milestone); or pick an open one. */
  milestone: number;
  pickOpen: boolean;
  role: Role;
  /** Days before today for a completion date; negative = in the future. */
  daysBack: number;
  evidence: 'valid' | 'none' | 'bad' | 'extra';
  by: string;
  input: 'mode' | 'flag' | 'since' | 'delay' | 'unknown';
  value: number;
  /** Re-use the request id of an earlier command (index) instead of a fresh one. */
  reuse?: number;
}

export const opArb: fc.Arbitrary<Op> = fc.record({
  advanceHours: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 48 }), fc.integer({ min: 0, max: 24 * 120 })),
  kind: fc.oneof(
    { weight: 5, arbitrary: fc.constant<OpKind>('tick') },
    { weight: 6, arbitrary: fc.constant<OpKind>('complete') },
    { weight: 2, arbitrary: fc.constant<OpKind>('extend') },
    {
      weight: 7,
      arbitrary: fc.constantFrom<OpKind>('skip', 'reopen', 'assign', 'note', 'extend', 'pause', 'resume', 'cancel', 'set-input'),
    },
  ),
  milestone: fc.integer({ min: 0, max: 8 }),
  pickOpen: chance(5).map((b) => !b),
  role: fc.oneof(
    { weight: 1, arbitrary: fc.constant<Role>('viewer') },
    { weight: 4, arbitrary: fc.constant<Role>('staff') },
    { weight: 4, arbitrary: fc.constant<Role>('programme-lead') },
    { weight: 2, arbitrary: fc.constant<Role>('system') },
  ),
  daysBack: fc.oneof(fc.constant(0), fc.integer({ min: -3, max: 30 }), fc.integer({ min: 0, max: 1500 })),
  evidence: fc.oneof(
    { weight: 6, arbitrary: fc.constant('valid' as const) },
    { weight: 1, arbitrary: fc.constantFrom('none' as const, 'bad' as const, 'extra' as const) },
  ),
  by: fc.constantFrom('P0D', 'P7D', 'P1M', 'P6M', 'P1Y', 'P3Y'),
  input: fc.constantFrom('mode', 'flag', 'since', 'delay', 'unknown'),
  value: fc.nat(),
  reuse: sometimes(fc.nat(), 8),
});
