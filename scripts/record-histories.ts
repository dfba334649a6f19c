/**
 * Records the event histories of representative campaigns under tests/histories/, so every test run
 * replays them against the current workflow code (tests/integration/replay.test.ts): a change that
 * would break running campaigns, or change what they send, fails there and must go through `patched()`.
 *
 * Run once per released workflow shape: `npm run histories:record -- <label> [scenario ...]` (all
 * scenarios when none is named). An existing file is never overwritten, that would lose the old shape:
 * its scenario is skipped. It starts its own Temporal dev server and nats-server on free ports, and the
 * Java time-skipping test server for scenarios that need months to pass, and stops them afterwards.
 *
 * Payloads are encrypted as in production, with a key made for the run; the histories are written
 * decoded (infra/decode-history.ts), so they replay without that key and stay readable in review.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { Client, Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, bundleWorkflowCode } from '@temporalio/worker';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignClient } from '../clients/campaign-client.js';
import { ensureEventStream } from '../infra/events-stream.js';
import { createLogger } from '../infra/logger.js';
import { connectNats } from '../infra/nats.js';
import { decodeHistory } from '../infra/decode-history.js';
import { dataConverterFor, payloadCodecFor } from '../infra/payload-codec.js';
import { generatePayloadKey } from '../infra/payload-keys.js';
import { repoRoot, resolveTestServerLauncher, startNatsServer, startTemporalDevServer } from '../infra/servers/index.js';
import { temporalConnectionOptions } from '../infra/temporal-connection.js';
import { installTemporalRuntime } from '../infra/temporal-runtime.js';
import { loadTemplates } from '../infra/templates.js';
import { commandSignal, startCampaignSchema } from '../shared/campaign/index.js';
import { searchAttributesOf } from '../shared/campaign/search.js';
import { parseConfig } from '../shared/config.js';
import { defaultRegion } from '../shared/countries.js';
import { dateOfInstant, subtractDuration } from '../shared/dates.js';
import { campaignSearchAttributes } from '../shared/search-attributes.js';
import { createEngineWorker, workflowsPath } from '../workers/engine-worker.js';
import { campaignWorkflow } from '../workflows/index.js';

const label = process.argv[2] ?? 'v1';
const only = process.argv.slice(3);
const logger = createLogger('record-histories', 'info');
installTemporalRuntime(logger);
const runDir = mkdtempSync(join(tmpdir(), 'advocacy-record-'));
const temporal = await startTemporalDevServer({ logDir: runDir, uiPort: false });
const nats = await startNatsServer({ storeDir: join(runDir, 'nats'), logDir: runDir });
const config = parseConfig({
  TEMPORAL_ADDRESS: temporal.address,
  NATS_URL: nats.url,
  TEMPORAL_TASK_QUEUE: 'record',
  LOG_LEVEL: 'warn',
  PAYLOAD_KEYS: generatePayloadKey('record'),
});
const dataConverter = dataConverterFor(config);
const codec = payloadCodecFor(config);
const connection = await Connection.connect({ ...temporalConnectionOptions(config) });
const client = new Client({ connection, dataConverter });
const nativeConnection = await NativeConnection.connect({ ...temporalConnectionOptions(config) });
const nc = await connectNats(config, { name: 'record-histories', logger });
await ensureEventStream(await jetstreamManager(nc), config, logger);
const templates = await loadTemplates();
const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
const campaigns = new CampaignClient({ client, taskQueue: config.TEMPORAL_TASK_QUEUE, templates });
const lead = { actor: { id: 'lead-1', role: 'programme-lead' as const } };
const staff = { actor: { id: 'staff-1', role: 'staff' as const } };
const today = dateOfInstant(Date.now());
const daysAgo = (n: number) => subtractDuration(today, `P${n}D`);

/** A run to record: the campaign's latest run unless `runId`; `scenario` names a file other than the scenario's. */
interface Recording {
  campaignId: string;
  runId?: string;
  scenario?: string;
}

const waitFor = async (what: string, done: () => Promise<boolean>, attempts = 100) => {
  for (let attempt = 0; !(await done()); attempt++) {
    if (attempt >= attempts) throw new Error(`${what}: not reached while recording`);
    await new Promise((r) => setTimeout(r, 300));
  }
};
const pendingActivities = async (campaignId: string) =>
  (await client.workflow.getHandle(campaignId).describe()).raw.pendingActivities ?? [];

