import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, resolveSchemathesis } from '../../infra/servers/index.js';
import { loadTemplates, TemplateRegistry } from '../../infra/templates.js';
import { dateOfInstant, subtractDuration } from '../../shared/dates.js';
import { uniqueId } from '../support/index.js';
import { apiTemplate, startApiHarness, startCampaign, type ApiHarness, type RoleName } from '../support/api.js';

/**
 * The HTTP API fuzzed from its own OpenAPI document by schemathesis (provisioned by scripts/provision.sh),
 * on a real loopback port against the real engine and Temporal: whatever schemathesis sends, valid or not,
 * the API never answers 5xx, and every answer (status, content type, headers, body) is one the document
 * lists. The API knows the built-in templates besides the test one. Path parameters hit the seeded
 * campaigns, real milestones and inputs, and starts name real templates, milestones and past dates, often
 * enough to reach past the 404s and 400s. Bounded for the test run; `FUZZ_EXAMPLES=100` fuzzes longer. Reports (JUnit, the
 * output, a pytest file reproducing each failure) go to test-artifacts/api-fuzz/.
 */

const examples = positiveInt('FUZZ_EXAMPLES', 6);
const seed = positiveInt('FUZZ_SEED', 1010);
const artifacts = join(repoRoot, 'test-artifacts', 'api-fuzz');

/**
 * The checks on each answer, and that input the document calls invalid is refused. Not those that expect
 * input the document allows to be accepted (a start also needs a template that exists and real dates).
 */
const checks = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
];

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  return n;
}

interface FuzzRun {
  code: number | null;
  output: string;
  command: string;
}

