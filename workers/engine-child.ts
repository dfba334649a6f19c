/**
 * The engine worker in a process of its own, driven by a parent (workers/engine-process.ts) over an IPC
 * channel: the benchmark runs it so its CPU and memory are its own, the fault run of the tests so it can
 * be crashed (SIGKILL) with work in flight. `createEngineWorker` with default worker options (default
 * workflow cache, `reuseV8Context`), the built-in templates and those of TEMPLATES_DIR, connected as
 * workers/engine.ts is (workers/engine-runtime.ts).
 *   parent -> child: { type: 'status', gc?: boolean } | { type: 'stop' }
 *   child -> parent: { type: 'ready' } | { type: 'status', ... } | { type: 'stopped' } | { type: 'error', message }
 * Environment: the engine's configuration variables plus ENGINE_WORKFLOW_BUNDLE, the path of a prebuilt
 * workflow bundle (without it the workflows are bundled at start, which takes seconds).
 * The child exits when the parent goes away (IPC disconnect), so it never outlives a run.
 */
import { readFile } from 'node:fs/promises';
import { createLogger } from '../infra/logger.js';
import { installTemporalRuntime } from '../infra/temporal-runtime.js';
import { parseConfig } from '../shared/config.js';
import { openEngineRuntime } from './engine-runtime.js';

export interface ChildStatus {
  type: 'status';
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  numCachedWorkflows: number;
  numInFlightActivities: number;
  numInFlightWorkflowActivations: number;
  workerState: string;
}

export type ParentMessage = { type: 'status'; gc?: boolean } | { type: 'stop' };
export type ChildMessage = { type: 'ready' } | ChildStatus | { type: 'stopped' } | { type: 'error'; message: string };

const send = (message: ChildMessage) => process.send?.(message);

process.on('disconnect', () => process.exit(0));

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const bundlePath = process.env.ENGINE_WORKFLOW_BUNDLE;
  const logger = createLogger('engine-worker', config.LOG_LEVEL);
  installTemporalRuntime(logger);
  // As workers/engine.ts: a worker (re)started during a NATS outage serves commands meanwhile.
  const runtime = await openEngineRuntime({
    config,
    logger,
    name: 'engine-worker',
    ...(bundlePath ? { workflowBundle: { code: await readFile(bundlePath, 'utf8') } } : {}),
  });
  const { worker } = runtime;

  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (raw: ParentMessage) => {
    if (raw.type === 'status') {
      if (raw.gc && gc) {
        gc();
        gc();
      }
      const mem = process.memoryUsage();
      const cpu = process.cpuUsage();
      const status = worker.getStatus();
      send({
        type: 'status',
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        externalBytes: mem.external,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        numCachedWorkflows: status.numCachedWorkflows,
        numInFlightActivities: status.numInFlightActivities,
        numInFlightWorkflowActivations: status.numInFlightWorkflowActivations,
        workerState: status.runState,
      });
    } else if (raw.type === 'stop') {
      worker.shutdown();
    }
  });

  const running = worker.run();
  send({ type: 'ready' });
  try {
    await running;
  } finally {
    await runtime.close();
  }
  send({ type: 'stopped' });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  },
);
