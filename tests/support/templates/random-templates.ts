/** Arbitraries of random valid templates, and evidence values that fit (or do not fit) their fields. */
import fc from 'fast-check';
import type { Template, TemplateInput } from '../../../shared/template/index.js';
import { tpl } from './hand-written.js';
import { chance, dateArb, sometimes } from './random.js';

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
    ...(n > 1
      ? [
          fc
            .integer({ min: 0, max: n - 1 })
            .filter((j) => j !== i)
            .map((j) => ({ milestone: `m${j}` })),
        ]
      : []),
  );

const conditionArb = fc.oneof(
  fc.subarray([...MODES], { minLength: 1 }).map((values) => ({ input: 'mode', in: values })),
  fc.boolean().map((b) => ({ input: 'flag', in: [b] })),
);

function milestoneArb(i: number, n: number) {
  return fc
    .record({
      dependsOn: fc.subarray(
        Array.from({ length: i }, (_, j) => j),
        { maxLength: Math.min(i, 3) },
      ),
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
      const evidence = r.evidence.map((f, k) => ({
        ...f,
        values: 'values' in f ? [...f.values] : undefined,
        required: !automatic && (r.required[k] ?? true),
      }));
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
