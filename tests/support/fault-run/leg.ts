import { jetstreamManager } from '@nats-io/jetstream';
import { Client, type Connection } from '@temporalio/client';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { buildApp, type App } from '../../../api/app.js';
import { CampaignClient } from '../../../clients/campaign-client.js';
import { ApiKeyStore } from '../../../infra/api-keys.js';
import { ensureEventStream } from '../../../infra/events-stream.js';
import { connectNats, type NatsConnection } from '../../../infra/nats.js';
import { TemplateRegistry } from '../../../infra/templates.js';
import { nextWakeUp, type DomainEvent } from '../../../shared/campaign/index.js';
import type { PublishedEvent } from '../../../shared/events/published-event.js';
import { parseConfig, type Config } from '../../../shared/config.js';
import { addDuration, startOfDay, subtractDuration } from '../../../shared/dates.js';
import { startBridge, type Bridge } from '../../../workers/bridge.js';
import { resolveCommandSenders } from '../../../workers/command-senders.js';
import { lookupOf } from '../engine.js';
import { isolatedEventsConfig, uniqueId, uniqueToken } from '../ids.js';
import { testDataConverter, testPayloadEnv } from '../payload.js';
import { testLogger } from '../logger.js';
import type { Random } from '../random.js';
import { readStream } from '../stream.js';
import { checkCampaign, isTimerEvent, type CampaignCheck } from './check.js';
import { FaultDriver, type ViaFigures } from './driver.js';
import { WorkerProcess, type FaultKind, type FaultRecord, type NatsServer, type RestartableTemporal } from './faults.js';
import { CommandInterfaces, natsSender, type StartVia, type Via } from './interfaces.js';
import { advanceTo } from './replay.js';
import { faultTemplates } from './templates.js';

/**
 * One leg of the fault run: a Temporal server (the time-skipping test server, or a dev server on a SQLite
 * file), the engine worker in its own process, nats-server, and in this process the campaign facade
 * behind the HTTP API and the NATS command bridge, as in production; the CLI runs as child processes.
 */
export interface LegOptions {
  name: string;
  rnd: Random;
  dir: string;
  templatesDir: string;
  bundlePath: string | undefined;
  temporalAddress: string;
  namespace: string;
  /** The connection this process's facade uses (the API and the bridge). */
  connection: Connection;
  nats: NatsServer;
  temporal?: RestartableTemporal;
  now: () => Promise<number>;
  concurrency: number;
  viaWeights: readonly (readonly [Via, number])[];
  startWeights: readonly (readonly [StartVia, number])[];
  /** More configuration of the engine worker (e.g. its workflow cache). */
  workerEnv?: Record<string, string>;
  log: (message: string) => void;
}

export interface LegFigures {
  leg: string;
  campaigns: number;
  commands: {
    sent: number;
    accepted: number;
    refused: number;
    retriedAttempts: number;
    byInterface: Record<Via, ViaFigures>;
    /** Answers the run's model of a campaign did not foresee (it chooses commands; the engine's answer decides). */
    unforeseen: string[];
  };
  starts: { started: number; retriedAttempts: number; answeredConflict: number };
  faults: { total: number; byKind: Record<FaultKind, number>; withWorkInFlight: number; records: FaultRecord[] };
  /**
   * Timers that fell due (wake-ups of the workflows), the events they caused by kind, and how many of
   * those events fell due while a process was down or before it had recovered.
   */
  timers: { fired: number; events: number; reminders: number; overdue: number; automatic: number; acrossFaults: number };
  events: { checked: number; duplicateAcksAbsorbed: number };
  simulatedDays: number;
  durationMs: number;
  /** Where the time went: each phase of the leg and how long it took. */
  phases: { phase: string; ms: number }[];
}

export class Leg {
  readonly config: Config;
  readonly driver: FaultDriver;
  readonly worker: WorkerProcess;
  readonly faults: FaultRecord[] = [];
  readonly campaigns: CampaignClient;
  private readonly startedAt = Date.now();
  /** Per fault, the stream's highest sequence per campaign just before it. */
  private readonly before: { serverRecovery: number; seen: Map<string, number> }[] = [];
  simulatedDays = 0;
  private readonly phases: { phase: string; ms: number }[] = [];

