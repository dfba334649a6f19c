import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProvidedContext } from 'vitest';
import type { TestProject } from 'vitest/node';
import {
  repoRoot,
  resolveNatsServer,
  resolveTemporalCli,
  resolveTestServerLauncher,
  startNatsServer,
  startTemporalDevServer,
  type NatsServer,
  type TemporalDevServer,
} from '../infra/servers/index.js';
import './support/provided.js';

/**
 * Global setup of the `integration` and `e2e` projects: real servers on free ports, shared by all test
 * files of both.
 * - Temporal dev server (in memory, headless, campaign search attributes), unless TEST_TEMPORAL_ADDRESS;
 * - nats-server with JetStream (file store in a scratch directory), unless TEST_NATS_URL;
 * - the time-skipping test server's launcher path (each test file starts its own test server through
 *   the SDK, since time skipping is global to a server);
 * - the bundle of workflows/index.ts, built once.
 * A missing binary fails the run with a message naming scripts/provision.sh; nothing is skipped.
 * Vitest calls a global setup once per project: when both projects run, the second call gets the servers
 * the first one started, and the last teardown stops them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const holder = globalThis as { [sharedKey]?: Promise<SharedServers> };
  holder[sharedKey] ??= startServers();
  const shared = await holder[sharedKey];
  shared.users += 1;
  const give = <K extends keyof ProvidedContext>(key: K) => project.provide(key, shared.provided[key]);
  (Object.keys(shared.provided) as (keyof ProvidedContext)[]).forEach(give);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete holder[sharedKey];
    await shared.stop();
  };
}

/** The servers of one run, with what the tests read through `inject` and how many projects use them. */
interface SharedServers {
  provided: ProvidedContext;
  users: number;
  stop(): Promise<void>;
}

// On globalThis, not in this module: each project loads the setup file through its own module runner.
const sharedKey = Symbol.for('advocacy-engine.test-servers');

async function startServers(): Promise<SharedServers> {
  const started = Date.now();
  const log = (msg: string) => process.stderr.write(`[global-setup] ${msg}\n`);

  // Resolve every binary first: a missing one fails fast with the provisioning hint.
  const testServerLauncher = resolveTestServerLauncher();
  const temporalAddressFromEnv = process.env.TEST_TEMPORAL_ADDRESS;
  const natsUrlFromEnv = process.env.TEST_NATS_URL;
  if (!temporalAddressFromEnv) resolveTemporalCli();
  if (!natsUrlFromEnv) resolveNatsServer();
  const runDir = mkdtempSync(join(tmpdir(), 'advocacy-test-'));

  let temporal: TemporalDevServer | undefined;
  let nats: NatsServer | undefined;
  const teardown = async () => {
    await Promise.allSettled([temporal?.stop(), nats?.stop()]);
    if (!process.env.KEEP_TEST_RUN_DIR) rmSync(runDir, { recursive: true, force: true });
  };

  try {
    const workflowsIndex = join(repoRoot, 'workflows', 'index.ts');
    const [temporalResult, natsResult, bundlePath] = await Promise.all([
      temporalAddressFromEnv ? undefined : startTemporalDevServer({ logDir: join(runDir, 'logs'), uiPort: false, startTimeoutMs: 90_000 }),
      natsUrlFromEnv ? undefined : startNatsServer({ storeDir: join(runDir, 'nats'), logDir: join(runDir, 'logs') }),
      existsSync(workflowsIndex)
        ? bundleWorkflowCode({ workflowsPath: workflowsIndex, logger: new DefaultLogger('WARN') }).then(({ code }) => {
            const path = join(runDir, 'workflow-bundle.js');
            writeFileSync(path, code);
            return path;
          })
        : null,
    ]);
    temporal = temporalResult;
    nats = natsResult;

    const temporalAddress = temporal?.address ?? temporalAddressFromEnv!;
    const natsUrl = nats?.url ?? natsUrlFromEnv!;
    const provided: ProvidedContext = {
      temporalAddress,
      temporalNamespace: process.env.TEST_TEMPORAL_NAMESPACE ?? 'default',
      natsUrl,
      testServerLauncher,
      workflowBundlePath: bundlePath,
      runDir,
    };
    log(
      `Temporal ${temporalAddress}${temporal ? '' : ' (TEST_TEMPORAL_ADDRESS)'}, ` +
        `NATS ${natsUrl}${nats ? '' : ' (TEST_NATS_URL)'}, ` +
        `workflow bundle ${bundlePath ? 'built' : 'skipped (no workflows/index.ts)'}; ready in ${Date.now() - started} ms`,
    );
    return { provided, users: 0, stop: teardown };
  } catch (err) {
    await teardown();
    throw err;
  }
}
