import { jetstream } from '@nats-io/jetstream';
import { Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { createInformActivities } from '../activities/inform-campaigns.js';
import { createPublishActivities } from '../activities/publish-event.js';
import { createTemplateActivities, type TemplateLookup } from '../activities/resolve-template.js';
import type { NatsConnection } from '../infra/nats.js';
import type { Logger } from '../infra/logger.js';
import { dataConverterFor } from '../infra/payload-codec.js';
import type { CampaignActivities } from '../shared/campaign/activities.js';
import type { Config } from '../shared/config.js';

export interface EngineWorkerDeps {
  config: Config;
  logger: Logger;
  connection: NativeConnection;
  /** For activities that talk to other campaigns. */
  client: Client;
  /** NATS, or the promise of the first connection to it: the worker polls Temporal without waiting for it. */
  nc: NatsConnection | Promise<NatsConnection>;
  templates: TemplateLookup;
  /** A prebuilt bundle (tests build one per run); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkflowBundle;
}

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * The engine worker: runs campaign workflows and their activities on the configured task queue, with
 * payloads encrypted by the configuration's keys (throws a ConfigError without them).
 */
export async function createEngineWorker(deps: EngineWorkerDeps): Promise<Worker> {
  const { config, logger } = deps;
  const activities: CampaignActivities = {
    ...createPublishActivities({
      js: deps.nc instanceof Promise ? deps.nc.then((nc) => jetstream(nc)) : jetstream(deps.nc),
      config,
      logger,
    }),
    ...createTemplateActivities(deps.templates),
    ...createInformActivities({ client: deps.client, taskQueue: config.TEMPORAL_TASK_QUEUE, logger }),
  };
  return Worker.create({
    connection: deps.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter: dataConverterFor(config),
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath }),
    activities,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  });
}
