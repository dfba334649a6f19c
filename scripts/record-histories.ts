/**
 * Records the event histories of representative campaigns under tests/histories/, so every test run
 * replays them against the current workflow code (tests/integration/replay.test.ts): a change that
 * would break running campaigns fails there and must go through `patched()`.
 *
 * Run once per released workflow shape: `npm run histories:record -- <label> [scenario ...]`
 * (all scenarios when none is named; never re-record an existing file, that would lose the old shape).
 * It starts its own Temporal dev server and nats-server on free ports and stops them afterwards.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { NativeConnection } from '@temporalio/worker';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignClient } from '../clients/campaign-client.js';
import { ensureEventStream } from '../infra/events-stream.js';
import { createLogger } from '../infra/logger.js';
import { connectNats } from '../infra/nats.js';
import { repoRoot, startNatsServer, startTemporalDevServer } from '../infra/servers/index.js';
import { installTemporalRuntime } from '../infra/temporal-runtime.js';
import { loadTemplates } from '../infra/templates.js';
import { commandSignal } from '../shared/campaign/index.js';
import { parseConfig } from '../shared/config.js';
import { dateOfInstant, subtractDuration } from '../shared/dates.js';
import { createEngineWorker } from '../workers/engine-worker.js';

const label = process.argv[2] ?? 'v1';
const only = process.argv.slice(3);
const logger = createLogger('record-histories', 'info');
installTemporalRuntime(logger);
const runDir = mkdtempSync(join(tmpdir(), 'advocacy-record-'));
const temporal = await startTemporalDevServer({ logDir: runDir, uiPort: false });
const nats = await startNatsServer({ storeDir: join(runDir, 'nats'), logDir: runDir });
const config = parseConfig({ TEMPORAL_ADDRESS: temporal.address, NATS_URL: nats.url, TEMPORAL_TASK_QUEUE: 'record', LOG_LEVEL: 'warn' });
const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection });
const nativeConnection = await NativeConnection.connect({ address: temporal.address });
const nc = await connectNats(config, { name: 'record-histories', logger });
await ensureEventStream(await jetstreamManager(nc), config, logger);
const templates = await loadTemplates();
const worker = await createEngineWorker({ config, logger, connection: nativeConnection, client, nc, templates });
const campaigns = new CampaignClient({ client, taskQueue: config.TEMPORAL_TASK_QUEUE, templates });
const lead = { actor: { id: 'lead-1', role: 'programme-lead' as const } };
const staff = { actor: { id: 'staff-1', role: 'staff' as const } };
const today = dateOfInstant(Date.now());
const daysAgo = (n: number) => subtractDuration(today, `P${n}D`);

/** Each scenario drives one campaign through the shapes its history should hold. */
const scenarios: Record<string, () => Promise<string>> = {
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
    await campaigns.execute(campaignId, { type: 'complete', milestone: 'national-consultation', date: daysAgo(30), note: 'consulted' }, staff);
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
    await campaigns.execute(campaignId, { type: 'complete', milestone: 'deposit', date: daysAgo(10), evidence: { instrumentKind: 'accession' } }, lead);
    for (let attempt = 0; (await campaigns.view(opcatId)).inputs.uncatStatus !== 'acceded'; attempt++) {
      if (attempt > 50) throw new Error('the OPCAT campaign never learned the UNCAT status');
      await new Promise((r) => setTimeout(r, 200));
    }
    await campaigns.execute(opcatId, { type: 'cancel', reason: 'recorded' }, lead);
    await campaigns.execute(campaignId, { type: 'cancel', reason: 'recorded' }, lead);
    return campaignId;
  },
};

const outDir = join(repoRoot, 'tests', 'histories');
mkdirSync(outDir, { recursive: true });
try {
  await worker.runUntil(async () => {
    for (const [name, run] of Object.entries(scenarios).filter(([n]) => only.length === 0 || only.includes(n))) {
      const campaignId = await run();
      const handle = client.workflow.getHandle(campaignId);
      await handle.result().catch(() => undefined);
      const history = await handle.fetchHistory();
      const file = join(outDir, `campaign-${label}-${name}.json`);
      writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
      logger.info({ file, events: history.events?.length }, 'history recorded');
    }
  });
} finally {
  await nc.drain().catch(() => undefined);
  await nativeConnection.close();
  await connection.close();
  await Promise.allSettled([temporal.stop(), nats.stop()]);
  rmSync(runDir, { recursive: true, force: true });
}
