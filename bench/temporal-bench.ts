import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Client, Connection } from '@temporalio/client';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CampaignClient } from '../clients/campaign-client.js';
import { subscribeEvents, type EventSubscription } from '../clients/events-subscriber.js';
import { ensureEventStream } from '../infra/events-stream.js';
import type { Logger } from '../infra/logger.js';
import type { NatsConnection } from '../infra/nats.js';
import { dataConverterFor } from '../infra/payload-codec.js';
import { generatePayloadKey } from '../infra/payload-keys.js';
import { resolveTemporalCli, startTemporalDevServer, type NatsServer, type TemporalDevServer } from '../infra/servers/index.js';
import { temporalConnectionOptions } from '../infra/temporal-connection.js';
import type { TemplateRegistry } from '../infra/templates.js';
import { parseConfig, type Config } from '../shared/config.js';
import { dateOfInstant } from '../shared/dates.js';
import type { CampaignCloudEvent } from '../shared/events/cloudevent.js';
import { startEngineProcess, type EngineProcess } from '../workers/engine-process.js';
import type { ChildStatus } from '../workers/engine-child.js';
import { bounded, settle, type LoopOutcome } from './loop.js';
import { runViewsBench, type ViewsBounds, type ViewsResult } from './views-bench.js';
import { load1, procCpuMs, procRssBytes } from './proc.js';
import { formatMs, formatRate, linearFit, perSecond, roundSig, roundSummary, summarize, type Summary } from './stats.js';

/**
 * Sections 1, 2, 3 and 5 on one Temporal storage mode: a Temporal dev server started for the mode, the
 * engine worker in its own process (workers/engine-child.ts), the campaign client facade and a durable
 * JetStream consumer (clients/events-subscriber.ts) in this process.
 */

export type StorageMode = 'sqlite-file' | 'sqlite-wal' | 'memory';

export const storageModes: Record<StorageMode, { description: string; dbFile: boolean; pragmas: string[] }> = {
  'sqlite-file': {
    description: 'SQLite file (--db-filename), default rollback journal (journal_mode=DELETE, synchronous=FULL)',
    dbFile: true,
    pragmas: [],
  },
  'sqlite-wal': {
    description: 'SQLite file (--db-filename) with --sqlite-pragma journal_mode=wal (synchronous left at its default)',
    dbFile: true,
    pragmas: ['journal_mode=wal'],
  },
  memory: { description: 'in-memory SQLite (no --db-filename)', dbFile: false, pragmas: [] },
};

export interface TemporalBounds {
  starts: { count: number; timeMs: number; concurrency: number[] };
  commands: { count: number; timeMs: number; campaigns: number };
  signals: { count: number; timeMs: number };
  memory: { count: number; timeMs: number; steps: number; concurrency: number };
  /** Longest wait for the events of one command at the consumer. */
  eventTimeoutMs: number;
  /** Longest wait for the system to go quiet between phases. */
  settleTimeoutMs: number;
}

export interface StartsResult {
  concurrency: number;
  completed: number;
  failed: number;
  firstError?: string;
  stoppedBy: LoopOutcome['stoppedBy'];
  elapsedMs: number;
  perSecond: number;
  /** CampaignClient.start: validation, workflow start RPC, then the first view (a query answered once the first workflow task ran). */
  latencyMs: Summary;
  /** The workflow start RPC alone (inside the facade). */
  startRpcMs: Summary;
  /** CPU milliseconds per started campaign, by process (the publication of its first events included). */
  cpuMsPerStart: CpuPer;
  load1: [number, number];
}

export interface CommandsResult {
  completed: number;
  failed: number;
  firstError?: string;
  stoppedBy: LoopOutcome['stoppedBy'];
  elapsedMs: number;
  /** CampaignClient.execute (a Temporal update, waits for the workflow to apply it), by command type. */
  updateMs: Record<string, Summary>;
  /** From the update's result to the last of its CloudEvents arriving at the consumer. */
  eventAfterAcceptMs: Record<string, Summary>;
  /** From sending the update to the last of its CloudEvents arriving at the consumer. */
  eventAfterSendMs: Record<string, Summary>;
  /** CPU milliseconds per command, by process (the events' publication included). */
  cpuMsPerCommand: CpuPer;
  load1: [number, number];
}