  private constructor(
    readonly options: LegOptions,
    private readonly parts: { nc: NatsConnection; requester: NatsConnection; app: App; bridge: Bridge },
    config: Config,
    campaigns: CampaignClient,
    interfaces: CommandInterfaces,
  ) {
    this.config = config;
    this.campaigns = campaigns;
    this.worker = new WorkerProcess({
      env: {
        TEMPORAL_ADDRESS: options.temporalAddress,
        TEMPORAL_NAMESPACE: options.namespace,
        TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
        NATS_URL: options.nats.url,
        EVENTS_STREAM: config.EVENTS_STREAM,
        EVENTS_SUBJECT_PREFIX: config.EVENTS_SUBJECT_PREFIX,
        EVENTS_DUPLICATE_WINDOW: config.EVENTS_DUPLICATE_WINDOW,
        EVENTS_MAX_AGE: config.EVENTS_MAX_AGE,
        TEMPLATES_DIR: options.templatesDir,
        // Info, so that the duplicate acks of publishes retried after a crash can be counted in the log.
        LOG_LEVEL: 'info',
        ...testPayloadEnv(),
        ...options.workerEnv,
      },
      bundlePath: options.bundlePath,
      logFile: join(options.dir, 'engine-worker.log'),
    });
    this.driver = new FaultDriver({
      rnd: options.rnd.fork(),
      interfaces,
      templates: faultTemplates,
      now: options.now,
      viaWeights: options.viaWeights,
      startWeights: options.startWeights,
      concurrency: options.concurrency,
      commandDeadlineMs: 240_000,
      tag: uniqueId(options.name).slice(-14),
      log: options.log,
    });
  }

