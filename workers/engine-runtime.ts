import { jetstreamManager } from '@nats-io/jetstream';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { ensureEventStream } from '../infra/events-stream.js';
import type { Logger } from '../infra/logger.js';
import { connectNats, type NatsConnection } from '../infra/nats.js';
import { dataConverterFor } from '../infra/payload-codec.js';
import { temporalConnectionOptions } from '../infra/temporal-connection.js';
import { loadTemplates } from '../infra/templates.js';
import type { Config } from '../shared/config.js';
import { createEngineWorker } from './engine-worker.js';

/**
 * What an engine worker process runs on (`workers/engine.ts`, and `workers/engine-child.ts` for the
 * benchmark and the fault run): the templates, Temporal, and NATS. NATS is connected in the background:
 * a worker started (or restarted after a crash) during a NATS outage polls Temporal and takes commands at
 * once; its events wait in each campaign's outbox, and the publish activity is retried until NATS is back.
 */
export interface EngineRuntime {
  worker: Worker;
  /** Closes the connections; NATS is drained when it was reached, within a bound otherwise. */
  close(): Promise<void>;
}

export class TemporalUnreachableError extends Error {
  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super(`cannot reach Temporal at ${address}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'TemporalUnreachableError';
  }
}

export async function openEngineRuntime(options: {
  config: Config;
  logger: Logger;
  /** The NATS connection's name, shown by the server. */
  name: string;
  workflowBundle?: WorkflowBundle;
}): Promise<EngineRuntime> {
  const { config, logger } = options;
  const templates = await loadTemplates({ extraDirs: config.TEMPLATES_DIR ? [config.TEMPLATES_DIR] : [] });
  logger.info({ templates: templates.listTemplates().map((t) => `${t.id}@${t.version}`) }, 'templates loaded');

  // Not awaited: the first connection waits for NATS as long as it takes, the worker does not.
  const nc = connectNats(config, { name: options.name, logger, waitOnFirstConnect: true });
  nc.catch((err: unknown) => logger.error({ err }, 'NATS connection failed; events are not published'));
  void ensureStreamOnceConnected(nc, config, logger);

  const connection = await NativeConnection.connect({ ...temporalConnectionOptions(config) }).catch((err: unknown) => {
    throw new TemporalUnreachableError(config.TEMPORAL_ADDRESS, err);
  });
  const clientConnection = await Connection.connect({ ...temporalConnectionOptions(config) });
  const client = new Client({
    connection: clientConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterFor(config),
  });
  const worker = await createEngineWorker({
    config,
    logger,
    connection,
    client,
    nc,
    templates,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
  });
  return {
    worker,
    async close() {
      await within(
        nc.then((c) => c.drain()),
        5000,
      ).catch(() => logger.warn('NATS not drained (not reached, or too slow)'));
      await connection.close().catch(() => undefined);
      await clientConnection.close().catch(() => undefined);
    },
  };
}

/** Creating the stream needs NATS; retried in the background so that the worker serves commands meanwhile. */
async function ensureStreamOnceConnected(nc: Promise<NatsConnection>, config: Config, logger: Logger): Promise<void> {
  const connection = await nc.catch(() => undefined);
  if (!connection) return;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await ensureEventStream(await jetstreamManager(connection), config, logger);
      logger.info({ stream: config.EVENTS_STREAM, outcome: outcome.events.outcome }, 'event stream ready');
      return;
    } catch (err) {
      if (connection.isClosed()) return;
      logger.warn({ err, attempt }, 'event stream not ready yet; retrying in 5 s');
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
