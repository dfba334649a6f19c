import { jetstreamManager } from '@nats-io/jetstream';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit, orExitOnConfigError } from '../infra/config.js';
import { ensureEventStream } from '../infra/events-stream.js';
import { createLogger } from '../infra/logger.js';
import { connectNats } from '../infra/nats.js';
import { dataConverterFor } from '../infra/payload-codec.js';
import { installTemporalRuntime } from '../infra/temporal-runtime.js';
import { loadTemplates } from '../infra/templates.js';
import { createEngineWorker } from './engine-worker.js';

/**
 * The engine worker process (`npm run worker`): campaign workflows and their activities. It starts
 * even while NATS is down; events wait in each campaign's outbox and go out when NATS is back.
 */
const config = loadConfigOrExit();
// No payload keys, no start: nothing may reach Temporal unencrypted.
const dataConverter = orExitOnConfigError(() => dataConverterFor(config));
const logger = createLogger('engine-worker', config.LOG_LEVEL);
installTemporalRuntime(logger);

const templates = await loadTemplates({ extraDirs: config.TEMPLATES_DIR ? [config.TEMPLATES_DIR] : [] });
logger.info({ templates: templates.listTemplates().map((t) => `${t.id}@${t.version}`) }, 'templates loaded');

const nc = await connectNats(config, { name: 'engine-worker', logger, waitOnFirstConnect: true });
// Creating the stream needs NATS; retry in the background so the worker serves commands meanwhile.
void (async () => {
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await ensureEventStream(await jetstreamManager(nc), config, logger);
      logger.info({ stream: config.EVENTS_STREAM, outcome: outcome.events.outcome }, 'event stream ready');
      return;
    } catch (err) {
      logger.warn({ err, attempt }, 'event stream not ready yet; retrying in 5 s');
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
})();

const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }).catch((err: unknown) => {
  logger.fatal({ err, address: config.TEMPORAL_ADDRESS }, 'cannot reach Temporal; start it (npm run dev) or set TEMPORAL_ADDRESS');
  process.exit(69);
});
const client = new Client({
  connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }),
  namespace: config.TEMPORAL_NAMESPACE,
  dataConverter,
});
const worker = await createEngineWorker({ config, logger, connection, client, nc, templates });
logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'engine worker running');
try {
  await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks finish
} finally {
  await nc.drain().catch(() => undefined);
  await connection.close();
  await client.connection.close();
  logger.info('engine worker stopped');
}
