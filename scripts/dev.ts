/**
 * The dev stack, one command (`npm run dev`, after scripts/provision.sh):
 *   Temporal dev server (SQLite in $DATA_DIR/temporal.sqlite, Web UI, campaign search attributes),
 *   nats-server with JetStream (file store in $DATA_DIR/nats),
 *   the engine worker (workers/engine.ts) and, when present, the HTTP API (api/server.ts),
 * each waited on until healthy; then the URLs, then the demo (scripts/demo.ts `runDemo`).
 * Workflow payloads are encrypted with a key kept in $DATA_DIR/payload-keys (made on the first run,
 * reused after; PAYLOAD_KEYS or PAYLOAD_KEYS_FILE in the environment take its place), and the Web UI
 * decodes them through the API's codec endpoint (README "Payload encryption").
 * Ctrl-C (SIGINT) or SIGTERM stops everything in order: API, worker, then the servers.
 * DEV_EXIT_AFTER_DEMO=1 stops after the demo, exiting 0 if it passed and 1 if not.
 */
import { Connection } from '@temporalio/client';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfigOrExit } from '../infra/config.js';
import { createLogger, type Logger } from '../infra/logger.js';
import { generatePayloadKey, payloadKeyringFor } from '../infra/payload-keys.js';
import { temporalConnectionOptions } from '../infra/temporal-connection.js';
import {
  PortInUseError,
  assertPortFree,
  freePort,
  repoRoot,
  spawnManaged,
  startNatsServer,
  startTemporalDevServer,
  waitUntil,
  type ManagedProcess,
  type NatsServer,
  type TemporalDevServer,
} from '../infra/servers/index.js';
import { parseConfig, type Config } from '../shared/config.js';
import { problemList } from '../shared/validation.js';

type RunDemo = (config: Config, logger: Logger) => Promise<unknown>;

const HOST = '127.0.0.1';
const exitAfterDemo = process.env.DEV_EXIT_AFTER_DEMO === '1' || process.env.DEV_EXIT_AFTER_DEMO === 'true';

const config = loadConfigOrExit();
const logger = createLogger('dev', config.LOG_LEVEL);
const dataDir = isAbsolute(config.DATA_DIR) ? config.DATA_DIR : resolve(repoRoot, config.DATA_DIR);
const logDir = join(dataDir, 'logs');

let temporal: TemporalDevServer | undefined;
let nats: NatsServer | undefined;
const children: ManagedProcess[] = [];
let stopping: Promise<void> | undefined;

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function checkPorts(): Promise<void> {
  const wanted: [number, string, string][] = [
    [config.TEMPORAL_PORT, 'Temporal gRPC', 'TEMPORAL_PORT'],
    [config.TEMPORAL_UI_PORT, 'Temporal Web UI', 'TEMPORAL_UI_PORT'],
    [config.NATS_PORT, 'NATS client', 'NATS_PORT'],
  ];
  wanted.push([config.API_PORT, 'HTTP API', 'API_PORT']);
  const problems: string[] = [];
  const seen = new Map<number, string>();
  for (const [port, what, envVar] of wanted) {
    const other = seen.get(port);
    if (other) {
      problems.push(`Port ${port} is set for both ${other} and ${what}; give ${envVar} another value.`);
      continue;
    }
    seen.set(port, envVar);
    try {
      await assertPortFree(port, what, envVar, HOST);
    } catch (err) {
      if (err instanceof PortInUseError) problems.push(err.message);
      else throw err;
    }
  }
  if (problems.length) {
    throw new Error(problemList('Cannot start the dev stack', problems));
  }
}

/**
 * Starts a TypeScript entry point like `tsx <entry>` (as `node --import tsx <entry>`, so signals reach the
 * program itself); its output goes to this terminal.
 */
function startNode(name: string, entry: string, env: NodeJS.ProcessEnv): ManagedProcess {
  const child = spawnManaged({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', entry],
    env,
    cwd: repoRoot,
    output: 'inherit',
    logFile: '',
  });
  children.push(child);
  void child.exited.then((info) => {
    if (!stopping) {
      logger.error({ process: name, ...info }, `${name} exited unexpectedly; stopping the dev stack`);
      void shutdown(1);
    }
  });
  return child;
}

