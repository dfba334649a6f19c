/**
 * Properties of template files: the built-in templates (templates/*.yaml) changed in one place — as
 * data (a field removed, replaced, added) or as text (a line removed, repeated, moved or re-indented,
 * odd text inserted) — and arbitrary YAML either load or fail with a TemplateError whose every problem
 * starts with its place: a field path of the document, `(root)`, or a line and column of the text.
 * Never another error, never a problem that does not say where.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { builtinTemplatesDir, parseTemplateYaml, TemplateRegistry } from '../../infra/templates.js';
import { parseTemplate, TemplateError, type Template } from '../../shared/template/index.js';
import { anyJson, awkwardString, issuePlaceOf, mutated, placeOfDocument, propertyRuns } from '../support/properties.js';

const files = readdirSync(builtinTemplatesDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join(builtinTemplatesDir, f), 'utf8') }));
const documents = files.map((f) => ({ name: f.name, doc: parse(f.text) as unknown }));

/** The problems of the TemplateError `fn` throws, or undefined when it returns. */
function problemsOf(fn: () => unknown): string[] | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(TemplateError);
    const { problems } = err as TemplateError;
    expect(problems.length).toBeGreaterThan(0);
    return problems;
  }
}

const lineAndColumn = /^line \d+, column \d+: \S/;

/** One change to a text: a line removed, repeated, moved or re-indented, or something inserted. */
const textMutation = (text: string): fc.Arbitrary<string> => {
  const lines = text.split('\n');
  const at = fc.nat({ max: lines.length - 1 });
  const edit = (fn: (l: string[]) => void) => {
    const copy = [...lines];
    fn(copy);
    return copy.join('\n');
  };
  return fc.oneof(
    at.map((i) => edit((l) => l.splice(i, 1))),
    at.map((i) => edit((l) => l.splice(i, 0, l[i] ?? ''))),
    fc.tuple(at, at).map(([i, j]) => edit((l) => l.splice(j, 0, ...l.splice(i, 1)))),
    fc.tuple(at, fc.integer({ min: -4, max: 4 })).map(([i, d]) =>
      edit((l) => {
        const line = l[i] ?? '';
        l[i] = d >= 0 ? `${' '.repeat(d)}${line}` : line.replace(new RegExp(`^ {0,${-d}}`), '');
      }),
    ),
    fc
      .tuple(
        fc.nat({ max: text.length }),
        fc.oneof(awkwardString, fc.constantFrom(':', '- ', '&a ', '*a', '!!str ', '{', ']', '"', '\t', '#', '<<: *x', '? ')),
      )
      .map(([i, s]) => text.slice(0, i) + s + text.slice(i)),
  );
};

/** Text made of YAML's own tokens: anchors, aliases, merges, tags, flow and block collections. */
const yamlish = fc
  .array(
    fc.constantFrom(
      'a',
      'id',
      'milestones',
      ':',
      ': ',
      ' ',
      '\n',
      '\n  ',
      '- ',
      '&a ',
      '*a',
      '*b',
      '<<: ',
      '[',
      ']',
      '{',
      '}',
      ', ',
      '"',
      "'",
      '!!str ',
      '!!map ',
      '!x ',
      '? ',
      '|',
      '>',
      '#',
      '---\n',
      '...\n',
      '%YAML 1.2\n',
      '\t',
      '1',
      '-1',
      '~',
    ),
    { maxLength: 30 },
  )
  .map((tokens) => tokens.join(''));

// Generous: a loaded machine or FC_RUNS may take much longer than the default runs.
const TIMEOUT = { timeout: 300_000 };

const seen = { valid: 0, invalid: 0, syntax: 0 };

