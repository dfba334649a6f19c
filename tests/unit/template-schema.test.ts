/**
 * The template language (shared/template): defaults, field rules and the cross-reference checks, each
 * problem reported with its path, all at once.
 */
import { describe, expect, it } from 'vitest';
import { findCycle, parseTemplate, TemplateError, type TemplateInput } from '../../shared/template/index.js';
import { conditional, linear, opcatLike } from '../support/templates/index.js';

type MilestoneInput = TemplateInput['milestones'][number];

const template = (milestones: MilestoneInput[], inputs: TemplateInput['inputs'] = {}): TemplateInput => ({
  id: 'demo',
  version: 1,
  title: 'Demo',
  inputs,
  milestones,
});

const inputs = {
  mode: { type: 'enum', values: ['nhri', 'new-body'] },
  since: { type: 'date' },
  delay: { type: 'duration' },
  flag: { type: 'boolean' },
  note: { type: 'string' },
} as const satisfies TemplateInput['inputs'];

/** The problems of a TemplateError thrown by parsing (fails the test when the template parses). */
function problemsOf(value: unknown): string[] {
  try {
    parseTemplate(value, 'demo.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return (err as TemplateError).problems;
  }
  throw new Error('expected a TemplateError');
}

describe('parseTemplate', () => {
  it('fills defaults', () => {
    const t = parseTemplate(
      template([
        { id: 'a', title: 'A', evidence: [{ name: 'lawNumber', label: 'Law' }], deadline: { after: { start: true }, duration: 'P1Y' } },
      ]),
    );
    expect(t).toMatchObject({ description: '', process: 'project', inputs: {} });
    expect(t.milestones[0]).toMatchObject({
      description: '',
      dependsOn: [],
      reminders: [],
      role: 'staff',
      evidence: [{ name: 'lawNumber', label: 'Law', type: 'text', required: true }],
      optional: false,
      alternativeTo: [],
      requires: [],
      followOn: [],
      deadline: { after: { start: true }, duration: 'P1Y', postponedBy: [] },
    });
  });

  it('accepts the test templates', () => {
    expect(opcatLike().milestones).toHaveLength(10);
    expect(linear().milestones.map((m) => m.id)).toEqual(['first', 'second', 'third']);
    expect(conditional().inputs.model?.default).toBe('nhri');
  });

  it('throws a TemplateError naming the source and listing every problem with its path', () => {
    const bad = template([
      { id: 'a', title: 'A', dependsOn: ['ghost'] },
      { id: 'a', title: 'Again' },
      { id: 'b', title: 'B', reminders: ['P7D'] },
    ]);
    let error: unknown;
    try {
      parseTemplate(bad, 'templates/demo.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TemplateError);
    const { problems, source, message } = error as TemplateError;
    expect(source).toBe('templates/demo.yaml');
    expect(problems).toEqual([
      'milestones.1.id: duplicate milestone id "a"',
      'milestones.0.dependsOn.0: unknown milestone "ghost" in dependsOn of "a"',
      'milestones.2.reminders: "b" has reminders but no deadline',
    ]);
    expect(message).toBe(`Template templates/demo.yaml is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  });
});

describe('field rules', () => {
  it.each<[string, unknown, RegExp]>([
    ['an upper-case milestone id', template([{ id: 'Deposit', title: 'D' }]), /^milestones\.0\.id: use lower-case letters/],
    [
      'a dashed evidence field name',
      template([{ id: 'a', title: 'A', evidence: [{ name: 'law-number', label: 'L' }] }]),
      /^milestones\.0\.evidence\.0\.name: use a camelCase identifier/,
    ],
    ['no milestones', template([]), /^milestones: /],
    ['a version 0', { ...template([{ id: 'a', title: 'A' }]), version: 0 }, /^version: /],
    ['an unknown role', template([{ id: 'a', title: 'A', role: 'minister' as 'staff' }]), /^milestones\.0\.role: /],
    [
      'a fractional duration',
      template([{ id: 'a', title: 'A', deadline: { after: { start: true }, duration: 'P1.5Y' } }]),
      /^milestones\.0\.deadline\.duration: expected a non-negative ISO-8601 duration/,
    ],
    [
      'a negative reminder',
      template([{ id: 'a', title: 'A', deadline: { after: { start: true }, duration: 'P1Y' }, reminders: ['-P7D'] }]),
      /^milestones\.0\.reminders\.0: /,
    ],
    [
      'an impossible notBefore',
      template([{ id: 'a', title: 'A', deadline: { after: { start: true }, duration: 'P1Y', notBefore: '2006-02-30' } }]),
      /^milestones\.0\.deadline\.notBefore: not a real calendar date/,
    ],
    [
      'an anchor with two starting points',
      template([{ id: 'a', title: 'A', deadline: { after: { start: true, input: 'since' } as { start: true }, duration: 'P1Y' } }], inputs),
      /^milestones\.0\.deadline\.after: /,
    ],
    [
      'a follow-on mapping of two kinds',
      template(
        [{ id: 'a', title: 'A', followOn: [{ template: 'npm', inputs: { x: { value: 1, input: 'mode' } as { value: 1 } } }] }],
        inputs,
      ),
      /^milestones\.0\.followOn\.0\.inputs\.x: /,
    ],
  ])('refuses %s', (_name, value, expected) => {
    expect(problemsOf(value)).toEqual([expect.stringMatching(expected)]);
  });
});

describe('reference checks', () => {
  it.each<[string, TemplateInput, string[]]>([
    [
      'a milestone depending on itself',
      template([{ id: 'a', title: 'A', dependsOn: ['a'] }]),
      ['milestones.0.dependsOn.0: "a" depends on itself', 'milestones: dependency cycle: a -> a'],
    ],
    [
      'a dependency cycle, named',
      template([
        { id: 'a', title: 'A', dependsOn: ['c'] },
        { id: 'b', title: 'B', dependsOn: ['a'] },
        { id: 'c', title: 'C', dependsOn: ['b'] },
      ]),
      ['milestones: dependency cycle: a -> c -> b -> a'],
    ],
    [
      'an unknown or one-sided alternative',
      template([
        { id: 'a', title: 'A', alternativeTo: ['b', 'ghost'] },
        { id: 'b', title: 'B' },
      ]),
      [
        'milestones.0.alternativeTo.0: "b" must also list "a" in alternativeTo',
        'milestones.0.alternativeTo.1: unknown milestone "ghost" in alternativeTo of "a"',
      ],
    ],
    [
      'a milestone alternative to itself',
      template([{ id: 'a', title: 'A', alternativeTo: ['a'] }]),
      ['milestones.0.alternativeTo.0: "a" cannot be an alternative to itself'],
    ],
    [
      'a deadline counted from an unknown milestone or input, or an input that is not a date',
      template(
        [
          { id: 'a', title: 'A', deadline: { after: { milestone: 'ghost' }, duration: 'P1Y' } },
          { id: 'b', title: 'B', deadline: { after: { input: 'missing' }, duration: 'P1Y' } },
          { id: 'c', title: 'C', deadline: { after: { input: 'mode' }, duration: 'P1Y' } },
        ],
        inputs,
      ),
      [
        'milestones.0.deadline.after.milestone: unknown milestone "ghost"',
        'milestones.1.deadline.after.input: unknown input "missing" (declare it under inputs)',
        'milestones.2.deadline.after.input: input "mode" must be of type date, not enum',
      ],
    ],
    [
      'a postponement input that is not a duration',
      template([{ id: 'a', title: 'A', deadline: { after: { start: true }, duration: 'P1Y', postponedBy: ['since', 'delay'] } }], inputs),
      ['milestones.0.deadline.postponedBy.0: input "since" must be of type duration, not date'],
    ],
    [
      'an automatic milestone counted from a milestone it does not depend on, or requiring evidence',
      template([
        { id: 'deposit', title: 'Deposit' },
        {
          id: 'in-force',
          title: 'In force',
          automatic: { after: { milestone: 'deposit' }, duration: 'P30D' },
          evidence: [{ name: 'notification', label: 'Notification' }],
        },
      ]),
      [
        'milestones.1.automatic.after.milestone: "in-force" is counted from "deposit", so it must list it in dependsOn',
        'milestones.1.evidence: automatic milestone "in-force" cannot require evidence',
      ],
    ],
    [
      'conditions on unknown or date inputs',
      template(
        [
          { id: 'a', title: 'A', when: { input: 'ghost', in: ['x'] } },
          { id: 'b', title: 'B', requires: [{ input: 'since', in: ['2020-01-01'], reason: 'r' }] },
        ],
        inputs,
      ),
      [
        'milestones.0.when.input: unknown input "ghost" (declare it under inputs)',
        'milestones.1.requires.0.input: input "since" must be of type enum or string or boolean, not date',
      ],
    ],
    [
      'condition values the input can never take',
      template(
        [
          { id: 'a', title: 'A', when: { input: 'mode', in: ['nhri', 'comittee'] } },
          { id: 'b', title: 'B', requires: [{ input: 'flag', in: ['yes'], reason: 'r' }] },
          { id: 'c', title: 'C', when: { input: 'note', in: [1] } },
        ],
        inputs,
      ),
      [
        'milestones.0.when.in.1: "comittee" is not a value of input "mode" (nhri, new-body)',
        'milestones.1.requires.0.in.0: "yes" is not a value of input "flag" (true, false)',
        'milestones.2.when.in.0: 1 is not a value of input "note" (a string)',
      ],
    ],
    [
      'follow-on mappings to unknown inputs, milestones and evidence fields',
      template(
        [
          {
            id: 'a',
            title: 'A',
            evidence: [{ name: 'lawNumber', label: 'Law' }],
            followOn: [
              {
                template: 'npm-designation',
                inputs: {
                  one: { input: 'ghost' },
                  two: { milestoneDate: 'ghost' },
                  three: { evidence: { milestone: 'ghost', field: 'lawNumber' } },
                  four: { evidence: { milestone: 'a', field: 'decree' } },
                  five: { value: 'fixed' },
                },
              },
            ],
          },
        ],
        inputs,
      ),
      [
        'milestones.0.followOn.0.inputs.one: unknown input "ghost"',
        'milestones.0.followOn.0.inputs.two: unknown milestone "ghost"',
        'milestones.0.followOn.0.inputs.three: unknown milestone "ghost"',
        'milestones.0.followOn.0.inputs.four: milestone "a" has no evidence field "decree"',
      ],
    ],
    [
      'an enum input or enum evidence field without values',
      template([{ id: 'a', title: 'A', evidence: [{ name: 'kind', label: 'Kind', type: 'enum' }] }], { model: { type: 'enum' } }),
      ['milestones.0.evidence.0.values: enum evidence field "kind" needs values', 'inputs.model.values: enum input "model" needs values'],
    ],
    [
      'input defaults of the wrong type',
      template([{ id: 'a', title: 'A' }], {
        model: { type: 'enum', values: ['nhri', 'new-body'], default: 'committee' },
        since: { type: 'date', default: '2024-02-30' },
        delay: { type: 'duration', default: 'three years' },
        flag: { type: 'boolean', default: 'yes' },
        note: { type: 'string', default: 3 },
      }),
      [
        'inputs.model.default: input "model" must be one of nhri, new-body',
        'inputs.since.default: input "since" must be a date',
        'inputs.delay.default: input "delay" must be a duration',
        'inputs.flag.default: input "flag" must be a boolean',
        'inputs.note.default: input "note" must be a string',
      ],
    ],
  ])('refuses %s', (_name, value, expected) => {
    expect(problemsOf(value)).toEqual(expected);
  });

  it('accepts a deadline counted from a milestone that is not a dependency', () => {
    const t = parseTemplate(
      template([
        { id: 'a', title: 'A' },
        { id: 'b', title: 'B', deadline: { after: { milestone: 'a' }, duration: 'P1Y' } },
      ]),
    );
    expect(t.milestones[1]?.deadline?.after).toEqual({ milestone: 'a' });
  });

  it('accepts valid defaults and condition values', () => {
    const t = parseTemplate(
      template(
        [
          { id: 'a', title: 'A', when: { input: 'flag', in: [true] }, requires: [{ input: 'mode', in: ['nhri'], reason: 'r' }] },
          { id: 'b', title: 'B', when: { input: 'note', in: ['anything'] } },
        ],
        {
          mode: { type: 'enum', values: ['nhri', 'new-body'], default: 'nhri' },
          since: { type: 'date', default: '2024-02-29' },
          delay: { type: 'duration', default: 'P3Y' },
          flag: { type: 'boolean', default: false },
          note: { type: 'string', default: 'x' },
        },
      ),
    );
    expect(t.inputs.flag?.default).toBe(false);
  });
});

describe('findCycle', () => {
  it('finds none in a DAG and one path in a cycle', () => {
    expect(
      findCycle(
        new Map([
          ['a', []],
          ['b', ['a']],
          ['c', ['a', 'b']],
        ]),
      ),
    ).toBeUndefined();
    expect(
      findCycle(
        new Map([
          ['a', []],
          ['b', ['c']],
          ['c', ['d']],
          ['d', ['b']],
        ]),
      ),
    ).toEqual(['b', 'c', 'd', 'b']);
  });
});
