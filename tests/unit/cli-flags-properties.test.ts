/**
 * Properties of the command line's flags. Each command's flag schema, given any values of the kinds
 * commander hands over (text, repeated text, switches, numbers), either parses or refuses with an
 * `invalid` CliError whose every issue starts with the flag (`--start-date: ...`, `<campaign>: ...`).
 * And the whole CLI, run in process on any argument list built from its own commands and options,
 * ends with an exit code of the registry (never 1, "unexpected"), and an invalid flag is refused before
 * anything is connected.
 */
import type { Command } from 'commander';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { z } from 'zod';
import { listFlagsSchema, startFlagsSchema } from '../../cli/campaign.js';
import { CliContext, defaultDeps, type CliDeps } from '../../cli/command-context.js';
import { dueFlagsSchema } from '../../cli/due.js';
import { tailFlagsSchema } from '../../cli/events.js';
import { flagName, parseFlags } from '../../cli/flags.js';
import { createKeyFlagsSchema } from '../../cli/keys.js';
import { buildProgram, main } from '../../cli/main.js';
import {
  assignFlagsSchema,
  completeFlagsSchema,
  extendFlagsSchema,
  noteFlagsSchema,
  reopenFlagsSchema,
  skipFlagsSchema,
} from '../../cli/milestone.js';
import { CliError, exitCodes } from '../../cli/output.js';
import { seedFlagsSchema } from '../../cli/seed.js';
import { awkwardString, propertyRuns } from '../support/properties.js';
import { unreachableServers } from '../support/cli.js';

/** How commander hands a flag's value to the action. */
type Kind = 'text' | 'repeated' | 'switch' | 'number';

/** Values that pass many flags, so that the properties also reach the checks behind the first one. */
const plausible = fc.constantFrom(
  'PH',
  'ph',
  'XX',
  'opcat-ratification',
  'deposit',
  '2024-01-02',
  '2999-01-01',
  'P1Y',
  'P6M',
  'asia-pacific',
  'active',
  'staff',
  'programme-lead',
  'system',
  'milestone-completed',
  'uncatStatus=ratified',
  'deposit=2020-01-01',
  'instrumentKind=ratification',
  'a=',
  '=b',
  '5',
  '0',
  'k_0123456789abcdef',
);
const text = fc.oneof(plausible, awkwardString);

const valueOf: Record<Kind, fc.Arbitrary<unknown>> = {
  text,
  repeated: fc.array(text, { minLength: 1, maxLength: 3 }),
  switch: fc.boolean(),
  // commander's `Number` parser: any text becomes a number, NaN included.
  number: text.map(Number),
};

interface FlagSchema {
  name: string;
  schema: z.ZodType;
  kinds: Record<string, Kind>;
  positionals?: string[];
}

const milestoneArgs = { campaign: 'text', milestone: 'text', requestId: 'text' } as const;
const milestonePositionals = ['campaign', 'milestone'];

const schemas: FlagSchema[] = [
  {
    name: 'campaign start',
    schema: startFlagsSchema,
    kinds: {
      template: 'text',
      templateVersion: 'number',
      country: 'text',
      region: 'text',
      startDate: 'text',
      input: 'repeated',
      completed: 'repeated',
      skipped: 'repeated',
      owner: 'text',
      id: 'text',
    },
  },
  {
    name: 'campaign list',
    schema: listFlagsSchema,
    kinds: { country: 'text', region: 'text', template: 'text', status: 'text', overdue: 'switch', limit: 'number' },
  },
  {
    name: 'milestone complete',
    schema: completeFlagsSchema,
    kinds: { ...milestoneArgs, date: 'text', evidence: 'repeated', note: 'text' },
    positionals: milestonePositionals,
  },
  { name: 'milestone skip', schema: skipFlagsSchema, kinds: { ...milestoneArgs, reason: 'text' }, positionals: milestonePositionals },
  { name: 'milestone reopen', schema: reopenFlagsSchema, kinds: { ...milestoneArgs, reason: 'text' }, positionals: milestonePositionals },
  { name: 'milestone assign', schema: assignFlagsSchema, kinds: { ...milestoneArgs, owner: 'text' }, positionals: milestonePositionals },
  { name: 'milestone note', schema: noteFlagsSchema, kinds: { ...milestoneArgs, text: 'text' }, positionals: milestonePositionals },
  {
    name: 'milestone extend',
    schema: extendFlagsSchema,
    kinds: { ...milestoneArgs, by: 'text', reason: 'text', legalBasis: 'text' },
    positionals: milestonePositionals,
  },
  {
    name: 'due',
    schema: dueFlagsSchema,
    kinds: { country: 'text', region: 'text', template: 'text', owner: 'text', within: 'text', blocked: 'switch' },
  },
  {
    name: 'events tail',
    schema: tailFlagsSchema,
    kinds: { template: 'repeated', country: 'repeated', type: 'repeated', campaign: 'text', fromStart: 'switch', count: 'text' },
  },
  { name: 'keys create', schema: createKeyFlagsSchema, kinds: { label: 'text', role: 'text', country: 'repeated' } },
  {
    name: 'seed',
    schema: seedFlagsSchema,
    kinds: { country: 'repeated', dryRun: 'switch', verifiedOnly: 'switch', data: 'text', idPrefix: 'text' },
  },
];

/** Any subset of the flags, each with a value of its kind. */
const flagValues = (kinds: Record<string, Kind>) =>
  fc.record(Object.fromEntries(Object.entries(kinds).map(([key, kind]) => [key, valueOf[kind]])), { requiredKeys: [] });

// Generous: a loaded machine or FC_RUNS may take much longer than the default runs.
const TIMEOUT = { timeout: 300_000 };

