/**
 * What `npm run dev` shows once the stack is up. This first version only checks that both servers
 * answer; it is meant to be replaced by a demo of a campaign running through the engine.
 * Also runnable against a running stack: `npx tsx scripts/demo.ts`.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Connection } from '@temporalio/client';
import { pathToFileURL } from 'node:url';
import { loadConfigOrExit } from '../infra/config.js';
import { createLogger, type Logger } from '../infra/logger.js';
import type { Config } from '../shared/config.js';

export async function runDemo(config: Config, logger: Logger): Promise<void> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const info = await connection.workflowService.getSystemInfo({});
    const ns = await connection.workflowService.describeNamespace({ namespace: config.TEMPORAL_NAMESPACE });
    logger.info(
      { address: config.TEMPORAL_ADDRESS, serverVersion: info.serverVersion, namespace: ns.namespaceInfo?.name },
      'Temporal answers',
    );
  } finally {
    await connection.close();
  }

  const nc = await connect({
    servers: config.NATS_URL,
    name: 'advocacy-demo',
    ...(config.NATS_TOKEN ? { token: config.NATS_TOKEN } : {}),
    ...(config.NATS_USER ? { user: config.NATS_USER, pass: config.NATS_PASSWORD ?? '' } : {}),
  });
  try {
    const jsm = await jetstreamManager(nc);
    const account = await jsm.getAccountInfo();
    logger.info({ url: config.NATS_URL, server: nc.info?.version, streams: account.streams }, 'NATS JetStream answers');
  } finally {
    await nc.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfigOrExit();
  runDemo(config, createLogger('demo', config.LOG_LEVEL)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
