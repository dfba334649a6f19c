import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  builtinTemplatesDir,
  loadTemplateFile,
  loadTemplates,
  parseTemplateYaml,
  TemplateNotFoundError,
  TemplateRegistry,
} from '../../infra/templates.js';
import { parseTemplate, TemplateError, type Template, type TemplateInput } from '../../shared/template/index.js';

const builtinIds = ['capacity-building', 'npm-designation', 'opcat-ratification', 'oversight-cooperation', 'uncat-ratification'];

/** The problems of a TemplateError thrown by `fn` (fails the test when nothing or something else is thrown). */
function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return (err as TemplateError).problems;
  }
  throw new Error('expected a TemplateError');
}

async function problemsOfAsync(fn: () => Promise<unknown>): Promise<{ message: string; problems: string[] }> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return { message: (err as TemplateError).message, problems: (err as TemplateError).problems };
  }
  throw new Error('expected a TemplateError');
}

const minimal = (): TemplateInput => ({
  id: 'demo',
  version: 1,
  title: 'Demo',
  milestones: [
    { id: 'a', title: 'A' },
    { id: 'b', title: 'B', dependsOn: ['a'] },
  ],
});

describe('built-in templates', () => {
  let templates: Template[];
  beforeAll(async () => {
    templates = (await loadTemplates()).allTemplates();
  });

  it('all parse, one per process of the domain', () => {
    expect(templates.map((t) => t.id)).toEqual(builtinIds);
    expect(templates.every((t) => t.version === 1)).toBe(true);
  });

  it('each loads on its own through loadTemplateFile (as `templates validate` does)', async () => {
    for (const id of builtinIds) {
      const t = await loadTemplateFile(join(builtinTemplatesDir, `${id}.yaml`));
      expect(t.id).toBe(id);
    }
  });

  it('every treaty milestone with a deadline or an automatic date cites its article', () => {
    for (const t of templates.filter((x) => x.process !== 'project')) {
      for (const m of t.milestones) {
        if (m.deadline) expect(m.deadline.legalBasis, `${t.id}/${m.id}`).toMatch(/(UNCAT|OPCAT) Art\./);
        if (m.automatic) expect(m.automatic.legalBasis, `${t.id}/${m.id}`).toMatch(/(UNCAT|OPCAT) Art\./);
        if (m.deadline || m.automatic) expect(m.legalBasis, `${t.id}/${m.id}`).toBeDefined();
      }
    }
  });

  const get = (id: string) => {
    const t = templates.find((x) => x.id === id);
    if (!t) throw new Error(`no template ${id}`);
    return t;
  };
  const milestone = (t: Template, id: string) => {
    const m = t.milestones.find((x) => x.id === id);
    if (!m) throw new Error(`no milestone ${id} in ${t.id}`);
    return m;
  };

  it('UNCAT: signature and accession are alternatives; entry into force 30 days after deposit, not before 26 June 1987', () => {
    const t = get('uncat-ratification');
    expect(milestone(t, 'signature').alternativeTo).toEqual(['accession-decision']);
    expect(milestone(t, 'accession-decision').alternativeTo).toEqual(['signature']);
    expect(milestone(t, 'parliamentary-approval').dependsOn).toEqual(['signature', 'accession-decision']);
    const deposit = milestone(t, 'deposit');
    expect(deposit.evidence.find((e) => e.name === 'instrumentKind')).toMatchObject({
      type: 'enum',
      values: ['ratification', 'accession'],
      required: true,
    });
    expect(deposit.evidence.map((e) => e.name)).toContain('depositaryNotification');
    expect(milestone(t, 'entry-into-force').automatic).toMatchObject({
      after: { milestone: 'deposit' },
      duration: 'P30D',
      notBefore: '1987-06-26',
    });
    const report = milestone(t, 'initial-report');
    expect(report.deadline).toMatchObject({ after: { milestone: 'entry-into-force' }, duration: 'P1Y', legalBasis: 'UNCAT Art. 19(1)' });
    expect(report.reminders).toEqual(['P3M', 'P1M', 'P7D']);
  });

  it('OPCAT: Art. 27 preconditions, Art. 28 entry into force, Art. 24 declaration with the deposit, NPM follow-on', () => {
    const t = get('opcat-ratification');
    expect(t.inputs.uncatStatus).toMatchObject({ type: 'enum', values: ['none', 'signed', 'ratified', 'acceded'], required: true });
    const sign = milestone(t, 'signature').requires;
    expect(sign).toHaveLength(1);
    expect(sign[0]).toMatchObject({ input: 'uncatStatus', in: ['signed', 'ratified', 'acceded'] });
    expect(sign[0]?.reason).toMatch(/Art\. 27\(1\)/);
    const deposit = milestone(t, 'deposit').requires;
    expect(deposit[0]).toMatchObject({ input: 'uncatStatus', in: ['ratified', 'acceded'] });
    expect(deposit[0]?.reason).toMatch(/Art\. 27\(2\)/);
    expect(milestone(t, 'entry-into-force').automatic).toMatchObject({ duration: 'P30D', notBefore: '2006-06-22' });
    // Art. 24: declared upon ratification, so recorded with the deposit, Part III or Part IV.
    const fields = milestone(t, 'deposit').evidence;
    for (const name of ['art24PartIIIPostponement', 'art24PartIVPostponement'])
      expect(fields.find((e) => e.name === name)).toMatchObject({ type: 'duration', required: false });
    expect(milestone(t, 'deposit').legalBasis).toMatch(/Art\. 24\(1\)/);
    expect(milestone(t, 'entry-into-force').followOn).toEqual([
      {
        template: 'npm-designation',
        inputs: {
          opcatEntryIntoForce: { milestoneDate: 'entry-into-force' },
          art24PartIVPostponement: { evidence: { milestone: 'deposit', field: 'art24PartIVPostponement' } },
        },
      },
    ]);
  });

  it('NPM: designation due one year after entry into force, postponed by Art. 24 Part IV and its extension', () => {
    const t = get('npm-designation');
    expect(t.inputs.opcatEntryIntoForce).toMatchObject({ type: 'date', required: true });
    expect(t.inputs.art24PartIVPostponement).toMatchObject({ type: 'duration', required: false });
    expect(t.inputs.art24PartIVPostponement?.default).toBeUndefined();
    expect(t.inputs.art24PartIVExtension).toMatchObject({ type: 'duration', required: false });
    expect(milestone(t, 'legislation-adopted').deadline).toMatchObject({
      after: { input: 'opcatEntryIntoForce' },
      duration: 'P1Y',
      postponedBy: ['art24PartIVPostponement', 'art24PartIVExtension'],
    });
    expect(milestone(t, 'model-chosen').evidence.find((e) => e.name === 'model')?.values).toEqual(['nhri', 'new-body', 'multiple-bodies']);
  });

  it('project templates count their deadlines from the campaign start', () => {
    for (const id of ['capacity-building', 'oversight-cooperation']) {
      for (const m of get(id).milestones) {
        expect(m.deadline?.after, `${id}/${m.id}`).toEqual({ start: true });
      }
    }
  });
});

