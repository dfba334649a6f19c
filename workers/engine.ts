import { loadConfigOrExit, orExitOnConfigError } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { dataConverterFor } from '../infra/payload-codec.js';
import { installTemporalRuntime } from '../infra/temporal-runtime.js';
import { openEngineRuntime, TemporalUnreachableError } from './engine-runtime.js';

/**
 * The engine worker process (`npm run worker`): campaign workflows and their activities. It starts
 * even while NATS is down; events wait in each campaign's outbox and go out when NATS is back.
 */
const config = loadConfigOrExit();
// No payload keys, no start: nothing may reach Temporal unencrypted.
orExitOnConfigError(() => dataConverterFor(config));
const logger = createLogger('engine-worker', config.LOG_LEVEL);
installTemporalRuntime(logger);

const runtime = await openEngineRuntime({ config, logger, name: 'engine-worker' }).catch((err: unknown) => {
  if (!(err instanceof TemporalUnreachableError)) throw err;
  logger.fatal({ err, address: config.TEMPORAL_ADDRESS }, 'cannot reach Temporal; start it (npm run dev) or set TEMPORAL_ADDRESS');
  process.exit(69);
});
logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'engine worker running');
try {
  await runtime.worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks finish
} finally {
  await runtime.close();
  logger.info('engine worker stopped');
}
// A NATS connection never reached keeps trying to connect; nothing is left to do.
process.exit(0);