export interface SignalsResult {
  completed: number;
  failed: number;
  firstError?: string;
  stoppedBy: LoopOutcome['stoppedBy'];
  elapsedMs: number;
  /** CampaignClient.signal: the signal RPC (the server stored it; the workflow has not run it yet). */
  signalRpcMs: Summary;
  /** From sending the signal to its note-added CloudEvent arriving at the consumer. */
  eventAfterSendMs: Summary;
  load1: [number, number];
}

export interface MemoryPoint {
  cachedWorkflows: number;
  workerRssMB: number;
  workerHeapUsedMB: number;
  temporalRssMB?: number;
}

export interface MemoryResult {
  started: number;
  failed: number;
  firstError?: string;
  stoppedBy: LoopOutcome['stoppedBy'];
  points: MemoryPoint[];
  /** Least-squares slope of the worker's RSS over cached workflows (after a GC of its main thread). */
  workerRssMBPerWorkflow?: number;
  /** The same for the main thread's V8 heap (workflows run in a worker thread, so this stays small). */
  workerHeapMBPerWorkflow?: number;
  temporalRssMBPerWorkflow?: number;
  /** Plain ratio: (RSS at the end - RSS before) / workflows added, as a check on the slope. */
  workerRssMBPerWorkflowEndToEnd?: number;
  maxCachedWorkflowsDefault: string;
}

export interface ModeResults {
  mode: StorageMode;
  storage: string;
  /** Flags added to `temporal server start-dev` beyond those of startTemporalDevServer. */
  serverArgs: string[];
  /** SQLite side files seen next to the database after the run (e.g. `-journal`, `-wal`, `-shm`). */
  sqliteFilesSeen: string[];
  serverStartMs: number;
  workerStartMs: number;
  starts: StartsResult[];
  commands?: CommandsResult;
  signals?: SignalsResult;
  memory?: MemoryResult;
  views?: ViewsResult;
}

const staffCaller = { actor: { id: 'bench-staff', role: 'staff' as const } };
const leadCaller = { actor: { id: 'bench-lead', role: 'programme-lead' as const } };
const countries = ['TH', 'ID', 'PH', 'MN', 'KH', 'VN', 'MY', 'LA'];

const startBody = (campaignId: string, i: number) => ({
  template: 'opcat-ratification',
  country: countries[i % countries.length],
  inputs: { uncatStatus: 'ratified' },
  campaignId,
});

/** CloudEvents seen by the consumer, by id, with the time they arrived; waits for ids or the next match. */
class Arrivals {
  private readonly seen = new Map<string, number>();
  private waiters: { match: (e: CampaignCloudEvent) => boolean; resolve: (t: number) => void }[] = [];

  arrived(event: CampaignCloudEvent): void {
    const t = performance.now();
    this.seen.set(event.id, t);
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.match(event)) w.resolve(t);
      else keep.push(w);
    }
    this.waiters = keep;
  }

  /** The time the event with this id arrived (now or later), within `timeoutMs`. */
  waitForId(id: string, timeoutMs: number): Promise<number> {
    const t = this.seen.get(id);
    if (t !== undefined) return Promise.resolve(t);
    return this.waitFor((e) => e.id === id, timeoutMs, `event ${id}`);
  }

  /** The time the next matching event arrives; register before causing it. */
  waitFor(match: (e: CampaignCloudEvent) => boolean, timeoutMs: number, what = 'event'): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        match,
        resolve: (t: number) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${what} did not arrive at the consumer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  clear(): void {
    this.seen.clear();
  }
}

export interface CpuPer {
  temporal?: number;
  worker?: number;
  nats?: number;
  bench?: number;
}

/** CPU spent between two marks, per operation. */
function cpuPer(before: CpuMark, after: CpuMark, operations: number): CpuPer {
  const out: CpuPer = {};
  if (operations <= 0) return out;
  for (const key of ['temporal', 'worker', 'nats', 'bench'] as const) {
    const a = before[key];
    const b = after[key];
    if (a !== undefined && b !== undefined) out[key] = roundSig((b - a) / operations, 3);
  }
  return out;
}

