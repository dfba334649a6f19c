import { jetstreamManager } from '@nats-io/jetstream';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { CampaignClient, type CampaignClientDeps } from '../../clients/campaign-client.js';
import { ensureEventStream } from '../../infra/events-stream.js';
import type { NatsConnection } from '../../infra/nats.js';
import type { Config } from '../../shared/config.js';
import type { Template } from '../../shared/template/validate.js';
import { createEngineWorker } from '../../workers/engine-worker.js';
import { isolatedEventsConfig, uniqueId } from './ids.js';
import { testLogger } from './logger.js';
import { loadWorkflowBundle } from './temporal.js';

/** A template lookup over a fixed list, newest version first when none is asked for. */
export function lookupOf(templates: Template[]) {
  return {
    findTemplate(id: string, version?: number): Template | undefined {
      return templates
        .filter((t) => t.id === id && (version === undefined || t.version === version))
        .sort((a, b) => b.version - a.version)[0];
    },
    allTemplates: () => templates,
  };
}

export interface TestEngine {
  config: Config;
  worker: Worker;
  campaigns: CampaignClient;
  /** Runs `fn` while the worker runs, failing fast if the worker dies. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Shuts the worker down and waits for it. */
  stop(): Promise<void>;
}

/**
 * An engine worker on its own task queue, publishing to its own stream and subject prefix, so test
 * files never see each other's campaigns or events.
 */
export async function createTestEngine(options: {
  client: Client;
  connection: NativeConnection;
  nc: NatsConnection;
  templates: Template[];
  now?: () => number;
  /** Reuse another engine's task queue and stream (a restarted worker); default: fresh ones. */
  config?: Config;
  /** The facade's per-campaign query timeout and Temporal UI links (CAMPAIGN_QUERY_TIMEOUT_MS, TEMPORAL_UI_URL). */
  facade?: Pick<CampaignClientDeps, 'queryTimeoutMs' | 'workflowUrl'>;
}): Promise<TestEngine> {
  const config = options.config ?? isolatedEventsConfig({ TEMPORAL_TASK_QUEUE: uniqueId('campaigns') });
  const logger = testLogger('engine');
  await ensureEventStream(await jetstreamManager(options.nc), config, logger);
  const templates = lookupOf(options.templates);
  const worker = await createEngineWorker({
    config,
    logger,
    connection: options.connection,
    client: options.client,
    nc: options.nc,
    templates,
    workflowBundle: await loadWorkflowBundle(),
  });
  const campaigns = new CampaignClient({
    client: options.client,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    templates,
    ...(options.now ? { now: options.now } : {}),
    ...options.facade,
  });
  // One worker for the whole test file: a Worker can run only once.
  const running = worker.run();
  const died = running.then(() => {
    throw new Error('the engine worker stopped');
  });
  died.catch(() => undefined);
  return {
    config,
    worker,
    campaigns,
    run: (fn) => Promise.race([fn(), died]),
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
