import { CampaignClient } from '../clients/campaign-client.js';
import { ApiKeyStore } from '../infra/api-keys.js';
import { loadConfigOrExit, orExitOnConfigError } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { loadTemplates } from '../infra/templates.js';
import { apiKeysFile, temporalUiUrl, temporalWorkflowUrl } from '../shared/config.js';
import { buildApp } from './app.js';
import { checkTemporal, connectTemporalForApi } from './temporal.js';

/**
 * The HTTP API and dashboard process (`tsx api/server.ts`): loads the configuration once, connects to
 * Temporal, loads the templates, listens, and on SIGINT/SIGTERM stops taking requests, lets the ones in
 * flight finish and closes the Temporal connection.
 */
const config = loadConfigOrExit();
const logger = createLogger('api', config.LOG_LEVEL);

const templates = await loadTemplates({ extraDirs: config.TEMPLATES_DIR ? [config.TEMPLATES_DIR] : [] }).catch((err: unknown) => {
  logger.fatal({ err }, 'templates failed to load; fix the files named above');
  process.exit(78);
});

// Lazy: the API starts (and /healthz answers) while Temporal is down; /readyz and writes say 503 until it is up.
const { connection, client } = orExitOnConfigError(() => connectTemporalForApi(config));
const campaigns = new CampaignClient({
  client,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  templates,
  queryTimeoutMs: config.CAMPAIGN_QUERY_TIMEOUT_MS,
  workflowUrl: (id) => temporalWorkflowUrl(config, id),
});
const keys = new ApiKeyStore(apiKeysFile(config));
const existing = await keys.list().catch((err: unknown) => {
  logger.fatal({ err }, 'cannot read the API key file');
  process.exit(78);
});
if (existing.length === 0)
  logger.warn({ file: keys.path }, 'no API keys yet: create one with `advocacy keys create --role programme-lead --label <name>`');
if (!config.API_SESSION_SECRET) logger.info('API_SESSION_SECRET is not set: dashboard sessions end when the API restarts');

const app = await buildApp({
  campaigns,
  templates,
  keys,
  config,
  logger,
  checkTemporal: () => checkTemporal(connection),
});

let closing = false;
const shutdown = (signal: string) => {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'stopping: finishing requests in flight');
  const force = setTimeout(() => {
    logger.error('requests did not finish within 10 s; exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  void app
    .close()
    .then(() => connection.close())
    .then(() => {
      logger.info('API stopped');
      process.exit(0);
    })
    .catch((err: unknown) => {
      logger.error({ err }, 'error while stopping');
      process.exit(1);
    });
};
process.once('SIGINT', () => shutdown('SIGINT'));
process.once('SIGTERM', () => shutdown('SIGTERM'));

try {
  await app.listen({ host: config.API_HOST, port: config.API_PORT });
} catch (err) {
  logger.fatal({ err, host: config.API_HOST, port: config.API_PORT }, 'cannot listen; is API_PORT taken?');
  process.exit(69);
}
logger.info(
  {
    url: `http://${config.API_HOST}:${config.API_PORT}`,
    docs: '/docs',
    dashboard: '/ui',
    temporal: config.TEMPORAL_ADDRESS,
    temporalUi: temporalUiUrl(config),
    keys: keys.path,
  },
  'HTTP API listening',
);