/** Each scenario drives one campaign through the shapes its history should hold. */
const scenarios: Record<string, () => Promise<string | Recording[]>> = {
  // Part-way start, commands of every kind, a signal (valid and invalid), pause/resume, cancel.
  'opcat-steered': async () => {
    const { campaignId } = await campaigns.start(
      {
        template: 'opcat-ratification',
        country: 'TH',
        inputs: { uncatStatus: 'ratified' },
        completed: [{ milestone: 'awareness-dialogue', date: daysAgo(400) }],
        campaignId: `record-${label}-opcat-steered`,
      },
      lead,
    );
    await campaigns.execute(
      campaignId,
      { type: 'complete', milestone: 'national-consultation', date: daysAgo(30), note: 'consulted' },
      staff,
    );
    await campaigns.execute(campaignId, { type: 'assign', milestone: 'government-decision', owner: 'staff-2' }, staff);
    await campaigns.execute(campaignId, { type: 'reopen', milestone: 'national-consultation', reason: 'wrong date' }, staff);
    await campaigns.execute(campaignId, { type: 'complete', milestone: 'national-consultation', date: daysAgo(20) }, staff);
    await campaigns.signal(campaignId, { type: 'note', text: 'from a signal' }, staff);
    await client.workflow.getHandle(campaignId).signal(commandSignal, { type: 'note' } as never);
    await campaigns.execute(campaignId, { type: 'pause', reason: 'elections' }, lead);
    await campaigns.execute(campaignId, { type: 'resume' }, lead);
    await campaigns.execute(campaignId, { type: 'set-input', name: 'uncatStatus', value: 'acceded', reason: 'correction' }, lead);
    await campaigns.execute(campaignId, { type: 'cancel', reason: 'recorded' }, lead);
    return campaignId;
  },
  // A deposit long ago: entry into force and the NPM follow-on happen at start.
  'opcat-follow-on': async () => {
    const { campaignId } = await campaigns.start(
      {
        template: 'opcat-ratification',
        country: 'MN',
        inputs: { uncatStatus: 'acceded' },
        completed: [
          { milestone: 'awareness-dialogue', date: daysAgo(900) },
          { milestone: 'national-consultation', date: daysAgo(800) },
          { milestone: 'government-decision', date: daysAgo(700) },
          { milestone: 'accession-decision', date: daysAgo(650) },
          { milestone: 'parliamentary-approval', date: daysAgo(600) },
          { milestone: 'deposit', date: daysAgo(500), evidence: { instrumentKind: 'accession' } },
        ],
        campaignId: `record-${label}-opcat-follow-on`,
      },
      lead,
    );
    // The child starts after a template look-up activity: wait until it answers.
    for (let attempt = 0; ; attempt++) {
      try {
        await campaigns.view(`${campaignId}~npm-designation`);
        break;
      } catch (err) {
        if (attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await campaigns.execute(`${campaignId}~npm-designation`, { type: 'cancel', reason: 'recorded' }, lead);
    return campaignId;
  },
  // UNCAT tells the state's OPCAT campaign (the informCampaigns activity).
  'uncat-informs': async () => {
    const opcatId = `record-${label}-uncat-informs-opcat`;
    await campaigns.start({ template: 'opcat-ratification', country: 'LK', inputs: { uncatStatus: 'signed' }, campaignId: opcatId }, lead);
    const { campaignId } = await campaigns.start(
      {
        template: 'uncat-ratification',
        country: 'LK',
        completed: [
          { milestone: 'ministry-dialogue', date: daysAgo(300) },
          { milestone: 'inter-ministerial-review', date: daysAgo(250) },
          { milestone: 'government-decision', date: daysAgo(200) },
          { milestone: 'accession-decision', date: daysAgo(150) },
          { milestone: 'parliamentary-approval', date: daysAgo(100) },
        ],
        campaignId: `record-${label}-uncat-informs`,
      },
      lead,
    );
    // Visibility lags a little: the inform activity lists the OPCAT campaign by search attributes.
    for (let attempt = 0; (await campaigns.list({ country: 'LK', template: 'opcat-ratification' })).length === 0; attempt++) {
      if (attempt > 50) throw new Error('the OPCAT campaign never became visible');
      await new Promise((r) => setTimeout(r, 200));
    }
    await campaigns.execute(
      campaignId,
      { type: 'complete', milestone: 'deposit', date: daysAgo(10), evidence: { instrumentKind: 'accession' } },
      lead,
    );
    for (let attempt = 0; (await campaigns.view(opcatId)).inputs.uncatStatus !== 'acceded'; attempt++) {
      if (attempt > 50) throw new Error('the OPCAT campaign never learned the UNCAT status');
      await new Promise((r) => setTimeout(r, 200));
    }
    await campaigns.execute(opcatId, { type: 'cancel', reason: 'recorded' }, lead);
    await campaigns.execute(campaignId, { type: 'cancel', reason: 'recorded' }, lead);
    return campaignId;
  },
  // A campaign whose history grows past its threshold continues as new; both runs are recorded.
  'continue-as-new': async () => {
    const campaignId = `record-${label}-continue-as-new`;
    const template = templates.findTemplate('opcat-ratification')!;
    const start = startCampaignSchema.parse({
      campaignId,
      template,
      country: 'GH',
      region: defaultRegion('GH'),
      startDate: today,
      inputs: { uncatStatus: 'ratified' },
      actor: lead.actor,
    });
    const handle = await client.workflow.start(campaignWorkflow, {
      workflowId: campaignId,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      // The test hook: the server itself suggests continue-as-new only after thousands of events.
      args: [{ start, continueAsNewAfter: 40 }],
      typedSearchAttributes: searchAttributesOf({
        country: 'GH',
        region: start.region,
        templateId: template.id,
        stage: 'not-started',
        status: 'active',
        overdue: [],
      }),
    });
    const firstRunId = handle.firstExecutionRunId;
    const currentRun = async () => (await handle.describe()).runId;
    for (let i = 0; (await currentRun()) === firstRunId; i++) {
      if (i >= 20) throw new Error('the campaign never continued as new');
      await campaigns.execute(campaignId, { type: 'note', text: `note ${i}` }, staff);
    }
    const nextRunId = await currentRun();
    await campaigns.execute(
      campaignId,
      { type: 'complete', milestone: 'awareness-dialogue', date: today, note: 'after continue-as-new' },
      staff,
    );
    await campaigns.execute(campaignId, { type: 'assign', milestone: 'national-consultation', owner: 'staff-2' }, staff);
    await campaigns.execute(campaignId, { type: 'cancel', reason: 'recorded' }, lead);
    if ((await currentRun()) !== nextRunId) throw new Error('the campaign continued as new a second time; raise continueAsNewAfter');
    return [
      { campaignId, runId: firstRunId, scenario: 'continue-as-new' },
      { campaignId, runId: nextRunId, scenario: 'continue-as-new-next-run' },
    ];
  },
  // NATS goes down while a command's events are being published: publishEvents fails and Temporal
  // retries it; once NATS is back an attempt succeeds. The history holds that attempt's
  // ActivityTaskStarted with attempt > 1 and the failure of the attempt before (retries of one
  // activity leave no events of their own; ActivityTaskFailed is recorded only for a final failure).
  'publish-retried': async () => {
    const { campaignId } = await campaigns.start(
      { template: 'opcat-ratification', country: 'GE', inputs: { uncatStatus: 'ratified' }, campaignId: `record-${label}-publish-retried` },
      lead,
    );
    await waitFor('start events published', async () => (await pendingActivities(campaignId)).length === 0);
    await nats.stop();
    try {
      await campaigns.execute(campaignId, { type: 'complete', milestone: 'awareness-dialogue', date: today }, staff);
      await waitFor('publishEvents retried', async () =>
        (await pendingActivities(campaignId)).some((a) => (a.attempt ?? 0) >= 2 && a.lastFailure),
      );
    } finally {
      await nats.start();
    }
    await waitFor('events published after the outage', async () => (await pendingActivities(campaignId)).length === 0);
    await campaigns.execute(campaignId, { type: 'cancel', reason: 'recorded' }, lead);
    return campaignId;
  },
};

/**
 * Scenarios on the Java time-skipping test server, for what takes months: a deposit today, and the
 * timer set for the entry into force 30 days later fires; the NPM follow-on starts from it and the
 * OPCAT campaign completes.
 */
const timeSkippingScenarios: Record<string, (env: TestWorkflowEnvironment, campaigns: CampaignClient) => Promise<string>> = {
  'timer-fired': async (env, tsCampaigns) => {
    const { campaignId } = await tsCampaigns.start(
      {
        template: 'opcat-ratification',
        country: 'KH',
        inputs: { uncatStatus: 'acceded' },
        completed: [
          { milestone: 'awareness-dialogue', date: daysAgo(400) },
          { milestone: 'national-consultation', date: daysAgo(300) },
          { milestone: 'government-decision', date: daysAgo(200) },
          { milestone: 'accession-decision', date: daysAgo(100) },
          { milestone: 'parliamentary-approval', date: daysAgo(50) },
          { milestone: 'deposit', date: today, evidence: { instrumentKind: 'accession' } },
        ],
        campaignId: `record-${label}-timer-fired`,
      },
      lead,
    );
    await env.sleep('31 days');
    const child = `${campaignId}~npm-designation`;
    await waitFor('the NPM follow-on started by the fired timer', () =>
      tsCampaigns.view(child).then(
        () => true,
        () => false,
      ),
    );
    // With its last milestone done the campaign completes by itself. A signal, not an update, ends the
    // child: the Java test server forgets an update whose workflow closes before the client polls for it.
    await tsCampaigns.signal(child, { type: 'cancel', reason: 'recorded' }, lead);
    return campaignId;
  },
};

const outDir = join(repoRoot, 'tests', 'histories');
mkdirSync(outDir, { recursive: true });
const fileOf = (scenario: string) => join(outDir, `campaign-${label}-${scenario}.json`);
const selected = (names: string[]) =>
  names.filter((name) => {
    if (only.length > 0 && !only.includes(name)) return false;
    if (!existsSync(fileOf(name))) return true;
    logger.info({ file: fileOf(name) }, 'already recorded, skipped');
    return false;
  });

/** Waits for each run to close (a run that continued as new is closed) and writes its history. */
async function record(on: Client, scenario: string, recorded: string | Recording[]) {
  const runs = typeof recorded === 'string' ? [{ campaignId: recorded }] : recorded;
  for (const run of runs) {
    const handle = on.workflow.getHandle(run.campaignId, run.runId);
    await handle.result().catch(() => undefined);
    const history = await decodeHistory(await handle.fetchHistory(), codec);
    const file = fileOf(run.scenario ?? scenario);
    writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`, { flag: 'wx' });
    logger.info({ file, events: history.events?.length }, 'history recorded');
  }
}

/** The Java test server starts without the campaign search attributes that the dev server's flags register. */
async function registerSearchAttributes(env: TestWorkflowEnvironment) {
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(campaignSearchAttributes.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type) ?? 0])),
  });
}

async function recordOnTimeSkippingServer(names: string[]) {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: resolveTestServerLauncher() } },
    client: { dataConverter },
  });
  try {
    await registerSearchAttributes(env);
    // A plain client: the environment's own client skips time while awaiting a result, which would
    // run a follow-on campaign straight into its deadlines.
    const tsClient = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter });
    const tsWorker = await createEngineWorker({
      config,
      logger,
      connection: env.nativeConnection,
      client: tsClient,
      nc,
      templates,
      workflowBundle,
    });
    // Without `allTemplates`, a start learns nothing from other campaigns: the test server has no visibility queries.
    const tsCampaigns = new CampaignClient({
      client: tsClient,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      templates: { findTemplate: (id, v) => templates.findTemplate(id, v) },
    });
    await tsWorker.runUntil(async () => {
      for (const name of names) await record(tsClient, name, await timeSkippingScenarios[name]!(env, tsCampaigns));
    });
  } finally {
    await env.teardown();
  }
}

try {
  const onDevServer = selected(Object.keys(scenarios));
  if (onDevServer.length > 0) {
    const worker = await createEngineWorker({ config, logger, connection: nativeConnection, client, nc, templates, workflowBundle });
    await worker.runUntil(async () => {
      for (const name of onDevServer) await record(client, name, await scenarios[name]!());
    });
  }
  const onTestServer = selected(Object.keys(timeSkippingScenarios));
  if (onTestServer.length > 0) await recordOnTimeSkippingServer(onTestServer);
} finally {
  await nc.drain().catch(() => undefined);
  await nativeConnection.close();
  await connection.close();
  await Promise.allSettled([temporal.stop(), nats.stop()]);
  rmSync(runDir, { recursive: true, force: true });
}