interface CpuMark {
  temporal?: number;
  worker?: number;
  nats?: number;
  bench: number;
}

function workerCpu(s: ChildStatus): number {
  return s.cpuUserMs + s.cpuSystemMs;
}

const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

/** A shell wrapper around the Temporal CLI that appends extra flags (startTemporalDevServer takes no extra arguments). */
function cliWrapper(dir: string, extraArgs: string[]): string {
  const path = join(dir, 'temporal-with-flags.sh');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(path, `#!/bin/sh\nexec ${quote(resolveTemporalCli())} "$@" ${extraArgs.map(quote).join(' ')}\n`);
  chmodSync(path, 0o755);
  return path;
}

export async function runTemporalMode(options: {
  mode: StorageMode;
  index: number;
  runDir: string;
  nats: NatsServer;
  nc: NatsConnection;
  templates: TemplateRegistry;
  bundlePath: string;
  logger: Logger;
  bounds: TemporalBounds;
  withMemory: boolean;
  /** Run section 7 (views at scale) in this mode, with these bounds. */
  views?: ViewsBounds;
  /** `KEY=VALUE` dynamic configuration for the dev server (`--dynamic-config-value`); default none. */
  dynamicConfig?: string[];
  progress: (line: string) => void;
}): Promise<ModeResults> {
  const { mode, runDir, bounds, progress } = options;
  const spec = storageModes[mode];
  const serverArgs = [
    ...spec.pragmas.flatMap((p) => ['--sqlite-pragma', p]),
    ...(options.dynamicConfig ?? []).flatMap((kv) => ['--dynamic-config-value', kv]),
  ];
  const dbFilename = spec.dbFile ? join(runDir, 'temporal.db') : undefined;
  const say = (line: string) => progress(`${mode} ${line}`);

  let t0 = performance.now();
  const temporal: TemporalDevServer = await startTemporalDevServer({
    logDir: runDir,
    uiPort: false,
    ...(dbFilename ? { dbFilename } : {}),
    ...(serverArgs.length ? { binary: cliWrapper(runDir, serverArgs) } : {}),
  });
  const serverStartMs = Math.round(performance.now() - t0);
  say(`Temporal dev server up on ${temporal.address} in ${serverStartMs} ms (${spec.description})`);
  // Undone in reverse order whatever happens.
  const cleanups: (() => Promise<unknown> | void)[] = [() => temporal.stop()];
  try {
    const config: Config = parseConfig({
      TEMPORAL_ADDRESS: temporal.address,
      NATS_URL: options.nats.url,
      TEMPORAL_TASK_QUEUE: `bench-${mode}`,
      EVENTS_STREAM: `BENCH_EVENTS_${options.index}`,
      EVENTS_SUBJECT_PREFIX: `bench${options.index}`,
      LOG_LEVEL: 'warn',
      // Encrypted as in production: the codec's cost is part of what is measured.
      PAYLOAD_KEYS: generatePayloadKey('bench'),
    });
    const jsm: JetStreamManager = await jetstreamManager(options.nc);
    await ensureEventStream(jsm, config, options.logger);
    const connection = await Connection.connect({ ...temporalConnectionOptions(config) });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(config) });

    // Time the start RPC inside the facade: wrap this client's workflow.start.
    const startRpc: number[] = [];
    const wf = client.workflow;
    const originalStart = wf.start.bind(wf);
    wf.start = (async (...args: Parameters<typeof originalStart>) => {
      const s = performance.now();
      try {
        return await originalStart(...args);
      } finally {
        startRpc.push(performance.now() - s);
      }
    }) as typeof wf.start;
    const campaigns = new CampaignClient({ client, taskQueue: config.TEMPORAL_TASK_QUEUE, templates: options.templates });

    const engineEnv = (taskQueue: string): Record<string, string> => ({
      TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
      NATS_URL: config.NATS_URL,
      TEMPORAL_TASK_QUEUE: taskQueue,
      EVENTS_STREAM: config.EVENTS_STREAM,
      EVENTS_SUBJECT_PREFIX: config.EVENTS_SUBJECT_PREFIX,
      LOG_LEVEL: 'warn',
      PAYLOAD_KEYS: config.PAYLOAD_KEYS!,
    });
    t0 = performance.now();
    const engine: EngineProcess = await startEngineProcess({
      env: engineEnv(config.TEMPORAL_TASK_QUEUE),
      bundlePath: options.bundlePath,
      logFile: join(runDir, 'engine-worker.log'),
    });
    cleanups.push(() => engine.stop());
    const workerStartMs = Math.round(performance.now() - t0);
    say(`engine worker (pid ${engine.pid}) polling in ${workerStartMs} ms`);

    // Which SQLite side files exist (a rollback `-journal` lives only during a write transaction): sample.
    const sqliteFiles = new Set<string>();
    const sampler = setInterval(() => {
      if (!dbFilename) return;
      for (const f of readdirSync(runDir)) if (f.startsWith('temporal.db')) sqliteFiles.add(f.slice('temporal.db'.length) || '(db)');
    }, 50);
    sampler.unref();
    cleanups.push(() => clearInterval(sampler));

    const arrivals = new Arrivals();
    const result: ModeResults = {
      mode,
      storage: spec.description,
      serverArgs,
      sqliteFilesSeen: [],
      serverStartMs,
      workerStartMs,
      starts: [],
    };

    const quiet = async () => {
      const settled = await settle(
        async () => {
          const [info, status] = await Promise.all([jsm.streams.info(config.EVENTS_STREAM), engine.status()]);
          return [info.state.messages, status.numInFlightActivities, status.numInFlightWorkflowActivations];
        },
        { timeoutMs: bounds.settleTimeoutMs, intervalMs: 300, stableFor: 2 },
      );
      if (!settled) say(`(did not go quiet within ${bounds.settleTimeoutMs} ms; continuing)`);
    };
    const cpuMark = async (): Promise<CpuMark> => {
      const b = process.cpuUsage();
      const temporalCpu = procCpuMs(temporal.process.pid);
      const natsCpu = procCpuMs(options.nats.pid);
      return {
        ...(temporalCpu !== undefined ? { temporal: temporalCpu } : {}),
        worker: workerCpu(await engine.status()),
        ...(natsCpu !== undefined ? { nats: natsCpu } : {}),
        bench: (b.user + b.system) / 1000,
      };
    };

    const subscription: EventSubscription = await subscribeEvents({
      nc: options.nc,
      stream: config.EVENTS_STREAM,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      durable: 'bench-e2e',
      deliverPolicy: 'new',
      logger: options.logger,
      handler: (event) => arrivals.arrived(event),
    });
    cleanups.push(() => subscription.stop());

    // Warm-up (not recorded): the first workflow tasks, connections, JIT.
    await bounded({ count: 5, timeMs: 30_000 }, async (i) => {
      await campaigns.start(startBody(`bench-${mode}-warm-${i}`, i), leadCaller);
    });
    startRpc.length = 0;
    await quiet();

    // 1. Starts at each concurrency.
    for (const concurrency of bounds.starts.concurrency) {
      const latencies: number[] = [];
      startRpc.length = 0;
      const l0 = load1();
      const before = await cpuMark();
      const outcome = await bounded({ count: bounds.starts.count, timeMs: bounds.starts.timeMs, concurrency }, async (i) => {
        const s = performance.now();
        await campaigns.start(startBody(`bench-${mode}-c${concurrency}-${i}`, i), leadCaller);
        latencies.push(performance.now() - s);
      });
      // The starts' events are still being published: count that work too before reading the CPU.
      await quiet();
      const after = await cpuMark();
      const cpu = cpuPer(before, after, outcome.completed);
      const r: StartsResult = {
        concurrency,
        completed: outcome.completed,
        failed: outcome.failed,
        ...(outcome.firstError ? { firstError: outcome.firstError } : {}),
        stoppedBy: outcome.stoppedBy,
        elapsedMs: Math.round(outcome.elapsedMs),
        perSecond: roundSig(perSecond(outcome.completed, outcome.elapsedMs), 3),
        latencyMs: roundSummary(summarize(latencies)),
        startRpcMs: roundSummary(summarize(startRpc)),
        cpuMsPerStart: cpu,
        load1: [l0, load1()],
      };
      result.starts.push(r);
      say(
        `starts c=${concurrency}: ${formatRate(r.perSecond)} (${r.completed} in ${r.elapsedMs} ms${r.stoppedBy === 'time' ? ', time-bounded' : ''}` +
          `${r.failed ? `, ${r.failed} failed: ${r.firstError}` : ''}), start p50 ${formatMs(r.latencyMs.p50)} p99 ${formatMs(r.latencyMs.p99)}, ` +
          `RPC p50 ${formatMs(r.startRpcMs.p50)}; CPU ms/start temporal ${cpu.temporal ?? '-'} worker ${cpu.worker ?? '-'} nats ${cpu.nats ?? '-'}`,
      );
    }

    // 2 + 3. Commands (updates) and their events at the consumer, one at a time.
    {
      const pool: string[] = [];
      for (let i = 0; i < bounds.commands.campaigns; i++) {
        const view = await campaigns.start(startBody(`bench-${mode}-cmd-${i}`, i), leadCaller);
        pool.push(view.campaignId);
      }
      await quiet();
      const kinds = ['note', 'complete', 'reopen'] as const;
      const update: Record<string, number[]> = { note: [], complete: [], reopen: [] };
      const afterAccept: Record<string, number[]> = { note: [], complete: [], reopen: [] };
      const afterSend: Record<string, number[]> = { note: [], complete: [], reopen: [] };
      const l0 = load1();
      const cpuBefore = await cpuMark();
      const outcome = await bounded({ count: bounds.commands.count, timeMs: bounds.commands.timeMs }, async (i) => {
        const kind = kinds[i % 3] as (typeof kinds)[number];
        const campaignId = pool[Math.floor(i / 3) % pool.length] as string;
        const body =
          kind === 'note'
            ? { type: 'note', text: `bench note ${i}` }
            : kind === 'complete'
              ? { type: 'complete', milestone: 'awareness-dialogue', date: dateOfInstant(Date.now()) }
              : { type: 'reopen', milestone: 'awareness-dialogue', reason: 'bench: reopened' };
        const s = performance.now();
        const res = await campaigns.execute(campaignId, body, staffCaller);
        const accepted = performance.now();
        if (!res.ok) throw new Error(`${kind} refused: ${res.message}`);
        if (res.events.length === 0) throw new Error(`${kind} caused no events`);
        const arrivedAt: number[] = [];
        for (const seq of res.events) arrivedAt.push(await arrivals.waitForId(`${campaignId}:${seq}`, bounds.eventTimeoutMs));
        // All of the command's events; one may arrive before the update's answer (then this is negative).
        const last = Math.max(...arrivedAt);
        update[kind]?.push(accepted - s);
        afterAccept[kind]?.push(last - accepted);
        afterSend[kind]?.push(last - s);
      });
      const cpuAfter = await cpuMark();
      const by = (r: Record<string, number[]>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, roundSummary(summarize(v))]));
      result.commands = {
        completed: outcome.completed,
        failed: outcome.failed,
        ...(outcome.firstError ? { firstError: outcome.firstError } : {}),
        stoppedBy: outcome.stoppedBy,
        elapsedMs: Math.round(outcome.elapsedMs),
        updateMs: by(update),
        eventAfterAcceptMs: by(afterAccept),
        eventAfterSendMs: by(afterSend),
        cpuMsPerCommand: cpuPer(cpuBefore, cpuAfter, outcome.completed),
        load1: [l0, load1()],
      };
      for (const k of kinds) {
        const u = result.commands.updateMs[k];
        const e = result.commands.eventAfterAcceptMs[k];
        say(
          `update ${k}: p50 ${formatMs(u?.p50)} p99 ${formatMs(u?.p99)} (n=${u?.n}); event at consumer after accept p50 ${formatMs(e?.p50)} p99 ${formatMs(e?.p99)}`,
        );
      }
      const cc = result.commands.cpuMsPerCommand;
      say(
        `commands: CPU ms/command temporal ${cc.temporal ?? '-'} worker ${cc.worker ?? '-'} nats ${cc.nats ?? '-'} bench ${cc.bench ?? '-'}`,
      );
      if (outcome.failed) say(`commands: ${outcome.failed} failed: ${outcome.firstError}`);

      // Signals: a note each, fire-and-forget; its event tells when the workflow applied it.
      const rpc: number[] = [];
      const toEvent: number[] = [];
      const sl0 = load1();
      const signals = await bounded({ count: bounds.signals.count, timeMs: bounds.signals.timeMs }, async (i) => {
        const campaignId = pool[i % pool.length] as string;
        const arrival = arrivals.waitFor(
          (e) => e.data.campaignId === campaignId && e.data.type === 'note-added',
          bounds.eventTimeoutMs,
          `note-added of ${campaignId}`,
        );
        const s = performance.now();
        try {
          await campaigns.signal(campaignId, { type: 'note', text: `bench signal ${i}` }, staffCaller);
        } catch (err) {
          arrival.catch(() => undefined);
          throw err;
        }
        rpc.push(performance.now() - s);
        toEvent.push((await arrival) - s);
      });
      result.signals = {
        completed: signals.completed,
        failed: signals.failed,
        ...(signals.firstError ? { firstError: signals.firstError } : {}),
        stoppedBy: signals.stoppedBy,
        elapsedMs: Math.round(signals.elapsedMs),
        signalRpcMs: roundSummary(summarize(rpc)),
        eventAfterSendMs: roundSummary(summarize(toEvent)),
        load1: [sl0, load1()],
      };
      say(
        `signal RPC p50 ${formatMs(result.signals.signalRpcMs.p50)} p99 ${formatMs(result.signals.signalRpcMs.p99)}; ` +
          `signal -> event at consumer p50 ${formatMs(result.signals.eventAfterSendMs.p50)} p99 ${formatMs(result.signals.eventAfterSendMs.p99)} (n=${rpc.length})`,
      );
      arrivals.clear();
    }

    // 5. Worker memory per cached workflow: a fresh worker on its own task queue.
    if (options.withMemory) {
      const memQueue = `bench-${mode}-memory`;
      const mem = await startEngineProcess({
        env: engineEnv(memQueue),
        bundlePath: options.bundlePath,
        logFile: join(runDir, 'engine-worker-memory.log'),
      });
      cleanups.push(() => mem.stop());
      const memCampaigns = new CampaignClient({ client, taskQueue: memQueue, templates: options.templates });
      const memQuiet = async () => {
        await settle(
          async () => {
            const [info, status] = await Promise.all([jsm.streams.info(config.EVENTS_STREAM), mem.status()]);
            return [info.state.messages, status.numInFlightActivities, status.numInFlightWorkflowActivations];
          },
          { timeoutMs: bounds.settleTimeoutMs, intervalMs: 300, stableFor: 2 },
        );
      };
      const point = async (): Promise<MemoryPoint> => {
        await memQuiet();
        const s = await mem.status(true);
        const tRss = procRssBytes(temporal.process.pid);
        return {
          cachedWorkflows: s.numCachedWorkflows,
          workerRssMB: mb(s.rssBytes),
          workerHeapUsedMB: mb(s.heapUsedBytes),
          ...(tRss !== undefined ? { temporalRssMB: mb(tRss) } : {}),
        };
      };
      // Warm-up: the workflow thread, its V8 context and the first campaigns.
      await bounded({ count: 20, timeMs: 30_000, concurrency: 4 }, async (i) => {
        await memCampaigns.start(startBody(`bench-${mode}-memwarm-${i}`, i), leadCaller);
      });
      const points: MemoryPoint[] = [await point()];
      say(`memory: ${points[0]?.cachedWorkflows} cached, worker RSS ${points[0]?.workerRssMB} MB`);
      const perStep = Math.ceil(bounds.memory.count / bounds.memory.steps);
      const deadline = performance.now() + bounds.memory.timeMs;
      let started = 0;
      let failed = 0;
      let firstError: string | undefined;
      let stoppedBy: LoopOutcome['stoppedBy'] = 'count';
      for (let step = 0; step < bounds.memory.steps; step++) {
        const left = deadline - performance.now();
        if (left <= 0) {
          stoppedBy = 'time';
          break;
        }
        const base = started + failed;
        const outcome = await bounded({ count: perStep, timeMs: left, concurrency: bounds.memory.concurrency }, async (i) => {
          await memCampaigns.start(startBody(`bench-${mode}-mem-${base + i}`, i), leadCaller);
        });
        started += outcome.completed;
        failed += outcome.failed;
        firstError ??= outcome.firstError;
        if (outcome.stoppedBy === 'time') stoppedBy = 'time';
        const p = await point();
        points.push(p);
        say(
          `memory: ${p.cachedWorkflows} cached, worker RSS ${p.workerRssMB} MB, heap ${p.workerHeapUsedMB} MB, temporal RSS ${p.temporalRssMB ?? '-'} MB`,
        );
        if (outcome.stoppedBy === 'time') break;
      }
      const xs = points.map((p) => p.cachedWorkflows);
      const fit = (ys: number[]) => {
        const f = linearFit(xs, ys);
        return f ? roundSig(f.slope, 3) : undefined;
      };
      const first = points[0] as MemoryPoint;
      const last = points[points.length - 1] as MemoryPoint;
      const added = last.cachedWorkflows - first.cachedWorkflows;
      const rssSlope = fit(points.map((p) => p.workerRssMB));
      const heapSlope = fit(points.map((p) => p.workerHeapUsedMB));
      const temporalSlope = points.every((p) => p.temporalRssMB !== undefined)
        ? fit(points.map((p) => p.temporalRssMB as number))
        : undefined;
      result.memory = {
        started,
        failed,
        ...(firstError ? { firstError } : {}),
        stoppedBy,
        points,
        ...(rssSlope !== undefined ? { workerRssMBPerWorkflow: rssSlope } : {}),
        ...(heapSlope !== undefined ? { workerHeapMBPerWorkflow: heapSlope } : {}),
        ...(temporalSlope !== undefined ? { temporalRssMBPerWorkflow: temporalSlope } : {}),
        ...(added > 0 ? { workerRssMBPerWorkflowEndToEnd: roundSig((last.workerRssMB - first.workerRssMB) / added, 3) } : {}),
        maxCachedWorkflowsDefault: 'SDK default: max(10, floor((heap limit MiB - 200) * 600 / 1024)) with reuseV8Context',
      };
      say(
        `memory: worker RSS ${result.memory.workerRssMBPerWorkflow ?? '-'} MB per cached workflow (slope over ${points.length} points; ` +
          `end-to-end ${result.memory.workerRssMBPerWorkflowEndToEnd ?? '-'}), temporal server ${result.memory.temporalRssMBPerWorkflow ?? '-'} MB per workflow`,
      );
    }

    // 7. Views at scale: a fresh engine worker (default cache) on its own task queue, so only these campaigns are listed.
    if (options.views) {
      const viewsQueue = `bench-${mode}-views`;
      const viewsEngine = await startEngineProcess({
        env: engineEnv(viewsQueue),
        bundlePath: options.bundlePath,
        logFile: join(runDir, 'engine-worker-views.log'),
      });
      cleanups.push(() => viewsEngine.stop());
      result.views = await runViewsBench({
        client,
        campaigns: new CampaignClient({ client, taskQueue: viewsQueue, templates: options.templates }),
        taskQueue: viewsQueue,
        bounds: options.views,
        say,
      });
    }

    result.sqliteFilesSeen = [...sqliteFiles].sort();
    return result;
  } finally {
    for (const undo of cleanups.reverse()) {
      try {
        await undo();
      } catch {
        /* best effort */
      }
    }
  }
}