describe('flag schemas', () => {
  it.each(schemas)('$name: parses any values or names each bad flag', TIMEOUT, ({ schema, kinds, positionals = [] }) => {
    const names = Object.keys(kinds).map((key) => flagName(key, positionals));
    fc.assert(
      fc.property(flagValues(kinds), (values) => {
        let parsed: unknown;
        try {
          parsed = parseFlags(schema, values, positionals);
        } catch (err) {
          expect(err).toBeInstanceOf(CliError);
          const { code, issues, message } = err as CliError;
          expect(code).toBe('invalid');
          expect(issues.length).toBeGreaterThan(0);
          for (const issue of issues)
            expect(
              names.some((n) => issue.startsWith(`${n}: `) || issue.startsWith(`${n} `)),
              issue,
            ).toBe(true);
          expect(message).toBe(`invalid flags: ${issues.join('; ')}`);
          return;
        }
        expect(parsed).toBeTypeOf('object');
      }),
      propertyRuns(150),
    );
  });
});

/** One leaf command of the program: its words, arguments and options. */
interface Leaf {
  path: string[];
  args: { name: string; required: boolean }[];
  options: { long: string; takesValue: boolean }[];
}

function leaves(cmd: Command, path: string[] = []): Leaf[] {
  if (cmd.commands.length > 0) return cmd.commands.flatMap((c) => leaves(c, [...path, c.name()]));
  return [
    {
      path,
      args: cmd.registeredArguments.map((a) => ({ name: a.name(), required: a.required })),
      options: cmd.options
        .filter((o) => o.long && o.long !== '--json')
        .map((o) => ({ long: o.long as string, takesValue: o.required || o.optional })),
    },
  ];
}

const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {} };
const program = buildProgram(new CliContext(io, defaultDeps));
const commands = leaves(program);

/** An argument list for a leaf: its words, --json, its arguments (sometimes missing) and some options. */
const argvFor = (leaf: Leaf): fc.Arbitrary<string[]> =>
  fc
    .record({
      args: fc.tuple(...leaf.args.map(() => text)),
      dropArgs: fc.nat({ max: leaf.args.length + 3 }),
      options: fc.array(
        fc.tuple(fc.constantFrom(...leaf.options), text).map(([o, v]) => (o.takesValue ? [o.long, v] : [o.long])),
        { maxLength: 6 },
      ),
      stray: fc.option(fc.oneof(awkwardString, fc.constantFrom('--nope', '-x', '--')), { freq: 8 }),
    })
    .map(({ args, dropArgs, options, stray }) => [
      ...leaf.path,
      // First, so that no "--" among the values makes it an argument.
      '--json',
      // Mostly all arguments; sometimes the last few are left out.
      ...args.slice(0, dropArgs > leaf.args.length ? args.length : dropArgs),
      ...options.flat(),
      ...(stray === null ? [] : [stray]),
    ]);

/** The CLI with the outside world replaced: servers that cannot be reached, templates loaded once. */
function harness() {
  const calls: string[] = [];
  let stderr = '';
  const templates = new Map<string, ReturnType<CliDeps['loadTemplates']>>();
  const deps: CliDeps = {
    loadTemplates: (config, options) => {
      const key = options?.builtinOnly ? 'builtin' : 'all';
      if (!templates.has(key)) templates.set(key, defaultDeps.loadTemplates(config, options));
      return templates.get(key) as ReturnType<CliDeps['loadTemplates']>;
    },
    ...unreachableServers(calls),
  };
  // Key management writes its file: keep it in a directory of this test's own.
  const env = { DATA_DIR: mkdtempSync(join(tmpdir(), 'advocacy-cli-props-')) };
  const run = async (argv: string[]) => {
    calls.length = 0;
    stderr = '';
    const code = await main(argv, { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env }, deps);
    return { code, calls: [...calls], stderr };
  };
  return { run, cleanUp: () => rmSync(env.DATA_DIR, { recursive: true, force: true }) };
}

describe('the command line', () => {
  it('ends any argument list with an exit code of the registry; bad flags are named and refused before connecting', TIMEOUT, async () => {
    const { run, cleanUp } = harness();
    onTestFinished(cleanUp);
    const known = new Set(Object.values(exitCodes).filter((c) => c !== exitCodes.unexpected));
    const reached = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...commands).chain((leaf) => argvFor(leaf).map((argv) => ({ leaf, argv }))),
        async ({ leaf, argv }) => {
          const { code, calls, stderr } = await run(argv);
          reached.set(code, (reached.get(code) ?? 0) + 1);
          expect(known.has(code), `exit ${code} for ${JSON.stringify(argv)}: ${stderr}`).toBe(true);
          if (code === 0) return;
          const { error } = JSON.parse(stderr) as { error: { code: string; message: string; issues: string[]; exitCode: number } };
          expect(error.exitCode).toBe(code);
          expect(error.message.trim()).not.toBe('');
          if (error.message.startsWith('invalid flags')) {
            // Each problem names a flag or an argument of this command (or --actor/--role, the user's).
            const names = [...leaf.options.map((o) => o.long), ...leaf.args.map((a) => `<${a.name}>`), '--actor', '--role'];
            for (const issue of error.issues)
              expect(
                names.some((n) => issue.startsWith(`${n}: `) || issue.startsWith(`${n} `)),
                issue,
              ).toBe(true);
            expect(calls, `connected before refusing ${JSON.stringify(argv)}`).toEqual([]);
          }
        },
      ),
      propertyRuns(300),
    );
    // The argument lists reached refusals, unreachable servers and successes (help, dry runs, listings).
    for (const code of [0, exitCodes.invalid, exitCodes.unavailable]) expect(reached.get(code), `exit ${code}`).toBeGreaterThan(3);
  });
});