describe('template files', () => {
  it('a built-in template changed in one field loads or names the place of every problem', TIMEOUT, () => {
    const variant = fc.constantFrom(...documents).chain(({ name, doc }) => mutated(doc).map((m) => ({ name, ...m })));
    fc.assert(
      fc.property(variant, ({ name, value }) => {
        const problems = problemsOf(() => parseTemplate(value, name));
        if (!problems) return void seen.valid++;
        seen.invalid++;
        for (const problem of problems) expect(placeOfDocument(issuePlaceOf(problem), value), problem).toBe(true);
      }),
      propertyRuns(300),
    );
    expect(seen.valid).toBeGreaterThan(3);
    expect(seen.invalid).toBeGreaterThan(3);
  });

  it('the same change written as YAML loads through the file loader, or names the place of every problem', TIMEOUT, () => {
    const variant = fc.constantFrom(...documents).chain(({ name, doc }) => mutated(doc).map((m) => ({ name, ...m })));
    fc.assert(
      fc.property(variant, ({ name, value }) => {
        const text = stringify(value);
        const problems = problemsOf(() => parseTemplateYaml(text, name));
        // YAML has no undefined and turns some values (a huge number, a lone surrogate) into others.
        if (problems) for (const problem of problems) expect(placeOfDocument(issuePlaceOf(problem), parse(text)), problem).toBe(true);
      }),
      propertyRuns(100),
    );
  });

  it('a built-in template file changed as text loads, or each problem names a line or a field', TIMEOUT, () => {
    const variant = fc.constantFrom(...files).chain(({ name, text }) => textMutation(text).map((t) => ({ name, text: t })));
    fc.assert(
      fc.property(variant, ({ name, text }) => {
        const problems = problemsOf(() => parseTemplateYaml(text, name));
        if (!problems) return;
        if (problems.every((p) => lineAndColumn.test(p) || p.startsWith('(yaml): '))) return void seen.syntax++;
        // The text parsed: the problems are of its document.
        const doc = parse(text) as unknown;
        for (const problem of problems) expect(placeOfDocument(issuePlaceOf(problem), doc), problem).toBe(true);
      }),
      propertyRuns(150),
    );
    expect(seen.syntax).toBeGreaterThan(3);
  });

  it('arbitrary text and arbitrary YAML documents are refused with placed problems, never a crash', TIMEOUT, () => {
    const text = fc.oneof(
      awkwardString,
      fc.string({ unit: 'binary', maxLength: 300 }),
      anyJson.map((v) => stringify(v)),
      { arbitrary: yamlish, weight: 4 },
    );
    fc.assert(
      fc.property(text, (t) => {
        const problems = problemsOf(() => parseTemplateYaml(t, 'arbitrary.yaml'));
        for (const problem of problems ?? []) {
          if (lineAndColumn.test(problem) || problem.startsWith('(yaml): ')) continue;
          expect(placeOfDocument(issuePlaceOf(problem), parse(t)), problem).toBe(true);
        }
      }),
      propertyRuns(200),
    );
  });

  it('a set of templates with one changed follow-on or informs mapping builds, or each problem names its file and field', TIMEOUT, () => {
    const templates: { template: Template; source: string }[] = documents.map(({ name, doc }) => ({
      template: parseTemplate(doc, name),
      source: name,
    }));
    const linked = documents.filter(({ doc }) => JSON.stringify(doc).match(/"(followOn|informs)"/));
    const variant = fc.constantFrom(...linked).chain(({ name, doc }) => mutated(doc).map((m) => ({ name, ...m })));
    fc.assert(
      fc.property(variant, ({ name, value }) => {
        let template: Template;
        try {
          template = parseTemplate(value, name);
        } catch {
          return; // the single-file properties above cover these
        }
        const entries = templates.map((e) => (e.source === name ? { template, source: name } : e));
        const problems = problemsOf(() => new TemplateRegistry(entries));
        for (const problem of problems ?? []) {
          const [source, ...rest] = problem.split(': ');
          const file = documents.find((d) => d.name === source);
          expect(file, problem).toBeDefined();
          expect(placeOfDocument(rest[0] ?? '', source === name ? value : file?.doc), problem).toBe(true);
        }
      }),
      propertyRuns(300),
    );
  });
});