async function waitForWorker(worker: ManagedProcess, stackConfig: Config): Promise<void> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(stackConfig) });
  try {
    await waitUntil(
      async () => {
        const res = await connection.workflowService.describeTaskQueue({
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
          taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
        });
        return (res.pollers?.length ?? 0) > 0;
      },
      { timeoutMs: 120_000, intervalMs: 500, process: worker, what: `engine worker (task queue ${config.TEMPORAL_TASK_QUEUE})` },
    );
  } finally {
    await connection.close();
  }
}

async function waitForApi(api: ManagedProcess): Promise<void> {
  await waitUntil(
    async () => {
      const res = await fetch(`http://${config.API_HOST}:${config.API_PORT}/`, { signal: AbortSignal.timeout(1_000) });
      await res.body?.cancel();
      return true; // any HTTP answer means it listens
    },
    { timeoutMs: 60_000, intervalMs: 250, process: api, what: `HTTP API on ${config.API_HOST}:${config.API_PORT}` },
  );
}

async function loadDemo(): Promise<RunDemo | undefined> {
  const path = join(repoRoot, 'scripts', 'demo.ts');
  if (!existsSync(path)) return undefined;
  const mod = (await import(pathToFileURL(path).href)) as { runDemo?: unknown };
  return typeof mod.runDemo === 'function' ? (mod.runDemo as RunDemo) : undefined;
}

/**
 * The stack's payload keys: those of the environment, else the key file in the data directory, made
 * once (readable by this user only) and reused, so the histories of earlier runs stay readable.
 */
function devPayloadKeys(): Record<string, string> {
  if (config.PAYLOAD_KEYS !== undefined || config.PAYLOAD_KEYS_FILE !== undefined) return {};
  const file = join(dataDir, 'payload-keys');
  if (!existsSync(file)) {
    writeFileSync(
      file,
      `# Payload-encryption keys of the dev stack (README "Payload encryption"). Keep this file secret.\n${generatePayloadKey('dev-1')}\n`,
      {
        flag: 'wx',
        mode: 0o600,
      },
    );
    logger.info({ file }, 'made a payload-encryption key for the dev stack; later runs reuse it');
  }
  return { PAYLOAD_KEYS_FILE: file };
}

/**
 * The command bridge's senders: those of the environment, else one sender `dev` (a programme lead for
 * every country), so `nats req advocacy.commands.dev.<campaign>.note '{...}'` works on the dev stack,
 * whose NATS has no users or permissions. Deployments pin each token to a NATS user (docs/nats-permissions.md).
 */
function devCommandSenders(): Record<string, string> {
  if (config.COMMANDS_SENDERS_FILE !== undefined) return {};
  const file = join(dataDir, 'command-senders.yaml');
  if (!existsSync(file))
    writeFileSync(
      file,
      '# NATS command senders of the dev stack (docs/nats-permissions.md). Commands go to\n' +
        '# advocacy.commands.dev.<campaignId>.<type> and act as nats:dev.\n' +
        'senders:\n  dev:\n    label: dev stack\n    role: programme-lead\n',
      { flag: 'wx' },
    );
  return { COMMANDS_SENDERS_FILE: file };
}