describe('broken templates are rejected with the field named', () => {
  it('unknown dependency', () => {
    const t = minimal();
    t.milestones[1] = { id: 'b', title: 'B', dependsOn: ['nope'] };
    expect(problemsOf(() => parseTemplate(t, 'demo.yaml'))).toContain(
      'milestones.1.dependsOn.0: unknown milestone "nope" in dependsOn of "b"',
    );
  });

  it('dependency cycle, naming the path', () => {
    const t = minimal();
    t.milestones[0] = { id: 'a', title: 'A', dependsOn: ['b'] };
    const problems = problemsOf(() => parseTemplate(t, 'demo.yaml'));
    expect(problems.some((p) => p.startsWith('milestones: dependency cycle:') && p.includes('a -> b -> a'))).toBe(true);
  });

  it('bad ISO-8601 duration', () => {
    const t = minimal();
    t.milestones[1] = { id: 'b', title: 'B', dependsOn: ['a'], deadline: { after: { milestone: 'a' }, duration: '30 days' } };
    const problems = problemsOf(() => parseTemplate(t, 'demo.yaml'));
    expect(problems.some((p) => p.startsWith('milestones.1.deadline.duration:') && p.includes('ISO-8601'))).toBe(true);
  });

  it('negative or malformed reminder', () => {
    const t = minimal();
    t.milestones[1] = { id: 'b', title: 'B', deadline: { after: { start: true }, duration: 'P1Y' }, reminders: ['P-1M'] };
    expect(problemsOf(() => parseTemplate(t, 'demo.yaml')).some((p) => p.startsWith('milestones.1.reminders.0:'))).toBe(true);
  });

  it('missing input (deadline counted from an undeclared input)', () => {
    const t = minimal();
    t.milestones[1] = { id: 'b', title: 'B', deadline: { after: { input: 'entryIntoForce' }, duration: 'P1Y' } };
    expect(problemsOf(() => parseTemplate(t, 'demo.yaml'))).toContain(
      'milestones.1.deadline.after.input: unknown input "entryIntoForce" (declare it under inputs)',
    );
  });

  it('postponement input of the wrong type', () => {
    const t = minimal();
    t.inputs = { start: { type: 'date' }, delay: { type: 'string' } };
    t.milestones[1] = { id: 'b', title: 'B', deadline: { after: { input: 'start' }, duration: 'P1Y', postponedBy: ['delay'] } };
    expect(problemsOf(() => parseTemplate(t, 'demo.yaml'))).toContain(
      'milestones.1.deadline.postponedBy.0: input "delay" must be of type duration, not string',
    );
  });

  it('one-sided alternative', () => {
    const t = minimal();
    t.milestones[1] = { id: 'b', title: 'B', alternativeTo: ['a'] };
    expect(problemsOf(() => parseTemplate(t, 'demo.yaml'))).toContain(
      'milestones.1.alternativeTo.0: "a" must also list "b" in alternativeTo',
    );
  });

  it('YAML syntax errors name the line', () => {
    const problems = problemsOf(() => parseTemplateYaml('id: demo\nversion: 1\n  title: [unclosed\n', 'broken.yaml'));
    expect(problems[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('duplicate YAML keys are an error, not a silent override', () => {
    const problems = problemsOf(() =>
      parseTemplateYaml('id: demo\nid: other\nversion: 1\ntitle: T\nmilestones: [{id: a, title: A}]\n', 'dup.yaml'),
    );
    expect(problems.join('\n')).toMatch(/unique|duplicate/i);
  });
});

describe('loading directories', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'templates-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const writeTemplate = async (sub: string, name: string, value: unknown) => {
    await mkdir(join(dir, sub), { recursive: true });
    await writeFile(join(dir, sub, name), typeof value === 'string' ? value : stringify(value));
    return join(dir, sub);
  };

  it('indexes by id and version: getTemplate gives the newest unless a version is asked for', async () => {
    const extra = await writeTemplate('versions', 'demo.yaml', { ...minimal(), version: 2, title: 'Demo v2' });
    await writeTemplate('versions', 'demo@1.yaml', minimal());
    await writeTemplate('versions', 'README.md', '# not a template');
    const registry = await loadTemplates({ extraDirs: [extra] });
    expect(registry.getTemplate('demo').title).toBe('Demo v2');
    expect(registry.getTemplate('demo', 1).title).toBe('Demo');
    expect(registry.listTemplates().find((s) => s.id === 'demo')).toMatchObject({ version: 2, versions: [1, 2] });
    expect(registry.listTemplates().map((s) => s.id)).toEqual([...builtinIds.slice(0, 1), 'demo', ...builtinIds.slice(1)]);
    expect(() => registry.getTemplate('demo', 3)).toThrow(TemplateNotFoundError);
    expect(() => registry.getTemplate('nothing')).toThrow(/unknown template "nothing"/);
  });

  it('a broken file fails the load, naming the file and the field path', async () => {
    const t = minimal();
    t.milestones[1] = { id: 'b', title: 'B', dependsOn: ['ghost'] };
    const extra = await writeTemplate('broken', 'demo.yaml', t);
    const { message, problems } = await problemsOfAsync(() => loadTemplates({ extraDirs: [extra] }));
    expect(problems).toEqual([`${join(extra, 'demo.yaml')}: milestones.1.dependsOn.0: unknown milestone "ghost" in dependsOn of "b"`]);
    expect(message).toContain('demo.yaml');
  });

  it('the same id and version twice is an error naming both files', async () => {
    const extra = await writeTemplate('dupes', 'one.yaml', minimal());
    await writeTemplate('dupes', 'two.yaml', minimal());
    const { problems } = await problemsOfAsync(() => loadTemplates({ builtin: false, extraDirs: [extra] }));
    expect(problems[0]).toContain('two.yaml');
    expect(problems[0]).toContain('one.yaml');
  });

  it('a follow-on to an unknown template, or leaving a required input unmapped, is rejected', async () => {
    const t = minimal();
    t.milestones[1] = { id: 'b', title: 'B', followOn: [{ template: 'npm-designation', inputs: {} }] };
    const u = { ...minimal(), id: 'orphan' };
    u.milestones[1] = { id: 'b', title: 'B', followOn: [{ template: 'no-such-template' }] };
    const extra = await writeTemplate('follow', 'demo.yaml', t);
    await writeTemplate('follow', 'orphan.yaml', u);
    const { problems } = await problemsOfAsync(() => loadTemplates({ extraDirs: [extra] }));
    expect(problems).toContain(
      `${join(extra, 'demo.yaml')}: milestones.1.followOn.0.inputs: required input "opcatEntryIntoForce" of "npm-designation" is not mapped`,
    );
    expect(problems).toContain(`${join(extra, 'orphan.yaml')}: milestones.1.followOn.0.template: unknown template "no-such-template"`);
  });

  it('a follow-on mapping of the wrong type is rejected', () => {
    const npm = parseTemplate({
      id: 'target',
      version: 1,
      title: 'T',
      inputs: { since: { type: 'date', required: true } },
      milestones: [{ id: 'x', title: 'X' }],
    });
    const source = parseTemplate({
      id: 'source',
      version: 1,
      title: 'S',
      milestones: [
        { id: 'a', title: 'A', evidence: [{ name: 'how', label: 'How', type: 'text' }] },
        {
          id: 'b',
          title: 'B',
          dependsOn: ['a'],
          followOn: [{ template: 'target', inputs: { since: { evidence: { milestone: 'a', field: 'how' } } } }],
        },
      ],
    });
    const problems = problemsOf(
      () =>
        new TemplateRegistry([
          { template: npm, source: 'target.yaml' },
          { template: source, source: 'source.yaml' },
        ]),
    );
    expect(problems).toEqual(['source.yaml: milestones.1.followOn.0.inputs.since: a string is mapped to "target" input of type date']);
  });

  it('a missing directory is reported, not ignored', async () => {
    const { problems } = await problemsOfAsync(() => loadTemplates({ extraDirs: [join(dir, 'does-not-exist')] }));
    expect(problems[0]).toMatch(/cannot read the template directory/);
  });
});