describe('HTTP API fuzzed from its OpenAPI document (schemathesis)', () => {
  let h: ApiHarness;
  let base: string;
  /** Campaigns the commands act on, and others only the cancel command gets (a cancelled one takes no more). */
  let campaignIds: string[];
  let cancellableIds: string[];
  let registry: TemplateRegistry;
  const schemathesis = resolveSchemathesis();

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const builtin = (await loadTemplates()).allTemplates();
    registry = new TemplateRegistry([
      { template: apiTemplate, source: 'tests/integration/api-support.ts' },
      ...builtin.map((template) => ({ template, source: `templates/${template.id}.yaml` })),
    ]);
    h = await startApiHarness({ templates: registry });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    const today = dateOfInstant(Date.now());
    const partWay = uniqueId('fuzz-ph-partway');
    await h.engine.campaigns.start(
      {
        template: 'api-test',
        country: 'PH',
        campaignId: partWay,
        startDate: subtractDuration(today, 'P2Y'),
        completed: [{ milestone: 'dialogue', date: subtractDuration(today, 'P20M'), evidence: { minutes: 'https://example.org/m' } }],
      },
      { actor: { id: h.keyInfo.lead.id, role: 'programme-lead' } },
    );
    const [th1, th2, th3, ph] = await Promise.all([
      startCampaign(h, 'TH'),
      startCampaign(h, 'TH'),
      startCampaign(h, 'TH'),
      startCampaign(h, 'PH'),
    ]);
    campaignIds = [th1, th2, partWay];
    cancellableIds = [th3, ph];
  });
  afterAll(async () => h?.close());

  /** A schemathesis config that steers path parameters (and the start body) to real ids part of the time. */
  function writeConfig(name: string): string {
    const list = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
    const bind = (dictionary: string, probability = 0.7) => `{ dictionary = "${dictionary}", probability = ${probability} }`;
    const toml = [
      `[dictionaries.campaigns]`,
      `values = ${list(campaignIds)}`,
      `[dictionaries.cancellable]`,
      `values = ${list(cancellableIds)}`,
      `[dictionaries.milestones]`,
      `values = ${list([...new Set(registry.allTemplates().flatMap((t) => t.milestones.map((m) => m.id)))])}`,
      `[dictionaries.dates]`,
      `values = ${list(['P1Y', 'P2Y', 'P6M', 'P10Y', 'P3M'].map((d) => subtractDuration(dateOfInstant(Date.now()), d)))}`,
      `[dictionaries.inputs]`,
      `values = ${list(Object.keys(apiTemplate.inputs))}`,
      `[dictionaries.templates]`,
      `values = ${list(registry.allTemplates().map((t) => t.id))}`,
      `[dictionaries.countries]`,
      `values = ["TH", "PH", "ID"]`,
      ``,
      // A body over API_BODY_LIMIT is refused too, with 413.
      `[checks.negative_data_rejection]`,
      `expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]`,
      ``,
      // The first matching entry that sets parameters wins, so the cancel command's comes first.
      `[[operations]]`,
      `include-path = "/campaigns/{id}/cancel"`,
      `parameters = { "path.id" = ${bind('cancellable')} }`,
      ``,
      `[[operations]]`,
      `include-path-regex = "^/campaigns/\\\\{id\\\\}"`,
      `parameters = { "path.id" = ${bind('campaigns')}, "path.milestone" = ${bind('milestones')}, "path.name" = ${bind('inputs')} }`,
      ``,
      `[[operations]]`,
      `include-path-regex = "^/templates/\\\\{id\\\\}$"`,
      `parameters = { "path.id" = ${bind('templates')} }`,
      ``,
      `[[operations]]`,
      `include-path = "/campaigns"`,
      `include-method = "POST"`,
      `parameters = { "body.template" = ${bind('templates', 0.8)}, "body.country" = ${bind('countries', 0.8)}, "body.startDate" = ${bind('dates', 0.8)}, "body.completed[*].milestone" = ${bind('milestones', 0.9)}, "body.completed[*].date" = ${bind('dates', 0.9)}, "body.skipped[*].milestone" = ${bind('milestones', 0.9)} }`,
      ``,
    ].join('\n');
    const path = join(artifacts, `${name}.schemathesis.toml`);
    writeFileSync(path, toml);
    return path;
  }

  async function fuzz(name: string, role: RoleName, phases: string[]): Promise<FuzzRun> {
    const config = writeConfig(name);
    const args = [
      '--config-file',
      config,
      'run',
      `${base}/openapi.json`,
      '--checks',
      checks.join(','),
      '--phases',
      phases.join(','),
      '--max-examples',
      String(examples),
      '--seed',
      String(seed),
      // One thread each: Hypothesis parses lambdas with `ast.parse`, which is not thread-safe on Python 3.11
      // ("AST constructor recursion depth mismatch"). The two roles run at once instead, as two processes.
      '--workers',
      '1',
      '--request-timeout',
      '30',
      '--generation-database',
      'none',
      '--report',
      'junit,pytest',
      '--report-junit-path',
      join(artifacts, `${name}.junit.xml`),
      '--report-pytest-path',
      join(artifacts, `${name}.reproduce.py`),
      '--no-color',
      '--header',
      `Authorization: Bearer ${h.secrets[role]}`,
    ];
    const command = `${schemathesis} ${args.map((a) => (a.startsWith('Authorization:') ? "'Authorization: Bearer <key>'" : a)).join(' ')}`;
    // cwd in the artifacts: schemathesis and Hypothesis write their own files beside them, never in the clone.
    const child = spawn(schemathesis, args, { cwd: artifacts, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    writeFileSync(join(artifacts, `${name}.log`), `$ ${command}\n\n${output}`);
    return { code, output, command };
  }

  const timeout = 120_000 + examples * 20_000;

  it.concurrent(
    'as a programme lead: no 5xx, every response as the document says',
    async () => {
      const run = await fuzz('programme-lead', 'lead', ['examples', 'coverage', 'fuzzing', 'stateful']);
      expect(
        run.code,
        `schemathesis failed (exit ${run.code}); reports in test-artifacts/api-fuzz/\n$ ${run.command}\n\n${run.output}`,
      ).toBe(0);
    },
    timeout,
  );

  it.concurrent(
    'as a country-scoped key (TH): no 5xx, every response as the document says',
    async () => {
      // The boundary values (coverage) and call sequences (stateful) are the programme lead's run; this one is
      // about what a scope lets through, on random input.
      const run = await fuzz('country-scoped', 'scopedLead', ['fuzzing']);
      expect(
        run.code,
        `schemathesis failed (exit ${run.code}); reports in test-artifacts/api-fuzz/\n$ ${run.command}\n\n${run.output}`,
      ).toBe(0);
    },
    timeout,
  );
});
