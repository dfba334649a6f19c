/**
 * Templates and helpers for the pure state-machine tests: a few hand-written templates (built as objects
 * and parsed with `parseTemplate`, so every default and reference check applies), small builders for
 * start requests and commands, and fast-check arbitraries that generate random VALID templates, start
 * requests and command sequences.
 */
import fc from 'fast-check';
import {
  startCampaignSchema,
  type CampaignCommand,
  type StartCampaign,
  type StartCampaignInput,
} from '../../../shared/campaign/index.js';
import { addDuration, startOfDay, subtractDuration, type IsoDate } from '../../../shared/dates.js';
import type { Actor, Role } from '../../../shared/ids.js';
import { parseTemplate, type Template, type TemplateInput } from '../../../shared/template/index.js';

// ---------------------------------------------------------------------------------------------------
// Time and actors

/** An instant on a calendar day (noon UTC by default), as the workflow's `Date.now()`. */
export function on(date: IsoDate, hour = 12): number {
  return startOfDay(date) + hour * 3_600_000;
}

export function plusDays(date: IsoDate, days: number): IsoDate {
  return days >= 0 ? addDuration(date, `P${days}D`) : subtractDuration(date, `P${-days}D`);
}

/** True with probability 1/k. */
const chance = (k: number) => fc.integer({ min: 0, max: k - 1 }).map((x) => x === 0);

