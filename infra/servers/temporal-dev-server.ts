import { Connection } from '@temporalio/client';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { campaignSearchAttributes, searchAttributeFlags } from '../../shared/search-attributes.js';
import { resolveTemporalCli } from './binaries.js';
import { freePort } from './ports.js';
import { spawnManaged, waitUntil, type ManagedProcess } from './process.js';

export interface TemporalDevServerOptions {
  /** Directory for the log file (`temporal-<port>.log`). */
  logDir: string;
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; `false` runs headless. Default: a free port. */
  uiPort?: number | false;
  /** The Web UI's remote codec endpoint (`--ui-codec-endpoint`), so it shows decoded payloads. */
  uiCodecEndpoint?: string;
  /** SQLite file; in-memory when omitted. */
  dbFilename?: string;
  namespace?: string;
  ip?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /**
   * Dynamic configuration (`--dynamic-config-value KEY=VALUE`); default `DEV_SERVER_DYNAMIC_CONFIG`.
   * Pass `{}` for the dev server's own defaults.
   */
  dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  /** Register the campaign search attributes (default true). */
  searchAttributes?: boolean;
  startTimeoutMs?: number;
  binary?: string;
}

/**
 * The dev server runs one history shard whose transfer queue is read at most 20 times a second, so every
 * workflow and activity task waits up to 50 ms for its turn (bench/README.md, finding 1). Raised, a
 * signal reaches its CloudEvent in 31 ms instead of 100 ms at the median and an update in 4 ms instead of
 * 35 ms, on the dev stack and in the tests alike. Production Temporal has many shards and needs no change.
 */
export const DEV_SERVER_DYNAMIC_CONFIG = { 'history.transferProcessorMaxPollRPS': 1000 } as const;

export interface TemporalDevServer {
  /** host:port for `Connection.connect({ address })`. */
  readonly address: string;
  readonly namespace: string;
  readonly uiUrl: string | undefined;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` (real server, SQLite or in-memory, optional Web UI) with the
 * campaign search attributes and waits until it answers `GetSystemInfo`, the namespace exists and the
 * search attributes are registered.
 */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const binary = options.binary ?? resolveTemporalCli();
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const port = options.port ?? (await freePort(ip));
  const uiPort = options.uiPort === false ? undefined : (options.uiPort ?? (await freePort(ip)));
  const withSearchAttributes = options.searchAttributes ?? true;

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port)];
  args.push(...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (uiPort !== undefined && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFilename) {
    mkdirSync(dirname(options.dbFilename), { recursive: true });
    args.push('--db-filename', options.dbFilename);
  }
  if (namespace !== 'default') args.push('--namespace', namespace);
  args.push('--log-level', options.logLevel ?? 'warn');
  if (withSearchAttributes) args.push(...searchAttributeFlags());
  for (const [key, value] of Object.entries(options.dynamicConfig ?? DEV_SERVER_DYNAMIC_CONFIG))
    args.push('--dynamic-config-value', `${key}=${String(value)}`);

  const proc = spawnManaged({
    name: 'temporal',
    command: binary,
    args,
    logFile: join(options.logDir, `temporal-${port}.log`),
  });
  const address = `${ip}:${port}`;

  let connection: Connection | undefined;
  try {
    await waitUntil(
      async () => {
        connection ??= await Connection.connect({ address, connectTimeout: 1_000 });
        const deadline = new Date(Date.now() + 2_000);
        await connection.withDeadline(deadline, () => connection!.workflowService.getSystemInfo({}));
        await connection.withDeadline(deadline, () => connection!.workflowService.describeNamespace({ namespace }));
        if (withSearchAttributes) {
          const { customAttributes } = await connection.withDeadline(deadline, () =>
            connection!.operatorService.listSearchAttributes({ namespace }),
          );
          return campaignSearchAttributes.every((key) => customAttributes?.[key.name] !== undefined);
        }
        return true;
      },
      { timeoutMs: options.startTimeoutMs ?? 60_000, intervalMs: 200, process: proc, what: `Temporal dev server on ${address}` },
    );
  } catch (err) {
    await connection?.close().catch(() => undefined);
    await proc.stop({ signal: 'SIGKILL' });
    throw err;
  }
  await connection?.close().catch(() => undefined);

  return {
    address,
    namespace,
    uiUrl: uiPort === undefined ? undefined : `http://${ip}:${uiPort}`,
    process: proc,
    async stop() {
      await proc.stop({ graceMs: 10_000 });
    },
  };
}