  static async open(options: LegOptions): Promise<Leg> {
    const config = isolatedEventsConfig({
      TEMPORAL_TASK_QUEUE: uniqueId(`fault-${options.name}`),
      TEMPORAL_NAMESPACE: options.namespace,
      NATS_URL: options.nats.url,
      COMMANDS_SUBJECT_PREFIX: uniqueToken('cmd').toLowerCase(),
    });
    const logger = testLogger(`fault-${options.name}`);
    // Reconnect forever and quickly, as the engine's connections do (infra/nats.ts).
    const [nc, requester] = await Promise.all([
      connectNats(config, { name: `fault-${options.name}-bridge`, logger, reconnectTimeWait: 100 }),
      connectNats(config, { name: `fault-${options.name}-requester`, logger, reconnectTimeWait: 100 }),
    ]);
    await ensureEventStream(await jetstreamManager(nc), config);
    const client = new Client({ connection: options.connection, namespace: options.namespace, dataConverter: testDataConverter() });
    const campaigns = new CampaignClient({ client, taskQueue: config.TEMPORAL_TASK_QUEUE, templates: lookupOf(faultTemplates) });
    const registry = new TemplateRegistry(faultTemplates.map((template) => ({ template, source: options.templatesDir })));
    const keys = new ApiKeyStore(join(options.dir, 'api-keys.json'));
    const lead = await keys.create({ label: 'Programme lead', role: 'programme-lead' });
    const staff = await keys.create({ label: 'Staff', role: 'staff' });
    const app = await buildApp({
      campaigns,
      templates: registry,
      keys,
      config: parseConfig({ TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE, ...testPayloadEnv() }),
      logger: testLogger(`fault-${options.name}-api`),
      checkTemporal: async () => {
        await options.connection.workflowService.getSystemInfo({});
      },
    });
    const senders = resolveCommandSenders(
      { senders: { [natsSender.lead]: { role: 'programme-lead' }, [natsSender.staff]: { role: 'staff' } } },
      config,
    );
    const bridge = startBridge({ nc, campaigns, config, logger, senders });
    const interfaces = new CommandInterfaces({
      app,
      apiKeys: { lead: { id: lead.key.id, secret: lead.secret }, staff: { id: staff.key.id, secret: staff.secret } },
      // Only PATH and HOME from this process (as tests/support/cli.ts does), so no developer setting leaks in.
      cliEnv: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? options.dir,
        TEMPORAL_ADDRESS: options.temporalAddress,
        TEMPORAL_NAMESPACE: options.namespace,
        TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
        TEMPLATES_DIR: options.templatesDir,
        NATS_URL: options.nats.url,
        EVENTS_STREAM: config.EVENTS_STREAM,
        EVENTS_SUBJECT_PREFIX: config.EVENTS_SUBJECT_PREFIX,
        DATA_DIR: join(options.dir, 'cli-data'),
        API_KEYS_FILE: join(options.dir, 'cli-api-keys.json'),
        LOG_LEVEL: 'warn',
        ...testPayloadEnv(),
      },
      nc: requester,
      commandsPrefix: config.COMMANDS_SUBJECT_PREFIX,
      attemptTimeoutMs: 40_000,
      direct: { client, taskQueue: config.TEMPORAL_TASK_QUEUE },
    });
    return new Leg(options, { nc, requester, app, bridge }, config, campaigns, interfaces);
  }

  /** Runs one phase of the leg, timed. */
  async phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const from = Date.now();
    try {
      return await fn();
    } finally {
      this.phases.push({ phase: name, ms: Date.now() - from });
      this.options.log(`${this.options.name}: ${name} took ${Date.now() - from} ms`);
    }
  }

  /**
   * Crashes `kind` (SIGKILL) with work in flight where it can be seen, keeps it down for `downMs`, starts
   * it again on its data and records the fault.
   */
  async crash(kind: FaultKind, during: FaultRecord['during'], downMs: number): Promise<void> {
    const { nats, temporal } = this.options;
    this.before.push({ serverRecovery: 0, seen: await this.streamHighWater() });
    const serverAtCrash = await this.options.now();
    const crashedAt = Date.now();
    let inFlight: { inFlight: string; busy: boolean };
    if (kind === 'worker') {
      inFlight = await this.worker.crash(3000);
    } else if (kind === 'nats') {
      // A publish in flight when nats-server dies: the activity fails part-way and is retried.
      inFlight = await this.worker.inFlight('activity', 3000);
      await nats.stop({ signal: 'SIGKILL' });
    } else {
      if (!temporal) throw new Error(`leg ${this.options.name} has no restartable Temporal server`);
      inFlight = { inFlight: `${this.driver.inFlight} commands awaiting an answer`, busy: this.driver.inFlight > 0 };
      await temporal.crash();
    }
    this.options.log(`${kind} crashed (SIGKILL) during ${during}; in flight: ${inFlight.inFlight}; down for ${downMs} ms`);
    await pause(downMs);
    if (kind === 'worker') await this.worker.start();
    else if (kind === 'nats') await nats.start();
    else await temporal?.restart();
    const recoveredMs = Date.now() - crashedAt;
    const serverAtRecovery = await this.options.now();
    const last = this.before.at(-1);
    if (last) last.serverRecovery = serverAtRecovery;
    const skipped = during === 'time-skip';
    this.faults.push({
      leg: this.options.name,
      kind,
      during,
      inFlight: inFlight.inFlight,
      workInFlight: inFlight.busy,
      downMs,
      recoveredMs,
      ...(skipped
        ? { serverTimeAtCrash: new Date(serverAtCrash).toISOString(), serverTimeAtRecovery: new Date(serverAtRecovery).toISOString() }
        : {}),
    });
    this.options.log(`${kind} back after ${recoveredMs} ms`);
  }

  /** A burst of `count` commands, with `fault` injected once a part of them has been sent. */
  async burst(count: number, fault: FaultKind[] = []): Promise<void> {
    const { rnd } = this.options;
    const from = this.driver.issued;
    const plan = fault.map((kind) => ({ kind, after: rnd.int(Math.floor(count / 5), Math.floor(count / 2)), downMs: rnd.int(500, 4000) }));
    await Promise.all([
      this.driver.burst(count),
      ...plan.map(async (p) => {
        await waitFor(
          () => {
            if (this.driver.isStopped) throw new StopWaiting('the run stopped');
            return Promise.resolve(this.driver.issued >= from + p.after);
          },
          300_000,
          `${p.after} commands sent`,
        );
        await this.crash(p.kind, 'commands', p.downMs);
      }),
    ]);
  }

  /**
   * Skips `days` on the time-skipping server. With a fault: as soon as the first wake-up of any campaign
   * has passed (timers firing, their workflow tasks and publishes in flight), the process crashes; the
   * server does not skip further while work is pending, so it resumes skipping after the recovery.
   */
  async skip(days: number, sleep: (ms: number) => Promise<void>, fault?: FaultKind): Promise<void> {
    const from = await this.options.now();
    const wakes = this.driver.campaigns
      .map((c) => nextWakeUp(advanceTo(c.model, from).state, from))
      .filter((w): w is number => w !== undefined && w > from);
    const firstWake = Math.min(...wakes);
    // A skip with a fault reaches at least a day past the first wake-up, so that the fault always happens
    // with timers falling due (the last milestone's deadline years away means there always is one).
    if (fault && Number.isFinite(firstWake)) days = Math.max(days, Math.ceil((firstWake - from) / DAY) + 1);
    const to = from + days * DAY;
    this.simulatedDays += days;
    if (!fault || !(firstWake <= to)) {
      await sleep(days * DAY);
      return;
    }
    const skipping = sleep(days * DAY);
    skipping.catch(() => undefined);
    await waitFor(async () => (await this.options.now()) >= firstWake, 120_000, `server time past ${new Date(firstWake).toISOString()}`);
    await this.crash(fault, 'time-skip', this.options.rnd.int(500, 3000));
    await skipping;
  }

  /** The highest sequence per campaign in the stream now (NATS must be up). */
  private async streamHighWater(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const e of await this.storedEvents().catch(() => [])) out.set(e.campaignId, Math.max(out.get(e.campaignId) ?? 0, e.sequence));
    return out;
  }

  async storedEvents(): Promise<PublishedEvent[]> {
    return (await readStream(this.parts.nc, this.config.EVENTS_STREAM)).map((e) => e.data);
  }

  /**
   * After the last recovery: waits until every campaign's events are all in the stream, then checks every
   * campaign (check.ts) and returns the checks and the leg's figures.
   */
  async verify(): Promise<{ checks: CampaignCheck[]; figures: LegFigures }> {
    const campaigns = this.driver.campaigns;
    let views = new Map<string, Awaited<ReturnType<CampaignClient['view']>>>();
    let stored: PublishedEvent[] = [];
    let quiet = 0;
    let lastCount = -1;
    await waitFor(
      async () => {
        // Query only once the engine is quiet (the worker idle, the stream no longer growing): on the
        // time-skipping server a query that meets other work can leave an extra workflow task in history.
        const idle = await this.worker.inFlight('any', 0);
        const count = (await this.storedEvents()).length;
        quiet = !idle.busy && count === lastCount ? quiet + 1 : 0;
        lastCount = count;
        if (quiet < 3) return false;
        views = new Map(await Promise.all(campaigns.map(async (c) => [c.campaignId, await this.campaigns.view(c.campaignId)] as const)));
        stored = await this.storedEvents();
        const byCampaign = new Map<string, number>();
        for (const e of stored) byCampaign.set(e.campaignId, (byCampaign.get(e.campaignId) ?? 0) + 1);
        return campaigns.every((c) => (byCampaign.get(c.campaignId) ?? 0) >= (views.get(c.campaignId)?.sequence ?? Infinity));
      },
      240_000,
      'every event of every campaign in the stream',
    );
    const until = await this.options.now();
    const checks = campaigns.map((c) => {
      const view = views.get(c.campaignId);
      if (!view) throw new Error(`no view of ${c.campaignId}`);
      return checkCampaign(
        c,
        view,
        stored.filter((e) => e.campaignId === c.campaignId),
        until,
      );
    });
    return { checks, figures: this.figures(checks, stored) };
  }

  private figures(checks: CampaignCheck[], stored: PublishedEvent[]): LegFigures {
    const by = this.driver.figures;
    const sum = (f: (v: ViaFigures) => number) => (['cli', 'api', 'nats'] as const).reduce((n, v) => n + f(by[v]), 0);
    const timerEvents = checks.flatMap((c) => c.timerEvents);
    // A timer event "across a fault": not in the stream before a crash, and due by the recovery.
    const storedTimers = stored.filter(isTimerEvent);
    const across = storedTimers.filter((e) =>
      this.before.some((b) => e.sequence > (b.seen.get(e.campaignId) ?? 0) && dueInstant(e) <= b.serverRecovery),
    ).length;
    const byKind: Record<FaultKind, number> = { worker: 0, nats: 0, temporal: 0 };
    for (const f of this.faults) byKind[f.kind]++;
    return {
      leg: this.options.name,
      campaigns: this.driver.campaigns.length,
      commands: {
        sent: sum((v) => v.commands),
        accepted: sum((v) => v.accepted),
        refused: sum((v) => v.refused),
        retriedAttempts: sum((v) => v.retried),
        byInterface: by,
        unforeseen: this.driver.surprises,
      },
      starts: {
        started: this.driver.startFigures.started,
        retriedAttempts: this.driver.startFigures.retried,
        answeredConflict: this.driver.startFigures.conflicts,
      },
      faults: {
        total: this.faults.length,
        byKind,
        withWorkInFlight: this.faults.filter((f) => f.workInFlight).length,
        records: this.faults,
      },
      timers: {
        fired: checks.reduce((n, c) => n + c.wakeUps, 0),
        events: timerEvents.length,
        reminders: timerEvents.filter((e) => e.type === 'reminder-due').length,
        overdue: timerEvents.filter((e) => e.type === 'milestone-overdue').length,
        automatic: timerEvents.filter((e) => e.type === 'milestone-completed').length,
        acrossFaults: across,
      },
      events: { checked: checks.reduce((n, c) => n + c.events, 0), duplicateAcksAbsorbed: this.worker.duplicateAcks() },
      simulatedDays: this.simulatedDays,
      durationMs: Date.now() - this.startedAt,
      phases: this.phases,
    };
  }

  /**
   * After a failure: what each campaign's workflow is waiting for, and its history saved next to the
   * worker's log (`histories/<campaign>.json`, replayable with Worker.runReplayHistory).
   */
  async diagnose(): Promise<string> {
    const dir = join(this.options.dir, 'histories');
    mkdirSync(dir, { recursive: true });
    const client = new Client({
      connection: this.options.connection,
      namespace: this.options.namespace,
      dataConverter: testDataConverter(),
    });
    const lines = await Promise.all(
      this.driver.campaigns.map(async (c) => {
        try {
          const handle = client.workflow.getHandle(c.campaignId);
          const [description, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
          writeFileSync(join(dir, `${c.campaignId}.json`), historyToJSON(history));
          // The saved histories are encrypted with the run's key, gone after the run: replay them now.
          const replay = await this.replays(c.campaignId, history);
          const pending = (description.raw.pendingActivities ?? []).map(
            (a) => `${a.activityType?.name ?? '?'} attempt ${a.attempt ?? 0}${a.lastFailure?.message ? ` (${a.lastFailure.message})` : ''}`,
          );
          return `${c.campaignId}: ${description.status.name}, ${history.events?.length ?? 0} history events${pending.length ? `, pending ${pending.join('; ')}` : ''}; ${replay}`;
        } catch (err) {
          return `${c.campaignId}: ${err instanceof Error ? err.message : String(err)}`;
        }
      }),
    );
    const worker = await this.worker.inFlight('any', 0);
    const replays = this.worker.nondeterminism();
    const replayNote = replays.length
      ? [`${replays.length} workflow tasks failed on replay (nondeterminism), the first: ${(replays[0] ?? '').slice(0, 600)}`]
      : [];
    return [
      `worker: ${worker.inFlight}; log ${join(this.options.dir, 'engine-worker.log')}; histories in ${dir}`,
      ...replayNote,
      ...lines,
    ].join('\n');
  }

  /** Whether the history replays on the workflow code, as a worker restarted on it would replay it. */
  private async replays(campaignId: string, history: Parameters<typeof Worker.runReplayHistory>[1]): Promise<string> {
    const { bundlePath } = this.options;
    if (!bundlePath) return 'replay not checked (no workflow bundle)';
    try {
      await Worker.runReplayHistory({ workflowBundle: { codePath: bundlePath }, dataConverter: testDataConverter() }, history, campaignId);
      return 'replays';
    } catch (err) {
      return `does NOT replay: ${err instanceof Error ? err.message.slice(0, 400) : String(err)}`;
    }
  }

  async close(): Promise<void> {
    this.driver.stop();
    await this.worker.stop().catch(() => undefined);
    await this.parts.bridge.stop().catch(() => undefined);
    await this.parts.app.close().catch(() => undefined);
    await Promise.allSettled([this.parts.nc.close(), this.parts.requester.close()]);
  }
}

const DAY = 86_400_000;

/** The instant a timer event fell due: reminders and overdue notices at midnight of their day. */
function dueInstant(e: DomainEvent | PublishedEvent): number {
  if (e.type === 'reminder-due') return startOfDay(subtractDuration(e.dueOn, e.remindBefore));
  if (e.type === 'milestone-overdue') return startOfDay(addDuration(e.dueOn, 'P1D'));
  if (e.type === 'milestone-completed') return startOfDay(e.completedOn);
  return Number.POSITIVE_INFINITY;
}

/** Thrown by a waitFor check to stop waiting at once. */
class StopWaiting extends Error {}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      if (err instanceof StopWaiting) throw err;
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`,
      );
    await pause(200);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