/** A value with probability 1/k, otherwise undefined. */
const sometimes = <T>(arb: fc.Arbitrary<T>, k: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: k - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

export const staff: Actor = { id: 'sari', role: 'staff' };
export const lead: Actor = { id: 'lead-ana', role: 'programme-lead' };
export const viewer: Actor = { id: 'guest', role: 'viewer' };
export const system: Actor = { id: 'parliament-monitor', role: 'system' };

let requestCounter = 0;
export const nextRequestId = (): string => `req-${++requestCounter}`;

// ---------------------------------------------------------------------------------------------------
// Command builders (fresh request id unless one is given)

type Extra = { requestId?: string; actor?: Actor };
const base = (extra: Extra, actor: Actor) => ({ requestId: extra.requestId ?? nextRequestId(), actor: extra.actor ?? actor });

export const cmd = {
  complete: (
    milestone: string,
    date: IsoDate,
    extra: Extra & { evidence?: Record<string, string>; note?: string } = {},
  ): CampaignCommand => ({
    ...base(extra, lead),
    type: 'complete',
    milestone,
    date,
    evidence: extra.evidence ?? {},
    ...(extra.note ? { note: extra.note } : {}),
  }),
  skip: (milestone: string, extra: Extra = {}): CampaignCommand => ({ ...base(extra, staff), type: 'skip', milestone, reason: 'not needed here' }),
  reopen: (milestone: string, extra: Extra = {}): CampaignCommand => ({ ...base(extra, staff), type: 'reopen', milestone, reason: 'recorded by mistake' }),
  assign: (milestone: string, owner: string, extra: Extra = {}): CampaignCommand => ({ ...base(extra, staff), type: 'assign', milestone, owner }),
  note: (text: string, milestone?: string, extra: Extra = {}): CampaignCommand => ({
    ...base(extra, staff),
    type: 'note',
    text,
    ...(milestone ? { milestone } : {}),
  }),
  extend: (milestone: string, by: string, extra: Extra = {}): CampaignCommand => ({
    ...base(extra, lead),
    type: 'extend',
    milestone,
    by,
    reason: 'the Committee granted more time',
    legalBasis: 'OPCAT Art. 24(2)',
  }),
  pause: (extra: Extra = {}): CampaignCommand => ({ ...base(extra, lead), type: 'pause', reason: 'elections' }),
  resume: (extra: Extra = {}): CampaignCommand => ({ ...base(extra, lead), type: 'resume' }),
  cancel: (extra: Extra = {}): CampaignCommand => ({ ...base(extra, lead), type: 'cancel', reason: 'programme closed' }),
  setInput: (name: string, value: string | number | boolean, extra: Extra = {}): CampaignCommand => ({
    ...base(extra, lead),
    type: 'set-input',
    name,
    value,
    reason: 'new information',
  }),
};

// ---------------------------------------------------------------------------------------------------
// Hand-written templates

export const tpl = (input: TemplateInput): Template => parseTemplate(input, input.id);

/**
 * An OPCAT-like ratification: dialogue -> decision -> signature | accession -> approval -> deposit ->
 * entry into force (automatic, deposit + 30 days) -> NPM designation (deadline one year after entry into
 * force, postponable by an Art. 24 declaration, reminders, extensions up to two years) and an optional
 * Art. 24 declaration, then the SPT notified. Entry into force starts an npm-designation follow-on.
 */
export const opcatLike = (): Template =>
  tpl({
    id: 'opcat-like',
    version: 3,
    title: 'OPCAT ratification (test)',
    process: 'ratification',
    inputs: {
      uncatStatus: { type: 'enum', values: ['none', 'signed', 'ratified', 'acceded'], required: true },
      postponement: { type: 'duration' },
    },
    milestones: [
      { id: 'dialogue', title: 'Regional dialogue', stage: 'awareness' },
      {
        id: 'decision',
        title: 'Government decision',
        stage: 'decision',
        role: 'programme-lead',
        dependsOn: ['dialogue'],
        deadline: { after: { start: true }, duration: 'P2Y' },
        evidence: [{ name: 'decisionReference', label: 'Cabinet decision', type: 'text' }],
      },
      {
        id: 'signature',
        title: 'Signature',
        stage: 'signature',
        dependsOn: ['decision'],
        alternativeTo: ['accession'],
        requires: [{ input: 'uncatStatus', in: ['signed', 'ratified', 'acceded'], reason: 'OPCAT Art. 27(1): sign UNCAT first' }],
      },
      { id: 'accession', title: 'Decision to accede', stage: 'signature', dependsOn: ['decision'], alternativeTo: ['signature'] },
      { id: 'approval', title: 'Parliamentary approval', stage: 'approval', dependsOn: ['signature', 'accession'] },
      {
        id: 'deposit',
        title: 'Deposit',
        stage: 'deposit',
        role: 'programme-lead',
        dependsOn: ['approval'],
        requires: [{ input: 'uncatStatus', in: ['ratified', 'acceded'], reason: 'OPCAT Art. 27(2): ratify UNCAT first' }],
        evidence: [
          { name: 'instrumentKind', label: 'Kind of instrument', type: 'enum', values: ['ratification', 'accession'] },
          { name: 'documentUrl', label: 'UN Treaty Collection page', type: 'url', required: false },
          { name: 'depositedOn', label: 'Depositary date', type: 'date', required: false },
        ],
        followOn: [],
      },
      {
        id: 'entry-into-force',
        title: 'Entry into force',
        stage: 'in-force',
        dependsOn: ['deposit'],
        automatic: { after: { milestone: 'deposit' }, duration: 'P30D', notBefore: '2006-06-22', legalBasis: 'OPCAT Art. 28(2)' },
        followOn: [
          {
            template: 'npm-designation',
            version: 2,
            inputs: {
              entryIntoForce: { milestoneDate: 'entry-into-force' },
              instrument: { evidence: { milestone: 'deposit', field: 'instrumentKind' } },
              uncat: { input: 'uncatStatus' },
              source: { value: 'opcat-like' },
            },
          },
        ],
      },
      { id: 'declaration', title: 'Art. 24 declaration', stage: 'in-force', optional: true, dependsOn: ['deposit'] },
      {
        id: 'npm',
        title: 'NPM designated',
        stage: 'npm',
        dependsOn: ['entry-into-force'],
        deadline: {
          after: { milestone: 'entry-into-force' },
          duration: 'P1Y',
          postponedBy: ['postponement'],
          legalBasis: 'OPCAT Art. 17',
          maxExtension: 'P2Y',
        },
        reminders: ['P3M', 'P1M', 'P7D'],
      },
      { id: 'spt-notified', title: 'SPT notified of the NPM', stage: 'npm', dependsOn: ['npm'] },
    ],
  });

/** Three steps in a row; the second has a deadline 60 days after start with reminders and no extensions. */
export const linear = (): Template =>
  tpl({
    id: 'linear',
    version: 1,
    title: 'Three steps',
    milestones: [
      { id: 'first', title: 'First', stage: 'one' },
      {
        id: 'second',
        title: 'Second',
        stage: 'two',
        dependsOn: ['first'],
        deadline: { after: { start: true }, duration: 'P60D' },
        reminders: ['P30D', 'P7D', 'P1D'],
      },
      { id: 'third', title: 'Third', stage: 'three', dependsOn: ['second'], optional: true },
    ],
  });

/** Inputs that switch milestones on and off (`when`) and move deadlines (date anchor, postponement). */
export const conditional = (): Template =>
  tpl({
    id: 'conditional',
    version: 1,
    title: 'NPM model choice',
    inputs: {
      model: { type: 'enum', values: ['nhri', 'new-body'], default: 'nhri' },
      since: { type: 'date' },
      postponement: { type: 'duration' },
    },
    milestones: [
      { id: 'consultation', title: 'Consultation' },
      { id: 'nhri-mandate', title: 'NHRI mandate amended', dependsOn: ['consultation'], when: { input: 'model', in: ['nhri'] } },
      { id: 'new-law', title: 'New body created by law', dependsOn: ['consultation'], when: { input: 'model', in: ['new-body'] } },
      {
        id: 'designation',
        title: 'Designation',
        dependsOn: ['nhri-mandate', 'new-law'],
        deadline: { after: { input: 'since' }, duration: 'P1Y', postponedBy: ['postponement'] },
      },
      { id: 'first-visit', title: 'First visit to a place of detention', dependsOn: ['designation'] },
    ],
  });

export function startRequest(template: Template, overrides: Partial<StartCampaignInput> = {}): StartCampaign {
  return startCampaignSchema.parse({
    campaignId: `campaign-${template.id}`,
    template,
    country: 'ID',
    region: 'asia-pacific',
    startDate: '2024-01-01',
    actor: lead,
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------------
// Arbitraries: random valid templates

const DURATIONS = ['P0D', 'P1D', 'P7D', 'P10D', 'P30D', 'P1M', 'P3M', 'P6M', 'P1Y', 'P2Y'] as const;
const REMINDERS = ['P1D', 'P7D', 'P14D', 'P1M', 'P3M'] as const;
export const MODES = ['a', 'b', 'c'] as const;
export const POSTPONEMENTS = ['P0D', 'P3M', 'P1Y', 'P3Y'] as const;

/** Evidence fields the generated milestones draw from; `validEvidence` fills them correctly. */
const EVIDENCE_POOL = [
  { name: 'lawNumber', label: 'Law number', type: 'text' },
  { name: 'documentUrl', label: 'Document', type: 'url' },
  { name: 'signedOn', label: 'Signed on', type: 'date' },
  { name: 'postponement', label: 'Postponement', type: 'duration' },
  { name: 'instrumentKind', label: 'Instrument', type: 'enum', values: ['ratification', 'accession'] },
] as const;
export const validEvidenceValue: Record<string, string> = {
  lawNumber: 'Law 5/1998',
  documentUrl: 'https://treaties.un.org/doc/1',
  signedOn: '2001-02-03',
  postponement: 'P3Y',
  instrumentKind: 'accession',
};
export const badEvidenceValue: Record<string, string> = {
  lawNumber: 'x',
  documentUrl: 'not a url',
  signedOn: '2001-02-30',
  postponement: 'three years',
  instrumentKind: 'succession',
};

const generatedInputs = {
  mode: { type: 'enum', values: [...MODES], default: 'a' },
  flag: { type: 'boolean', default: false },
  since: { type: 'date' },
  delay: { type: 'duration' },
} as const satisfies TemplateInput['inputs'];

const anchorArb = (i: number, n: number) =>
  fc.oneof(
    fc.constant({ start: true as const }),
    fc.constant({ input: 'since' }),
    ...(n > 1 ? [fc.integer({ min: 0, max: n - 1 }).filter((j) => j !== i).map((j) => ({ milestone: `m${j}` }))] : []),
  );

const dateArb = (from: number, to: number) => fc.integer({ min: from, max: to }).map((d) => plusDays('2000-01-01', d));

const conditionArb = fc.oneof(
  fc.subarray([...MODES], { minLength: 1 }).map((values) => ({ input: 'mode', in: values })),
  fc.boolean().map((b) => ({ input: 'flag', in: [b] })),
);

function milestoneArb(i: number, n: number) {
  return fc
    .record({
      dependsOn: fc.subarray(Array.from({ length: i }, (_, j) => j), { maxLength: Math.min(i, 3) }),
      deadline: sometimes(
        fc.record({
          after: anchorArb(i, n),
          duration: fc.constantFrom(...DURATIONS),
          postponed: fc.boolean(),
          notBefore: sometimes(dateArb(7000, 9500), 4),
          maxExtension: sometimes(fc.constantFrom('P1M', 'P6M', 'P1Y', 'P2Y'), 2),
        }),
        2,
      ),
      reminders: fc.subarray([...REMINDERS]),
      role: fc.constantFrom('staff', 'programme-lead'),
      evidence: fc.subarray([...EVIDENCE_POOL], { maxLength: 2 }),
      required: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
      optional: chance(4),
      automatic: sometimes(
        fc.record({
          anchor: fc.oneof(fc.constant('dep' as const), fc.constant('start' as const), fc.constant('since' as const)),
          duration: fc.constantFrom(...DURATIONS),
          notBefore: sometimes(dateArb(7000, 9500), 4),
        }),
        4,
      ),
      when: sometimes(conditionArb, 4),
      requires: sometimes(conditionArb, 5),
      followOn: chance(4),
      group: sometimes(fc.integer({ min: 0, max: 2 }), 3),
    })
    .map((r) => {
      const id = `m${i}`;
      const dependsOn = r.dependsOn.map((j) => `m${j}`);
      const automatic = r.automatic && (r.automatic.anchor !== 'dep' || dependsOn.length > 0) ? r.automatic : undefined;
      const evidence = r.evidence.map((f, k) => ({ ...f, values: 'values' in f ? [...f.values] : undefined, required: !automatic && (r.required[k] ?? true) }));
      const milestone: NonNullable<TemplateInput['milestones']>[number] = {
        id,
        title: `Milestone ${i}`,
        stage: `stage-${i % 3}`,
        dependsOn,
        role: r.role,
        evidence,
        optional: r.optional,
        ...(r.deadline
          ? {
              deadline: {
                after: r.deadline.after,
                duration: r.deadline.duration,
                postponedBy: r.deadline.postponed ? ['delay'] : [],
                ...(r.deadline.notBefore ? { notBefore: r.deadline.notBefore } : {}),
                ...(r.deadline.maxExtension ? { maxExtension: r.deadline.maxExtension } : {}),
              },
              reminders: r.reminders,
            }
          : {}),
        ...(automatic
          ? {
              automatic: {
                after:
                  automatic.anchor === 'dep'
                    ? { milestone: dependsOn[0] as string }
                    : automatic.anchor === 'start'
                      ? { start: true as const }
                      : { input: 'since' },
                duration: automatic.duration,
                ...(automatic.notBefore ? { notBefore: automatic.notBefore } : {}),
                legalBasis: 'Art. 28(2)',
              },
            }
          : {}),
        ...(r.when ? { when: r.when } : {}),
        ...(r.requires ? { requires: [{ ...r.requires, reason: `requirement of ${id}` }] } : {}),
        ...(r.followOn
          ? {
              followOn: [
                {
                  template: `follow-${i}`,
                  inputs: {
                    fixed: { value: 42 },
                    mode: { input: 'mode' },
                    doneOn: { milestoneDate: id },
                    ...(evidence[0] ? { evidenceValue: { evidence: { milestone: id, field: evidence[0].name } } } : {}),
                  },
                },
              ],
              // Tells the state's other campaigns (of another template) what happened here.
              informs: [{ template: 'sibling', inputs: { [`m${i}Done`]: { milestoneDate: id }, mode: { input: 'mode' } } }],
            }
          : {}),
      };
      return { milestone, group: r.group };
    });
}

const pairsOf = (n: number) => Array.from({ length: n * n }, (_, k) => [Math.floor(k / n), k % n] as const).filter(([a, b]) => a < b);

/** Random valid templates: DAGs of 1-8 milestones with every feature of the template language. */
export const templateArb: fc.Arbitrary<Template> = fc
  .integer({ min: 1, max: 8 })
  .chain((n) => (n < 3 ? fc.integer({ min: 1, max: 8 }) : fc.constant(n)))
  .chain((n) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: n }, (_, i) => milestoneArb(i, n))),
      // A few extra alternative pairs, so that groups need not be cliques (a-b, b-c without a-c).
      sometimes(fc.subarray(pairsOf(n), { maxLength: Math.min(2, pairsOf(n).length) }), 4),
    ),
  )
  .map(([specs, pairs]) => {
    // Alternative groups are cliques: every member lists every other member.
    const groups = new Map<number, string[]>();
    for (const s of specs) if (s.group !== undefined) groups.set(s.group, [...(groups.get(s.group) ?? []), s.milestone.id]);
    const alternatives = new Map<string, Set<string>>(specs.map((s) => [s.milestone.id, new Set<string>()]));
    for (const s of specs) {
      const members = s.group === undefined ? [] : (groups.get(s.group) ?? []);
      for (const m of members) if (m !== s.milestone.id) alternatives.get(s.milestone.id)?.add(m);
    }
    for (const [a, b] of pairs ?? []) {
      alternatives.get(`m${a}`)?.add(`m${b}`);
      alternatives.get(`m${b}`)?.add(`m${a}`);
    }
    const milestones = specs.map((s) => ({ ...s.milestone, alternativeTo: [...(alternatives.get(s.milestone.id) ?? [])].sort() }));
    return tpl({ id: 'generated', version: 1, title: 'Generated', inputs: generatedInputs, milestones });
  });

/** Evidence that satisfies a milestone's fields (every field filled with a valid value). */
export function validEvidence(template: Template, milestone: string): Record<string, string> {
  const def = template.milestones.find((m) => m.id === milestone);
  return Object.fromEntries((def?.evidence ?? []).map((f) => [f.name, validEvidenceValue[f.name] ?? 'text']));
}

// ---------------------------------------------------------------------------------------------------
// Arbitraries: start requests and operations

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

export const opArb: fc.Arbitrary<Op> = fc.record(
  {
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
  },
);
