/**
 * Every Temporal Client, Worker, replay and test environment of the project is made with the payload
 * codec's data converter (infra/payload-codec.ts `dataConverterFor`, or tests/support `testDataConverter`):
 * one made without it would write notes and evidence to Temporal in clear. A new one that forgets it
 * fails here, naming its file and line.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/servers/index.js';
import { callArguments, sourceFiles } from '../support/source-scan.js';

const roots = ['api', 'bench', 'cli', 'clients', 'http', 'infra', 'scripts', 'web', 'workers', 'tests'];
const makers = [
  'new Client(',
  'Worker.create(',
  'Worker.runReplayHistory(',
  'Worker.runReplayHistories(',
  'createTimeSkipping(',
  'createLocal(',
];

describe('payload encryption wiring', () => {
  it('makes every Temporal Client, Worker, replay and test environment with the data converter', () => {
    const calls: string[] = [];
    const missing: string[] = [];
    for (const file of roots.flatMap((r) => sourceFiles(join(repoRoot, r)))) {
      if (file.endsWith('payload-codec-wiring.test.ts')) continue;
      const text = readFileSync(file, 'utf8');
      for (const maker of makers) {
        for (let at = text.indexOf(maker); at >= 0; at = text.indexOf(maker, at + 1)) {
          const lineStart = text.lastIndexOf('\n', at) + 1;
          const line = text.slice(lineStart, text.indexOf('\n', at));
          if (/^\s*(\*|\/\/)/.test(line) || /`[^`]*$/.test(text.slice(lineStart, at))) continue; // comments, quoted code
          const where = `${relative(repoRoot, file)}:${text.slice(0, at).split('\n').length} ${maker}`;
          calls.push(where);
          const args = callArguments(text, at + maker.length - 1);
          if (!/dataConverter|timeSkippingOptions\(\)/.test(args)) missing.push(where);
        }
      }
    }
    expect(calls.length).toBeGreaterThan(15);
    expect(missing).toEqual([]);
  });
});