async function shutdown(code: number): Promise<void> {
  stopping ??= (async () => {
    say();
    logger.info('stopping the dev stack');
    // Clients first (API, worker), then the servers they use.
    for (const child of [...children].reverse()) {
      await child.stop({ signal: 'SIGTERM', graceMs: 15_000 });
    }
    await Promise.allSettled([temporal?.stop(), nats?.stop()]);
    logger.info('dev stack stopped');
  })();
  await stopping;
  process.exit(code);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  mkdirSync(logDir, { recursive: true });
  await checkPorts();
  const payloadKeys = devPayloadKeys();
  const commandSenders = devCommandSenders();
  // The Web UI asks the API to decode payloads; the browser reaches both on loopback.
  const browserHost = ['0.0.0.0', '::'].includes(config.API_HOST) ? HOST : config.API_HOST;
  const codecEndpoint = `http://${browserHost}:${config.API_PORT}/codec`;

  const natsArgs: string[] = [];
  if (config.NATS_TOKEN) natsArgs.push('--auth', config.NATS_TOKEN);
  else if (config.NATS_USER) natsArgs.push('--user', config.NATS_USER, '--pass', config.NATS_PASSWORD ?? '');

  logger.info({ dataDir }, 'starting Temporal dev server and nats-server');
  const [temporalResult, natsResult] = await Promise.allSettled([
    startTemporalDevServer({
      logDir,
      ip: HOST,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFilename: join(dataDir, 'temporal.sqlite'),
      namespace: config.TEMPORAL_NAMESPACE,
      uiCodecEndpoint: codecEndpoint,
    }),
    startNatsServer({
      storeDir: join(dataDir, 'nats'),
      logDir,
      host: HOST,
      port: config.NATS_PORT,
      monitorPort: await freePort(HOST),
      extraArgs: natsArgs,
    }),
  ]);
  if (temporalResult.status === 'fulfilled') temporal = temporalResult.value;
  if (natsResult.status === 'fulfilled') nats = natsResult.value;
  for (const r of [temporalResult, natsResult]) if (r.status === 'rejected') throw r.reason;
  const temporalServer = temporal!;
  const natsServer = nats!;
  logger.info({ ms: Date.now() - t0 }, 'Temporal and NATS are healthy');

  // The processes the stack starts use the servers it started.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: temporalServer.address,
    NATS_URL: natsServer.url,
    DATA_DIR: dataDir,
    ...payloadKeys,
    ...commandSenders,
    // The Web UI's page calls the codec endpoint from its own origin (either name of loopback).
    API_CODEC_ORIGINS:
      process.env.API_CODEC_ORIGINS ?? `http://${HOST}:${config.TEMPORAL_UI_PORT},http://localhost:${config.TEMPORAL_UI_PORT}`,
  };
  for (const [name, value] of [
    ['TEMPORAL_ADDRESS', temporalServer.address],
    ['NATS_URL', natsServer.url],
  ] as const) {
    if (process.env[name] && process.env[name] !== value) {
      logger.warn(`${name}=${process.env[name]} is replaced by ${value} for the processes of the dev stack`);
    }
  }
  const stackConfig = parseConfig(env);
  payloadKeyringFor(stackConfig); // a bad key file stops the stack here, naming it

  logger.info('starting the engine worker (tsx workers/engine.ts)');
  const worker = startNode('engine worker', join(repoRoot, 'workers', 'engine.ts'), env);
  await waitForWorker(worker, stackConfig);
  // The notifier (events -> webhooks and log) and the bridge (NATS commands -> campaign updates).
  for (const [name, file] of [
    ['notifier', 'notifier.ts'],
    ['command bridge', 'bridge.ts'],
  ] as const) {
    logger.info(`starting the ${name} (tsx workers/${file})`);
    startNode(name, join(repoRoot, 'workers', file), env);
  }
  logger.info('starting the HTTP API (tsx api/server.ts)');
  const api = startNode('HTTP API', join(repoRoot, 'api', 'server.ts'), env);
  await waitForApi(api);
  const apiUrl = `http://${config.API_HOST}:${config.API_PORT}`;

  say();
  say(`Advocacy engine dev stack is up (${((Date.now() - t0) / 1000).toFixed(1)} s):`);
  say(`  Temporal gRPC    ${temporalServer.address}   (namespace ${config.TEMPORAL_NAMESPACE})`);
  say(
    `  Temporal Web UI  ${temporalServer.uiUrl ?? '(headless)'}   (payloads encrypted; decoded via ${codecEndpoint} for a signed-in system key)`,
  );
  say(`  NATS             ${natsServer.url}   (JetStream; monitoring http://${HOST}:${natsServer.monitorPort})`);
  say(`  Engine worker    polling task queue ${config.TEMPORAL_TASK_QUEUE} (pid ${worker.pid}); notifier and command bridge running`);
  say(`  HTTP API         ${apiUrl}   (docs ${apiUrl}/docs, dashboard ${apiUrl}/ui)`);
  say(
    `  Data             ${relative(process.cwd(), dataDir) || '.'}  (logs in ${relative(process.cwd(), logDir)}; payload keys: ${stackConfig.PAYLOAD_KEYS_FILE ?? 'PAYLOAD_KEYS'})`,
  );
  say();

  const runDemo = await loadDemo();
  let demoOk = true;
  if (runDemo) {
    try {
      await runDemo(stackConfig, logger.child({ component: 'demo' }));
      say('Demo finished.');
    } catch (err) {
      demoOk = false;
      logger.error({ err }, 'demo failed');
    }
  }
  if (exitAfterDemo) {
    await shutdown(demoOk ? 0 : 1);
    return;
  }
  say('Press Ctrl-C to stop.');
}

process.on('SIGINT', () => {
  if (stopping) {
    process.stderr.write('forced stop\n');
    process.exit(130);
  }
  void shutdown(0);
});
process.on('SIGTERM', () => void shutdown(0));

main().catch(async (err: unknown) => {
  process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
  await shutdown(1);
});
