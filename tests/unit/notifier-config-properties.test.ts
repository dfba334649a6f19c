/**
 * Properties of the notifier's configuration (workers/notifier-config.ts): a valid configuration changed
 * in one place, any JSON value, and any YAML text (as the file NOTIFIER_CONFIG names) either resolve or
 * fail with a NotifierConfigError whose every problem starts with its place — a field path of the
 * document, `(root)`, or a line and column of the text. Never another error.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadNotifierConfig, NotifierConfigError, resolveNotifierConfig } from '../../workers/notifier-config.js';
import { anyJson, awkwardString, issuePlaceOf, mutated, placeOfDocument, propertyRuns } from '../support/properties.js';

const env = { NOTIFIER_SECRET_ID: 'a-shared-secret-of-32-characters', NOTIFIER_SECRET_SHORT: 'short' };
const options = { subjectPrefix: 'advocacy', env };

const valid = {
  durable: 'notifier',
  maxDeliveries: 8,
  routes: [
    {
      name: 'indonesia-deadlines',
      match: { countries: ['ID'], templates: ['opcat-ratification'], types: ['reminder-due', 'milestone-overdue'] },
      webhook: {
        url: 'http://127.0.0.1:9000/advocacy',
        secretEnv: 'NOTIFIER_SECRET_ID',
        timeoutMs: 5000,
        attempts: 3,
        retryDelayMs: 500,
        headers: { 'X-Team': 'asia' },
      },
      log: true,
    },
    { name: 'everything', log: true },
  ],
};

/** The problems of the NotifierConfigError `fn` throws, or undefined when it returns. */
async function problemsOf(fn: () => unknown): Promise<string[] | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(NotifierConfigError);
    const { problems } = err as NotifierConfigError;
    expect(problems.length).toBeGreaterThan(0);
    return problems;
  }
}

const lineAndColumn = /^line \d+, column \d+: \S/;

const dir = mkdtempSync(join(tmpdir(), 'advocacy-notifier-props-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Generous: a loaded machine or FC_RUNS may take much longer than the default runs.
const TIMEOUT = { timeout: 300_000 };

describe('notifier configuration', () => {
  it('the valid example resolves', () => {
    expect(resolveNotifierConfig(valid, options).routes.map((r) => r.name)).toEqual(['indonesia-deadlines', 'everything']);
  });

  it('a valid configuration changed in one place resolves, or names the place of every problem', TIMEOUT, () => {
    const seen = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(mutated(valid), ({ value }) => {
        let problems: string[] | undefined;
        try {
          resolveNotifierConfig(value, options);
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(NotifierConfigError);
          problems = (err as NotifierConfigError).problems;
        }
        if (!problems) return void seen.valid++;
        seen.invalid++;
        expect(problems.length).toBeGreaterThan(0);
        for (const problem of problems) expect(placeOfDocument(issuePlaceOf(problem), value), problem).toBe(true);
      }),
      propertyRuns(400),
    );
    expect(seen.valid).toBeGreaterThan(3);
    expect(seen.invalid).toBeGreaterThan(3);
  });

  it('any JSON value resolves or names the place of every problem', TIMEOUT, () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        try {
          resolveNotifierConfig(value, options);
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(NotifierConfigError);
          for (const problem of (err as NotifierConfigError).problems)
            expect(placeOfDocument(issuePlaceOf(problem), value ?? {}), problem).toBe(true);
        }
      }),
      propertyRuns(300),
    );
  });

  it('any file text loads or names a line, a column or a field for every problem', TIMEOUT, async () => {
    const yamlish = fc
      .array(
        fc.constantFrom(
          'routes',
          'name',
          ':',
          ': ',
          ' ',
          '\n',
          '\n  ',
          '- ',
          '&a ',
          '*a',
          '<<: ',
          '[',
          ']',
          '{',
          '}',
          ', ',
          '"',
          '!!str ',
          '? ',
          '|',
          '#',
          '---\n',
          '\t',
          '1',
          'x',
        ),
        {
          maxLength: 30,
        },
      )
      .map((tokens) => tokens.join(''));
    const text = fc.oneof(
      mutated(valid).map(({ value }) => stringify(value)),
      mutated(valid).map(({ value }) => JSON.stringify(value)),
      awkwardString,
      { arbitrary: yamlish, weight: 3 },
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        const file = join(dir, `config-${n++}.yaml`);
        writeFileSync(file, t);
        const problems = await problemsOf(() => loadNotifierConfig(file, options));
        for (const problem of problems ?? []) {
          if (lineAndColumn.test(problem) || problem.startsWith('(yaml): ')) continue;
          expect(placeOfDocument(issuePlaceOf(problem), parse(t) ?? {}), problem).toBe(true);
        }
      }),
      propertyRuns(200),
    );
  });
});
