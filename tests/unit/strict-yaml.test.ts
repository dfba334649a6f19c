/**
 * Regression examples found by the template-file properties: YAML that parses but cannot become a value
 * (an alias never anchored, an alias bomb) is a problem of the file, not a crash of the loader.
 */
import { describe, expect, it } from 'vitest';
import { parseTemplateYaml } from '../../infra/templates.js';
import { parseStrictYaml } from '../../infra/yaml.js';
import { TemplateError } from '../../shared/template/index.js';

const refused = (text: string) => () => parseStrictYaml(text, (problems) => new TemplateError('t.yaml', problems));

describe('strict YAML', () => {
  it('refuses an alias that was never anchored, as a problem of the file', () => {
    expect(refused('a: *x')).toThrow(
      expect.objectContaining({
        name: 'TemplateError',
        problems: ['(yaml): Unresolved alias (the anchor must be set before the alias): x'],
      }) as Error,
    );
    expect(() => parseTemplateYaml('<<: *x', 't.yaml')).toThrow(
      expect.objectContaining({ name: 'TemplateError', problems: [expect.stringMatching(/^\(yaml\): Unresolved alias/)] }) as Error,
    );
  });

  it('refuses an alias bomb instead of building it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...['b', 'c', 'd'].map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abc'[i]}`).join(', ')}]`),
      `e: [${Array(10).fill('*d').join(', ')}]`,
    ].join('\n');
    expect(refused(bomb)).toThrow(
      expect.objectContaining({
        name: 'TemplateError',
        problems: ['(yaml): Excessive alias count indicates a resource exhaustion attack'],
      }) as Error,
    );
  });
});
